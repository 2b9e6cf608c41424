#include "userstream/core/error.hpp"

namespace userstream {

std::string_view to_string(error_kind kind) noexcept {
    switch (kind) {
        case error_kind::invalid_argument: return "InvalidArgument";
        case error_kind::failed_precondition: return "FailedPrecondition";
        case error_kind::not_found: return "NotFound";
        case error_kind::permission_denied: return "PermissionDenied";
        case error_kind::unauthenticated: return "Unauthenticated";
        case error_kind::conflict: return "Conflict";
        case error_kind::internal: return "Internal";
        case error_kind::unavailable: return "Unavailable";
        case error_kind::unknown: return "Unknown";
    }
    return "Internal";
}

int grpc_code(error_kind kind) noexcept {
    switch (kind) {
        case error_kind::invalid_argument: return 3;
        case error_kind::failed_precondition: return 9;
        case error_kind::not_found: return 5;
        case error_kind::permission_denied: return 7;
        case error_kind::unauthenticated: return 16;
        case error_kind::conflict: return 10;  // ABORTED: "retry at a higher level"
        case error_kind::internal: return 13;
        case error_kind::unavailable: return 14;
        case error_kind::unknown: return 2;
    }
    return 13;
}

int http_status(error_kind kind) noexcept {
    // grpc-gateway's runtime.HTTPStatusFromCode; FailedPrecondition is 400 there, not 412.
    switch (kind) {
        case error_kind::invalid_argument: return 400;
        case error_kind::failed_precondition: return 400;
        case error_kind::not_found: return 404;
        case error_kind::permission_denied: return 403;
        case error_kind::unauthenticated: return 401;
        case error_kind::conflict: return 409;
        case error_kind::internal: return 500;
        case error_kind::unavailable: return 503;
        case error_kind::unknown: return 500;
    }
    return 500;
}

}  // namespace userstream
