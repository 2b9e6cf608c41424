// The SQLite store against floors measured in the same run on the same disk:
// * durable SetPhone (synchronous=FULL) from 8 threads, group commit against one transaction per command
//   (goal: >= 5x), with raw SQLite's one-row-per-transaction insert rate as the fsync floor;
// * raw appends (one event per push) from 8 threads, the same two ways, to separate the store from the domain;
// * replay of the global stream through for_each_global against a raw full-table read (goal: >= 1M events/s).
//
//   ./dev bench                     (or: build/release/benchmarks/bench_sqlite_store)
//   build/release/benchmarks/bench_sqlite_store --benchmark_repetitions=3
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "store_bench_support.hpp"

namespace {

using namespace store_bench;
namespace fs = std::filesystem;

constexpr int threads = 8;
constexpr std::size_t replay_events = 300'000;

const fs::path& scratch_dir() {
    static const fs::path dir = [] {
        auto d = fs::temp_directory_path() / ("userstream-bench-sqlite-" + std::to_string(::getpid()));
        fs::remove_all(d);
        fs::create_directories(d);
        return d;
    }();
    return dir;
}

std::string fresh_file(const std::string& name) {
    const auto path = scratch_dir() / (name + ".db");
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
    return path.string();
}

// --- floors ---------------------------------------------------------------------------------------------------------

void check(int rc, sqlite3* db) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        std::fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db));
        std::abort();
    }
}

