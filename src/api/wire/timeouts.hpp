// Request timeouts as the protocols write them: Connect's `connect-timeout-ms` (1 to 10 digits, milliseconds) and
// gRPC's `grpc-timeout` (1 to 8 digits and a unit: H, M, S, m, u, n), which gRPC-Web carries and grpc-gateway reads on
// REST requests. A request's deadline is its arrival plus the timeout; the pipeline refuses to start a call past it
// and bounds the read-your-writes wait by it.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace userstream::api::detail {

enum class timeout_form { connect, grpc };

// The timeout a header value gives, or nullopt when the value is malformed. Values beyond a year are read as a year,
// so adding one to a clock cannot overflow.
std::optional<std::chrono::nanoseconds> parse_timeout(timeout_form form, std::string_view value) noexcept;

}  // namespace userstream::api::detail
