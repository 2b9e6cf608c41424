// userstream/eventstore/memory_event_store.hpp
//
// A thread-safe in-memory event store, for tests, examples and hosts that do not need durability. It implements the
// full `event_store` contract: writers are serialised by one lock, so positions are assigned in commit order and a
// global reader can never skip an event.
#pragma once

#include <cstdint>
#include <functional>
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
    // Visits the stored events in place, under the read lock, without copying them: a replay at memory speed. Writers
    // wait until it returns, which is why `visit` must not call into this store (an append would deadlock, and so may a
    // read once a writer waits).
    std::uint64_t for_each_global(global_position after, const global_filter& filter,
                                  const std::function<bool(const stored_event&)>& visit) const override;

private:
    // The events in commit order, in chunks of fixed capacity: appending never moves a stored event. (A single vector
    // moved the whole log on each doubling, through memory no recent command had touched: in an in-memory SetPhone,
    // the largest cost besides the phone parse.)
    class event_log {
    public:
        std::size_t size() const noexcept { return size_; }
        const stored_event& operator[](std::size_t i) const noexcept { return chunks_[i / chunk_size][i % chunk_size]; }
        void push_back(stored_event event);
        // Calls `f` on the events from index `first` on, a chunk at a time (no index arithmetic per event), until `f`
        // returns false. Returns whether it ran to the end.
        template <class F>
        bool visit_from(std::size_t first, F&& f) const {
            for (std::size_t c = first / chunk_size; c < chunks_.size(); ++c) {
                const auto& chunk = chunks_[c];
                for (std::size_t i = c == first / chunk_size ? first % chunk_size : 0; i < chunk.size(); ++i) {
                    if (!f(chunk[i])) return false;
                }
            }
            return true;
        }

    private:
        static constexpr std::size_t chunk_size = 1024;
        std::vector<std::vector<stored_event>> chunks_;
        std::size_t size_ = 0;
    };

    mutable std::shared_mutex mutex_;
    event_log log_;  // index i holds position i + 1
    std::unordered_map<aggregate_key, std::vector<std::size_t>, aggregate_key_hash> streams_;
};

}  // namespace userstream::eventstore
