#include "debug_endpoints.hpp"

namespace server {

namespace {
constexpr std::string_view healthz = "/debug/healthz";
constexpr std::string_view ready_path = "/debug/ready";
constexpr std::string_view metrics_path = "/debug/metrics";

std::string_view path_of(const userstream::api::api_request& request) {
    const std::string_view target = request.target;
    return target.substr(0, target.find('?'));
}

userstream::api::api_response text(int status, std::string body) {
    return {status, {{"Content-Type", "text/plain; charset=utf-8"}, {"Cache-Control", "no-store"}}, std::move(body)};
}
}  // namespace

bool is_debug_path(std::string_view path) { return path == healthz || path == ready_path || path == metrics_path; }

std::optional<userstream::api::api_response> debug_endpoints::answer_at_once(
    const userstream::api::api_request& request) const {
    const auto path = path_of(request);
    if (!path.starts_with("/debug/")) return std::nullopt;
    if (!is_debug_path(path)) return text(404, "not found\n");
    if (request.method != "GET") {
        auto out = text(405, "method not allowed\n");
        out.headers.emplace_back("Allow", "GET");
        return out;
    }
    if (path == healthz) return text(200, "ok\n");
    if (path == ready_path) return ready() ? text(200, "ready\n") : text(503, "not ready\n");
    return std::nullopt;  // metrics: on a worker
}

std::optional<userstream::api::api_response> debug_endpoints::answer_on_worker(
    const userstream::api::api_request& request) const {
    if (path_of(request) != metrics_path || request.method != "GET") return std::nullopt;
    auto out = text(200, metrics_.render());
    out.headers[0].second = "text/plain; version=0.0.4; charset=utf-8";
    return out;
}

}  // namespace server
