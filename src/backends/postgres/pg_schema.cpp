#include "pg_schema.hpp"

#include "postgres/component_schema.hpp"
#include "postgres/transaction.hpp"
#include "userstream/core/error.hpp"

namespace userstream::backends::pg_detail {

namespace {

const char* name_of(postgres_commits commits) {
    return commits == postgres_commits::parallel ? "parallel" : "serialised";
}

// The version recorded for the store in `schema`, 0 when there is none yet.
int recorded_version(connection& db, const std::string& schema) {
    const auto exists = db.exec("SELECT to_regclass('" + schema + ".schema_version') IS NOT NULL");
    if (exists.value(0, 0) != "t") return 0;
    const auto found = db.exec("SELECT version FROM " + schema + ".schema_version WHERE component = 'eventstore'");
    return found.rows() ? std::stoi(std::string(found.value(0, 0))) : 0;
}

// Raises the epoch, if needed, so that the next transaction's positions lie above every stored position.
std::uint64_t checked_epoch(connection& db, const std::string& schema) {
    sql::postgres::transaction tx(db);
    db.exec("SELECT pg_advisory_xact_lock(hashtext('userstream.schema'), hashtext('" + schema + "'))");
    const auto row = db.exec("SELECT (SELECT epoch FROM " + schema + ".position_epoch), (SELECT COALESCE(MAX(\"position\"), 0) FROM " + schema +
                             ".events2), pg_current_xact_id()::text::bigint");
    auto epoch = static_cast<std::uint64_t>(std::stoll(std::string(row.value(0, 0))));
    const auto stored = static_cast<std::uint64_t>(std::stoll(std::string(row.value(0, 1)))) >> transaction_bits;
    const auto xid = static_cast<std::uint64_t>(std::stoll(std::string(row.value(0, 2))));
    if (stored >= xid + epoch) {
        epoch = stored + 1 - xid;
        db.exec("UPDATE " + schema + ".position_epoch SET epoch = " + std::to_string(epoch));
    }
    tx.commit();
    return epoch;
}

}  // namespace

schema_info ensure_schema(connection& db, const std::string& schema, std::optional<postgres_commits> wanted) {
    sql::postgres::check_schema_name(schema);  // before the name is written into any statement
    const int recorded = recorded_version(db, schema);
    schema_info info;
    info.commits = recorded == parallel_version ? postgres_commits::parallel : postgres_commits::serialised;
    if (recorded == 0 && wanted) info.commits = *wanted;
    if (recorded != 0 && wanted && *wanted != info.commits &&
        (recorded == serialised_version || recorded == parallel_version)) {
        throw infrastructure_error("PostgreSQL (" + db.where() + "): the event store in schema " + schema + " has " +
                                   name_of(info.commits) + " commits (version " + std::to_string(recorded) +
                                   "); it cannot be opened with commits=" + name_of(*wanted));
    }
    const bool parallel = info.commits == postgres_commits::parallel;
    const std::string table = schema + ".events2";
    std::string create = "CREATE TABLE IF NOT EXISTS " + table + R"sql( (
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
    );
)sql" + "CREATE UNIQUE INDEX IF NOT EXISTS es_position ON " + table + " (\"position\");\n" +
                         "CREATE INDEX IF NOT EXISTS es_projection ON " + table +
                         " (instance_id, aggregate_type, event_type, \"position\");\n";
    if (parallel) {
        create += "CREATE TABLE IF NOT EXISTS " + schema + ".position_epoch (epoch BIGINT NOT NULL);\n" +
                  "INSERT INTO " + schema + ".position_epoch SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM " + schema +
                  ".position_epoch);\n";
    }
    sql::postgres::ensure_component_schema(db, schema, "eventstore", parallel ? parallel_version : serialised_version,
                                           create);
    const auto oid = db.exec("SELECT '" + table + "'::regclass::oid");
    info.table_oid = static_cast<unsigned>(std::stoul(std::string(oid.value(0, 0))));
    if (parallel) info.epoch = checked_epoch(db, schema);
    return info;
}

}  // namespace userstream::backends::pg_detail
