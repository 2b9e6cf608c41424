// A user domain over any event store, for the projection specifications: the public test fixture
// (userstream/testing/user_fixture.hpp) under the name these specifications know it by. It runs the real user_service
// with a manual clock over the store a test passes, with `given` (append past events, as earlier commands or other
// processes would have) and `given_raw` (any type name, e.g. ZITADEL's legacy v1 names).
#pragma once

#include <cstdint>
#include <vector>

#include "support/user_fixture.hpp"  // tests/unit: the fixture, admin, stored_phone, then_rejected
#include "userstream/eventstore/event_store.hpp"

namespace userstream::testing {

using world = user_fixture;

// Every position in the store matching `filter`, in order: what a projection must have seen exactly once.
inline std::vector<std::uint64_t> positions_in(const eventstore::event_store& store,
                                               const eventstore::global_filter& filter) {
    std::vector<std::uint64_t> out;
    store.for_each_global({}, filter, [&](const eventstore::stored_event& e) {
        out.push_back(e.position.value);
        return true;
    });
    return out;
}

}  // namespace userstream::testing
