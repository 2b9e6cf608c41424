#include "userstream/eventstore/event_store.hpp"

#include <algorithm>

namespace userstream::eventstore {

std::size_t aggregate_key_hash::operator()(const aggregate_key& key) const noexcept {
    const std::hash<std::string> h;
    std::size_t seed = h(key.instance_id);
    for (const auto* part : {&key.aggregate_type, &key.aggregate_id}) {
        seed ^= h(*part) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
    }
    return seed;
}

namespace {
bool contains_or_empty(const std::vector<std::string>& allowed, const std::string& value) {
    return allowed.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}
}  // namespace

bool global_filter::matches(const stored_event& event) const {
    return (instance_id.empty() || instance_id == event.aggregate.instance_id) &&
           contains_or_empty(aggregate_types, event.aggregate.aggregate_type) &&
           contains_or_empty(event_types, event.event_type);
}

}  // namespace userstream::eventstore
