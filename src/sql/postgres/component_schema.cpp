#include "postgres/component_schema.hpp"

#include "postgres/transaction.hpp"
#include "userstream/core/error.hpp"

namespace userstream::sql::postgres {

void check_schema_name(const std::string& name) {
    bool ok = !name.empty() && name.size() <= 63 && !(name[0] >= '0' && name[0] <= '9');
    for (const char c : name) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    if (!ok) {
        throw infrastructure_error("PostgreSQL: schema name '" + name +
                                   "' must be lower-case letters, digits and underscores");
    }
}

void ensure_component_schema(connection& db, const std::string& schema, std::string_view component, int version,
                             const std::string& ddl) {
    check_schema_name(schema);
    transaction tx(db);
    // Creators queue here, the event store and every read model alike, keyed by the schema name.
    db.exec("SELECT pg_advisory_xact_lock(hashtext('userstream.schema'), hashtext('" + schema + "'))");
    db.exec("CREATE SCHEMA IF NOT EXISTS " + schema);
    db.exec("CREATE TABLE IF NOT EXISTS " + schema +
            ".schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)");
    const std::string name(component);
    const auto found = db.exec_prepared("SELECT version FROM " + schema + ".schema_version WHERE component = $1",
                                        {name}, false);
    const int recorded = found.rows() ? std::stoi(std::string(found.value(0, 0))) : 0;
    if (recorded == 0) {
        db.exec(ddl);
        db.exec_prepared("INSERT INTO " + schema +
                             ".schema_version (component, version) VALUES ($1, $2) "
                             "ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version",
                         {name, std::to_string(version)}, false);
    } else if (recorded != version) {
        throw infrastructure_error("PostgreSQL (" + db.where() + "): " + name + " in schema " + schema +
                                   " has version " + std::to_string(recorded) + ", " +
                                   (recorded > version ? "newer" : "older") + " than this library supports (" +
                                   std::to_string(version) + ")");
    }
    tx.commit();
}

}  // namespace userstream::sql::postgres
