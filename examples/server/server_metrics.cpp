#include "server_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <array>
#include <charconv>
#include <mutex>
#include <unordered_map>

namespace server {

namespace {
const prometheus::Histogram::BucketBoundaries& latency_buckets() {
    static const prometheus::Histogram::BucketBoundaries buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                                 0.1,    0.25,  0.5,    1,     2.5,  5,     10};
    return buckets;
}
}  // namespace

std::string_view method_label(std::string_view method) {
    static constexpr std::array<std::string_view, 7> known{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
    for (const auto name : known) {
        if (method == name) return name;
    }
    return "OTHER";
}

struct server_metrics::impl {
    std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
    prometheus::Family<prometheus::Counter>& requests =
        prometheus::BuildCounter()
            .Name("userstream_http_requests_total")
            .Help("HTTP exchanges finished, by method, route template and status")
            .Register(*registry);
    prometheus::Family<prometheus::Histogram>& request_duration =
        prometheus::BuildHistogram()
            .Name("userstream_http_request_duration_seconds")
            .Help("Time from a request read to its response written, by method and route template")
            .Register(*registry);
    prometheus::Family<prometheus::Counter>& grpc_calls =
        prometheus::BuildCounter()
            .Name("userstream_grpc_requests_total")
            .Help("Native gRPC calls finished, by method and status code")
            .Register(*registry);
    prometheus::Family<prometheus::Histogram>& grpc_duration =
        prometheus::BuildHistogram()
            .Name("userstream_grpc_request_duration_seconds")
            .Help("Time from a gRPC call's start to its status sent, by method")
            .Register(*registry);
    prometheus::Gauge& connections = prometheus::BuildGauge()
                                         .Name("userstream_http_connections")
                                         .Help("Open HTTP connections")
                                         .Register(*registry)
                                         .Add({});
    prometheus::Histogram& commit_duration = prometheus::BuildHistogram()
                                                 .Name("userstream_store_commit_duration_seconds")
                                                 .Help("Duration of each push to the event store (its commit)")
                                                 .Register(*registry)
                                                 .Add({}, latency_buckets());
    prometheus::Family<prometheus::Gauge>& projection_lag =
        prometheus::BuildGauge()
            .Name("userstream_projection_lag_events")
            .Help("Store head minus the read model's checkpoint, in event positions")
            .Register(*registry);
    prometheus::Gauge& outbox_pending =
        prometheus::BuildGauge()
            .Name("userstream_sms_outbox_pending_events")
            .Help("Store head minus the SMS outbox's checkpoint, in event positions: codes among them await delivery")
            .Register(*registry)
            .Add({});
    prometheus::Gauge& outbox_standing_by =
        prometheus::BuildGauge()
            .Name("userstream_sms_outbox_standing_by")
            .Help("1 while another server on the same database holds the SMS outbox's lease and sends; 0 while this "
                  "one may send")
            .Register(*registry)
            .Add({});
    prometheus::Counter& outbox_sent = prometheus::BuildCounter()
                                           .Name("userstream_sms_outbox_sent_total")
                                           .Help("Verification codes handed to the SMS sender")
                                           .Register(*registry)
                                           .Add({});
    prometheus::Counter& outbox_skipped = prometheus::BuildCounter()
                                              .Name("userstream_sms_outbox_skipped_total")
                                              .Help("Codes not sent: returned to the caller, expired or superseded")
                                              .Register(*registry)
                                              .Add({});
    prometheus::Counter& outbox_given_up = prometheus::BuildCounter()
                                               .Name("userstream_sms_outbox_given_up_total")
                                               .Help("Codes given up: the sender kept failing or the code was unreadable")
                                               .Register(*registry)
                                               .Add({});

    // Each HTTP request's or gRPC call's series, found by one hash lookup: prometheus-cpp's Family::Add builds a
    // label map and hashes it on every call, which cost more than the rest of the request's bookkeeping. Series are
    // never removed, so the pointers stay valid. Key: the protocol, then the labels, separated by '\n' (which no
    // label holds).
    struct call_series {
        prometheus::Counter* count;
        prometheus::Histogram* duration;
    };
    std::mutex series_mutex;
    std::unordered_map<std::string, call_series> series;

    // The series for `key`, made by `make` (which calls Family::Add) the first time the key is seen.
    template <class Make>
    call_series find_series(const std::string& key, Make&& make) {
        const std::lock_guard lock(series_mutex);
        auto it = series.find(key);
        if (it == series.end()) it = series.emplace(key, make()).first;
        return it->second;
    }

    std::mutex render_mutex;  // one render at a time: the outbox counters advance by the difference since the last
    sources from;
    userstream::user::sms_outbox::report outbox_seen;
};

server_metrics::server_metrics() : impl_(std::make_unique<impl>()) {}
server_metrics::~server_metrics() = default;

void server_metrics::set_sources(sources from) {
    const std::lock_guard lock(impl_->render_mutex);
    impl_->from = std::move(from);
}

void server_metrics::observe_request(std::string_view method, const std::string& route, int status, double seconds) {
    const std::string_view verb = method_label(method);
    std::array<char, 16> digits{};
    const auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), status);
    const std::string_view code(digits.data(), ec == std::errc() ? static_cast<std::size_t>(end - digits.data()) : 0);
    thread_local std::string key;  // reused: no allocation per request
    key.assign("http\n").append(verb).append(1, '\n').append(route).append(1, '\n').append(code);
    const auto found = impl_->find_series(key, [&] {
        const std::string verb_text(verb);
        return impl::call_series{
            &impl_->requests.Add({{"method", verb_text}, {"route", route}, {"status", std::string(code)}}),
            &impl_->request_duration.Add({{"method", verb_text}, {"route", route}}, latency_buckets())};
    });
    found.count->Increment();
    found.duration->Observe(seconds);
}

