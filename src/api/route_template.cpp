// Route templates for a server's logs and metrics, from the same method table and REST routing that `handle` uses, so
// a request is counted under the method it reaches.
#include <string>

#include "methods/method_table.hpp"
#include "protocols/rest_routes.hpp"
#include "userstream/api/api_handler.hpp"

namespace userstream::api {

namespace {
// The rule's path with the variable in ZITADEL's documented spelling.
std::string rest_template(const detail::method& m) {
    std::string out(m.rest.path);
    constexpr std::string_view variable = "{user_id}";
    if (const auto at = out.find(variable); at != std::string::npos) out.replace(at, variable.size(), "{userId}");
    return out;
}
}  // namespace

std::string api_handler::route_template(std::string_view method, std::string_view target) {
    try {
        const auto path = target.substr(0, target.find('?'));
        if (path.starts_with('/') && detail::find_method(path) != nullptr) return std::string(path);
        const auto match = detail::match_route(method, path);
        if (match.found != nullptr) return rest_template(*match.found);
        if (match.path_known) {
            // Reached with another verb (a 405): the route of a verb that serves the path.
            for (const auto& m : detail::all_methods()) {
                const auto other = detail::match_route(m.rest.verb, path);
                if (other.found != nullptr) return rest_template(*other.found);
            }
        }
    } catch (...) {
        // Only allocation can fail here; a route for metrics is not worth an exception in the server.
    }
    return "unmatched";
}

}  // namespace userstream::api
