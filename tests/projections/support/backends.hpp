// The storage combinations the projection specifications run on: an event store and the read models that go with it
// (memory with memory; SQLite tables in the SQLite file; PostgreSQL tables in the PostgreSQL schema).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "support/forwarding_store.hpp"  // tests/unit
#include "userstream/eventstore/event_store.hpp"
#include "userstream/projections/user_phone_projection.hpp"
#include "userstream/subscriptions/object_details_projection.hpp"

namespace userstream::testing {

struct projection_backend {
    std::string name;
    std::unique_ptr<eventstore::event_store> store;
    std::unique_ptr<subscriptions::object_details_read_model> details;
    std::unique_ptr<projections::user_phone_read_model> phones;
    // Open more read models on the same tables (another connection, as another process would); empty for memory,
    // whose read models cannot be shared or reopened.
    std::function<std::unique_ptr<subscriptions::object_details_read_model>()> open_details;
    std::function<std::unique_ptr<projections::user_phone_read_model>()> open_phones;
    std::function<void()> cleanup;
    // Runs SQL on the read models' database (in their schema) as another tool would, and returns the first value of
    // the result; empty for memory.
    std::function<std::string(const std::string&)> run_sql;

    // Replaces the read models with newly opened ones, as a restarted host would.
    void reopen() {
        if (!open_details) return;
        details.reset();
        phones.reset();
        details = open_details();
        phones = open_phones();
    }

    projection_backend() = default;
    projection_backend(projection_backend&&) = default;
    ~projection_backend() {
        phones.reset();
        details.reset();
        store.reset();
        if (cleanup) cleanup();
    }
};

projection_backend make_memory_backend();
projection_backend make_sqlite_backend();
projection_backend make_postgres_backend();

// A store wrapper that remembers the largest page a global read returned: rebuilds must stream, never load the log.
class page_watching_store final : public forwarding_store {
public:
    using forwarding_store::forwarding_store;
    std::vector<eventstore::stored_event> read_global(eventstore::global_position after,
                                                      const eventstore::global_filter& filter,
                                                      std::size_t limit) const override {
        auto page = inner_.read_global(after, filter, limit);
        if (page.size() > largest_page) largest_page = page.size();
        return page;
    }
    mutable std::size_t largest_page = 0;
};

}  // namespace userstream::testing
