#include "userstream/user/write_model_cache.hpp"

namespace userstream::user {

std::optional<user_write_model> write_model_cache::get(const std::string& user_id) const {
    std::lock_guard lock(mutex_);
    const auto it = models_.find(user_id);
    if (it == models_.end()) return std::nullopt;
    return it->second;
}

void write_model_cache::put(const std::string& user_id, const user_write_model& model) {
    if (capacity_ == 0) return;
    std::lock_guard lock(mutex_);
    const auto it = models_.find(user_id);
    if (it != models_.end()) {
        if (it->second.sequence() < model.sequence()) it->second = model;
        return;
    }
    if (models_.size() >= capacity_) models_.erase(models_.begin());
    models_.emplace(user_id, model);
}

void write_model_cache::clear() {
    std::lock_guard lock(mutex_);
    models_.clear();
}

std::size_t write_model_cache::size() const {
    std::lock_guard lock(mutex_);
    return models_.size();
}

}  // namespace userstream::user
