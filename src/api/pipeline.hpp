// The one path every request takes once its protocol has decoded it: authenticate, validate, run, catch. Protocols
// differ only in how they find the method, decode the request and encode the outcome (protocols/).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <google/protobuf/message.h>

#include "methods/method_table.hpp"
#include "wire/timeouts.hpp"

namespace userstream::api::detail {

struct rpc_outcome {
    rpc_status status;
    std::unique_ptr<google::protobuf::Message> response;  // set when status.ok()
};

class pipeline {
public:
    pipeline(api_services& services, const authenticator& auth) : services_(services), auth_(auth) {}

    using deadline = std::optional<std::chrono::steady_clock::time_point>;

    // `authorization` is the raw header value ("Bearer <token>"); `org_id` the x-zitadel-orgid header. A call past
    // `by` does not start, and a read past it stops waiting for the read models: both DeadlineExceeded.
    rpc_outcome run(const method& m, const google::protobuf::Message& request,
                    std::optional<std::string_view> authorization, const std::optional<std::string>& org_id,
                    deadline by) const;
    // The same with all three taken from an HTTP request: `Authorization` and `x-zitadel-orgid` headers, as every
    // HTTP protocol carries them, and the deadline from the protocol's timeout header (`form`) counted from the
    // request's arrival. A malformed timeout header is InvalidArgument.
    rpc_outcome run(const method& m, const google::protobuf::Message& request, const api_request& http,
                    timeout_form form) const;

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
