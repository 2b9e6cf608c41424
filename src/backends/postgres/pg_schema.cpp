#include "pg_schema.hpp"

#include <string>

namespace userstream::backends::pg_detail {

void check_schema_name(const std::string& name) {
    bool ok = !name.empty() && name.size() <= 63 && !(name[0] >= '0' && name[0] <= '9');
    for (const char c : name) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    if (!ok) {
        throw infrastructure_error("PostgreSQL: schema name '" + name +
                                   "' must be lower-case letters, digits and underscores");
    }
}

unsigned ensure_schema(connection& db, const std::string& schema) {
    check_schema_name(schema);
    // CREATE ... IF NOT EXISTS is not safe against a concurrent CREATE of the same name (it can fail on the catalog's
    // unique index), so creators queue on a lock keyed by the schema name.
    db.exec(std::string(begin_transaction) + "; SELECT pg_advisory_xact_lock(hashtext('userstream.schema'), hashtext('" +
            schema + "'))");
    try {
        db.exec("CREATE SCHEMA IF NOT EXISTS " + schema);
        db.exec("CREATE TABLE IF NOT EXISTS " + schema +
                ".schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)");
        const auto found = db.exec("SELECT version FROM " + schema + ".schema_version WHERE component = 'eventstore'");
        const int version = found.rows() ? std::stoi(std::string(found.value(0, 0))) : 0;
        if (version > schema_version) {
            throw infrastructure_error("PostgreSQL (" + db.where() + "): schema " + schema + " has version " +
                                       std::to_string(version) + ", newer than this library supports (" +
                                       std::to_string(schema_version) + ")");
        }
        if (version < 1) {
            db.exec("CREATE TABLE IF NOT EXISTS " + schema + R"sql(.events2 (
                instance_id    TEXT        NOT NULL,
                aggregate_type TEXT        NOT NULL,
                aggregate_id   TEXT        NOT NULL,
                event_type     TEXT        NOT NULL,
                "sequence"     BIGINT      NOT NULL,
                revision       SMALLINT    NOT NULL,
                created_at     TIMESTAMPTZ NOT NULL,
                payload        JSONB,
                creator        TEXT        NOT NULL,
                "owner"        TEXT        NOT NULL,
                "position"     BIGINT      NOT NULL,
                in_tx_order    INTEGER     NOT NULL,
                PRIMARY KEY (instance_id, aggregate_type, aggregate_id, "sequence")
            ))sql");
            db.exec("CREATE UNIQUE INDEX IF NOT EXISTS es_position ON " + schema + ".events2 (\"position\")");
            db.exec("CREATE INDEX IF NOT EXISTS es_projection ON " + schema +
                    ".events2 (instance_id, aggregate_type, event_type, \"position\")");
            db.exec("INSERT INTO " + schema +
                    ".schema_version (component, version) VALUES ('eventstore', 1) "
                    "ON CONFLICT (component) DO UPDATE SET version = 1");
        }
        const auto oid = db.exec("SELECT '" + schema + ".events2'::regclass::oid");
        db.exec("COMMIT");
        return static_cast<unsigned>(std::stoul(std::string(oid.value(0, 0))));
    } catch (...) {
        try {
            db.exec("ROLLBACK");
        } catch (...) {
        }
        throw;
    }
}

}  // namespace userstream::backends::pg_detail
