#include "sqlite/component_schema.hpp"

#include <string>

#include "sqlite/transaction.hpp"
#include "userstream/core/error.hpp"

namespace userstream::sql::sqlite {

namespace {

void record_version(database& db, std::string_view component, int version) {
    auto record = db.prepare("INSERT OR REPLACE INTO schema_version (component, version) VALUES (?1, ?2)");
    record.bind(1, component);
    record.bind(2, std::int64_t{version});
    record.step();
}

const schema_migration* step_from(std::span<const schema_migration> migrations, int version) {
    for (const auto& step : migrations) {
        if (step.from == version) return &step;
    }
    return nullptr;
}

}  // namespace

void ensure_component_schema(database& db, std::string_view component, int version, const char* ddl,
                             std::span<const schema_migration> migrations) {
    transaction tx(db);
    db.exec("CREATE TABLE IF NOT EXISTS schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)");
    int found = 0;
    {
        auto read = db.prepare("SELECT version FROM schema_version WHERE component = ?1");
        read.bind(1, component);
        if (read.step()) found = static_cast<int>(read.column_int(0));
    }
    if (found == 0) {
        db.exec(ddl);
        record_version(db, component, version);
        tx.commit();
        return;
    }
    int migrated = found;
    while (migrated < version) {
        const auto* step = step_from(migrations, migrated);
        if (step == nullptr) break;
        db.exec(step->ddl);
        ++migrated;
    }
    if (migrated != version) {  // the transaction rolls back whatever steps did run
        throw infrastructure_error("SQLite " + db.path() + ": " + std::string(component) + " schema version " +
                                   std::to_string(found) + " is " + (found > version ? "newer" : "older") +
                                   " than this library supports (" + std::to_string(version) + ")");
    }
    if (migrated != found) record_version(db, component, version);
    tx.commit();
}

}  // namespace userstream::sql::sqlite
