// The PostgreSQL schema: `<schema>.events2` mirroring ZITADEL's `eventstore.events2` (payload JSONB, position BIGINT),
// its read indexes, and `<schema>.schema_version` for later migrations. Creation is idempotent and serialised by an
// advisory lock, so several host instances may start against an empty database at once.
#pragma once

#include <string>

#include "pg_connection.hpp"
#include "userstream/core/error.hpp"

namespace userstream::backends::pg_detail {

inline constexpr int schema_version = 1;

// Throws infrastructure_error unless `name` is a plain lower-case identifier (so it never needs quoting).
void check_schema_name(const std::string& name);

// Creates the schema if absent, or checks an existing one is a version this code can use. Returns the table's OID,
// which keys the writers' advisory lock.
unsigned ensure_schema(connection& db, const std::string& schema);

}  // namespace userstream::backends::pg_detail
