// The SQLite schema: `events2` mirroring ZITADEL's `eventstore.events2` (payload as JSON text), its read indexes, and
// the `schema_version` table that later migrations key on. Creating it is idempotent and safe when several
// processes open a new file at once.
#pragma once

#include <string>

#include "sqlite_db.hpp"
#include "userstream/core/error.hpp"

namespace userstream::backends::sqlite_detail {

inline constexpr int schema_version = 1;

// The column list every read selects, in the order `decode_row` expects.
inline constexpr const char* event_columns =
    "instance_id, aggregate_type, aggregate_id, event_type, \"sequence\", revision, created_at, payload, creator, "
    "\"owner\", \"position\", in_tx_order";

// Creates the schema if absent, or checks that an existing one is a version this code can use.
void ensure_schema(database& db);

}  // namespace userstream::backends::sqlite_detail
