// The SQLite store against floors measured in the same run on the same disk:
// * the machine's fsync: one small write and fdatasync on a file, the latency every durable commit pays at least;
// * durable SetPhone (synchronous=FULL) with group commit from 1, 2, 8 and 64 threads, against raw inserts of exactly
//   the rows SetPhone from N threads pushes (the same users, the same schema) in transactions of N commands from one
//   thread (N = 1, 2, 8, 64; issue 13's goal: SetPhone from N threads >= 0.5x the floor at N, for N = 8 and 64), and
//   against one transaction per command (issue 4's goal: group commit >= 5x); also raw transactions of N commands'
//   rows for new aggregates (the earlier floor, a cheaper commit); raw SQLite's one-row-per-transaction insert rate
//   is the fsync floor;
// * raw appends (one event per push) from 8 threads, the same two ways, to separate the store from the domain;
// * replay of the global stream through for_each_global against a raw full-table read (goal: >= 0.9x).
//
//   ./dev bench                     (or: build/release/benchmarks/bench_sqlite_store)
//   build/release/benchmarks/bench_sqlite_store --benchmark_repetitions=3
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string_view>

#include "store_bench_support.hpp"

namespace {

using namespace store_bench;
namespace fs = std::filesystem;

const std::size_t replay_events = smoke() ? 10'000 : 300'000;

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

// The machine's floor under every durable commit: append 64 bytes to a file and fdatasync it, on the disk the
// databases use. Its time per iteration is the one-row fsync latency of the report.
void machine_fsync_one_row(benchmark::State& state) {
    const auto path = fresh_file("fsync");
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        state.SkipWithError("cannot open the fsync file");
        return;
    }
    const std::string row(63, 'r');
    for (auto _ : state) {
        if (::write(fd, (row + "\n").data(), 64) != 64 || ::fdatasync(fd) != 0) {
            state.SkipWithError("write or fdatasync failed");
            break;
        }
    }
    ::close(fd);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(machine_fsync_one_row)->UseRealTime();

// A raw SQLite connection writing `events2` rows into a store's file, WAL and synchronous=FULL as the store runs: the
// floors' writer, one INSERT of every column prepared once.
struct raw_event_writer {
    struct row {
        std::string_view instance_id, aggregate_type, aggregate_id, event_type;
        std::int64_t sequence, revision;
        std::string_view created_at, payload;  // an empty payload is stored as NULL, as the store does
        std::string_view creator, owner;
        std::int64_t position, in_tx_order;
    };

