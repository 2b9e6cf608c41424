#include "sqlite_schema.hpp"

#include "sqlite/component_schema.hpp"

namespace userstream::backends::sqlite_detail {

namespace {

// `position` is also written as the rowid, so the table's own b-tree is in global order and replay reads it
// sequentially; reads still go through the `position` column and its index, which VACUUM cannot renumber.
constexpr const char* create_v1 = R"sql(
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
    "position"     INTEGER NOT NULL,
    in_tx_order    INTEGER NOT NULL,
    PRIMARY KEY (instance_id, aggregate_type, aggregate_id, "sequence")
);
CREATE UNIQUE INDEX IF NOT EXISTS es_position ON events2 ("position");
CREATE INDEX IF NOT EXISTS es_projection ON events2 (instance_id, aggregate_type, event_type, "position");
)sql";

}  // namespace

void ensure_schema(database& db) { sql::sqlite::ensure_component_schema(db, "eventstore", schema_version, create_v1); }

}  // namespace userstream::backends::sqlite_detail
