// userstream/projections/memory_read_models.hpp
//
// The user-phone read model kept in process memory, and (from userstream::subscriptions) the object-details one: for
// tests, examples and hosts that rebuild them at start-up (they hold nothing across restarts, so a new process starts
// from checkpoint 0 and catches up). Rows and checkpoint change under one lock, so delivery is exactly-once within
// the process.
//
// Thread-safe: queries take a shared lock, pages an exclusive one.
#pragma once

#include <map>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "userstream/projections/user_phone_projection.hpp"
#include "userstream/subscriptions/memory_object_details.hpp"

namespace userstream::projections {

class memory_user_phones final : public user_phone_read_model {
public:
    subscriptions::delivery guarantee() const noexcept override { return subscriptions::delivery::exactly_once; }
    eventstore::global_position checkpoint() const override;
    bool apply(eventstore::global_position from, std::span<const eventstore::stored_event> events,
               eventstore::global_position through) override;
    void reset() override;

    std::optional<user_phone_row> find(const std::string& instance_id, const std::string& user_id) const override;
    std::vector<user_phone_row> rows() const override;

private:
    using key = std::pair<std::string, std::string>;  // instance, user id
    mutable std::shared_mutex mutex_;
    std::map<key, user_phone_row> rows_;
    eventstore::global_position checkpoint_;
};

}  // namespace userstream::projections
