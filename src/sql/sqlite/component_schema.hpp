// The schema bootstrap every SQLite component of the library shares (the event store, each read model): a
// `schema_version` table with one row per component, and the component's tables created once, in one transaction
// that takes the write lock first, so that several processes opening a new file at once do not all try.
#pragma once

#include <string_view>

#include "sqlite/database.hpp"

namespace userstream::sql::sqlite {

// Creates `component`'s tables with `ddl` (idempotent statements: CREATE ... IF NOT EXISTS) and records `version`,
// when the file has no row for the component yet; otherwise checks that the recorded version is `version`. Throws
// infrastructure_error naming the file, the component and both versions for any other version (a newer schema
// than this library knows, or an older one it has no migration for).
void ensure_component_schema(database& db, std::string_view component, int version, const char* ddl);

}  // namespace userstream::sql::sqlite
