// userstream/subscriptions/postgres_checkpoint_store.hpp
//
// Reader checkpoints (eventstore::checkpoint_store) in PostgreSQL, in the read models' `<schema>.projection_checkpoints`
// table, one row per reader. Several host processes on one database then share a reader's position: when the SMS
// outbox's lease (postgres_lease.hpp) passes to another process, that one resumes where the last holder stopped.
// Each save commits on its own (durable when it returns). If the connection breaks, the next call opens a new one.
//
// Link `userstream::subscriptions_postgres`. Thread-safe. `<libpq-fe.h>` is not included here.
#pragma once

#include <memory>
#include <string_view>

#include "userstream/eventstore/checkpoint_store.hpp"
#include "userstream/subscriptions/postgres_object_details.hpp"

namespace userstream::subscriptions {

class postgres_checkpoint_store final : public eventstore::checkpoint_store {
public:
    // Connects and creates the schema and table if absent. Throws infrastructure_error naming host, port and database
    // (never the password).
    explicit postgres_checkpoint_store(postgres_read_model_options options);
    ~postgres_checkpoint_store() override;

    // Both throw infrastructure_error when the database cannot be reached.
    eventstore::global_position load(std::string_view reader) const override;
    void save(std::string_view reader, eventstore::global_position position) override;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace userstream::subscriptions
