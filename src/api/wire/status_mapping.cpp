#include "wire/status_mapping.hpp"

#include <array>

namespace userstream::api::detail {

namespace {
struct code_row {
    std::string_view connect_name;
    int connect_http;
    int gateway_http;
};
// Indexed by gRPC code. Connect's table is its protocol specification's; the gateway column is grpc-gateway's.
constexpr std::array<code_row, 17> rows{{
    {"ok", 200, 200},                      // 0
    {"canceled", 499, 499},                // 1
    {"unknown", 500, 500},                 // 2
    {"invalid_argument", 400, 400},        // 3
    {"deadline_exceeded", 504, 504},       // 4
    {"not_found", 404, 404},               // 5
    {"already_exists", 409, 409},          // 6
    {"permission_denied", 403, 403},       // 7
    {"resource_exhausted", 429, 429},      // 8
    {"failed_precondition", 400, 400},     // 9
    {"aborted", 409, 409},                 // 10
    {"out_of_range", 400, 400},            // 11
    {"unimplemented", 501, 501},           // 12
    {"internal", 500, 500},                // 13
    {"unavailable", 503, 503},             // 14
    {"data_loss", 500, 500},               // 15
    {"unauthenticated", 401, 401},         // 16
}};
const code_row& row(int code) noexcept {
    return code >= 0 && code < static_cast<int>(rows.size()) ? rows[static_cast<std::size_t>(code)] : rows[2];
}
}  // namespace

int gateway_http_status(int code) noexcept { return row(code).gateway_http; }
std::string_view connect_code_name(int code) noexcept { return row(code).connect_name; }
int connect_http_status(int code) noexcept { return row(code).connect_http; }

rpc_status status_of(const error& e) {
    rpc_status out;
    out.code = userstream::grpc_code(e.kind);
    out.message = e.message + " (" + std::string(e.id) + ")";
    out.error_id = std::string(e.id);
    out.error_message = e.message;
    return out;
}

rpc_status plain_status(int code, std::string message) {
    rpc_status out;
    out.code = code;
    out.message = std::move(message);
    return out;
}

}  // namespace userstream::api::detail
