// What the PostgreSQL backend promises beyond the shared contract: the schema version table, the writers' lock that
// keeps positions in commit order, the mapping of a primary-key collision from a foreign writer to Conflict, and rows
// it cannot read reported by coordinates.
#include <catch2/catch.hpp>
#include <libpq-fe.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "decode_failure.hpp"
#include "postgres_test_server.hpp"
#include "userstream/backends/postgres_event_store.hpp"
#include "userstream/eventstore/errors.hpp"

namespace es = userstream::eventstore;
using namespace std::chrono_literals;
using userstream::backends::postgres_event_store;
using userstream::testing::decode_failure;
using userstream::testing::names_the_row;

namespace {

// A raw connection standing in for another writer or a tool.
class raw_connection {
public:
    raw_connection() : conn_(PQconnectdb(conformance::postgres_conninfo().c_str()), &PQfinish) {
        if (PQstatus(conn_.get()) != CONNECTION_OK) FAIL("PostgreSQL test server unreachable: " << PQerrorMessage(conn_.get()));
    }
    std::string run(const std::string& sql) {
        std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn_.get(), sql.c_str()), &PQclear);
        const auto status = PQresultStatus(res.get());
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) FAIL(sql << ": " << PQerrorMessage(conn_.get()));
        return PQntuples(res.get()) > 0 ? PQgetvalue(res.get(), 0, 0) : "";
    }

private:
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

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
