// userstream/subscriptions/object_details_projection.hpp
//
// The object-details projection: one row per aggregate with the sequence of its last event, when it was created and
// last changed, and its resource owner - what ZITADEL returns as `details`. Every event of the aggregate counts,
// code events included, so `sequence` is the aggregate's real last sequence (ZITADEL's users projection skips code
// events, so its `sequence` is not). It reads every aggregate type unless restricted.
//
// `advance_details` is the fold every storage shares (memory, SQLite, PostgreSQL): each backend only loads and saves
// rows, so all of them hold the same rows for the same stream. The read models: `memory_object_details`
// (memory_object_details.hpp, in userstream::subscriptions), `sqlite_object_details` (userstream::subscriptions_sqlite)
// and `postgres_object_details` (userstream::subscriptions_postgres).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "userstream/eventstore/object_details.hpp"
#include "userstream/subscriptions/projection.hpp"

namespace userstream::subscriptions {

inline constexpr const char* object_details_projection_name = "object_details";

// Applies `event` to the row of its aggregate (nullopt = no row yet). Returns false, leaving the row as it was, when
// the row already reflects an event with this or a later sequence: a redelivered event changes nothing.
bool advance_details(std::optional<eventstore::object_details>& row, const eventstore::stored_event& event);

// The filter of the object-details projection: every event of the given aggregate types (all types when empty).
eventstore::global_filter object_details_filter(std::vector<std::string> aggregate_types = {});

using object_details_row = std::pair<eventstore::aggregate_key, eventstore::object_details>;

// An object-details read model in some storage.
class object_details_read_model : public projection {
public:
    std::string name() const override { return object_details_projection_name; }

    // The details of one aggregate; nullopt when the projection has seen no event of it.
    virtual std::optional<eventstore::object_details> find(const eventstore::aggregate_key& aggregate) const = 0;
    // Every row, ordered by instance, aggregate type and aggregate id; for tests, rebuild checks and exports.
    virtual std::vector<object_details_row> rows() const = 0;
};

}  // namespace userstream::subscriptions
