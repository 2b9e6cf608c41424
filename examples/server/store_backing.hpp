// Where userstream-server keeps its state, chosen by --store: the event store, the read models beside it, and the SMS
// outbox's checkpoint.
//
//   memory:, sqlite::memory:   memory read models, outbox checkpoint in memory (nothing survives the process)
//   sqlite:PATH                SQLite read models in the same file; the outbox checkpoint beside it
//                              (PATH's directory, `<file name>.sms_outbox.checkpoint`)
//   PostgreSQL (URL/conninfo)  PostgreSQL read models in the same database, schema `projections` (or
//                              `<store schema>_projections` when the URL names a schema); the outbox checkpoint in its
//                              `projection_checkpoints` table, shared with every server on the database, which
//                              take turns sending through a lease (subscriptions::postgres_lease)
#pragma once

#include <memory>
#include <string>

#include "userstream/backends/open_store.hpp"
#include "userstream/eventstore/checkpoint_store.hpp"
#include "userstream/eventstore/event_store.hpp"
#include "userstream/subscriptions/exclusive_lease.hpp"
#include "userstream/projections/user_phone_projection.hpp"
#include "userstream/subscriptions/object_details_projection.hpp"

namespace server {

struct store_backing {
    userstream::backends::store_location location;
    std::unique_ptr<userstream::eventstore::event_store> store;
    // Both null for a memory store: user_projections then keeps memory read models of its own.
    std::unique_ptr<userstream::subscriptions::object_details_read_model> details;
    std::unique_ptr<userstream::projections::user_phone_read_model> phones;
    std::unique_ptr<userstream::eventstore::checkpoint_store> outbox_checkpoints;
    std::string outbox_reader;  // the outbox's checkpoint name
    // Null unless several servers may share the store (PostgreSQL): then the one holding it sends the SMS.
    std::unique_ptr<userstream::subscriptions::exclusive_lease> outbox_lease;
};

// Opens the store and the read models. Throws infrastructure_error (open_store's, or a read model's) naming what
// failed, never the URL.
store_backing open_store_backing(const std::string& url);

}  // namespace server
