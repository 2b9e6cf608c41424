// The methods the API layer serves, in one table: each method's full gRPC name, its grpc-gateway HTTP rule, the
// protobuf types of its request and response, its validation (ZITADEL's proto rules) and the function that runs it on
// the library. The three protocols and `call` all dispatch through this table, so no method is mapped twice.
#pragma once

#include <atomic>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/message.h>

#include "methods/validation.hpp"
#include "userstream/api/api_handler.hpp"

namespace userstream::api::detail {

// What every method may use: the library's services, options, and the last position written through this handler
// (for read-your-writes).
struct api_services {
    user::user_service& users;
    projections::user_projections& read_side;
    const user::authorizer& permissions;
    const api_options& options;
    std::atomic<std::uint64_t> last_written{0};

    // Remembers a write's position (the highest seen wins).
    void wrote(eventstore::global_position position) noexcept;
    // Read-your-writes for a query: wait for the last position written here, no longer than the options say nor
    // past the call's deadline.
    projections::read_after read_after(std::optional<std::chrono::steady_clock::time_point> deadline) const noexcept;
};

// One call: who is calling, the `x-zitadel-orgid` header, the services, and the deadline the request carried.
struct call_context {
    const user::caller& who;
    const std::optional<std::string>& org_header;
    api_services& services;
    std::optional<std::chrono::steady_clock::time_point> deadline;

    projections::read_after read_after() const noexcept { return services.read_after(deadline); }
};

using validate_fn = std::optional<std::string> (*)(const google::protobuf::Message& request);
using invoke_fn = rpc_status (*)(const call_context& context, const google::protobuf::Message& request,
                                 google::protobuf::Message& response);

// A grpc-gateway rule: verb, path template with `{user_id}` as the only variable, and whether the body is the request
// (`body: "*"`).
struct http_rule {
    std::string_view verb;
    std::string_view path;
    bool has_body = false;
};

struct method {
    std::string_view full_name;  // "zitadel.user.v2.UserService/SetPhone"
    http_rule rest;
    const google::protobuf::Message* request_prototype;
    const google::protobuf::Message* response_prototype;
    validate_fn validate;
    invoke_fn invoke;
};

// Typed entry: Invoke(const call_context&, const Request&, Response&), known at compile time, and the request's
// `validate` overload (validation.hpp), wrapped into the type-erased pointers above.
template <class Request, class Response, auto Invoke>
method make_method(std::string_view full_name, http_rule rest) {
    return method{
        full_name,
        rest,
        &Request::default_instance(),
        &Response::default_instance(),
        [](const google::protobuf::Message& request) -> std::optional<std::string> {
            return validate(static_cast<const Request&>(request));
        },
        [](const call_context& context, const google::protobuf::Message& request,
           google::protobuf::Message& response) -> rpc_status {
            return Invoke(context, static_cast<const Request&>(request), static_cast<Response&>(response));
        },
    };
}

void add_management_methods(std::vector<method>& table);
void add_auth_methods(std::vector<method>& table);
void add_user_v2_methods(std::vector<method>& table);

// The whole table, built once.
std::span<const method> all_methods();
// By full name, with or without a leading slash; null when unknown.
const method* find_method(std::string_view full_name);

}  // namespace userstream::api::detail
