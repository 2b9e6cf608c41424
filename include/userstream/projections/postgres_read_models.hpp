// userstream/projections/postgres_read_models.hpp
//
// The object-details and user-phone read models as PostgreSQL tables (`<schema>.object_details`,
// `<schema>.user_phones`), with their checkpoints in `<schema>.projection_checkpoints`, like ZITADEL's `projections`
// schema and `current_states` table. Put them in the event store's database and every host instance reads the same
// tables; each read model keeps its own connection.
//
//     postgres_event_store store({.conninfo = url});
//     postgres_object_details details({.conninfo = url});
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
// Link `userstream::projections_postgres`. Thread-safe.
// `<libpq-fe.h>` is not included here.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "userstream/projections/object_details_projection.hpp"
#include "userstream/projections/user_phone_projection.hpp"

namespace userstream::projections {

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

class postgres_user_phones final : public user_phone_read_model {
public:
    explicit postgres_user_phones(postgres_read_model_options options);
    ~postgres_user_phones() override;

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
