// Does a command get slower as its aggregate's history grows? SetPhone on a user with 10,000 prior events against
// SetPhone on a user with 1 prior event, measured in the same run, with the write-model cache (the default) and
// without it (what ZITADEL does: every command re-reads the aggregate's whole stream).
//
//   cmake --build build/release --target bench_history
//   build/release/benchmarks/bench_history --benchmark_repetitions=5
//
// At the end it prints the ratio of the cached medians; the goal is at most 1.5.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "userstream/eventstore/memory_event_store.hpp"
#include "userstream/user/event_codec.hpp"
#include "userstream/user/user_service.hpp"

namespace {

using namespace userstream;
using namespace userstream::user;

const caller admin{"admin", "admin-org"};
constexpr const char* numbers[] = {"+41 71 000 00 00", "+41 71 000 00 01"};

// One store and one service for each cache setting, shared by both history lengths so that the global log is the same
// size for both: only the aggregate's own history differs.
struct setup {
    eventstore::memory_event_store store;
    system_clock clock;
    sequential_id_generator ids{"bench-"};
    grant_table_authorizer auth;
    key_ring keys;
    std::unique_ptr<user_service> service;
    int fresh_users = 0;

    explicit setup(std::size_t cache_capacity) {
        keys.add_random_key("k");
        keys.activate("k");
        auth.grant(admin.user_id, grant_table_authorizer::any_org, permissions::user_write);
        user_service_config config;
        config.write_model_cache_capacity = cache_capacity;
        service = std::make_unique<user_service>(store, auth, keys, clock, ids, config);
    }

    void push(const std::string& user_id, const std::vector<user_event>& events) {
        eventstore::aggregate_append append{{"default", std::string(aggregate_type), user_id}, "o1", std::nullopt, {}};
        for (const auto& e : events) {
            auto encoded = encode(e);
            append.events.push_back({std::string(encoded.type), encoded.payload, aggregate_revision, "seed", clock.now()});
        }
        std::vector<eventstore::aggregate_append> batch{std::move(append)};
        if (!store.append(std::move(batch)).ok()) std::abort();
    }

    // A user whose stream holds exactly `prior` events: human.added, then phone changes, verifications and failed
    // verification attempts.
    void create_user(const std::string& user_id, int prior) {
        push(user_id, {human_added{}});
        std::vector<user_event> history;
        for (int i = 1; i < prior; ++i) {
            switch (i % 3) {
                case 0: history.emplace_back(phone_changed{phone_number::from_stored("+4171000000" + std::to_string(i % 10))}); break;
                case 1: history.emplace_back(phone_verification_failed{}); break;
                default: history.emplace_back(phone_verified{}); break;
            }
            if (history.size() == 1000) {
                push(user_id, history);
                history.clear();
            }
        }
        if (!history.empty()) push(user_id, history);
    }
};

setup& shared(bool cached) {
    static setup with_cache(100'000);
    static setup without_cache(0);
    return cached ? with_cache : without_cache;
}

void set_phone(benchmark::State& state, bool cached) {
    auto& s = shared(cached);
    const auto prior = static_cast<int>(state.range(0));
    // A long history is one user whose stream keeps growing with every iteration (which only makes it harder);
    // a short one is a fresh user with exactly one prior event for every command.
    const std::string long_user = "long-" + std::to_string(prior);
    if (prior > 1 && s.store.read_aggregate({"default", "user", long_user}, {}).empty()) s.create_user(long_user, prior);
    std::vector<std::string> fresh;
    std::size_t next_fresh = 0;
    const auto next_user = [&]() -> std::string {
        if (prior > 1) return long_user;
        if (next_fresh == fresh.size()) {
            state.PauseTiming();
            fresh.clear();
            next_fresh = 0;
            for (int i = 0; i < 1024; ++i) {
                fresh.push_back("fresh-" + std::to_string(s.fresh_users++));
                s.create_user(fresh.back(), 1);
            }
            state.ResumeTiming();
        }
        return fresh[next_fresh++];
    };
    // Warm up: the first command on a cold cache folds the whole stream once.
    (void)s.service->set_phone(admin, {long_user, numbers[1], mark_verified{}});

    std::size_t i = 0;
    for (auto _ : state) {
        auto out = s.service->set_phone(admin, {next_user(), numbers[i++ % 2], mark_verified{}});
        if (!out) {
            state.SkipWithError(std::string(out.err().id).c_str());
            break;
        }
        benchmark::DoNotOptimize(out);
    }
    // The stream length after the run: the long history only grew while it was measured.
    state.counters["events_after"] =
        static_cast<double>(s.store.read_aggregate({"default", "user", prior > 1 ? long_user : fresh.at(0)}, {}).size());
}

void set_phone_cached(benchmark::State& state) { set_phone(state, true); }
void set_phone_uncached(benchmark::State& state) { set_phone(state, false); }

BENCHMARK(set_phone_cached)->ArgName("prior_events")->Arg(1)->Arg(10'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(set_phone_uncached)->ArgName("prior_events")->Arg(1)->Arg(10'000)->Unit(benchmark::kMicrosecond);

// Prints the runs as usual and remembers each one's time (the median when repeated) to compare them at the end.
class ratio_reporter final : public benchmark::ConsoleReporter {
public:
    // Colours only on a terminal, so that captured output stays plain text.
    ratio_reporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Defaults : OO_Tabular) {}
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const auto& run : runs) {
            if (run.error_occurred) continue;
            const bool aggregate = run.run_type == Run::RT_Aggregate;
            if (aggregate && run.aggregate_name != "median") continue;
            const auto name = run.run_name.function_name + "/" + run.run_name.args;
            if (aggregate || !medians_.count(name)) {
                times_[name] = run.GetAdjustedRealTime();
                cpu_times_[name] = run.GetAdjustedCPUTime();
            }
            if (aggregate) medians_[name] = true;
        }
    }
    void print_ratio(const char* function) const {
        const auto shortest = times_.find(std::string(function) + "/prior_events:1");
        const auto longest = times_.find(std::string(function) + "/prior_events:10000");
        if (shortest == times_.end() || longest == times_.end()) return;
        const auto& cpu = cpu_times_;
        std::printf("%s: 10,000 prior events / 1 prior event = %.2f (CPU time: %.2f)\n", function,
                    longest->second / shortest->second, cpu.at(longest->first) / cpu.at(shortest->first));
    }

private:
    std::map<std::string, double> times_;
    std::map<std::string, double> cpu_times_;
    std::map<std::string, bool> medians_;
};

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    ratio_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    std::printf("\nPer-command cost ratio (median real time; goal for the cached service: <= 1.5)\n");
    reporter.print_ratio("set_phone_cached");
    reporter.print_ratio("set_phone_uncached");
    return 0;
}
