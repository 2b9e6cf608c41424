#include "backends.hpp"
#include "userstream/eventstore/memory_event_store.hpp"
#include "userstream/projections/memory_read_models.hpp"

namespace userstream::testing {

projection_backend make_memory_backend() {
    projection_backend b;
    b.name = "memory";
    b.store = std::make_unique<eventstore::memory_event_store>();
    b.details = std::make_unique<subscriptions::memory_object_details>();
    b.phones = std::make_unique<projections::memory_user_phones>();
    return b;
}

}  // namespace userstream::testing
