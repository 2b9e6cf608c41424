// userstream/projections/sqlite_read_models.hpp
//
// The object-details and user-phone read models as SQLite tables (`object_details`, `user_phones`), with their
// checkpoints in `projection_checkpoints`. Open them on the same file as the SQLite event store and a host has one
// file to back up; the read models use their own connection.
//
//     sqlite_event_store store({.path = "users.db"});
//     sqlite_object_details details({.path = "users.db"});
//     sqlite_user_phones phones({.path = "users.db"});
//     user_projections read_side(store, details, phones);
//
// Exactly-once: each page's rows and the new checkpoint commit in one transaction (BEGIN IMMEDIATE), and the
// transaction first checks that the checkpoint is still where the runner read it, so two runners (two processes) on
// one file never apply a page twice. A crash loses at most the last page, together with its checkpoint, and the
// runner applies it again. Hence `synchronous=NORMAL` is safe for these tables.
//
// Each table set supports one object-details projection (one aggregate-type filter) per file. Link
// `userstream::projections_sqlite`. Thread-safe (one connection per read model, used under a lock). `<sqlite3.h>` is
// not included here.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "userstream/projections/object_details_projection.hpp"
#include "userstream/projections/user_phone_projection.hpp"

namespace userstream::projections {

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

class sqlite_user_phones final : public user_phone_read_model {
public:
    explicit sqlite_user_phones(sqlite_read_model_options options);
    ~sqlite_user_phones() override;

    delivery guarantee() const noexcept override { return delivery::exactly_once; }
    eventstore::global_position checkpoint() const override;
    bool apply(eventstore::global_position from, std::span<const eventstore::stored_event> events,
               eventstore::global_position through) override;
    void reset() override;
    std::optional<user_phone_row> find(const std::string& instance_id, const std::string& user_id) const override;
    std::vector<user_phone_row> rows() const override;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace userstream::projections
