// A SQLite file written by an earlier version of the store opens with the current one: the schema is migrated in
// place on open, and every event, position and sequence is kept. The old files are made here with the old DDL and
// raw INSERTs, exactly as that version wrote them, so the test does not need an old binary.
#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "sqlite_temp_db.hpp"
#include "userstream/backends/sqlite_event_store.hpp"
#include "userstream/eventstore/errors.hpp"

namespace es = userstream::eventstore;
using userstream::backends::sqlite_event_store;

using userstream::conformance_tests::temp_db;

namespace {


// The schema of version 1 (the store until 0.1): a composite primary key, the position in a column of its own with a
// unique index, and the rowid set to the position on insert (which VACUUM was free to renumber).
constexpr const char* schema_v1 = R"sql(
PRAGMA journal_mode = WAL;
CREATE TABLE schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL);
INSERT INTO schema_version (component, version) VALUES ('eventstore', 1);
CREATE TABLE events2 (
    instance_id    TEXT    NOT NULL,
    aggregate_type TEXT    NOT NULL,
    aggregate_id   TEXT    NOT NULL,
    event_type     TEXT    NOT NULL,
    "sequence"     INTEGER NOT NULL,
    revision       INTEGER NOT NULL,
    created_at     TEXT    NOT NULL,
    payload        TEXT    CHECK (payload IS NULL OR json_valid(payload)),
    creator        TEXT    NOT NULL,
    "owner"        TEXT    NOT NULL,
    "position"     INTEGER NOT NULL,
    in_tx_order    INTEGER NOT NULL,
    PRIMARY KEY (instance_id, aggregate_type, aggregate_id, "sequence")
);
CREATE UNIQUE INDEX es_position ON events2 ("position");
CREATE INDEX es_projection ON events2 (instance_id, aggregate_type, event_type, "position");
)sql";

// Three events over two users; the rowids differ from the positions, as after a VACUUM of a version 1 file.
constexpr const char* rows_v1 = R"sql(
INSERT INTO events2 (rowid, instance_id, aggregate_type, aggregate_id, event_type, "sequence", revision, created_at,
                     payload, creator, "owner", "position", in_tx_order) VALUES
  (7, 'i1', 'user', 'u1', 'user.human.added', 1, 2, '2026-07-10T09:17:49.123456Z', '{"a":1}', 'admin', 'o1', 1, 0),
  (5, 'i1', 'user', 'u1', 'user.human.phone.changed', 2, 2, '2026-07-10T09:17:50.000001Z', '{"phone":"+41710000000"}',
   'admin', 'o1', 2, 0),
  (6, 'i1', 'user', 'u2', 'user.human.phone.verified', 1, 2, '2026-07-10T09:17:50.000001Z', NULL, 'admin', 'o2', 3, 1);
)sql";

es::new_event plain_event() { return es::new_event{"user.added", R"({"a":1})", 1, "c", {}}; }

}  // namespace

TEST_CASE("sqlite: a file of schema version 1 is migrated on open, keeping every event, position and sequence",
          "[sqlite][migration]") {
    temp_db file;
    file.raw(schema_v1);
    file.raw(rows_v1);

    sqlite_event_store store({.path = file.path(), .synchronous = userstream::backends::sqlite_synchronous::normal});

    const auto all = store.read_global({}, {}, 10);
    REQUIRE(all.size() == 3);
    CHECK(all[0].aggregate.aggregate_id == "u1");
    CHECK(all[0].event_type == "user.human.added");
    CHECK(all[0].payload == R"({"a":1})");
    CHECK(all[0].position.value == 1);
    CHECK(all[1].event_type == "user.human.phone.changed");
    CHECK(all[1].sequence.value == 2);
    CHECK(all[1].position.value == 2);
    CHECK(all[2].aggregate.aggregate_id == "u2");
    CHECK(all[2].payload.empty());
    CHECK(all[2].owner == "o2");
    CHECK(all[2].position.value == 3);
    CHECK(all[2].in_tx_order == 1);
    CHECK(userstream::format_rfc3339(all[2].created_at) == "2026-07-10T09:17:50.000001Z");
    CHECK(store.head().value == 3);
    CHECK(store.read_aggregate({"i1", "user", "u1"}, {}).size() == 2);

    // Appends continue after the migrated positions and sequences, and a stale sequence is still a conflict.
    auto next = store.append({{{"i1", "user", "u1"}, "o1", es::sequence_number{2}, {plain_event()}}});
    REQUIRE(next.ok());
    CHECK(next->events.front().sequence.value == 3);
    CHECK(next->events.front().position.value == 4);
    CHECK(store.append({{{"i1", "user", "u1"}, "o1", es::sequence_number{2}, {plain_event()}}}).err().id ==
          es::errors::concurrency_conflict.id);

    // The position is now the table's own key (the rowid alias, which VACUUM keeps), and the version says so.
    CHECK(file.raw("SELECT version FROM schema_version WHERE component = 'eventstore'") == "2");
    CHECK(file.raw("SELECT pk FROM pragma_table_info('events2') WHERE name = 'position'") == "1");
    CHECK(file.raw("SELECT count(*) FROM events2 WHERE rowid <> \"position\"") == "0");
}

TEST_CASE("sqlite: a migrated file opens again without migrating twice", "[sqlite][migration]") {
    temp_db file;
    file.raw(schema_v1);
    file.raw(rows_v1);
    { sqlite_event_store first({.path = file.path()}); }
    sqlite_event_store again({.path = file.path()});
    CHECK(again.read_global({}, {}, 10).size() == 3);
    CHECK(file.raw("SELECT version FROM schema_version WHERE component = 'eventstore'") == "2");
}
