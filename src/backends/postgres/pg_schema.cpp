#include "pg_schema.hpp"

#include "postgres/component_schema.hpp"

namespace userstream::backends::pg_detail {

unsigned ensure_schema(connection& db, const std::string& schema) {
    sql::postgres::check_schema_name(schema);  // before the name is written into any statement
    const std::string table = schema + ".events2";
    const std::string create_v1 = "CREATE TABLE IF NOT EXISTS " + table + R"sql( (
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
    sql::postgres::ensure_component_schema(db, schema, "eventstore", schema_version, create_v1);
    const auto oid = db.exec("SELECT '" + table + "'::regclass::oid");
    return static_cast<unsigned>(std::stoul(std::string(oid.value(0, 0))));
}

}  // namespace userstream::backends::pg_detail
