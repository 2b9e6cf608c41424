// userstream/subscriptions/postgres_object_details.hpp
//
// The object-details read model as a PostgreSQL table (`<schema>.object_details`), with its checkpoint in
// `<schema>.projection_checkpoints`, like ZITADEL's `projections` schema and `current_states` table. Put it in the
// event store's database and every host instance reads the same table; each read model keeps its own connection.
//
//     backends::postgres_event_store store({.conninfo = url});
//     postgres_object_details details({.conninfo = url});
//     projection_runner runner(store, details);
//
// Exactly-once: each page's rows and the new checkpoint commit in one transaction, which first locks the checkpoint
// row (SELECT ... FOR UPDATE) and checks it is still where the runner read it. Several host instances may run the
// same projection: one applies each page, the others see the moved checkpoint and read on from there. A page costs a
// fixed number of round trips (rows are loaded and written with arrays), not one per event.
//
// Transactions run at READ COMMITTED whatever the server's default (the checkpoint row lock needs each statement to
// see what committed before it). If the connection breaks, or the server closed it while idle, the next call opens a
// new one. An id or instance holding a NUL byte is refused with std::invalid_argument, never read as its prefix.
// Link `userstream::subscriptions_postgres`. Thread-safe. `<libpq-fe.h>` is not included here.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "userstream/subscriptions/object_details_projection.hpp"

namespace userstream::subscriptions {

// Where a PostgreSQL read model keeps its tables; every PostgreSQL read model of the library takes these.
struct postgres_read_model_options {
    std::string conninfo;               // a libpq URI (postgresql://...) or key=value string
    std::string schema = "projections"; // lower-case letters, digits and underscores; created if absent
};

class postgres_object_details final : public object_details_read_model {
public:
    // Connects and creates the schema and tables if absent. Throws infrastructure_error naming host, port and database
    // (never the password).
    explicit postgres_object_details(postgres_read_model_options options,
                                     std::vector<std::string> aggregate_types = {});
    ~postgres_object_details() override;

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
