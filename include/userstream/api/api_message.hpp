// userstream/api/api_message.hpp
//
// An HTTP exchange as the API layer sees it, independent of any server library: the host's HTTP server copies the
// request line, headers and (de-chunked) body into an `api_request`, calls `api_handler::handle`, and writes the
// `api_response` back. Bodies are bytes (binary protobuf is not text). Header names compare case-insensitively, as
// HTTP says.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace userstream::api {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct api_request {
    std::string method;  // "GET", "PUT", "POST", "DELETE", ...
    std::string target;  // path and query, e.g. "/management/v1/users/u1/phone"
    header_list headers;
    std::string body;    // the whole body, bytes
    // When the host had read the request. The timeout a request carries (Connect's `connect-timeout-ms`, gRPC's
    // `grpc-timeout`) counts from here, so the time it waited for a worker counts too. Unset: from the call of handle.
    std::optional<std::chrono::steady_clock::time_point> received{};

    // The first header called `name` (case-insensitive), if any.
    std::optional<std::string_view> header(std::string_view name) const;
};

struct api_response {
    int status = 200;
    header_list headers;
    std::string body;

    std::optional<std::string_view> header(std::string_view name) const;
};

// Case-insensitive ASCII comparison of header names.
bool header_name_equals(std::string_view a, std::string_view b) noexcept;

}  // namespace userstream::api
