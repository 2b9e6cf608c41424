// A host's own read model: how many phone changes each organisation has had. It is what a host writes to add a
// projection of its own; see main.cpp for wiring it to a runner and docs/projections.md for the guarantees.
//
// The handler is idempotent, as an at-least-once projection's must be: it remembers per user the last sequence it
// counted and ignores anything at or below it, so a page delivered twice (after a crash between the handler and the
// checkpoint) is not counted twice.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "userstream/eventstore/event_store.hpp"
#include "userstream/user/events.hpp"

namespace example {

class phone_change_counter {
public:
    // The events this projection reads: phone changes, under their current and ZITADEL's legacy v1 name.
    static userstream::eventstore::global_filter filter() {
        userstream::eventstore::global_filter f;
        f.aggregate_types = {std::string(userstream::user::aggregate_type)};
        f.event_types = {std::string(userstream::user::event_types::phone_changed), "user.phone.changed"};
        return f;
    }

    void apply(const userstream::eventstore::stored_event& event) {
        std::lock_guard lock(mutex_);
        const auto key = event.aggregate.instance_id + '\n' + event.aggregate.aggregate_id;
        auto& last = last_counted_[key];
        if (event.sequence.value <= last) return;  // seen before: a redelivery
        last = event.sequence.value;
        ++per_org_[event.owner];
    }

    void clear() {
        std::lock_guard lock(mutex_);
        last_counted_.clear();
        per_org_.clear();
    }

    std::map<std::string, std::uint64_t> per_org() const {
        std::lock_guard lock(mutex_);
        return per_org_;
    }

private:
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::uint64_t> last_counted_;  // user -> last sequence counted
    std::map<std::string, std::uint64_t> per_org_;
};

}  // namespace example
