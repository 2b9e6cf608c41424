#include "sqlite_schema.hpp"

#include "sqlite/component_schema.hpp"

namespace userstream::backends::sqlite_detail {

namespace {

// `position` is the INTEGER PRIMARY KEY, SQLite's alias of the rowid: the table's own b-tree is keyed and stored in
// global order, so replay and every global read walk it directly, with no index to seek through per row, and VACUUM
// never renumbers an explicit INTEGER PRIMARY KEY. (Version 1 kept the position in a column of its own with a unique
// index, and set the rowid to it on insert only as a hint that VACUUM could undo.) The aggregate's key
// (instance_id, aggregate_type, aggregate_id, sequence), ZITADEL's primary key, is a UNIQUE constraint: reads of one
// stream use its index, and a foreign writer's collision on it is still SQLITE_CONSTRAINT_UNIQUE.
constexpr const char* create_v2 = R"sql(
CREATE TABLE IF NOT EXISTS events2 (
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
    "position"     INTEGER PRIMARY KEY NOT NULL,
    in_tx_order    INTEGER NOT NULL,
    UNIQUE (instance_id, aggregate_type, aggregate_id, "sequence")
);
CREATE INDEX IF NOT EXISTS es_projection ON events2 (instance_id, aggregate_type, event_type, "position");
)sql";

// Version 1 to 2: the rows are copied into a table of the new shape in position order (taking the positions from
// their column, never from the old rowids), the old table goes with its indexes, the new one takes its name. One
// transaction (ensure_component_schema's): a crash midway leaves version 1 as it was. It rewrites the whole table
// once, so it needs as much free disk as the table takes. It spells the version-2 table out instead of reusing
// create_v2: a migration must keep creating version 2 after create_v2 moves on to a later version.
constexpr const char* migrate_v1_to_v2 = R"sql(
CREATE TABLE events2_v2 (
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
    "position"     INTEGER PRIMARY KEY NOT NULL,
    in_tx_order    INTEGER NOT NULL,
    UNIQUE (instance_id, aggregate_type, aggregate_id, "sequence")
);
INSERT INTO events2_v2 (instance_id, aggregate_type, aggregate_id, event_type, "sequence", revision, created_at,
                        payload, creator, "owner", "position", in_tx_order)
    SELECT instance_id, aggregate_type, aggregate_id, event_type, "sequence", revision, created_at, payload, creator,
           "owner", "position", in_tx_order
    FROM events2 ORDER BY "position";
DROP TABLE events2;
ALTER TABLE events2_v2 RENAME TO events2;
CREATE INDEX es_projection ON events2 (instance_id, aggregate_type, event_type, "position");
)sql";

constexpr sql::sqlite::schema_migration migrations[] = {{1, migrate_v1_to_v2}};

}  // namespace

void ensure_schema(database& db) {
    sql::sqlite::ensure_component_schema(db, "eventstore", schema_version, create_v2, migrations);
}

}  // namespace userstream::backends::sqlite_detail
