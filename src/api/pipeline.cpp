#include "pipeline.hpp"

#include <fmt/format.h>

#include "userstream/api/errors.hpp"
#include "userstream/eventstore/errors.hpp"
#include "userstream/projections/errors.hpp"
#include "wire/status_mapping.hpp"

namespace userstream::api::detail {

namespace {
// The token of "Bearer <token>"; the scheme is case-insensitive (RFC 7235).
std::optional<std::string_view> bearer_token(std::optional<std::string_view> authorization) {
    constexpr std::string_view scheme = "bearer ";
    if (!authorization || authorization->size() <= scheme.size() ||
        !header_name_equals(authorization->substr(0, scheme.size()), scheme)) {
        return std::nullopt;
    }
    auto token = authorization->substr(scheme.size());
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    if (token.empty()) return std::nullopt;
    return token;
}

bool past(const pipeline::deadline& by) { return by && std::chrono::steady_clock::now() >= *by; }
}  // namespace

std::unique_ptr<google::protobuf::Message> new_message(const google::protobuf::Message& prototype) {
    return std::unique_ptr<google::protobuf::Message>(prototype.New());
}

rpc_status pipeline::internal_failure(std::string_view where, std::string_view detail) const {
    if (services_.options.log) {
        try {
            services_.options.log(fmt::format("userstream api: {}: {}", where, detail));
        } catch (...) {  // a failing log hook must not turn an answer into a crash
        }
    }
    return status_of(errors::internal);
}

rpc_outcome pipeline::run(const method& m, const google::protobuf::Message& request,
                          std::optional<std::string_view> authorization,
                          const std::optional<std::string>& org_id, deadline by) const {
    // Checked first, as gRPC servers do: a client that has given up is not served, not even authenticated.
    if (past(by)) return {plain_status(rpc_code::deadline_exceeded, "deadline exceeded before the call ran"), nullptr};
    const auto token = bearer_token(authorization);
    if (!token) return {status_of(errors::token_missing), nullptr};
    std::optional<user::caller> who;
    try {
        who = auth_.authenticate(*token);
    } catch (const std::exception& e) {
        return {internal_failure(m.full_name, std::string("authenticator failed: ") + e.what()), nullptr};
    }
    if (!who) return {status_of(errors::token_invalid), nullptr};

    if (auto invalid = m.validate(request)) return {plain_status(rpc_code::invalid_argument, *invalid), nullptr};

    auto response = new_message(*m.response_prototype);
    try {
        const call_context context{*who, org_id, services_, by};
        auto status = m.invoke(context, request, *response);
        if (!status.ok()) {
            // The read models were still behind when the caller's deadline, not the handler's own bound, ended the
            // wait: the caller's answer is its deadline.
            if (status.error_id == projections::errors::projection_behind.id && past(by)) {
                return {plain_status(rpc_code::deadline_exceeded, "deadline exceeded while waiting for the read models"), nullptr};
            }
            return {std::move(status), nullptr};
        }
        return {std::move(status), std::move(response)};
    } catch (const unavailable_error& e) {
        // The store could not be reached (e.g. PostgreSQL restarting) while the method read or wrote: retryable, and
        // answered as a push that met the same failure is, not as an internal error. The detail goes to the log.
        internal_failure(m.full_name, e.what());
        return {status_of(eventstore::errors::store_unavailable), nullptr};
    } catch (const std::exception& e) {
        return {internal_failure(m.full_name, e.what()), nullptr};
    }
}

rpc_outcome pipeline::run(const method& m, const google::protobuf::Message& request, const api_request& http,
                          timeout_form form) const {
    deadline by;
    if (const auto header = http.header(form == timeout_form::connect ? "connect-timeout-ms" : "grpc-timeout")) {
        const auto timeout = parse_timeout(form, *header);
        if (!timeout) {
            return {plain_status(rpc_code::invalid_argument, form == timeout_form::connect ? "malformed connect-timeout-ms"
                                                                                          : "malformed grpc-timeout"),
                    nullptr};
        }
        by = http.received.value_or(std::chrono::steady_clock::now()) +
             std::chrono::duration_cast<std::chrono::steady_clock::duration>(*timeout);
    }
    std::optional<std::string> org;
    if (const auto header = http.header("x-zitadel-orgid")) org = std::string(*header);
    return run(m, request, http.header("authorization"), org, by);
}

}  // namespace userstream::api::detail
