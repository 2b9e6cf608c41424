// The PostgreSQL event store's schema: `<schema>.events2` mirroring ZITADEL's `eventstore.events2` (payload JSONB,
// position BIGINT) and its read indexes, created as schema component `eventstore` (the SQL layer's
// `ensure_component_schema`: idempotent, and serialised by an advisory lock, so several host instances may start
// against an empty database at once).
//
// The component's version records how writers commit, because every process writing one table must use the same
// rule: version 1, serialised commits (dense positions under the writers' lock); version 2, parallel commits
// (positions from transaction ids, readers bounded by the transaction horizon), which adds the one-row table
// `<schema>.position_epoch`. A binary that knows only version 1 refuses to open a version-2 store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "postgres/connection.hpp"
#include "userstream/backends/postgres_event_store.hpp"

namespace userstream::backends::pg_detail {

using sql::postgres::connection;

inline constexpr int serialised_version = 1;
inline constexpr int parallel_version = 2;

// Parallel commits: a position is (transaction id + epoch) << transaction_bits | ordinal, ordinals 1 .. 2^20 - 1.
inline constexpr int transaction_bits = 20;
inline constexpr std::uint64_t max_events_per_transaction = (std::uint64_t{1} << transaction_bits) - 1;
// Positions must stay positive BIGINTs: (transaction id + epoch) < 2^43, about 8.8e12 transactions.
inline constexpr std::uint64_t max_transaction = std::uint64_t{1} << (63 - transaction_bits);

struct schema_info {
    unsigned table_oid = 0;  // keys the serialised writers' advisory lock
    postgres_commits commits = postgres_commits::serialised;
    // Parallel commits: added to every transaction id, so that positions stay above the stored ones after a restore
    // into a cluster whose transaction counter is lower (see `ensure_schema`).
    std::uint64_t epoch = 0;
};

// Creates the schema if absent (with `wanted`, or serialised commits when unset), or checks that an existing one is a
// version this code can use and, when `wanted` is set, that it records those commits. Throws infrastructure_error
// naming the schema and both rules otherwise.
//
// For parallel commits it also checks, under the schema lock, that the next transaction id (plus the epoch) lies
// above every stored position's, and raises the stored epoch if not: a store restored from a dump into a fresh
// cluster would otherwise number new events below the restored ones, and a reader past those would skip them.
schema_info ensure_schema(connection& db, const std::string& schema, std::optional<postgres_commits> wanted);

}  // namespace userstream::backends::pg_detail
