#include "access_log.hpp"

#include <fmt/format.h>

#include "debug_endpoints.hpp"
#include "server_metrics.hpp"
#include "userstream/api/api_handler.hpp"

namespace server {

std::string route_label(std::string_view method, std::string_view target) {
    const auto path = target.substr(0, target.find('?'));
    if (is_debug_path(path)) return std::string(path);
    return userstream::api::api_handler::route_template(method, target);
}

std::string access_log_line(std::string_view method, std::string_view route, int status, double seconds) {
    return fmt::format("access method={} route={} status={} duration_ms={:.3f}", method_label(method), route, status,
                       seconds * 1000.0);
}

}  // namespace server
