#include "userstream/user/write_model_cache.hpp"

namespace userstream::user {

std::optional<user_write_model> write_model_cache::get(const std::string& user_id) const {
    std::lock_guard lock(mutex_);
    const auto it = models_.find(user_id);
    if (it == models_.end()) return std::nullopt;
    return it->second;
}

namespace {
// Copies or moves `model` in only when it is newer than what the cache holds.
template <class Models, class Model>
void put_newer(Models& models, std::size_t capacity, const std::string& user_id, Model&& model) {
    const auto it = models.find(user_id);
    if (it != models.end()) {
        if (it->second.sequence() < model.sequence()) it->second = std::forward<Model>(model);
        return;
    }
    if (models.size() >= capacity) models.erase(models.begin());
    models.emplace(user_id, std::forward<Model>(model));
}
}  // namespace

void write_model_cache::put(const std::string& user_id, const user_write_model& model) {
    if (capacity_ == 0) return;
    std::lock_guard lock(mutex_);
    put_newer(models_, capacity_, user_id, model);
}

void write_model_cache::put(const std::string& user_id, user_write_model&& model) {
    if (capacity_ == 0) return;
    std::lock_guard lock(mutex_);
    put_newer(models_, capacity_, user_id, std::move(model));
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
