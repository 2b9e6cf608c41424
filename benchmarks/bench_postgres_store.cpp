// The PostgreSQL store against floors measured in the same run on the same server:
// * durable SetPhone with group commit from 1, 2, 8 and 64 threads, against raw libpq autocommit INSERTs from as
//   many connections (one commit per row: the server's durable floor; issue 13's goal: >= 1.0x at 8 and at 64),
//   with serialised commits (the default) and with parallel commits (`commits=parallel`, several writer connections),
//   and against SetPhone's own rows written raw in the same way (pg_floor_set_phone_rows);
// * raw appends (one event per push) from 8 threads, grouped and one transaction per push;
// * replay of the global stream through for_each_global against a raw single-row-mode read of the same table
//   (goal: >= 0.9x).
// The server is the one in USERSTREAM_TEST_POSTGRES (`./dev bench` starts a throwaway cluster and sets it).
//
//   ./dev bench                     (or: build/release/benchmarks/bench_postgres_store)
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>

#include "store_bench_support.hpp"

namespace {

using namespace store_bench;

const std::size_t replay_events = smoke() ? 10'000 : 300'000;

const std::string& conninfo() {
    static const std::string value = [] {
        const char* env = std::getenv("USERSTREAM_TEST_POSTGRES");
        if (!env || !*env) {
            std::fprintf(stderr, "bench_postgres_store: USERSTREAM_TEST_POSTGRES is not set; run `./dev bench`, which "
                                 "starts a throwaway PostgreSQL cluster\n");
            std::exit(1);
        }
        return std::string(env);
    }();
    return value;
}

std::string schema(const std::string& name) { return "bench_" + name + "_" + std::to_string(::getpid()); }

std::string url(const std::string& name, bool group_commit = true, const std::string& more = "") {
    return conninfo() + " schema=" + schema(name) + (group_commit ? "" : " group_commit=off") + more;
}

struct raw_connection {
    raw_connection() : conn(PQconnectdb(conninfo().c_str())) {
        if (PQstatus(conn) != CONNECTION_OK) {
            std::fprintf(stderr, "PostgreSQL: %s\n", PQerrorMessage(conn));
            std::exit(1);
        }
        PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
    }
    ~raw_connection() { PQfinish(conn); }
    // Runs the prepared statement `name` on a benchmark's thread; on failure the benchmark is marked failed.
    bool exec_prepared(benchmark::State& state, const char* name, int count, const char* const* values) {
        PGresult* res = PQexecPrepared(conn, name, count, values, nullptr, nullptr, 0);
        const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!ok) state.SkipWithError(PQerrorMessage(conn));
        PQclear(res);
        return ok;
    }
    void run(const std::string& sql) {
        PGresult* res = PQexec(conn, sql.c_str());
        const auto status = PQresultStatus(res);
        PQclear(res);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            std::fprintf(stderr, "PostgreSQL: %s: %s\n", sql.c_str(), PQerrorMessage(conn));
            std::exit(1);
        }
    }
    PGconn* conn;
};

// --- floor: autocommit INSERT per row from 1, 2, 8 and 64 connections ----------------------------------------------

void prepare_floor(const benchmark::State&) {
    static bool done = false;
    if (done) return;
    done = true;
    raw_connection db;
    db.run("CREATE SCHEMA " + schema("floor") + "; CREATE TABLE " + schema("floor") +
           ".e (instance_id TEXT, aggregate_type TEXT, aggregate_id TEXT, event_type TEXT, \"sequence\" BIGINT, "
           "payload JSONB, PRIMARY KEY (instance_id, aggregate_type, aggregate_id, \"sequence\"))");
}