// Raw SQLite, WAL, synchronous=FULL, one INSERT per transaction: what one fsync per command costs on this disk.
void sqlite_floor_one_tx_per_row(benchmark::State& state) {
    sqlite3* db = nullptr;
    check(sqlite3_open(fresh_file("floor-insert").c_str(), &db), db);
    check(sqlite3_exec(db,
                       "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE e (instance_id TEXT, "
                       "aggregate_type TEXT, aggregate_id TEXT, event_type TEXT, seq INTEGER, payload TEXT, "
                       "PRIMARY KEY (instance_id, aggregate_type, aggregate_id, seq))",
                       nullptr, nullptr, nullptr),
          db);
    sqlite3_stmt* insert = nullptr;
    check(sqlite3_prepare_v2(db, "INSERT INTO e VALUES ('default', 'user', ?1, 'user.human.phone.changed', 1, "
                                 "'{\"phone\":\"+41790000000\"}')", -1, &insert, nullptr), db);
    std::int64_t n = 0;
    for (auto _ : state) {
        const std::string id = "floor-" + std::to_string(n++);
        sqlite3_bind_text(insert, 1, id.c_str(), -1, SQLITE_TRANSIENT);
        check(sqlite3_step(insert), db);
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    sqlite3_close(db);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(sqlite_floor_one_tx_per_row)->UseRealTime();

// --- durable SetPhone -----------------------------------------------------------------------------------------------

service_rig& rig(bool group_commit) {
    static std::unique_ptr<service_rig> grouped, single;
    auto& slot = group_commit ? grouped : single;
    if (!slot) {
        const auto file = fresh_file(group_commit ? "set-phone-grouped" : "set-phone-single");
        slot = std::make_unique<service_rig>("sqlite:" + file + (group_commit ? "" : "?group_commit=off"), threads);
    }
    return *slot;
}
void prepare_grouped(const benchmark::State&) { rig(true); }
void prepare_single(const benchmark::State&) { rig(false); }

void sqlite_set_phone_one_tx_per_command(benchmark::State& state) { set_phone_loop(state, rig(false)); }
void sqlite_set_phone_group_commit(benchmark::State& state) { set_phone_loop(state, rig(true)); }
BENCHMARK(sqlite_set_phone_one_tx_per_command)->Setup(prepare_single)->Threads(threads)->UseRealTime();
BENCHMARK(sqlite_set_phone_group_commit)->Setup(prepare_grouped)->Threads(threads)->UseRealTime();

// --- raw appends ----------------------------------------------------------------------------------------------------

eventstore::event_store& append_store(bool group_commit) {
    static std::unique_ptr<eventstore::event_store> grouped, single;
    auto& slot = group_commit ? grouped : single;
    if (!slot) {
        const auto file = fresh_file(group_commit ? "append-grouped" : "append-single");
        slot = backends::open_store("sqlite:" + file + (group_commit ? "" : "?group_commit=off"));
    }
    return *slot;
}
void prepare_append_grouped(const benchmark::State&) { append_store(true); }
void prepare_append_single(const benchmark::State&) { append_store(false); }

void append_loop(benchmark::State& state, eventstore::event_store& store) {
    const auto changed = user::encode(user::phone_changed{user::phone_number::from_stored("+41790000000")});
    // Each thread appends to its own aggregate; the expected sequence is what is there when the trial starts.
    const eventstore::aggregate_key key{"default", "user", "append-" + std::to_string(state.thread_index())};
    const auto existing = store.read_aggregate(key, {});
    std::uint64_t sequence = existing.empty() ? 0 : existing.back().sequence.value;
    for (auto _ : state) {
        std::vector<eventstore::aggregate_append> batch{{key, "org-1", eventstore::sequence_number{sequence}, {}}};
        batch.front().events.push_back({std::string(changed.type), changed.payload, 2, "admin", {}});
        if (!store.append(std::move(batch)).ok()) {
            state.SkipWithError("conflict");
            break;
        }
        ++sequence;
    }
    state.SetItemsProcessed(state.iterations());
}
void sqlite_append_one_tx_per_push(benchmark::State& state) { append_loop(state, append_store(false)); }
void sqlite_append_group_commit(benchmark::State& state) { append_loop(state, append_store(true)); }
BENCHMARK(sqlite_append_one_tx_per_push)->Setup(prepare_append_single)->Threads(threads)->UseRealTime();
BENCHMARK(sqlite_append_group_commit)->Setup(prepare_append_grouped)->Threads(threads)->UseRealTime();

// --- replay ---------------------------------------------------------------------------------------------------------

const std::string& replay_file() {
    static const std::string file = [] {
        auto f = fresh_file("replay");
        auto store = backends::open_store("sqlite:" + f + "?synchronous=off");
        load_replay_events(*store, replay_events);
        return f;
    }();
    return file;
}
void prepare_replay(const benchmark::State&) { replay_file(); }

// Raw SQLite reading every column of every row, touching each value: the cost of the rows themselves.
void sqlite_floor_full_table_read(benchmark::State& state) {
    sqlite3* db = nullptr;
    check(sqlite3_open(replay_file().c_str(), &db), db);
    sqlite3_stmt* all = nullptr;
    check(sqlite3_prepare_v2(db,
                             "SELECT instance_id, aggregate_type, aggregate_id, event_type, \"sequence\", revision, "
                             "created_at, payload, creator, \"owner\", \"position\", in_tx_order FROM events2",
                             -1, &all, nullptr),
          db);
    std::int64_t rows = 0;
    for (auto _ : state) {
        std::size_t bytes = 0;
        while (sqlite3_step(all) == SQLITE_ROW) {
            for (int c = 0; c < 12; ++c) {
                if (c == 4 || c == 5 || c == 10 || c == 11) {
                    bytes += static_cast<std::size_t>(sqlite3_column_int64(all, c));
                } else {
                    benchmark::DoNotOptimize(sqlite3_column_text(all, c));
                    bytes += static_cast<std::size_t>(sqlite3_column_bytes(all, c));
                }
            }
            ++rows;
        }
        sqlite3_reset(all);
        benchmark::DoNotOptimize(bytes);
    }
    sqlite3_finalize(all);
    sqlite3_close(db);
    state.SetItemsProcessed(rows);
}
BENCHMARK(sqlite_floor_full_table_read)->Setup(prepare_replay)->Unit(benchmark::kMillisecond)->UseRealTime();

// The store's replay path: every event as a stored_event, in position order.
void sqlite_replay(benchmark::State& state) {
    auto store = backends::open_store("sqlite:" + replay_file());
    replay_loop(state, *store);
}
BENCHMARK(sqlite_replay)->Setup(prepare_replay)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
    rate_reporter reporter;
    if (!run_benchmarks(argc, argv, reporter)) return 1;
    std::printf("\nSQLite store against floors measured in this run (items/s; median when repeated)\n");
    reporter.print_ratio("SetPhone, 8 threads: group commit vs one tx per command", "sqlite_set_phone_group_commit",
                         "sqlite_set_phone_one_tx_per_command", 5);
    reporter.print_ratio("append, 8 threads: group commit vs one tx per push", "sqlite_append_group_commit",
                         "sqlite_append_one_tx_per_push", 5);
    reporter.print_ratio("SetPhone one tx per command vs raw one-row tx floor", "sqlite_set_phone_one_tx_per_command",
                         "sqlite_floor_one_tx_per_row", 0);
    reporter.print_ratio("replay vs raw full-table read", "sqlite_replay", "sqlite_floor_full_table_read", 0);
    reporter.print_absolute("replay rate", "sqlite_replay", 1'000'000);
    std::error_code ignored;
    fs::remove_all(scratch_dir(), ignored);
    return 0;
}
