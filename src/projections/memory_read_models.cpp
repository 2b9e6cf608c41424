#include "userstream/projections/memory_read_models.hpp"

#include <mutex>

#include "userstream/subscriptions/page_fold.hpp"

namespace userstream::projections {

eventstore::global_position memory_user_phones::checkpoint() const {
    std::shared_lock lock(mutex_);
    return checkpoint_;
}

bool memory_user_phones::apply(eventstore::global_position from, std::span<const eventstore::stored_event> events,
                               eventstore::global_position through) {
    std::unique_lock lock(mutex_);
    if (checkpoint_ != from) return false;
    subscriptions::fold_page<user_phone_row>(
        events,
        [&](const eventstore::aggregate_key& a) -> std::optional<user_phone_row> {
            const auto it = rows_.find({a.instance_id, a.aggregate_id});
            if (it == rows_.end()) return std::nullopt;
            return it->second;
        },
        advance_user_phone,
        [&](const eventstore::aggregate_key& a, const user_phone_row& row) {
            rows_[{a.instance_id, a.aggregate_id}] = row;
        });
    checkpoint_ = through;
    return true;
}

void memory_user_phones::reset() {
    std::unique_lock lock(mutex_);
    rows_.clear();
    checkpoint_ = {};
}

std::optional<user_phone_row> memory_user_phones::find(const std::string& instance_id,
                                                       const std::string& user_id) const {
    std::shared_lock lock(mutex_);
    const auto it = rows_.find({instance_id, user_id});
    if (it == rows_.end()) return std::nullopt;
    return it->second;
}

std::vector<user_phone_row> memory_user_phones::rows() const {
    std::shared_lock lock(mutex_);
    std::vector<user_phone_row> out;
    out.reserve(rows_.size());
    for (const auto& entry : rows_) out.push_back(entry.second);
    return out;
}

}  // namespace userstream::projections
