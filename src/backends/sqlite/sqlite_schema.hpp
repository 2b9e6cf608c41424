// The SQLite event store's schema: `events2` mirroring ZITADEL's `eventstore.events2` (payload as JSON text) and its
// read indexes, created as schema component `eventstore` (the SQL layer's `ensure_component_schema`: idempotent, and
// safe when several processes open a new file at once).
#pragma once

#include "sqlite/database.hpp"

namespace userstream::backends::sqlite_detail {

using sql::sqlite::database;

inline constexpr int schema_version = 2;  // 2: the position is the INTEGER PRIMARY KEY (sqlite_schema.cpp)

// Creates the schema if absent, migrates an older one (version 1) in place, or checks that an existing one is a
// version this code can use.
void ensure_schema(database& db);

}  // namespace userstream::backends::sqlite_detail
