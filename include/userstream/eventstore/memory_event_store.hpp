// userstream/eventstore/memory_event_store.hpp
//
// A thread-safe in-memory event store, for tests, examples and hosts that do not need durability. It implements the
// full `event_store` contract: writers are serialised by one lock, so positions are assigned in commit order and a
// global reader can never skip an event.
#pragma once

#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "userstream/eventstore/event_store.hpp"

namespace userstream::eventstore {

class memory_event_store final : public event_store {
public:
    result<append_result> append(std::vector<aggregate_append> batch) override;
    std::vector<stored_event> read_aggregate(const aggregate_key& aggregate, sequence_number after) const override;
    std::vector<stored_event> read_global(global_position after, const global_filter& filter,
                                          std::size_t limit) const override;
    global_position head() const override;

private:
    mutable std::shared_mutex mutex_;
    std::vector<stored_event> log_;  // index i holds position i + 1
    std::unordered_map<aggregate_key, std::vector<std::size_t>, aggregate_key_hash> streams_;
};

}  // namespace userstream::eventstore
