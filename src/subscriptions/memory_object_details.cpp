#include "userstream/subscriptions/memory_object_details.hpp"

#include <mutex>

#include "userstream/subscriptions/page_fold.hpp"

namespace userstream::subscriptions {

memory_object_details::memory_object_details(std::vector<std::string> aggregate_types)
    : filter_(object_details_filter(std::move(aggregate_types))) {}

eventstore::global_position memory_object_details::checkpoint() const {
    std::shared_lock lock(mutex_);
    return checkpoint_;
}

bool memory_object_details::apply(eventstore::global_position from, std::span<const eventstore::stored_event> events,
                                  eventstore::global_position through) {
    std::unique_lock lock(mutex_);
    if (checkpoint_ != from) return false;
    const auto key_of = [](const eventstore::aggregate_key& a) {
        return key{a.instance_id, a.aggregate_type, a.aggregate_id};
    };
    fold_page<eventstore::object_details>(
        events,
        [&](const eventstore::aggregate_key& a) -> std::optional<eventstore::object_details> {
            const auto it = rows_.find(key_of(a));
            if (it == rows_.end()) return std::nullopt;
            return it->second;
        },
        advance_details,
        [&](const eventstore::aggregate_key& a, const eventstore::object_details& row) { rows_[key_of(a)] = row; });
    checkpoint_ = through;
    return true;
}

void memory_object_details::reset() {
    std::unique_lock lock(mutex_);
    rows_.clear();
    checkpoint_ = {};
}

std::optional<eventstore::object_details> memory_object_details::find(const eventstore::aggregate_key& a) const {
    std::shared_lock lock(mutex_);
    const auto it = rows_.find({a.instance_id, a.aggregate_type, a.aggregate_id});
    if (it == rows_.end()) return std::nullopt;
    return it->second;
}

std::vector<object_details_row> memory_object_details::rows() const {
    std::shared_lock lock(mutex_);
    std::vector<object_details_row> out;
    out.reserve(rows_.size());
    for (const auto& [k, details] : rows_) {
        out.emplace_back(eventstore::aggregate_key{std::get<0>(k), std::get<1>(k), std::get<2>(k)}, details);
    }
    return out;
}

}  // namespace userstream::subscriptions
