// userstream/backends/sqlite_event_store.hpp
//
// The embedded durable event store: one SQLite file (or a private in-memory database), no server to run. The table
// mirrors ZITADEL's `eventstore.events2`; docs/stores.md describes schema, ordering and durability.
//
//   userstream::backends::sqlite_event_store store({.path = "users.db"});
//   auto pushed = store.append(std::move(batch));   // all-or-nothing; conflict on a stale expected sequence
//
// Several processes may open the same file: writers take SQLite's write lock (BEGIN IMMEDIATE, waiting up to
// `busy_timeout`), so positions stay gapless and in commit order across processes. Within one process, concurrent
// pushes are grouped into one transaction (group commit) unless `group_commit` is off.
//
// Link `userstream::sqlite`. Thread-safe. `<sqlite3.h>` is not included here.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "userstream/eventstore/event_store.hpp"

namespace userstream::backends {

// SQLite's `PRAGMA synchronous`, in WAL mode:
// * full   - every commit is fsynced before the push returns: an acknowledged push survives power loss (default);
// * normal - commits are fsynced at checkpoints only: survives a crash of the process, may lose the last pushes on
//            power loss or an OS crash, never corrupts;
// * off    - no fsync at all; for tests and throwaway data.
enum class sqlite_synchronous { off, normal, full };

struct sqlite_options {
    std::string path = ":memory:";  // a file path, or ":memory:" for a private database that dies with the store
    sqlite_synchronous synchronous = sqlite_synchronous::full;
    bool group_commit = true;
    std::size_t max_group = 256;  // most pushes one group transaction takes
    std::chrono::milliseconds busy_timeout{30'000};  // how long a writer waits for another process's write lock
};

class sqlite_event_store final : public eventstore::event_store {
public:
    // Opens (creating if absent) the database and its schema. Throws infrastructure_error naming the file when it
    // cannot be opened, or when its schema version is newer than this library knows.
    explicit sqlite_event_store(sqlite_options options);
    ~sqlite_event_store() override;
    sqlite_event_store(const sqlite_event_store&) = delete;
    sqlite_event_store& operator=(const sqlite_event_store&) = delete;

    result<eventstore::append_result> append(std::vector<eventstore::aggregate_append> batch) override;
    std::vector<eventstore::stored_event> read_aggregate(const eventstore::aggregate_key& aggregate,
                                                         eventstore::sequence_number after) const override;
    std::vector<eventstore::stored_event> read_global(eventstore::global_position after,
                                                      const eventstore::global_filter& filter,
                                                      std::size_t limit) const override;
    eventstore::global_position head() const override;
    std::uint64_t for_each_global(eventstore::global_position after, const eventstore::global_filter& filter,
                                  const std::function<bool(const eventstore::stored_event&)>& visit) const override;

    const sqlite_options& options() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace userstream::backends
