#include "sqlite_projection_db.hpp"

#include "userstream/core/time.hpp"

namespace userstream::projections::sqlite_detail {

namespace {

constexpr int schema_version = 1;

// Timestamps are RFC 3339 text with six fractional digits, as in the event store's table: they sort as text.
constexpr const char* create_v1 = R"sql(
CREATE TABLE IF NOT EXISTS projection_checkpoints (
    projection TEXT    PRIMARY KEY,
    "position" INTEGER NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS object_details (
    instance_id    TEXT    NOT NULL,
    aggregate_type TEXT    NOT NULL,
    aggregate_id   TEXT    NOT NULL,
    "sequence"     INTEGER NOT NULL,
    creation_date  TEXT    NOT NULL,
    change_date    TEXT    NOT NULL,
    resource_owner TEXT    NOT NULL,
    PRIMARY KEY (instance_id, aggregate_type, aggregate_id)
);
CREATE TABLE IF NOT EXISTS user_phones (
    instance_id       TEXT    NOT NULL,
    user_id           TEXT    NOT NULL,
    kind              TEXT    NOT NULL,
    state             TEXT    NOT NULL,
    phone             TEXT,
    is_phone_verified INTEGER,
    last_phone        TEXT,
    verified_phone    TEXT,
    "sequence"        INTEGER NOT NULL,
    creation_date     TEXT    NOT NULL,
    change_date       TEXT    NOT NULL,
    resource_owner    TEXT    NOT NULL,
    PRIMARY KEY (instance_id, user_id)
);
)sql";

void ensure_schema(database& db) {
    db.exec("BEGIN IMMEDIATE");
    try {
        db.exec("CREATE TABLE IF NOT EXISTS schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)");
        int found = 0;
        {
            auto read = db.prepare("SELECT version FROM schema_version WHERE component = 'projections'");
            if (read.step()) found = static_cast<int>(read.column_int(0));
        }
        if (found > schema_version) {
            throw infrastructure_error("SQLite " + db.path() + ": projections schema version " + std::to_string(found) +
                                       " is newer than this library supports (" + std::to_string(schema_version) + ")");
        }
        if (found < 1) {
            db.exec(create_v1);
            db.exec("INSERT OR REPLACE INTO schema_version (component, version) VALUES ('projections', 1)");
        }
        db.exec("COMMIT");
    } catch (...) {
        db.try_exec("ROLLBACK");
        throw;
    }
}

}  // namespace

projection_db::projection_db(const sqlite_read_model_options& options)
    : db(options.path, database::mode::read_write_create, static_cast<int>(options.busy_timeout.count())) {
    if (options.path != ":memory:") {
        db.exec("PRAGMA journal_mode=WAL");
        // Losing the last page on power loss is harmless: its checkpoint goes with it and the runner applies it again.
        db.exec("PRAGMA synchronous=NORMAL");
    }
    ensure_schema(db);
}

eventstore::global_position projection_db::checkpoint(const std::string& projection) {
    auto read = db.prepare("SELECT \"position\" FROM projection_checkpoints WHERE projection = ?1");
    read.bind(1, projection);
    if (!read.step()) return {};
    return eventstore::global_position{static_cast<std::uint64_t>(read.column_int(0))};
}

bool projection_db::apply(const std::string& projection, eventstore::global_position from,
                          eventstore::global_position through, const std::function<void()>& body) {
    // IMMEDIATE takes the write lock before reading the checkpoint, so no other runner can move it in between.
    db.exec("BEGIN IMMEDIATE");
    try {
        if (checkpoint(projection) != from) {
            db.exec("ROLLBACK");
            return false;
        }
        body();
        auto save = db.prepare(
            "INSERT INTO projection_checkpoints (projection, \"position\", updated_at) VALUES (?1, ?2, ?3) "
            "ON CONFLICT (projection) DO UPDATE SET \"position\" = excluded.\"position\", "
            "updated_at = excluded.updated_at");
        save.bind(1, projection);
        save.bind(2, static_cast<std::int64_t>(through.value));
        save.bind(3, format_rfc3339(system_clock().now()));
        save.step();
        db.exec("COMMIT");
        return true;
    } catch (...) {
        db.try_exec("ROLLBACK");
        throw;
    }
}

void projection_db::reset(const std::string& projection, const char* delete_sql) {
    db.exec("BEGIN IMMEDIATE");
    try {
        db.exec(delete_sql);
        auto drop = db.prepare("DELETE FROM projection_checkpoints WHERE projection = ?1");
        drop.bind(1, projection);
        drop.step();
        db.exec("COMMIT");
    } catch (...) {
        db.try_exec("ROLLBACK");
        throw;
    }
}

}  // namespace userstream::projections::sqlite_detail
