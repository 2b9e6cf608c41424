// userstream/subscriptions/sqlite_object_details.hpp
//
// The object-details read model as a SQLite table (`object_details`), with its checkpoint in
// `projection_checkpoints`. Open it on the same file as the SQLite event store and a host has one file to back up;
// the read model uses its own connection.
//
//     backends::sqlite_event_store store({.path = "app.db"});
//     sqlite_object_details details({.path = "app.db"});
//     projection_runner runner(store, details);
//
// Exactly-once: each page's rows and the new checkpoint commit in one transaction (BEGIN IMMEDIATE), and the
// transaction first checks that the checkpoint is still where the runner read it, so two runners (two processes) on
// one file never apply a page twice. A crash loses at most the last page, together with its checkpoint, and the
// runner applies it again. Hence `synchronous=NORMAL` is safe for these tables.
//
// One object-details projection (one aggregate-type filter) per file. Link `userstream::subscriptions_sqlite`.
// Thread-safe (one connection per read model, used under a lock). `<sqlite3.h>` is not included here.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "userstream/subscriptions/object_details_projection.hpp"

namespace userstream::subscriptions {

// Where a SQLite read model keeps its tables; every SQLite read model of the library takes these.
struct sqlite_read_model_options {
    std::string path = ":memory:";                    // a file (usually the event store's), or a private database
    std::chrono::milliseconds busy_timeout{30'000};   // how long a page waits for another writer's lock
};

class sqlite_object_details final : public object_details_read_model {
public:
    // Opens (creating if needed) the database and the tables. Throws infrastructure_error naming the file.
    explicit sqlite_object_details(sqlite_read_model_options options, std::vector<std::string> aggregate_types = {});
    ~sqlite_object_details() override;

    eventstore::global_filter filter() const override;
    delivery guarantee() const noexcept override { return delivery::exactly_once; }
    eventstore::global_position checkpoint() const override;
    bool apply(eventstore::global_position from, std::span<const eventstore::stored_event> events,
               eventstore::global_position through) override;
    void reset() override;
    std::optional<eventstore::object_details> find(const eventstore::aggregate_key& aggregate) const override;
    std::vector<object_details_row> rows() const override;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace userstream::subscriptions