    explicit raw_event_writer(const std::string& file) {
        check(sqlite3_open(file.c_str(), &db), db);
        check(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL", nullptr, nullptr, nullptr), db);
        check(sqlite3_prepare_v2(db,
                                 "INSERT INTO events2 (instance_id, aggregate_type, aggregate_id, event_type, "
                                 "\"sequence\", revision, created_at, payload, creator, \"owner\", \"position\", "
                                 "in_tx_order) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                                 -1, &statement, nullptr),
              db);
    }
    raw_event_writer(const raw_event_writer&) = delete;
    raw_event_writer& operator=(const raw_event_writer&) = delete;
    ~raw_event_writer() {
        sqlite3_finalize(statement);
        sqlite3_close(db);
    }

    void begin() { check(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), db); }
    void commit() { check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db); }
    void insert(const row& r) {
        const auto text = [&](int column, std::string_view value) {
            sqlite3_bind_text(statement, column, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
        };
        text(1, r.instance_id);
        text(2, r.aggregate_type);
        text(3, r.aggregate_id);
        text(4, r.event_type);
        sqlite3_bind_int64(statement, 5, r.sequence);
        sqlite3_bind_int64(statement, 6, r.revision);
        text(7, r.created_at);
        if (r.payload.empty()) {
            sqlite3_bind_null(statement, 8);
        } else {
            text(8, r.payload);
        }
        text(9, r.creator);
        text(10, r.owner);
        sqlite3_bind_int64(statement, 11, r.position);
        sqlite3_bind_int64(statement, 12, r.in_tx_order);
        check(sqlite3_step(statement), db);
        sqlite3_reset(statement);
    }

    sqlite3* db = nullptr;
    sqlite3_stmt* statement = nullptr;
};

// Raw SQLite inserting rows shaped like SetPhone's (user.human.phone.changed with its payload, then
// user.human.phone.verified) into the store's own schema (created by open_store), N commands (2N rows) per
// transaction from one thread, WAL and synchronous=FULL as the store runs, each command for a new aggregate with a
// consecutive id, so all of a transaction's index entries share a leaf. Items are commands, so the rate compares with
// SetPhone's. The P3 floor is sqlite_floor_set_phone_rows below, which writes where SetPhone writes.
void sqlite_floor_tx_of_n_commands(benchmark::State& state) {
    const auto n = static_cast<int>(state.range(0));
    const auto file = fresh_file("floor-tx-of-" + std::to_string(n));
    backends::open_store("sqlite:" + file).reset();  // the schema, exactly as the store makes it
    raw_event_writer writer(file);
    std::int64_t position = 0, command = 0;
    const std::string changed = R"({"phone":"+41790000000"})";
    for (auto _ : state) {
        writer.begin();
        for (int c = 0; c < n; ++c) {
            const std::string id = "floor-" + std::to_string(command++);
            for (int e = 0; e < 2; ++e) {
                writer.insert({"default", "user", id, e == 0 ? "user.human.phone.changed" : "user.human.phone.verified",
                               e + 2, 2, "2026-01-01T00:00:00.123456Z", e == 0 ? std::string_view(changed) : "",
                               "admin", "org-1", ++position, e});
            }
        }
        writer.commit();
    }
    state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(sqlite_floor_tx_of_n_commands)->ArgName("n")->Arg(1)->Arg(2)->Arg(8)->Arg(64)->UseRealTime();

// Issue 13's P3 floor: raw SQLite inserting exactly the rows SetPhone from N threads pushes, N commands (2N rows) per
// transaction from one thread. Its database is made by the same service_rig as the SetPhone benchmark's (the same
// users u-<thread>-<n>, with their histories, in the store's own schema), and each transaction holds one command for
// a user of each of threads 0..N-1, every thread cycling through its users as set_phone_loop does. So the rows go to
// the same places in every b-tree as SetPhone's: appended to the table, but spread over the aggregate index, one leaf
// per user touched, which is what a commit writes to the WAL. (sqlite_floor_tx_of_n_commands inserts new aggregates
// with consecutive ids instead: one index leaf per transaction, a cheaper commit than any SetPhone's.) Each command's
// rows carry its own timestamp, formatted once, and the payload user::encode makes. WAL and synchronous=FULL, as the
// store runs.
struct set_phone_rows_floor {
    std::string file;
    std::map<std::string, std::int64_t> sequence;  // by user id: the last sequence stored
    std::int64_t position = 0;
    std::vector<std::size_t> progress = std::vector<std::size_t>(max_threads, 0);
    std::string instance_id, aggregate_type, creator, owner;
    std::int64_t revision = 0;
};

set_phone_rows_floor& rows_floor() {
    static set_phone_rows_floor floor = [] {
        set_phone_rows_floor f;
        f.file = fresh_file("floor-set-phone-rows");
        // The users, made by the rig itself (without fsync, to be quick; the pages are the same).
        service_rig("sqlite:" + f.file + "?synchronous=off", max_threads);
        sqlite3* db = nullptr;
        check(sqlite3_open(f.file.c_str(), &db), db);
        sqlite3_stmt* q = nullptr;
        check(sqlite3_prepare_v2(db, "SELECT aggregate_id, MAX(\"sequence\") FROM events2 GROUP BY aggregate_id", -1,
                                 &q, nullptr),
              db);
        while (sqlite3_step(q) == SQLITE_ROW) {
            f.sequence[reinterpret_cast<const char*>(sqlite3_column_text(q, 0))] = sqlite3_column_int64(q, 1);
        }
        sqlite3_finalize(q);
        check(sqlite3_prepare_v2(db, "SELECT instance_id, aggregate_type, creator, \"owner\", revision, "
                                     "(SELECT MAX(\"position\") FROM events2) FROM events2 "
                                     "WHERE aggregate_id = 'u-0-0' LIMIT 1",
                                 -1, &q, nullptr),
              db);
        check(sqlite3_step(q), db);
        const auto text = [&](int c) { return std::string(reinterpret_cast<const char*>(sqlite3_column_text(q, c))); };
        f.instance_id = text(0);
        f.aggregate_type = text(1);
        f.creator = text(2);
        f.owner = text(3);
        f.revision = sqlite3_column_int64(q, 4);
        f.position = sqlite3_column_int64(q, 5);
        sqlite3_finalize(q);
        sqlite3_close(db);
        return f;
    }();
    return floor;
}
void prepare_rows_floor(const benchmark::State&) { rows_floor(); }

void sqlite_floor_set_phone_rows(benchmark::State& state) {
    const auto n = static_cast<int>(state.range(0));
    auto& f = rows_floor();
    raw_event_writer writer(f.file);
    const user::encoded_event changed[2] = {
        user::encode(user::phone_changed{user::phone_number::from_stored("+41710000000")}),
        user::encode(user::phone_changed{user::phone_number::from_stored("+41791234567")})};
    const auto verified = user::encode(user::phone_verified{});
    const system_clock clock;
    for (auto _ : state) {
        writer.begin();
        for (int t = 0; t < n; ++t) {
            const std::size_t i = f.progress[static_cast<std::size_t>(t)]++;
            const auto id = service_rig::user_id(t, static_cast<int>(i % users_per_thread));
            auto& sequence = f.sequence[id];
            const auto created = format_rfc3339(clock.now());
            for (int e = 0; e < 2; ++e) {
                const auto& event = e == 0 ? changed[(i / users_per_thread) % 2] : verified;
                writer.insert({f.instance_id, f.aggregate_type, id, event.type, ++sequence, f.revision, created,
                               event.payload, f.creator, f.owner, ++f.position, e});
            }
        }
        writer.commit();
    }
    state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(sqlite_floor_set_phone_rows)
    ->Setup(prepare_rows_floor)
    ->ArgName("n")
    ->Arg(1)
    ->Arg(2)
    ->Arg(8)
    ->Arg(64)
    ->UseRealTime();

// --- durable SetPhone -----------------------------------------------------------------------------------------------

// The grouped rig has users for every thread of the sweep; each thread count reuses them.
service_rig& rig(bool group_commit) {
    static std::unique_ptr<service_rig> grouped, single;
    auto& slot = group_commit ? grouped : single;
    if (!slot) {
        const auto file = fresh_file(group_commit ? "set-phone-grouped" : "set-phone-single");
        slot = std::make_unique<service_rig>("sqlite:" + file + (group_commit ? "" : "?group_commit=off"),
                                             group_commit ? max_threads : threads);
    }
    return *slot;
}
void prepare_grouped(const benchmark::State&) { rig(true); }
void prepare_single(const benchmark::State&) { rig(false); }

void sqlite_set_phone_one_tx_per_command(benchmark::State& state) { set_phone_loop(state, rig(false)); }
void sqlite_set_phone_group_commit(benchmark::State& state) { set_phone_loop(state, rig(true)); }
BENCHMARK(sqlite_set_phone_one_tx_per_command)->Setup(prepare_single)->Threads(threads)->UseRealTime();
BENCHMARK(sqlite_set_phone_group_commit)
    ->Setup(prepare_grouped)
    ->Apply(thread_sweep)
    ->UseRealTime();

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

// Raw SQLite reading every column of every row, touching each value: the cost of the rows themselves. The connection
// is opened NOMUTEX, as the store opens its own: SQLite's default (serialized) connection takes a mutex in every API
// call, which cost this loop a third of its instructions and made the floor slower than the store's replay.
void sqlite_floor_full_table_read(benchmark::State& state) {
    sqlite3* db = nullptr;
    check(sqlite3_open_v2(replay_file().c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr), db);
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
    reporter.print_ratio("SetPhone, 8 threads: group commit vs raw tx of its rows, 8 commands",
                         "sqlite_set_phone_group_commit/threads:8", "sqlite_floor_set_phone_rows/n:8", 0.5);
    reporter.print_ratio("SetPhone, 64 threads: group commit vs raw tx of its rows, 64 commands",
                         "sqlite_set_phone_group_commit/threads:64", "sqlite_floor_set_phone_rows/n:64", 0.5);
    reporter.print_ratio("(raw tx of 8 commands' rows vs the same for new aggregates)", "sqlite_floor_set_phone_rows/n:8",
                         "sqlite_floor_tx_of_n_commands/n:8", 0);
    reporter.print_ratio("(raw tx of 64 commands' rows vs the same for new aggregates)",
                         "sqlite_floor_set_phone_rows/n:64", "sqlite_floor_tx_of_n_commands/n:64", 0);
    reporter.print_ratio("SetPhone, 8 threads: group commit vs one tx per command",
                         "sqlite_set_phone_group_commit/threads:8", "sqlite_set_phone_one_tx_per_command/threads:8", 5);
    reporter.print_ratio("append, 8 threads: group commit vs one tx per push", "sqlite_append_group_commit/threads:8",
                         "sqlite_append_one_tx_per_push/threads:8", 5);
    reporter.print_ratio("SetPhone one tx per command vs raw one-row tx floor",
                         "sqlite_set_phone_one_tx_per_command/threads:8", "sqlite_floor_one_tx_per_row", 0);
    reporter.print_ratio("replay vs raw full-table read", "sqlite_replay", "sqlite_floor_full_table_read", 0.9);
    reporter.print_absolute("replay rate", "sqlite_replay", 1'000'000);
    std::error_code ignored;
    fs::remove_all(scratch_dir(), ignored);
    return 0;
}
