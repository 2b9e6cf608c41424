// What the SQLite backend promises beyond the shared contract: WAL mode, the schema version table, and rows it
// cannot read (written by another tool) reported by coordinates instead of crashing or being skipped.
#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "decode_failure.hpp"
#include "sqlite_temp_db.hpp"
#include "userstream/backends/sqlite_event_store.hpp"

namespace es = userstream::eventstore;
using userstream::backends::sqlite_event_store;
using userstream::testing::decode_failure;
using userstream::testing::names_the_row;

using userstream::conformance_tests::temp_db;

namespace {


es::new_event plain_event() { return es::new_event{"user.added", R"({"a":1})", 1, "c", {}}; }


}  // namespace

TEST_CASE("sqlite: a new file is in WAL mode with schema version 2", "[sqlite]") {
    temp_db db;
    { sqlite_event_store store({.path = db.path()}); }
    CHECK(db.raw("PRAGMA journal_mode") == "wal");
    CHECK(db.raw("SELECT version FROM schema_version WHERE component = 'eventstore'") == "2");
    CHECK(db.raw("SELECT count(*) FROM sqlite_master WHERE name IN ('events2', 'es_projection')") == "2");
    // Version 2: the position is the table's INTEGER PRIMARY KEY, so es_position is gone (sqlite_schema.cpp).
    CHECK(db.raw("SELECT pk FROM pragma_table_info('events2') WHERE name = 'position'") == "1");
}

TEST_CASE("sqlite: a schema newer than the library is refused on open", "[sqlite]") {
    temp_db db;
    { sqlite_event_store store({.path = db.path()}); }
    db.raw("UPDATE schema_version SET version = 99");
    CHECK_THROWS_WITH(sqlite_event_store({.path = db.path()}),
                      Catch::Contains("schema version 99") && Catch::Contains(db.path()));
}

TEST_CASE("sqlite: a file that cannot be opened is named in the error", "[sqlite]") {
    CHECK_THROWS_WITH(sqlite_event_store({.path = "/nonexistent-dir/x/events.db"}),
                      Catch::Contains("/nonexistent-dir/x/events.db"));
}

TEST_CASE("sqlite: an unreadable row yields a decode error naming instance, aggregate and sequence", "[sqlite]") {
    temp_db db;
    sqlite_event_store store({.path = db.path(), .synchronous = userstream::backends::sqlite_synchronous::normal});
    REQUIRE(store.append({{{"i1", "user", "good"}, "o", es::sequence_number{0}, {plain_event()}}}).ok());

    const std::string insert =
        "PRAGMA ignore_check_constraints = ON; INSERT INTO events2 (rowid, instance_id, aggregate_type, aggregate_id, "
        "event_type, \"sequence\", revision, created_at, payload, creator, \"owner\", \"position\", in_tx_order) "
        "VALUES (2, 'i1', 'user', 'bad', 'user.added', 1, 1, ";
    SECTION("a timestamp that does not parse") { db.raw(insert + "'yesterday', '{}', 'c', 'o', 2, 0)"); }
    SECTION("a payload that is not text") { db.raw(insert + "'2026-01-01T00:00:00.000000Z', x'00ff', 'c', 'o', 2, 0)"); }
    SECTION("a revision out of range") { db.raw(insert.substr(0, insert.size() - 3) + "70000, '2026-01-01T00:00:00Z', '{}', 'c', 'o', 2, 0)"); }

    CHECK_THROWS_AS(store.read_aggregate({"i1", "user", "bad"}, {}), userstream::decode_error);
    CHECK_THAT(decode_failure([&] { (void)store.read_aggregate({"i1", "user", "bad"}, {}); }), names_the_row());
    CHECK_THAT(decode_failure([&] { (void)store.read_global({}, {}, 10); }), names_the_row());
    CHECK_THAT(decode_failure([&] { (void)store.for_each_global({}, {}, [](const es::stored_event&) { return true; }); }),
               names_the_row());
    // The rest of the store stays readable.
    CHECK(store.read_aggregate({"i1", "user", "good"}, {}).size() == 1);
    CHECK(store.read_global({}, {}, 1).size() == 1);
}

TEST_CASE("sqlite: a payload that is not JSON is refused on append, alone", "[sqlite]") {
    temp_db db;
    sqlite_event_store store({.path = db.path(), .synchronous = userstream::backends::sqlite_synchronous::normal});
    es::new_event broken = plain_event();
    broken.payload = "{not json";
    CHECK_THROWS_AS(store.append({{{"i1", "user", "u1"}, "o", es::sequence_number{0}, {broken}}}),
                    userstream::infrastructure_error);
    CHECK(store.head().value == 0);
    CHECK(store.append({{{"i1", "user", "u1"}, "o", es::sequence_number{0}, {plain_event()}}}).ok());
}

TEST_CASE("sqlite: a push after another connection wrote takes positions after that connection's rows and checks "
          "against the sequences it stored", "[sqlite]") {
    temp_db db;
    sqlite_event_store store({.path = db.path(), .synchronous = userstream::backends::sqlite_synchronous::normal});
    REQUIRE(store.append({{{"i1", "user", "u1"}, "o", es::sequence_number{0}, {plain_event()}}}).ok());

    // Another writer (a second process, a tool) adds a row for a new aggregate and advances u1.
    db.raw("INSERT INTO events2 (instance_id, aggregate_type, aggregate_id, event_type, \"sequence\", revision, "
           "created_at, payload, creator, \"owner\", \"position\", in_tx_order) VALUES "
           "('i1', 'user', 'u2', 'user.added', 1, 1, '2026-01-01T00:00:00.000000Z', NULL, 'c', 'o', 2, 0), "
           "('i1', 'user', 'u1', 'user.added', 2, 1, '2026-01-01T00:00:00.000000Z', NULL, 'c', 'o', 3, 0)");

    const auto fresh = store.append({{{"i1", "user", "u3"}, "o", es::sequence_number{0}, {plain_event()}}});
    REQUIRE(fresh.ok());
    CHECK(fresh->events.front().position.value == 4);
    CHECK(store.append({{{"i1", "user", "u1"}, "o", es::sequence_number{1}, {plain_event()}}}).err().id ==
          "EVENTSTORE-Conflict");
    const auto next = store.append({{{"i1", "user", "u1"}, "o", es::sequence_number{2}, {plain_event()}}});
    REQUIRE(next.ok());
    CHECK(next->events.front().sequence.value == 3);
    CHECK(next->events.front().position.value == 5);
    CHECK(store.head().value == 5);
}
