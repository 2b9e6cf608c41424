// userstream/backends/postgres_event_store.hpp
//
// The shared durable event store for several host instances: one PostgreSQL database, reached through libpq. The
// table mirrors ZITADEL's `eventstore.events2`; docs/stores.md describes schema, ordering and durability.
//
//   userstream::backends::postgres_event_store store({.conninfo = "postgresql://app@db.internal/users"});
//
// Writers serialise on a transaction-scoped advisory lock and assign positions inside it, so positions follow commit
// order across every process using the database and a catch-up reader never skips a late commit. Concurrent pushes of
// one process are grouped into one transaction (group commit), sent in libpq pipeline mode. A store created with
// `commits = postgres_commits::parallel` lets writers commit in parallel instead: positions come from each push's
// transaction id, and readers stop at the oldest transaction still running (the transaction horizon), so they never
// skip a late commit either; its positions are increasing but not dense.
//
// Every transaction runs at READ COMMITTED, whatever the server's default isolation level. A connection the server
// closed (a restart, a failover) is replaced before the next push or read uses it. A push that meets a store failure
// returns `eventstore::errors::store_unavailable` (nothing written; retry) or, if the connection was lost after its
// COMMIT was sent, `eventstore::errors::commit_outcome_unknown` (re-read, then decide again); reads throw
// infrastructure_error. A payload JSONB cannot hold (`\u0000`, NUL, bytes that are not UTF-8) is refused with
// `eventstore::errors::invalid_payload` (by every store, see `check_append`), and any text parameter holding a NUL byte (an id to read, a filter) with
// std::invalid_argument, never cut short at the NUL. docs/stores.md has the details.
//
// Link `userstream::postgres`. Thread-safe. `<libpq-fe.h>` is not included here.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "userstream/eventstore/event_store.hpp"

namespace userstream::backends {

// How writers order their commits; recorded in the store's schema when it is created (docs/stores.md, "Global order").
enum class postgres_commits {
    serialised,  // one commit at a time, under the table's advisory lock; positions 1, 2, 3, ... (schema version 1)
    parallel,    // commits overlap; position = transaction id << 20 | ordinal, read up to the horizon (version 2)
};

struct postgres_options {
    std::string conninfo;  // a libpq URI (postgresql://...) or key=value string
    // The PostgreSQL schema holding `events2` and `schema_version`; lets several independent stores share a database.
    std::string schema = "eventstore";
    bool group_commit = true;
    std::size_t max_group = 256;  // most pushes one group transaction takes
    // nullopt: whatever the existing store records, serialised for a new one. A value the store does not record is
    // refused when opening (infrastructure_error).
    std::optional<postgres_commits> commits = std::nullopt;
    // Writer connections (each grouping its own pushes) when commits are parallel. Two measured best on a 2-core
    // machine (docs/benchmarks.md, P4): more lanes make smaller groups, so more transactions for the same pushes.
    std::size_t writers = 2;
    // Rows per page of `for_each_global` (replay), each page held whole in memory while it is decoded (about 8 MiB
    // for 32,768 SetPhone-sized rows): larger pages leave the server fewer pauses between pages.
    std::size_t replay_page_rows = 32768;
};

class postgres_event_store final : public eventstore::event_store {
public:
    // Connects and creates the schema if absent. Throws infrastructure_error naming host, port and database (never
    // the password) when the server is unreachable, or when the schema version is newer than this library knows; a
    // malformed conninfo is reported by the field that is wrong, never by quoting it.
    explicit postgres_event_store(postgres_options options);
    ~postgres_event_store() override;
    postgres_event_store(const postgres_event_store&) = delete;
    postgres_event_store& operator=(const postgres_event_store&) = delete;

    result<eventstore::append_result> append(std::vector<eventstore::aggregate_append> batch) override;
    std::vector<eventstore::stored_event> read_aggregate(const eventstore::aggregate_key& aggregate,
                                                         eventstore::sequence_number after) const override;
    std::vector<eventstore::stored_event> read_global(eventstore::global_position after,
                                                      const eventstore::global_filter& filter,
                                                      std::size_t limit) const override;
    eventstore::global_position head() const override;
    std::uint64_t for_each_global(eventstore::global_position after, const eventstore::global_filter& filter,
                                  const std::function<bool(const eventstore::stored_event&)>& visit) const override;

    const postgres_options& options() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace userstream::backends
