// Shared pieces of the store benchmarks: a user_service over a store opened from a URL, with users ready for
// SetPhone; a SetPhone loop for benchmark threads; replay data; and a reporter that prints each measured rate against
// the floor measured in the same run.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "userstream/backends/open_store.hpp"
#include "userstream/user/event_codec.hpp"
#include "userstream/user/user_service.hpp"

namespace store_bench {

using namespace userstream;

inline const user::caller admin{"admin", "admin-org"};

// USERSTREAM_BENCH_SMOKE=1 (the test suite's bench_smoke_* entries): shrink the data sets so that a run only checks
// that every benchmark still works; its figures mean nothing.
inline bool smoke() {
    const char* value = std::getenv("USERSTREAM_BENCH_SMOKE");
    return value && *value && std::string(value) != "0";
}

inline const int users_per_thread = smoke() ? 8 : 64;

inline constexpr int threads = 8;       // the thread count of the headline figures
inline constexpr int max_threads = 64;  // the thread sweep: 1, 2, 8, 64

// The thread sweep, for a benchmark's `->Apply(thread_sweep)`: every measure plotted against threads uses it.
inline void thread_sweep(benchmark::internal::Benchmark* bench) {
    bench->Threads(1)->Threads(2)->Threads(threads)->Threads(max_threads);
}

inline constexpr const char* numbers[] = {"+41 71 000 00 00", "+41 79 123 45 67"};

// A user service over one store, with `threads * users_per_thread` users "u-<thread>-<n>" holding numbers[1].
struct service_rig {
    std::unique_ptr<eventstore::event_store> store;
    system_clock clock;
    sequential_id_generator ids{"bench-"};
    user::grant_table_authorizer auth;
    user::key_ring keys;
    std::unique_ptr<user::user_service> service;
    // Commands each benchmark thread has made so far; benchmark threads are new on every trial, the users are not.
    std::vector<std::size_t> progress;

    service_rig(const std::string& url, int thread_count)
        : store(backends::open_store(url)), progress(static_cast<std::size_t>(thread_count), 0) {
        keys.add_random_key("k");
        keys.activate("k");
        auth.grant(admin.user_id, user::grant_table_authorizer::any_org, user::permissions::user_write);
        service = std::make_unique<user::user_service>(*store, auth, keys, clock, ids);
        for (int t = 0; t < thread_count; ++t) {
            for (int n = 0; n < users_per_thread; ++n) {
                auto added = service->add_human(admin, {user_id(t, n), "org-1", numbers[1], true});
                if (!added) std::abort();
            }
        }
    }

    static std::string user_id(int thread, int n) { return "u-" + std::to_string(thread) + "-" + std::to_string(n); }
};

// Each benchmark thread changes the phone of its own users in turn, alternating numbers, so every command decides to
// push (phone.changed + phone.verified) and threads never conflict with each other.
inline void set_phone_loop(benchmark::State& state, service_rig& rig) {
    const int thread = state.thread_index();
    std::size_t& i = rig.progress.at(static_cast<std::size_t>(thread));
    for (auto _ : state) {
        const auto n = static_cast<int>(i % users_per_thread);
        const auto round = i / users_per_thread;
        auto out = rig.service->set_phone(admin, {service_rig::user_id(thread, n), numbers[round % 2], user::mark_verified{}});
        ++i;
        if (!out) {
            state.SkipWithError(std::string(out.err().id).c_str());
            break;
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// `count` events shaped like SetPhone's, over `count / 10` users, pushed in large batches (fast to load).
inline void load_replay_events(eventstore::event_store& store, std::size_t count) {
    const auto changed = user::encode(user::phone_changed{user::phone_number::from_stored("+41790000000")});
    std::vector<eventstore::aggregate_append> batch;
    std::size_t in_batch = 0;
    const auto created = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
    for (std::size_t i = 0; i < count; ++i) {
        if (i % 10 == 0) batch.push_back({{"default", "user", "replay-" + std::to_string(i / 10)}, "org-1", std::nullopt, {}});
        batch.back().events.push_back({std::string(changed.type), changed.payload, 2, "admin", created});
        if (++in_batch == 1000 || i + 1 == count) {
            if (!store.append(std::move(batch)).ok()) std::abort();
            batch.clear();
            in_batch = 0;
        }
    }
}

// Prints the runs as usual and keeps each one's items/s (the median when repeated) to print ratios at the end.
// The store's replay path: every event as a stored_event, in position order.
inline void replay_loop(benchmark::State& state, const eventstore::event_store& store) {
    std::int64_t events = 0;
    for (auto _ : state) {
        events += static_cast<std::int64_t>(store.for_each_global({}, {}, [](const eventstore::stored_event& e) {
            benchmark::DoNotOptimize(e.payload.data());
            return true;
        }));
    }
    state.SetItemsProcessed(events);
}

class rate_reporter final : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const auto& run : runs) {
            if (run.error_occurred) continue;
            const bool aggregate = run.run_type == Run::RT_Aggregate;
            if (aggregate && run.aggregate_name != "median") continue;
            const auto it = run.counters.find("items_per_second");
            if (it == run.counters.end()) continue;
            // A benchmark run with several arguments or thread counts keeps one rate for each: "name/n:8",
            // "name/threads:8".
            const auto name = run.run_name.function_name +
                              (run.run_name.args.empty() ? "" : "/" + run.run_name.args) +
                              (run.run_name.threads.empty() ? "" : "/" + run.run_name.threads);
            if (aggregate || !medians_.count(name)) rates_[name] = it->second.value;
            if (aggregate) medians_[name] = true;
        }
    }

    // `name` is the function name, then "/<args>" when it has arguments and "/threads:N" when it was registered
    // with Threads().
    double rate(const std::string& name) const {
        const auto it = rates_.find(name);
        return it == rates_.end() ? 0.0 : it->second;
    }

    // "what: 12,345/s = 5.1x floor (goal >= 5x)", or says what is missing.
    void print_ratio(const char* label, const std::string& measured, const std::string& floor, double goal) const {
        const double m = rate(measured), f = rate(floor);
        if (m == 0 || f == 0) {
            std::printf("%-55s not measured (filtered out or failed)\n", label);
            return;
        }
        std::printf("%-55s %12.0f/s vs floor %12.0f/s = %5.2fx  (goal >= %.2gx) %s\n", label, m, f, m / f, goal,
                    m / f >= goal ? "ok" : "SHORT");
    }

    void print_absolute(const char* label, const std::string& measured, double goal) const {
        const double m = rate(measured);
        if (m == 0) {
            std::printf("%-55s not measured (filtered out or failed)\n", label);
            return;
        }
        std::printf("%-55s %12.0f/s  (goal >= %.0f/s) %s\n", label, m, goal, m >= goal ? "ok" : "SHORT");
    }

private:
    std::map<std::string, double> rates_;
    std::map<std::string, bool> medians_;
};

// Runs the selected benchmarks through `reporter`; false when the command line had arguments Google Benchmark does
// not know.
inline bool run_benchmarks(int& argc, char** argv, rate_reporter& reporter) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return false;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return true;
}

}  // namespace store_bench
