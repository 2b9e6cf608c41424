// An event store that times its commits: every call goes to the store it wraps, and each `append` (one command's
// push: a transaction, and an fsync on durable stores) reports how long it took. Wrapping the store rather than timing
// `api_handler::handle` measures the commit alone, without decoding, validation, the folding of the user's events or
// waiting for a worker.
#pragma once

#include <functional>

#include "userstream/eventstore/event_store.hpp"

namespace server {

class timed_store final : public userstream::eventstore::event_store {
public:
    // `observe` gets each append's duration in seconds, on the thread that appended; it must be thread-safe.
    timed_store(userstream::eventstore::event_store& inner, std::function<void(double)> observe)
        : inner_(inner), observe_(std::move(observe)) {}

    userstream::result<userstream::eventstore::append_result> append(
        std::vector<userstream::eventstore::aggregate_append> batch) override;
    std::vector<userstream::eventstore::stored_event> read_aggregate(
        const userstream::eventstore::aggregate_key& aggregate,
        userstream::eventstore::sequence_number after) const override {
        return inner_.read_aggregate(aggregate, after);
    }
    std::vector<userstream::eventstore::stored_event> read_global(userstream::eventstore::global_position after,
                                                                  const userstream::eventstore::global_filter& filter,
                                                                  std::size_t limit) const override {
        return inner_.read_global(after, filter, limit);
    }
    userstream::eventstore::global_position head() const override { return inner_.head(); }
    std::uint64_t for_each_global(
        userstream::eventstore::global_position after, const userstream::eventstore::global_filter& filter,
        const std::function<bool(const userstream::eventstore::stored_event&)>& visit) const override {
        return inner_.for_each_global(after, filter, visit);
    }

private:
    userstream::eventstore::event_store& inner_;
    std::function<void(double)> observe_;
};

}  // namespace server