void server_metrics::observe_grpc_call(const std::string& method, std::string_view code, double seconds) {
    thread_local std::string key;
    key.assign("grpc\n").append(method).append(1, '\n').append(code);
    const auto found = impl_->find_series(key, [&] {
        return impl::call_series{&impl_->grpc_calls.Add({{"method", method}, {"code", std::string(code)}}),
                                 &impl_->grpc_duration.Add({{"method", method}}, latency_buckets())};
    });
    found.count->Increment();
    found.duration->Observe(seconds);
}

void server_metrics::observe_commit(double seconds) { impl_->commit_duration.Observe(seconds); }

std::string server_metrics::render() {
    const std::lock_guard lock(impl_->render_mutex);
    auto& from = impl_->from;
    // A source that fails (the store is down) must not fail the scrape: its gauges keep their last values.
    try {
        if (from.projection_lag) {
            for (const auto& [name, lag] : from.projection_lag()) {
                impl_->projection_lag.Add({{"projection", name}}).Set(static_cast<double>(lag));
            }
        }
    } catch (...) {
    }
    try {
        if (from.outbox_pending) impl_->outbox_pending.Set(static_cast<double>(from.outbox_pending()));
    } catch (...) {
    }
    if (from.outbox_status) {
        const auto status = from.outbox_status();  // never throws (sms_outbox::status)
        const auto& totals = status.totals;
        impl_->outbox_standing_by.Set(status.standing_by ? 1 : 0);
        auto& seen = impl_->outbox_seen;
        impl_->outbox_sent.Increment(static_cast<double>(totals.sent - seen.sent));
        impl_->outbox_skipped.Increment(static_cast<double>(totals.skipped - seen.skipped));
        impl_->outbox_given_up.Increment(static_cast<double>(totals.given_up - seen.given_up));
        seen = totals;
    }
    if (from.connections) impl_->connections.Set(static_cast<double>(from.connections()));
    return prometheus::TextSerializer().Serialize(impl_->registry->Collect());
}

}  // namespace server
