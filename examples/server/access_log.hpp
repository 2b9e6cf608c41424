// One line per HTTP exchange on standard error:
//
//     access method=PUT route=/management/v1/users/{userId}/phone status=200 duration_ms=3.214
//
// The route is a template (route_label), never the raw path: paths carry user ids, and nothing of the request beyond
// its method and route is written, so no token, code or phone number reaches the log.
//
// The lines go out in batches (batched_line_writer: within 100 ms, or at 64 KiB), not one write() per request; the
// server flushes them before it exits.
#pragma once

#include <string>
#include <string_view>

namespace server {

// The route of a request for logs and metrics: the server's own /debug/ paths as they are, else the API's route
// template (api_handler::route_template; "unmatched" for an unknown path).
std::string route_label(std::string_view method, std::string_view target);

std::string access_log_line(std::string_view method, std::string_view route, int status, double seconds);

}  // namespace server