void pg_floor_autocommit_insert(benchmark::State& state) {
    raw_connection db;
    const std::string sql = "INSERT INTO " + schema("floor") +
                            ".e VALUES ('default', 'user', $1, 'user.human.phone.changed', 1, "
                            "'{\"phone\":\"+41790000000\"}')";
    PQclear(PQprepare(db.conn, "floor", sql.c_str(), 1, nullptr));
    static std::atomic<std::int64_t> next{0};
    for (auto _ : state) {
        const std::string id = "floor-" + std::to_string(next++);
        const char* values[] = {id.c_str()};
        if (!db.exec_prepared(state, "floor", 1, values)) break;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(pg_floor_autocommit_insert)
    ->Setup(prepare_floor)
    ->Apply(thread_sweep)
    ->UseRealTime();

// --- floor: SetPhone's own rows, raw, autocommit from 1, 2, 8 and 64 connections -----------------------------------

// Raw libpq inserting exactly the rows SetPhone from N threads pushes (user.human.phone.changed with its payload, then
// user.human.phone.verified, continuing the streams of the same users, made by a service_rig in a schema of its own,
// so into the store's own table with its three indexes), one command's two rows per autocommit INSERT, from N
// connections: the floor above with SetPhone's rows in place of a one-index table's. What the server itself does with
// the rows a SetPhone must write, with no decision, no grouping and no position or sequence check.
struct set_phone_rows_floor {
    std::map<std::string, std::int64_t> sequence;  // by user id: the last sequence stored
    std::atomic<std::int64_t> position{0};
    std::vector<std::size_t> progress = std::vector<std::size_t>(max_threads, 0);
    std::string insert;
};

set_phone_rows_floor& rows_floor() {
    static set_phone_rows_floor floor;
    static std::once_flag once;
    std::call_once(once, [] {
        service_rig(url("rowsfloor"), max_threads);  // the users, made by the rig itself; its store closes again
        raw_connection db;
        const std::string table = schema("rowsfloor") + ".events2";
        PGresult* res = PQexec(db.conn, ("SELECT aggregate_id, MAX(\"sequence\") FROM " + table +
                                         " GROUP BY aggregate_id").c_str());
        for (int row = 0; row < PQntuples(res); ++row) {
            floor.sequence[PQgetvalue(res, row, 0)] = std::atoll(PQgetvalue(res, row, 1));
        }
        PQclear(res);
        res = PQexec(db.conn, ("SELECT MAX(\"position\") FROM " + table).c_str());
        floor.position = std::atoll(PQgetvalue(res, 0, 0));
        PQclear(res);
        floor.insert = "INSERT INTO " + table + " (instance_id, aggregate_type, aggregate_id, event_type, "
                       "\"sequence\", revision, created_at, payload, creator, \"owner\", \"position\", in_tx_order) "
                       "VALUES ('default', 'user', $1, $2, $3::bigint, 2, $4::timestamptz, $5::jsonb, 'admin', "
                       "'org-1', $6::bigint, 0), ('default', 'user', $1, $7, $3::bigint + 1, 2, $4::timestamptz, "
                       "NULL, 'admin', 'org-1', $6::bigint + 1, 1)";
    });
    return floor;
}
void prepare_rows_floor(const benchmark::State&) { rows_floor(); }

void pg_floor_set_phone_rows(benchmark::State& state) {
    auto& f = rows_floor();
    raw_connection db;
    PQclear(PQprepare(db.conn, "rows", f.insert.c_str(), 0, nullptr));
    const user::encoded_event changed[2] = {
        user::encode(user::phone_changed{user::phone_number::from_stored("+41710000000")}),
        user::encode(user::phone_changed{user::phone_number::from_stored("+41791234567")})};
    const auto verified = user::encode(user::phone_verified{});
    const std::string verified_type(verified.type);
    const system_clock clock;
    const int thread = state.thread_index();
    std::size_t& i = f.progress.at(static_cast<std::size_t>(thread));
    for (auto _ : state) {
        const auto id = service_rig::user_id(thread, static_cast<int>(i % users_per_thread));
        const auto& event = changed[(i / users_per_thread) % 2];
        ++i;
        auto& sequence = f.sequence.at(id);  // each thread has users of its own: no two threads touch one entry
        const std::string type(event.type), first = std::to_string(sequence + 1),
            created = format_rfc3339(clock.now()), position = std::to_string(f.position.fetch_add(2) + 1);
        sequence += 2;
        const char* values[] = {id.c_str(), type.c_str(), first.c_str(), created.c_str(), event.payload.c_str(),
                                position.c_str(), verified_type.c_str()};
        if (!db.exec_prepared(state, "rows", 7, values)) break;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(pg_floor_set_phone_rows)->Setup(prepare_rows_floor)->Apply(thread_sweep)->UseRealTime();

// --- durable SetPhone -----------------------------------------------------------------------------------------------

// The grouped rig has users for every thread of the sweep; each thread count reuses them.
service_rig& rig(bool group_commit) {
    static std::unique_ptr<service_rig> grouped, single;
    auto& slot = group_commit ? grouped : single;
    if (!slot) {
        slot = std::make_unique<service_rig>(url(group_commit ? "grouped" : "single", group_commit),
                                             group_commit ? max_threads : threads);
    }
    return *slot;
}
void prepare_grouped(const benchmark::State&) { rig(true); }
void prepare_single(const benchmark::State&) { rig(false); }

void pg_set_phone_one_tx_per_command(benchmark::State& state) { set_phone_loop(state, rig(false)); }
void pg_set_phone_group_commit(benchmark::State& state) { set_phone_loop(state, rig(true)); }
BENCHMARK(pg_set_phone_one_tx_per_command)->Setup(prepare_single)->Threads(threads)->UseRealTime();
BENCHMARK(pg_set_phone_group_commit)
    ->Setup(prepare_grouped)
    ->Apply(thread_sweep)
    ->UseRealTime();

// Parallel commits: positions from transaction ids, readers bounded by the transaction horizon, and several writer
// connections (`writers`, 2 by default) whose groups commit at the same time.
service_rig& parallel_rig() {
    static std::unique_ptr<service_rig> slot;
    if (!slot) slot = std::make_unique<service_rig>(url("parallel", true, " commits=parallel"), max_threads);
    return *slot;
}
void prepare_parallel(const benchmark::State&) { parallel_rig(); }
void pg_set_phone_parallel_commits(benchmark::State& state) { set_phone_loop(state, parallel_rig()); }
BENCHMARK(pg_set_phone_parallel_commits)
    ->Setup(prepare_parallel)
    ->Apply(thread_sweep)
    ->UseRealTime();

// --- replay ---------------------------------------------------------------------------------------------------------

void prepare_replay(const benchmark::State&) {
    static bool done = false;
    if (done) return;
    done = true;
    auto store = backends::open_store(url("replay"));
    load_replay_events(*store, replay_events);
    raw_connection db;
    db.run("VACUUM ANALYZE " + schema("replay") + ".events2");
}

// Raw libpq in single-row mode, text format, touching every value: the cost of the rows themselves.
void pg_floor_single_row_read(benchmark::State& state) {
    raw_connection db;
    const std::string sql = "SELECT instance_id, aggregate_type, aggregate_id, event_type, \"sequence\", revision, "
                            "created_at, payload, creator, \"owner\", \"position\", in_tx_order FROM " +
                            schema("replay") + ".events2 ORDER BY \"position\"";
    std::int64_t rows = 0;
    for (auto _ : state) {
        PQsendQuery(db.conn, sql.c_str());
        PQsetSingleRowMode(db.conn);
        std::size_t bytes = 0;
        while (PGresult* res = PQgetResult(db.conn)) {
            if (PQresultStatus(res) == PGRES_SINGLE_TUPLE) {
                for (int c = 0; c < 12; ++c) bytes += static_cast<std::size_t>(PQgetlength(res, 0, c));
                ++rows;
            }
            PQclear(res);
        }
        benchmark::DoNotOptimize(bytes);
    }
    state.SetItemsProcessed(rows);
}
BENCHMARK(pg_floor_single_row_read)->Setup(prepare_replay)->Unit(benchmark::kMillisecond)->UseRealTime();

void pg_replay(benchmark::State& state) {
    auto store = backends::open_store(url("replay"));
    replay_loop(state, *store);
}
BENCHMARK(pg_replay)->Setup(prepare_replay)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
    rate_reporter reporter;
    if (!run_benchmarks(argc, argv, reporter)) return 1;
    std::printf("\nPostgreSQL store against floors measured in this run (items/s; median when repeated)\n");
    reporter.print_absolute("SetPhone, 8 threads, group commit", "pg_set_phone_group_commit/threads:8", 10'000);
    reporter.print_ratio("SetPhone, 8 threads: group commit vs autocommit INSERT from 8",
                         "pg_set_phone_group_commit/threads:8", "pg_floor_autocommit_insert/threads:8", 1);
    reporter.print_ratio("SetPhone, 64 threads: group commit vs autocommit INSERT from 64",
                         "pg_set_phone_group_commit/threads:64", "pg_floor_autocommit_insert/threads:64", 1);
    reporter.print_ratio("SetPhone, 8 threads: parallel commits vs autocommit INSERT from 8",
                         "pg_set_phone_parallel_commits/threads:8", "pg_floor_autocommit_insert/threads:8", 1);
    reporter.print_ratio("SetPhone, 64 threads: parallel commits vs autocommit INSERT from 64",
                         "pg_set_phone_parallel_commits/threads:64", "pg_floor_autocommit_insert/threads:64", 1);
    reporter.print_ratio("SetPhone, 8 threads: parallel commits vs its own rows raw from 8",
                         "pg_set_phone_parallel_commits/threads:8", "pg_floor_set_phone_rows/threads:8", 0);
    reporter.print_ratio("SetPhone, 64 threads: parallel commits vs its own rows raw from 64",
                         "pg_set_phone_parallel_commits/threads:64", "pg_floor_set_phone_rows/threads:64", 0);
    reporter.print_ratio("(its own rows raw vs autocommit INSERT, 8 connections)", "pg_floor_set_phone_rows/threads:8",
                         "pg_floor_autocommit_insert/threads:8", 0);
    reporter.print_ratio("(its own rows raw vs autocommit INSERT, 64 connections)",
                         "pg_floor_set_phone_rows/threads:64", "pg_floor_autocommit_insert/threads:64", 0);
    reporter.print_ratio("SetPhone group commit vs one tx per command", "pg_set_phone_group_commit/threads:8",
                         "pg_set_phone_one_tx_per_command/threads:8", 0);
    reporter.print_ratio("replay vs raw single-row-mode read", "pg_replay", "pg_floor_single_row_read", 0.9);
    reporter.print_absolute("replay rate", "pg_replay", 500'000);
    raw_connection db;
    for (const char* name : {"floor", "rowsfloor", "grouped", "single", "parallel", "replay"}) db.run("DROP SCHEMA IF EXISTS " + schema(name) + " CASCADE");
    return 0;
}
