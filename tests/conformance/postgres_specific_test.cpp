// What the PostgreSQL backend promises beyond the shared contract: the schema version table, the writers' lock that
// keeps positions in commit order, the mapping of a primary-key collision from a foreign writer to Conflict, rows it
// cannot read reported by coordinates, writes that survive a server restart (with a push that met the broken
// connection answered Unavailable or CommitUnknown), independence from the server's default isolation level, and text
// it refuses rather than cut at a NUL.
#include <catch2/catch.hpp>
#include <libpq-fe.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "decode_failure.hpp"
#include "postgres_fault_proxy.hpp"
#include "postgres_raw_connection.hpp"
#include "postgres_test_server.hpp"
#include "userstream/backends/postgres_event_store.hpp"
#include "userstream/eventstore/errors.hpp"

extern char** environ;

namespace es = userstream::eventstore;
using namespace std::chrono_literals;
using userstream::backends::postgres_event_store;
using userstream::testing::decode_failure;
using userstream::testing::names_the_row;

namespace {

using conformance::raw_connection;

struct scratch_schema {
    scratch_schema() : name(conformance::unique_schema_name("pgspecific")) {}
    ~scratch_schema() { conformance::drop_schema(name); }
    userstream::backends::postgres_options options() const {
        return {.conninfo = conformance::postgres_conninfo(), .schema = name};
    }
    std::string name;
};

es::aggregate_append push_to(const std::string& id, std::uint64_t expected, std::string payload = R"({"a":1})") {
    return {{"i1", "user", id}, "o", es::sequence_number{expected}, {es::new_event{"user.added", std::move(payload), 1, "c", {}}}};
}

// The push that follows `expected` events of `id`, carrying its number, so a stream shows what landed in which order.
es::aggregate_append numbered(const std::string& id, std::uint64_t expected) {
    return push_to(id, expected, R"({"n":)" + std::to_string(expected) + "}");
}

es::aggregate_key key_of(const std::string& id) { return {"i1", "user", id}; }

// Checks that the stream of `id` holds exactly the pushes numbered 0..count-1, once each, in order.
void require_numbered_stream(const postgres_event_store& store, const std::string& id, std::uint64_t count) {
    const auto stream = store.read_aggregate(key_of(id), {});
    REQUIRE(stream.size() == count);
    for (std::uint64_t i = 0; i < count; ++i) {
        CHECK(stream[i].sequence.value == i + 1);
        CHECK(stream[i].payload == R"({"n": )" + std::to_string(i) + "}");  // JSONB's normalised text
    }
}

// Positions 1..N without gaps or repeats over the whole store.
void require_gapless(const postgres_event_store& store) {
    const auto all = store.read_global({}, {}, 1'000'000);
    for (std::size_t i = 0; i < all.size(); ++i) REQUIRE(all[i].position.value == i + 1);
    CHECK(store.head().value == all.size());
}

std::string with_schema(const std::string& conninfo, const std::string& schema) {
    if (conninfo.starts_with("postgres")) {
        return conninfo + (conninfo.find('?') == std::string::npos ? "?" : "&") + "schema=" + schema;
    }
    return conninfo + " schema=" + schema;
}

// A database of its own on the shared test server whose sessions default to SERIALIZABLE, as a DBA might configure.
struct serializable_database {
    serializable_database() : name(conformance::unique_schema_name("serializable")) {
        conformance::run_sql("CREATE DATABASE " + name);
        conformance::run_sql("ALTER DATABASE " + name + " SET default_transaction_isolation = 'serializable'");
    }
    ~serializable_database() {
        try {
            conformance::run_sql("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (...) {
        }
    }
    std::string conninfo() const { return conformance::conninfo_for_database(name); }
    std::string name;
};


}  // namespace

TEST_CASE("postgres: the schema has a version table, and a newer version is refused", "[postgres]") {
    scratch_schema schema;
    { postgres_event_store store(schema.options()); }
    raw_connection raw;
    CHECK(raw.run("SELECT version FROM " + schema.name + ".schema_version WHERE component = 'eventstore'") == "1");
    CHECK(raw.run("SELECT data_type FROM information_schema.columns WHERE table_schema = '" + schema.name +
                  "' AND table_name = 'events2' AND column_name = 'payload'") == "jsonb");
    raw.run("UPDATE " + schema.name + ".schema_version SET version = 7");
    CHECK_THROWS_WITH(postgres_event_store(schema.options()), Catch::Contains("version 7"));
}

TEST_CASE("postgres: a push waits for the writers' lock, so positions follow commit order", "[postgres]") {
    scratch_schema schema;
    postgres_event_store store(schema.options());
    REQUIRE(store.append({push_to("a", 0)}).ok());

    // Another process's slow transaction holds the lock; the fast push must wait behind it, not take a position.
    raw_connection slow;
    slow.run("BEGIN");
    slow.run("SELECT pg_advisory_xact_lock(hashtext('userstream.events2'), '" + schema.name +
             ".events2'::regclass::oid::int)");
    auto fast = std::async(std::launch::async, [&] { return store.append({push_to("b", 0)}); });
    CHECK(fast.wait_for(300ms) == std::future_status::timeout);
    CHECK(store.head().value == 1);
    slow.run("COMMIT");
    const auto pushed = fast.get();
    REQUIRE(pushed.ok());
    CHECK(pushed->last_position.value == 2);
}

// A stream's end (a push's sequence check, a stream read) must be found through the primary key, which matches the
// whole aggregate key. es_projection matches only (instance, aggregate type): a plan through it reads every row of
// the instance, which made each push cost more as the table grew. A new table has no statistics until the first
// ANALYZE, and without them the planner rated both indexes alike, so this runs before any.
TEST_CASE("postgres: pushes and stream reads find a stream's end through the primary key, even before the table has "
          "statistics", "[postgres]") {
    const auto commits = GENERATE(userstream::backends::postgres_commits::serialised,
                                  userstream::backends::postgres_commits::parallel);
    scratch_schema schema;
    auto options = schema.options();
    options.commits = commits;
    constexpr int aggregates = 200;
    {
        postgres_event_store store(options);
        for (int round = 0; round < 2; ++round) {
            for (int i = 0; i < aggregates; ++i) {
                REQUIRE(store.append({numbered("s" + std::to_string(i), static_cast<std::uint64_t>(round))}).ok());
            }
        }
        require_numbered_stream(store, "s7", 2);
    }  // closed: each connection's backend reports its index scans as it exits

    raw_connection db;
    const auto scans = [&](const std::string& index_condition) {
        const auto value = db.run("SELECT COALESCE(SUM(idx_scan), 0) FROM pg_stat_user_indexes WHERE schemaname = '" +
                                  schema.name + "' AND relname = 'events2'" + index_condition);
        return std::stoll(value);
    };
    const auto primary_key = db.run("SELECT conname FROM pg_constraint WHERE contype = 'p' AND conrelid = '" +
                                    schema.name + ".events2'::regclass");
    // The statistics of an exiting backend arrive shortly after its connection closes: wait for the second round's
    // checks to show up on any index.
    const auto give_up = std::chrono::steady_clock::now() + 20s;
    while (scans("") < aggregates && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(50ms);
    REQUIRE(scans("") >= aggregates);
    CHECK(scans(" AND indexrelname = 'es_projection'") == 0);
    CHECK(scans(" AND indexrelname = '" + primary_key + "'") >= aggregates);
    CHECK(db.run("SELECT COUNT(*) FROM pg_stat_user_tables WHERE schemaname = '" + schema.name +
                 "' AND relname = 'events2' AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)") == "0");
}

TEST_CASE("postgres: a primary-key collision with a writer outside the lock is a Conflict", "[postgres]") {
    scratch_schema schema;
    postgres_event_store store(schema.options());
    REQUIRE(store.append({push_to("a", 0)}).ok());

    // A foreign writer (not taking our lock) has inserted sequence 2 but not committed; our push computes sequence 2
    // too, blocks on the primary key, and gets 23505 when the foreign writer commits.
    raw_connection foreign;
    foreign.run("BEGIN");
    foreign.run("INSERT INTO " + schema.name +
                ".events2 VALUES ('i1', 'user', 'a', 'user.changed', 2, 1, now(), '{}', 'c', 'o', 1000, 0)");
    auto racing = std::async(std::launch::async, [&] { return store.append({push_to("a", 1)}); });
    CHECK(racing.wait_for(300ms) == std::future_status::timeout);
    foreign.run("COMMIT");
    const auto pushed = racing.get();
    REQUIRE_FALSE(pushed.ok());
    CHECK(pushed.err().is(es::errors::concurrency_conflict));
    CHECK(store.read_aggregate({"i1", "user", "a"}, {}).size() == 2);
}

TEST_CASE("postgres: a payload that is not JSON fails its own push only", "[postgres]") {
    scratch_schema schema;
    postgres_event_store store(schema.options());
    // Pushed concurrently so they may share one group transaction; the good ones must still land.
    auto bad = std::async(std::launch::async, [&] { return store.append({push_to("bad", 0, "{not json")}); });
    auto good = std::async(std::launch::async, [&] { return store.append({push_to("good", 0)}); });
    CHECK_THROWS_AS(bad.get(), userstream::infrastructure_error);
    CHECK(good.get().ok());
    CHECK(store.read_aggregate({"i1", "user", "bad"}, {}).empty());
    CHECK(store.read_aggregate({"i1", "user", "good"}, {}).size() == 1);
}

TEST_CASE("postgres: a replay over several pages visits every row once in order, and after one that stopped or "
          "threw inside a full page, later reads return the right rows", "[postgres]") {
    scratch_schema schema;
    auto options = schema.options();
    options.replay_page_rows = 500;
    postgres_event_store store(options);
    // A replay asks for the next page before it visits the one it has: two full pages and a part.
    constexpr std::uint64_t count = 500 * 2 + 5;
    std::vector<es::aggregate_append> batch;
    for (std::uint64_t n = 0; n < count; n += 100) {
        es::aggregate_append part{{"i", "user", "u" + std::to_string(n)}, "o", es::sequence_number{0}, {}};
        for (std::uint64_t k = n; k < std::min(count, n + 100); ++k) {
            part.events.push_back({"e", "", 1, "c", userstream::timestamp(std::chrono::microseconds(1))});
        }
        batch.push_back(std::move(part));
    }
    REQUIRE(store.append(std::move(batch)).ok());

    std::vector<std::uint64_t> positions;
    CHECK(store.for_each_global({}, {}, [&](const es::stored_event& e) {
        positions.push_back(e.position.value);
        return true;
    }) == count);
    REQUIRE(positions.size() == count);
    CHECK(std::adjacent_find(positions.begin(), positions.end(), std::greater_equal<>()) == positions.end());

    // Stopped, then failed, in the middle of the first page, while the second is on its way: the reader connection
    // that still has that page coming must not hand its rows to a later read.
    std::uint64_t seen = 0;
    CHECK(store.for_each_global({}, {}, [&](const es::stored_event&) { return ++seen < 100; }) == 100);
    CHECK(store.read_global({}, {}, 3).back().position.value == positions[2]);
    CHECK_THROWS_WITH(store.for_each_global({}, {}, [&](const es::stored_event& e) -> bool {
                          if (e.position.value == positions[250]) throw std::runtime_error("visitor failed");
                          return true;
                      }),
                      "visitor failed");
    CHECK(store.read_global(es::global_position{positions[900]}, {}, 2).front().position.value == positions[901]);
    std::uint64_t again = 0;
    CHECK(store.for_each_global(es::global_position{positions[499]}, {}, [&](const es::stored_event&) {
        ++again;
        return true;
    }) == count - 500);
    CHECK(again == count - 500);
}

TEST_CASE("postgres: a replay visits every row exactly as read_global returns it, also a row with shorter text or "
          "no payload after a longer one", "[postgres]") {
    scratch_schema schema;
    postgres_event_store store(schema.options());
    // Replay decodes every row into one reused event: each field must be overwritten, never left from the row before.
    auto full = es::new_event{"user.human.phone.changed", R"({"phone":"+41710000000","long":")" + std::string(300, 'x') + "\"}",
                              2, "a-long-creator-name", userstream::timestamp(std::chrono::microseconds(1'000'000))};
    auto bare = es::new_event{"u", "", 1, "", userstream::timestamp(std::chrono::microseconds(5))};
    REQUIRE(store.append({{{"instance-with-a-long-name", "user", "a-long-aggregate-id"}, "a-long-owner-name",
                           es::sequence_number{0}, {full, bare}},
                          {{"i", "u", "b"}, "o", es::sequence_number{0}, {bare, full, bare}}})
                .ok());
    const auto expected = store.read_global({}, {}, 100);
    REQUIRE(expected.size() == 5);
    std::vector<es::stored_event> replayed;
    store.for_each_global({}, {}, [&](const es::stored_event& e) {
        replayed.push_back(e);
        return true;
    });
    REQUIRE(replayed.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        INFO("event " << i);
        CHECK(replayed[i].aggregate == expected[i].aggregate);
        CHECK(replayed[i].owner == expected[i].owner);
        CHECK(replayed[i].creator == expected[i].creator);
        CHECK(replayed[i].event_type == expected[i].event_type);
        CHECK(replayed[i].payload == expected[i].payload);
        CHECK(replayed[i].revision == expected[i].revision);
        CHECK(replayed[i].created_at == expected[i].created_at);
        CHECK(replayed[i].sequence == expected[i].sequence);
        CHECK(replayed[i].position == expected[i].position);
        CHECK(replayed[i].in_tx_order == expected[i].in_tx_order);
    }
    CHECK(replayed[1].payload.empty());
    CHECK(replayed[2].aggregate.instance_id == "i");
}

TEST_CASE("postgres: an unreadable row yields a decode error naming instance, aggregate and sequence", "[postgres]") {
    scratch_schema schema;
    postgres_event_store store(schema.options());
    REQUIRE(store.append({push_to("good", 0)}).ok());
    raw_connection raw;
    raw.run("INSERT INTO " + schema.name +
            ".events2 VALUES ('i1', 'user', 'bad', 'user.added', 1, -3, now(), '{}', 'c', 'o', 2, 0)");
    CHECK_THROWS_AS(store.read_aggregate({"i1", "user", "bad"}, {}), userstream::decode_error);
    CHECK_THAT(decode_failure([&] { (void)store.read_aggregate({"i1", "user", "bad"}, {}); }), names_the_row());
    CHECK_THAT(decode_failure([&] { (void)store.read_global({}, {}, 10); }), names_the_row());
    CHECK(store.read_aggregate({"i1", "user", "good"}, {}).size() == 1);
}

// Found by the postgres_row fuzz target (tests/fuzz/regressions/postgres_row/): 'infinity' is INT64_MAX microseconds in
// the binary format, and moving it to the Unix epoch overflowed (undefined behaviour) into a time in the past.
TEST_CASE("postgres: a created_at of infinity or -infinity is an unreadable row naming its coordinates", "[postgres]") {
    for (const std::string when : {"infinity", "-infinity"}) {
        scratch_schema schema;
        postgres_event_store store(schema.options());
        raw_connection raw;
        raw.run("INSERT INTO " + schema.name + ".events2 VALUES ('i1', 'user', 'bad', 'user.added', 1, 2, '" + when +
                "', '{}', 'c', 'o', 1, 0)");
        INFO(when);
        CHECK_THAT(decode_failure([&] { (void)store.read_aggregate({"i1", "user", "bad"}, {}); }), names_the_row());
        CHECK_THAT(decode_failure([&] { (void)store.read_global({}, {}, 10); }), names_the_row());
    }
}

TEST_CASE("defect 8.1: after the server restarts, reads and writes resume, and nothing is lost or duplicated",
          "[postgres][issue8]") {
    conformance::private_cluster cluster;
    postgres_event_store store({.conninfo = cluster.conninfo(), .schema = "restarted"});
    // Given a stored push, and a reader connection waiting in the pool,
    REQUIRE(store.append({numbered("a", 0)}).ok());
    REQUIRE(store.read_aggregate(key_of("a"), {}).size() == 1);

    // when the server restarts, closing every connection,
    cluster.restart();

    // then the next read works (a closed pooled connection is replaced, not used for one failure),
    CHECK(store.read_aggregate(key_of("a"), {}).size() == 1);
    // and so do the next pushes. One that meets the broken writer connection is Unavailable: nothing of it was
    // written, and sending it again as it is stores it.
    int unavailable = 0;
    for (std::uint64_t n = 1; n <= 3; ++n) {
        auto pushed = store.append({numbered("a", n)});
        if (!pushed.ok()) {
            INFO(pushed.err().message);
            CHECK(pushed.err().is(es::errors::store_unavailable));
            CHECK(userstream::is_retryable(pushed.err().kind));
            ++unavailable;
            pushed = store.append({numbered("a", n)});
        }
        REQUIRE(pushed.ok());
        CHECK(pushed->events.front().sequence.value == n + 1);
    }
    CHECK(unavailable <= 1);
    // Every push is stored exactly once, in order, at gapless positions.
    require_numbered_stream(store, "a", 4);
    require_gapless(store);
}

TEST_CASE("defect 8.1: while the server is down a push is Unavailable, and writing resumes when it is back",
          "[postgres][issue8]") {
    conformance::private_cluster cluster;
    postgres_event_store store({.conninfo = cluster.conninfo(), .schema = "down"});
    REQUIRE(store.append({numbered("a", 0)}).ok());

    cluster.stop();
    // A push while the server is down is answered, not thrown: Unavailable (gRPC 14, HTTP 503), retryable.
    for (int attempt = 0; attempt < 2; ++attempt) {
        const auto down = store.append({numbered("a", 1)});
        REQUIRE_FALSE(down.ok());
        CHECK(down.err().is(es::errors::store_unavailable));
        CHECK(down.err().kind == userstream::error_kind::unavailable);
        CHECK(userstream::grpc_code(down.err().kind) == 14);
        CHECK(userstream::http_status(down.err().kind) == 503);
        CHECK(userstream::is_retryable(down.err().kind));
    }
    // Reads still throw, as every read failure does.
    CHECK_THROWS_AS(store.head(), userstream::infrastructure_error);

    cluster.start();
    REQUIRE(store.append({numbered("a", 1)}).ok());
    require_numbered_stream(store, "a", 2);
    require_gapless(store);
}

TEST_CASE("defect 8.1: a connection lost before COMMIT is Unavailable, lost after it committed is CommitUnknown, and "
          "a retry decided on a re-read cannot store it twice",
          "[postgres][issue8]") {
    conformance::private_cluster cluster;
    conformance::fault_proxy proxy("127.0.0.1", cluster.port());
    postgres_event_store store({.conninfo = proxy.conninfo(), .schema = "cut"});
    REQUIRE(store.append({numbered("a", 0)}).ok());

    // The line dies as the next push starts its transaction: the server never sees it.
    proxy.cut_before("BEGIN");
    const auto lost = store.append({numbered("a", 1)});
    REQUIRE(proxy.cuts() == 1);
    REQUIRE_FALSE(lost.ok());
    CHECK(lost.err().is(es::errors::store_unavailable));
    CHECK(store.read_aggregate(key_of("a"), {}).size() == 1);
    // Sent again as it is, on a new connection, it is stored.
    REQUIRE(store.append({numbered("a", 1)}).ok());

    // The line dies after the server committed the next push, before the answer reached the store.
    proxy.cut_after_reply(std::string("COMMIT\0", 7), std::string("COMMIT\0", 7));
    const auto unknown = store.append({numbered("a", 2)});
    REQUIRE(proxy.cuts() == 2);
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.err().is(es::errors::commit_outcome_unknown));
    CHECK(unknown.err().kind == userstream::error_kind::unknown);
    CHECK(userstream::grpc_code(unknown.err().kind) == 2);
    // It did land; a re-read shows it, and the same push sent again with its expected sequence is a Conflict, never
    // a second copy.
    CHECK(store.read_aggregate(key_of("a"), {}).size() == 3);
    const auto again = store.append({numbered("a", 2)});
    REQUIRE_FALSE(again.ok());
    CHECK(again.err().is(es::errors::concurrency_conflict));
    // The store goes on writing.
    REQUIRE(store.append({numbered("a", 3)}).ok());
    require_numbered_stream(store, "a", 4);
    require_gapless(store);
}

