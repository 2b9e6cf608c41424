#include "sqlite_schema.hpp"

#include <string>

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

void ensure_schema(database& db) {
    // IMMEDIATE takes the write lock first, so two processes creating a new file do not both try.
    db.exec("BEGIN IMMEDIATE");
    try {
        db.exec("CREATE TABLE IF NOT EXISTS schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)");
        int found = 0;
        {
            auto read = db.prepare("SELECT version FROM schema_version WHERE component = 'eventstore'");
            if (read.step()) found = static_cast<int>(read.column_int(0));
        }
        if (found > schema_version) {
            throw infrastructure_error("SQLite " + db.path() + ": schema version " + std::to_string(found) +
                                       " is newer than this library supports (" + std::to_string(schema_version) +
                                       ")");
        }
        if (found < 1) {
            db.exec(create_v1);
            db.exec("INSERT OR REPLACE INTO schema_version (component, version) VALUES ('eventstore', 1)");
        }
        db.exec("COMMIT");
    } catch (...) {
        db.try_exec("ROLLBACK");
        throw;
    }
}

}  // namespace userstream::backends::sqlite_detail
