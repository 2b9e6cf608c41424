// The memory store and the service's memory: what an event and a cached user cost, how fast the memory store
// replays, and the in-process SetPhone rate on the memory store that the HTTP benchmark compares with.
// * memory_footprint (one iteration, counters): heap bytes per stored event in the memory store, the process's RSS
//   after 1M stored events, and heap bytes per user held in the write-model cache. Each is held to a bound below
//   (documented in docs/benchmarks.md); the report marks one over its bound as not met.
// * memory_replay: for_each_global over 1M events (issue 13's goal: >= 20M events/s).
// * memory_set_phone: SetPhone on the memory store from 1 and 2 threads, rotating users, as the HTTP benchmark's
//   requests do (its goal: the server on the memory store >= 0.6x the 2-thread rate).
//
//   ./dev bench                     (or: build/release/benchmarks/bench_memory)
#include <malloc.h>

#include <fstream>

#include "store_bench_support.hpp"
#include "userstream/eventstore/memory_event_store.hpp"

namespace {

using namespace store_bench;

const std::size_t footprint_events = smoke() ? 20'000 : 1'000'000;
const int cached_users = smoke() ? 1'000 : 20'000;

// Bounds held by the report (docs/benchmarks.md, "Memory").
constexpr double max_bytes_per_event = 512;
constexpr double max_rss_mib_after_1m_events = 512;
constexpr double max_cache_bytes_per_user = 1024;

// Bytes malloc has handed out and not taken back (small blocks and mmapped ones).
double heap_bytes() {
    const auto info = ::mallinfo2();
    return static_cast<double>(info.uordblks + info.hblkhd);
}

double rss_mib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
    }
    return 0;
}

// A service with its own memory store, `users` users made, each with one SetPhone, so that the cache (when on) holds
// every one of them.
struct cached_rig {
    eventstore::memory_event_store store;
    system_clock clock;
    sequential_id_generator ids{"mem-"};
    user::grant_table_authorizer auth;
    user::key_ring keys;
    std::unique_ptr<user::user_service> service;

    cached_rig(std::size_t cache_capacity, int users) {
        keys.add_random_key("k");
        keys.activate("k");
        auth.grant(admin.user_id, user::grant_table_authorizer::any_org, user::permissions::user_write);
        user::user_service_config config;
        config.write_model_cache_capacity = cache_capacity;
        service = std::make_unique<user::user_service>(store, auth, keys, clock, ids, config);
        for (int u = 0; u < users; ++u) {
            const auto id = "c-" + std::to_string(u);
            if (!service->add_human(admin, {id, "org-1", "", false})) std::abort();
            if (!service->set_phone(admin, {id, numbers[0], user::mark_verified{}})) std::abort();
        }
    }
};

void memory_footprint(benchmark::State& state) {
    for (auto _ : state) {
        const double rss_before = rss_mib();
        const double heap_before = heap_bytes();
        auto store = std::make_unique<eventstore::memory_event_store>();
        load_replay_events(*store, footprint_events);
        const double heap_after = heap_bytes();
        const double rss_after = rss_mib();
        store.reset();

        // The cache's share: the same users and commands with the cache off and on; the stores grow alike. A first
        // command outside the measurement loads what is loaded once (libphonenumber's metadata, the key schedule).
        const cached_rig warm_up(0, 1);
        const double h0 = heap_bytes();
        auto without = std::make_unique<cached_rig>(0, cached_users);
        const double h1 = heap_bytes();
        auto with = std::make_unique<cached_rig>(user::user_service_config{}.write_model_cache_capacity, cached_users);
        const double h2 = heap_bytes();

        const double bytes_per_event = (heap_after - heap_before) / static_cast<double>(footprint_events);
        const double cache_per_user = ((h2 - h1) - (h1 - h0)) / cached_users;
        // Scaled to 1M events when smoke mode stored fewer.
        const double rss_1m = rss_before + (rss_after - rss_before) * 1e6 / static_cast<double>(footprint_events);
        state.counters["bytes_per_event"] = bytes_per_event;
        state.counters["rss_mib_after_1m_events"] = rss_1m;
        state.counters["rss_mib_before"] = rss_before;
        state.counters["cache_bytes_per_user"] = cache_per_user;
        state.counters["bound_bytes_per_event"] = max_bytes_per_event;
        state.counters["bound_rss_mib_after_1m_events"] = max_rss_mib_after_1m_events;
        state.counters["bound_cache_bytes_per_user"] = max_cache_bytes_per_user;
    }
}
// Once even when repeated: the heap and RSS figures are not noisy, and a second run would start from the first's
// freed memory.
BENCHMARK(memory_footprint)->Iterations(1)->Repetitions(1)->Unit(benchmark::kMillisecond);

const eventstore::memory_event_store& replay_store() {
    static const auto store = [] {
        auto s = std::make_unique<eventstore::memory_event_store>();
        load_replay_events(*s, footprint_events);
        return s;
    }();
    return *store;
}
void prepare_replay(const benchmark::State&) { replay_store(); }
void memory_replay(benchmark::State& state) { replay_loop(state, replay_store()); }
BENCHMARK(memory_replay)->Setup(prepare_replay)->Unit(benchmark::kMillisecond)->UseRealTime();

service_rig& memory_rig() {
    static service_rig rig("memory:", 2);
    return rig;
}
void prepare_set_phone(const benchmark::State&) { memory_rig(); }
void memory_set_phone(benchmark::State& state) { set_phone_loop(state, memory_rig()); }
BENCHMARK(memory_set_phone)->Setup(prepare_set_phone)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
    rate_reporter reporter;
    if (!run_benchmarks(argc, argv, reporter)) return 1;
    std::printf("\nMemory store (items/s; median when repeated)\n");
    reporter.print_absolute("replay rate", "memory_replay", 20'000'000);
    reporter.print_absolute("SetPhone from 2 threads", "memory_set_phone/threads:2", 0);
    return 0;
}