TEST_CASE("defect 8.2: on a database whose default isolation is SERIALIZABLE, stores create the schema at once and "
          "append from several connections without spurious conflicts or errors",
          "[postgres][issue8]") {
    serializable_database db;
    REQUIRE(raw_connection(db.conninfo()).run("SHOW default_transaction_isolation") == "serializable");
    const std::string schema = "iso";
    const userstream::backends::postgres_options options{.conninfo = db.conninfo(), .schema = schema};

    // Given several hosts starting on an empty database at once: they all queue on the schema creation lock (held
    // here until every one waits, so each has begun its transaction before the first one creates the tables),
    raw_connection holder(db.conninfo());
    holder.run("BEGIN");
    holder.run("SELECT pg_advisory_xact_lock(hashtext('userstream.schema'), hashtext('" + schema + "'))");
    constexpr int hosts = 4;
    std::vector<std::future<std::unique_ptr<postgres_event_store>>> opening;
    for (int h = 0; h < hosts; ++h) {
        opening.push_back(std::async(std::launch::async, [&] { return std::make_unique<postgres_event_store>(options); }));
    }
    const auto waiting = [&] {
        return raw_connection(db.conninfo())
            .run("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = "
                 "(SELECT oid FROM pg_database WHERE datname = current_database())");
    };
    for (int tries = 0; waiting() != std::to_string(hosts) && tries < 500; ++tries) std::this_thread::sleep_for(10ms);
    REQUIRE(waiting() == std::to_string(hosts));
    holder.run("COMMIT");
    // then every one of them opens the store.
    std::vector<std::unique_ptr<postgres_event_store>> stores;
    for (auto& f : opening) {
        REQUIRE_NOTHROW(stores.push_back(f.get()));
    }

    // When threads on every store push to aggregates of their own (never contended) and to one shared aggregate
    // (re-read and retried on Conflict), while two other processes race on aggregates of their own,
    constexpr int threads_per_store = 2;
    constexpr std::uint64_t own_pushes = 25;
    std::atomic<int> own_failures{0}, other_failures{0}, shared_stored{0};
    std::vector<std::string> errors;
    std::mutex errors_mutex;
    const auto note = [&](const std::string& what) {
        std::lock_guard lock(errors_mutex);
        if (errors.size() < 5) errors.push_back(what);
    };
    const std::string url = with_schema(db.conninfo(), schema);
    std::vector<pid_t> children;
    for (const char* tag : {"p1", "p2"}) {
        std::vector<std::string> args{"conformance_writer", url, tag, "40", "3"};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_t pid = 0;
        REQUIRE(::posix_spawn(&pid, CONFORMANCE_WRITER_PATH, nullptr, nullptr, argv.data(), environ) == 0);
        children.push_back(pid);
    }
    std::vector<std::thread> workers;
    for (int s = 0; s < hosts; ++s) {
        for (int t = 0; t < threads_per_store; ++t) {
            workers.emplace_back([&, s, t] {
                auto& store = *stores[static_cast<std::size_t>(s)];
                const std::string own = "own-" + std::to_string(s) + "-" + std::to_string(t);
                try {
                    for (std::uint64_t n = 0; n < own_pushes; ++n) {
                        const auto pushed = store.append({numbered(own, n)});
                        if (!pushed.ok()) {
                            ++own_failures;
                            note(own + ": " + std::string(pushed.err().id));
                        }
                        if (n % 2 == 1) continue;
                        for (int tries = 0; tries < 100; ++tries) {  // a push on the shared aggregate
                            const auto expected = store.read_aggregate(key_of("shared"), {}).size();
                            const auto shared = store.append({push_to("shared", expected)});
                            if (shared.ok()) {
                                ++shared_stored;
                                break;
                            }
                            if (!shared.err().is(es::errors::concurrency_conflict)) {
                                ++other_failures;
                                note("shared: " + std::string(shared.err().id));
                                break;
                            }
                        }
                    }
                } catch (const std::exception& e) {
                    ++other_failures;
                    note(e.what());
                }
            });
        }
    }
    for (auto& w : workers) w.join();
    for (const pid_t pid : children) {
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        REQUIRE(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }

    // then no push on an uncontended aggregate was refused, nothing failed but Conflicts on the shared one,
    for (const auto& e : errors) UNSCOPED_INFO(e);
    CHECK(own_failures == 0);
    CHECK(other_failures == 0);
    // and the store holds exactly what was acknowledged, at gapless positions.
    const auto& store = *stores.front();
    for (int s = 0; s < hosts; ++s) {
        for (int t = 0; t < threads_per_store; ++t) {
            require_numbered_stream(store, "own-" + std::to_string(s) + "-" + std::to_string(t), own_pushes);
        }
    }
    const auto shared = store.read_aggregate(key_of("shared"), {});
    CHECK(shared.size() == static_cast<std::size_t>(shared_stored.load()));
    CHECK(shared_stored == hosts * threads_per_store * ((own_pushes + 1) / 2));
    for (std::size_t i = 0; i < shared.size(); ++i) CHECK(shared[i].sequence.value == i + 1);
    std::size_t raced = 0;
    for (int a = 0; a < 3; ++a) raced += store.read_aggregate({"shared", "race", "agg-" + std::to_string(a)}, {}).size();
    CHECK(raced == 80);
    require_gapless(store);
}

TEST_CASE("defect 8.9: the PostgreSQL store refuses text with NUL and payloads JSONB cannot hold, never cutting them "
          "short",
          "[postgres][issue8]") {
    scratch_schema schema;
    postgres_event_store store(schema.options());
    REQUIRE(store.append({push_to("victim", 0)}).ok());

    // Reads: an id or filter with a NUL is refused (std::invalid_argument), not read as its prefix.
    const std::string nul_id("victim\0anything", 15);
    CHECK_THROWS_AS(store.read_aggregate(key_of(nul_id), {}), std::invalid_argument);
    es::global_filter by_instance;
    by_instance.instance_id = std::string("i1\0x", 4);
    CHECK_THROWS_AS(store.read_global({}, by_instance, 10), std::invalid_argument);
    es::global_filter by_type;
    by_type.aggregate_types = {std::string("user\0x", 6)};
    CHECK_THROWS_AS(store.read_global({}, by_type, 10), std::invalid_argument);
    CHECK_THROWS_AS(store.for_each_global({}, by_type, [](const es::stored_event&) { return true; }),
                    std::invalid_argument);
    CHECK_THROWS_WITH(store.read_aggregate(key_of(nul_id), {}), Catch::Contains("NUL") && !Catch::Contains("anything"));
    // The refusal costs nothing else: the victim's stream reads as before.
    CHECK(store.read_aggregate(key_of("victim"), {}).size() == 1);

    // Pushes: a payload JSONB cannot hold is InvalidArgument (EVENTSTORE-InvalidPayload), and nothing is written.
    for (const std::string& payload : {std::string(R"({"generatorInfo":"id\u0000x"})"),
                                      std::string(R"({"a":"\u0000"})"), std::string("{\"a\":\"x\0y\"}", 11),
                                      std::string("{\"a\":\"\xff\"}")}) {
        INFO(payload);
        const auto refused = store.append({push_to("p", 0, payload)});
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.err().is(es::errors::invalid_payload));
        CHECK(refused.err().kind == userstream::error_kind::invalid_argument);
    }
    CHECK(store.head().value == 1);
    // An escaped backslash before "u0000" is plain text, not the NUL escape, and is stored.
    const auto escaped = store.append({push_to("p", 0, R"({"a":"\\u0000"})")});
    REQUIRE(escaped.ok());
    CHECK(store.read_aggregate(key_of("p"), {}).front().payload == R"({"a": "\\u0000"})");
}
