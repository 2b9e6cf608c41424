// userstream/projections/postgres_read_models.hpp
//
// The user-phone read model as a PostgreSQL table (`<schema>.user_phones_v2`), with its checkpoint in
// `<schema>.projection_checkpoints`, next to the object-details one (`subscriptions::postgres_object_details`,
// included here), like ZITADEL's `projections` schema and `current_states` table. Put them in the event store's
// database and every host instance reads the same tables; each read model keeps its own connection.
//
//     postgres_event_store store({.conninfo = url});
//     subscriptions::postgres_object_details details({.conninfo = url});
//     postgres_user_phones phones({.conninfo = url});
//     user_projections read_side(store, details, phones);
//
// Exactly-once: each page's rows and the new checkpoint commit in one transaction, which first locks the checkpoint
// row (SELECT ... FOR UPDATE) and checks it is still where the runner read it. Several host instances may run the
// same projection: one applies each page, the others see the moved checkpoint and read on from there. A page costs a
// fixed number of round trips (rows are loaded and written with arrays), not one per event.
//
// Transactions run at READ COMMITTED whatever the server's default (the checkpoint row lock needs each statement to
// see what committed before it). If the connection breaks, or the server closed it while idle, the next call opens a
// new one. An id or instance holding a NUL byte is refused with std::invalid_argument, never read as its prefix.
// Link `userstream::projections_postgres` (it brings `userstream::subscriptions_postgres`). Thread-safe.
// `<libpq-fe.h>` is not included here.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "userstream/projections/user_phone_projection.hpp"
#include "userstream/subscriptions/postgres_object_details.hpp"

namespace userstream::projections {

class postgres_user_phones final : public user_phone_read_model {
public:
    // Connects and creates the schema and tables if absent. Throws infrastructure_error naming host, port and database
    // (never the password).
    explicit postgres_user_phones(subscriptions::postgres_read_model_options options);
    ~postgres_user_phones() override;

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
