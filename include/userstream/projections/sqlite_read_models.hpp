// userstream/projections/sqlite_read_models.hpp
//
// The user-phone read model as a SQLite table (`user_phones_v2`), with its checkpoint in `projection_checkpoints`, next
// to the object-details one (`subscriptions::sqlite_object_details`, included here). Open them on the same file as
// the SQLite event store and a host has one file to back up; each read model uses its own connection.
//
//     sqlite_event_store store({.path = "users.db"});
//     subscriptions::sqlite_object_details details({.path = "users.db"});
//     sqlite_user_phones phones({.path = "users.db"});
//     user_projections read_side(store, details, phones);
//
// Exactly-once: each page's rows and the new checkpoint commit in one transaction (BEGIN IMMEDIATE), and the
// transaction first checks that the checkpoint is still where the runner read it, so two runners (two processes) on
// one file never apply a page twice. A crash loses at most the last page, together with its checkpoint, and the
// runner applies it again. Hence `synchronous=NORMAL` is safe for these tables.
//
// Link `userstream::projections_sqlite` (it brings `userstream::subscriptions_sqlite`). Thread-safe (one connection
// per read model, used under a lock). `<sqlite3.h>` is not included here.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "userstream/projections/user_phone_projection.hpp"
#include "userstream/subscriptions/sqlite_object_details.hpp"

namespace userstream::projections {

class sqlite_user_phones final : public user_phone_read_model {
public:
    // Opens (creating if needed) the database and the tables. Throws infrastructure_error naming the file.
    explicit sqlite_user_phones(subscriptions::sqlite_read_model_options options);
    ~sqlite_user_phones() override;

    subscriptions::delivery guarantee() const noexcept override { return subscriptions::delivery::exactly_once; }
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
