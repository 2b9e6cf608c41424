// The server's Prometheus metrics, in one registry of prometheus-cpp's core library, rendered in the text format for
// GET /debug/metrics (no second HTTP server). docs/server.md lists them:
//
//   userstream_http_requests_total{method,route,status}         counter: finished exchanges
//   userstream_http_request_duration_seconds{method,route}      histogram: request read to response written
//   userstream_http_connections                                 gauge: open connections
//   userstream_grpc_requests_total{method,code}                 counter: finished native gRPC calls
//   userstream_grpc_request_duration_seconds{method}            histogram: a gRPC call from its start to done
//   userstream_store_commit_duration_seconds                    histogram: each push's commit
//   userstream_projection_lag_events{projection}                gauge: store head minus the read model's checkpoint
//   userstream_sms_outbox_pending_events                        gauge: store head minus the outbox's checkpoint
//   userstream_sms_outbox_sent_total, _skipped_total, _given_up_total   counters: the outbox's totals
//   userstream_sms_outbox_standing_by                           gauge: 1 while another server holds the outbox lease
//
// Labels take few values: routes are templates without ids (api_handler::route_template), methods a fixed set.
// Gauges that mirror other objects are read when the metrics are rendered, through `sources`.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "userstream/user/sms_outbox.hpp"

namespace server {

class server_metrics {
public:
    // Read at each render; any may be null. A source that throws leaves its gauges as they were.
    struct sources {
        std::function<std::vector<std::pair<std::string, std::uint64_t>>()> projection_lag;  // name, events
        std::function<std::uint64_t()> outbox_pending;
        std::function<userstream::user::sms_outbox::status_snapshot()> outbox_status;
        std::function<std::size_t()> connections;
    };

    server_metrics();
    ~server_metrics();
    server_metrics(const server_metrics&) = delete;
    server_metrics& operator=(const server_metrics&) = delete;

    // Set once, before the server serves /debug/metrics.
    void set_sources(sources from);

    // Thread-safe.
    void observe_request(std::string_view method, const std::string& route, int status, double seconds);
    void observe_commit(double seconds);
    // `method` is "/pkg.Service/Method" for a served method, "unmatched" otherwise; `code` a gRPC code name.
    void observe_grpc_call(const std::string& method, std::string_view code, double seconds);

    // Refreshes the mirrored gauges, then renders every metric in Prometheus' text format. Thread-safe.
    std::string render();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

// The method label: GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, or OTHER for anything else (unbounded input must
// not make unbounded series).
std::string_view method_label(std::string_view method);

}  // namespace server
