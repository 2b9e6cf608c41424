// A test double base: forwards every call to a real store, so a test can override one call to interfere or count.
#pragma once

#include "userstream/eventstore/event_store.hpp"

namespace userstream::testing {

class forwarding_store : public eventstore::event_store {
public:
    explicit forwarding_store(eventstore::event_store& inner) : inner_(inner) {}

    result<eventstore::append_result> append(std::vector<eventstore::aggregate_append> batch) override {
        return inner_.append(std::move(batch));
    }
    std::vector<eventstore::stored_event> read_aggregate(const eventstore::aggregate_key& key,
                                                         eventstore::sequence_number after) const override {
        return inner_.read_aggregate(key, after);
    }
    std::vector<eventstore::stored_event> read_global(eventstore::global_position after,
                                                      const eventstore::global_filter& filter,
                                                      std::size_t limit) const override {
        return inner_.read_global(after, filter, limit);
    }
    eventstore::global_position head() const override { return inner_.head(); }

protected:
    eventstore::event_store& inner_;
};

}  // namespace userstream::testing
