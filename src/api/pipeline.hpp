// The one path every request takes once its protocol has decoded it: authenticate, validate, run, catch. Protocols
// differ only in how they find the method, decode the request and encode the outcome (protocols/).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <google/protobuf/message.h>

#include "methods/method_table.hpp"

namespace userstream::api::detail {

struct rpc_outcome {
    rpc_status status;
    std::unique_ptr<google::protobuf::Message> response;  // set when status.ok()
};

class pipeline {
public:
    pipeline(api_services& services, const authenticator& auth) : services_(services), auth_(auth) {}

    // `authorization` is the raw header value ("Bearer <token>"); `org_id` the x-zitadel-orgid header.
    rpc_outcome run(const method& m, const google::protobuf::Message& request,
                    std::optional<std::string_view> authorization, const std::optional<std::string>& org_id) const;
    // The same with both taken from an HTTP request's `Authorization` and `x-zitadel-orgid` headers, as every HTTP
    // protocol carries them.
    rpc_outcome run(const method& m, const google::protobuf::Message& request, const api_request& http) const;

    const api_options& options() const noexcept { return services_.options; }
    // An internal failure: the detail goes to the host's log hook, the client gets a generic Internal status.
    rpc_status internal_failure(std::string_view where, std::string_view detail) const;

private:
    api_services& services_;
    const authenticator& auth_;
};

// A fresh, empty message of the prototype's type.
std::unique_ptr<google::protobuf::Message> new_message(const google::protobuf::Message& prototype);

}  // namespace userstream::api::detail
