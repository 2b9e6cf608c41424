// The server's own endpoints, beside the API:
//
//   GET /debug/healthz   200 while the process serves requests (liveness)
//   GET /debug/ready     200 once the store is open and the projections have caught up; 503 before that and from
//                        the start of shutdown (readiness: a load balancer sends traffic only to ready servers)
//   GET /debug/metrics   Prometheus text format (server_metrics)
//
// healthz and ready are answered on the I/O thread (they only read a flag), so they answer even while every worker
// is busy with slow commits; metrics asks the store for its head, so it runs on a worker like the API.
#pragma once

#include <atomic>
#include <optional>
#include <string_view>

#include "server_metrics.hpp"
#include "userstream/api/api_message.hpp"

namespace server {

bool is_debug_path(std::string_view path);

class debug_endpoints {
public:
    explicit debug_endpoints(server_metrics& metrics) : metrics_(metrics) {}

    void set_ready(bool ready) noexcept { ready_.store(ready); }
    bool ready() const noexcept { return ready_.load(); }

    // healthz and ready, and the errors of every /debug/ path (404, 405); nullopt for anything else. Never blocks.
    std::optional<userstream::api::api_response> answer_at_once(const userstream::api::api_request& request) const;
    // /debug/metrics; nullopt for anything else. Asks the store: call it on a worker.
    std::optional<userstream::api::api_response> answer_on_worker(const userstream::api::api_request& request) const;

private:
    server_metrics& metrics_;
    std::atomic<bool> ready_{false};
};

}  // namespace server
