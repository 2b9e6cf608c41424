// userstream/api/api_handler.hpp
//
// ZITADEL's wire API for the user phone and user methods, as one transport-agnostic handler. A host mounts
// `handle` in its own HTTP server; ZITADEL's clients then work unchanged over any of the three protocols it speaks:
//
// * REST as grpc-gateway maps ZITADEL's `google.api.http` rules (`PUT /management/v1/users/{userId}/phone`, ...),
//   JSON in protobuf's JSON mapping, errors as a `google.rpc.Status` JSON body;
// * Connect unary (`POST /zitadel.user.v2.UserService/SetPhone`) with `application/json` or `application/proto`;
// * gRPC-Web (`application/grpc-web+proto`, `application/grpc-web`), length-prefixed frames and a trailer frame.
//
// Every method goes the same way: decode, authenticate (`Authorization: Bearer`), validate as ZITADEL's proto rules
// do, run the library's command or query, encode. `call` is that pipeline on binary protobuf alone, for a gRPC
// listener. docs/api.md lists the methods and each protocol's error form.
//
//     auto tokens = api::token_file::load("tokens.json");
//     user::user_service users(store, tokens, keys);
//     projections::user_projections read_side(store);
//     read_side.start();
//     api::api_handler api(users, read_side, tokens, tokens);
//     api::api_response out = api.handle({"PUT", "/management/v1/users/u1/phone", headers, body});
//
// Reads through the handler see the writes made through it: a query first waits, at most
// `read_your_writes_timeout`, until the read models have applied the last position this handler wrote, and answers
// Unavailable (retryable) if they have not. Thread-safe; the handler holds no lock while a command runs.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "userstream/api/api_message.hpp"
#include "userstream/api/authenticator.hpp"
#include "userstream/projections/user_projections.hpp"
#include "userstream/user/user_service.hpp"

namespace userstream::api {

struct api_options {
    std::string instance_id = "default";
    // How long a read waits for the read models to catch up with this handler's last write.
    std::chrono::milliseconds read_your_writes_timeout{5'000};
    // Request messages larger than this are refused (ResourceExhausted; HTTP 413 for REST) before decoding.
    std::size_t max_request_bytes = 4 * 1024 * 1024;
    // What v1 GetHumanPhone/GetMyPhone answer for a human without a phone: ZITADEL v1's NotFound, or an empty phone.
    projections::missing_phone when_phone_missing = projections::missing_phone::not_found;
    // Receives the detail of internal failures (the client only gets a generic Internal error). Never gets a token,
    // a code or a request body. Null: the detail is dropped.
    std::function<void(std::string_view)> log;
};

// The outcome of one RPC in gRPC terms. `code` is a gRPC status code (0 = OK). For an error, `message` is the text
// ZITADEL sends ("Phone not changed (COMMAND-wF94r)"), and `error_id`/`error_message` fill the `zitadel.v1.ErrorDetail`
// (empty for validation and protocol errors, which ZITADEL sends without details).
struct rpc_status {
    int code = 0;
    std::string message;
    std::string error_id;
    std::string error_message;

    bool ok() const noexcept { return code == 0; }
};

struct rpc_result {
    rpc_status status;
    std::string response;  // the binary response message when status.ok()
    // The binary `google.rpc.Status` of an error, carrying the ErrorDetail when there is one (gRPC's
    // `grpc-status-details-bin`). Empty when status.ok().
    std::string status_details() const;
};

// What a gRPC call carries besides the message.
struct rpc_metadata {
    std::optional<std::string> authorization;  // the `authorization` value, "Bearer <token>"
    std::optional<std::string> org_id;         // `x-zitadel-orgid`
    // The call's deadline. A call past it does not start, and a read waits for the read models at most until then;
    // either answers DEADLINE_EXCEEDED.
    std::optional<std::chrono::steady_clock::time_point> deadline{};
};

class api_handler {
public:
    // None of the references is owned; all must outlive the handler. `permissions` answers the read-side permission
    // checks (user.read) that the service does not make; usually the same object the service was given.
    api_handler(user::user_service& users, projections::user_projections& read_side, const authenticator& auth,
                const user::authorizer& permissions, api_options options = {});
    ~api_handler();
    api_handler(const api_handler&) = delete;
    api_handler& operator=(const api_handler&) = delete;

    // One HTTP exchange in any of the three protocols. Never throws for client input.
    api_response handle(const api_request& request) const;

    // One RPC on binary protobuf: `method` is "/zitadel.user.v2.UserService/SetPhone" (the leading slash optional).
    rpc_result call(std::string_view method, std::string_view request, const rpc_metadata& metadata) const;

    // Every method served, as "/<package>.<Service>/<Method>".
    std::vector<std::string> methods() const;

    // The route a request takes, without ids, for a server's logs and metrics: the REST rule's path template
    // ("/management/v1/users/{userId}/phone") or the RPC path ("/zitadel.user.v2.UserService/SetPhone"), whatever
    // the query string; a path served only with other HTTP methods gives its route too; "unmatched" otherwise. So its
    // values are few and never hold an id. Never throws.
    static std::string route_template(std::string_view method, std::string_view target);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace userstream::api
