// The schema bootstrap every SQLite component of the library shares (the event store, each read model): a
// `schema_version` table with one row per component, and the component's tables created once, in one transaction
// that takes the write lock first, so that several processes opening a new file at once do not all try.
#pragma once

#include <span>
#include <string_view>

#include "sqlite/database.hpp"

namespace userstream::sql::sqlite {

// One step of a component's schema history: the statements that turn version `from` into version `from + 1`. They
// run inside the bootstrap's transaction, so a migration is all or nothing, and a second process opening the file at
// the same time waits for it and then finds the new version.
struct schema_migration {
    int from;
    const char* ddl;
};

// Creates `component`'s tables with `ddl` (idempotent statements: CREATE ... IF NOT EXISTS) and records `version`,
// when the file has no row for the component yet. A file at an older version is brought to `version` by the steps of
// `migrations`, one after another, in the same transaction. Throws infrastructure_error naming the file, the
// component and both versions for any other version (a newer schema than this library knows, or an older one it has
// no migration for).
void ensure_component_schema(database& db, std::string_view component, int version, const char* ddl,
                             std::span<const schema_migration> migrations = {});

}  // namespace userstream::sql::sqlite
