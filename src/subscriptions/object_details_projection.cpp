#include "userstream/subscriptions/object_details_projection.hpp"

namespace userstream::subscriptions {

bool advance_details(std::optional<eventstore::object_details>& row, const eventstore::stored_event& event) {
    if (row && event.sequence <= row->sequence) return false;  // a redelivery: already reflected
    if (!row) {
        row.emplace();
        row->creation_date = event.created_at;
    }
    row->sequence = event.sequence;
    row->change_date = event.created_at;
    // The owner is fixed when the aggregate is created; later events carry the same one (or none).
    if (!event.owner.empty()) row->resource_owner = event.owner;
    return true;
}

eventstore::global_filter object_details_filter(std::vector<std::string> aggregate_types) {
    eventstore::global_filter filter;
    filter.aggregate_types = std::move(aggregate_types);
    return filter;
}

}  // namespace userstream::subscriptions
