// The PostgreSQL event store's schema: `<schema>.events2` mirroring ZITADEL's `eventstore.events2` (payload JSONB,
// position BIGINT) and its read indexes, created as schema component `eventstore` (the SQL layer's
// `ensure_component_schema`: idempotent, and serialised by an advisory lock, so several host instances may start
// against an empty database at once).
#pragma once

#include <string>

#include "postgres/connection.hpp"

namespace userstream::backends::pg_detail {

using sql::postgres::connection;

inline constexpr int schema_version = 1;

// Creates the schema if absent, or checks an existing one is a version this code can use. Returns the table's OID,
// which keys the writers' advisory lock.
unsigned ensure_schema(connection& db, const std::string& schema);

}  // namespace userstream::backends::pg_detail
