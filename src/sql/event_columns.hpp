// The columns of the `events2` table, in the order both stores select and insert them (and their row decoders
// expect). One list for SQLite and PostgreSQL, which share the table's shape, ZITADEL's `eventstore.events2`.
#pragma once

namespace userstream::sql {

inline constexpr const char* event_columns =
    "instance_id, aggregate_type, aggregate_id, event_type, \"sequence\", revision, created_at, payload, creator, "
    "\"owner\", \"position\", in_tx_order";

}  // namespace userstream::sql
