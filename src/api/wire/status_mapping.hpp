// How one gRPC status code is written in each protocol: grpc-gateway's HTTP status, Connect's code name and HTTP
// status. And how a library error becomes a status: ZITADEL's message form "<text> (<id>)" with an ErrorDetail.
#pragma once

#include <string_view>

#include "userstream/api/api_handler.hpp"
#include "userstream/core/error.hpp"

namespace userstream::api::detail {

namespace rpc_code {
inline constexpr int ok = 0, unknown = 2, invalid_argument = 3, deadline_exceeded = 4, not_found = 5,
                     resource_exhausted = 8, unimplemented = 12, internal = 13, unauthenticated = 16;
}

// grpc-gateway's runtime.HTTPStatusFromCode (FailedPrecondition is 400 there, as ZITADEL answers).
int gateway_http_status(int code) noexcept;
// The Connect protocol's name ("failed_precondition") and HTTP status of a gRPC code.
std::string_view connect_code_name(int code) noexcept;
int connect_http_status(int code) noexcept;

// A library error as ZITADEL sends it: message "<text> (<id>)", ErrorDetail {id, text}.
rpc_status status_of(const error& e);
// A status without ErrorDetail (validation and protocol errors).
rpc_status plain_status(int code, std::string message);

}  // namespace userstream::api::detail
