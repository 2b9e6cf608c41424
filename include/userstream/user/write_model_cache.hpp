// userstream/user/write_model_cache.hpp
//
// Folded write models kept between commands, so a command on a user with a long history reads only the events
// after the last sequence it has seen instead of the whole stream (ZITADEL re-reads every time).
//
// The cache can never make a decision wrong: the tail read brings in whatever other writers stored, and a writer
// that races between that read and the push is caught by the store's expected-sequence check as a Conflict, after
// which the service reads the tail again. Only models of committed events are ever put in.
//
// Thread-safe. Bounded: past `capacity` entries an arbitrary entry is evicted.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "userstream/user/user_write_model.hpp"

namespace userstream::user {

class write_model_cache {
public:
    explicit write_model_cache(std::size_t capacity = 100'000) : capacity_(capacity) {}

    std::optional<user_write_model> get(const std::string& user_id) const;
    // Stores `model` unless the cache already holds a newer one for the user.
    void put(const std::string& user_id, const user_write_model& model);
    // The same, taking the model over instead of copying it (a command puts the model it has just advanced).
    void put(const std::string& user_id, user_write_model&& model);
    void clear();
    std::size_t size() const;

private:
    std::size_t capacity_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, user_write_model> models_;
};

}  // namespace userstream::user
