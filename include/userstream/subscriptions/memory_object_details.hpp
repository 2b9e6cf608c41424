// userstream/subscriptions/memory_object_details.hpp
//
// The object-details read model kept in process memory: for tests, examples and hosts that rebuild it at start-up (it
// holds nothing across restarts, so a new process starts from checkpoint 0 and catches up). Rows and checkpoint
// change under one lock, so delivery is exactly-once within the process.
//
// Thread-safe: queries take a shared lock, pages an exclusive one.
#pragma once

#include <map>
#include <shared_mutex>
#include <string>
#include <tuple>
#include <vector>

#include "userstream/subscriptions/object_details_projection.hpp"

namespace userstream::subscriptions {

class memory_object_details final : public object_details_read_model {
public:
    // Reads the given aggregate types (all when empty).
    explicit memory_object_details(std::vector<std::string> aggregate_types = {});

    eventstore::global_filter filter() const override { return filter_; }
    delivery guarantee() const noexcept override { return delivery::exactly_once; }
    eventstore::global_position checkpoint() const override;
    bool apply(eventstore::global_position from, std::span<const eventstore::stored_event> events,
               eventstore::global_position through) override;
    void reset() override;

    std::optional<eventstore::object_details> find(const eventstore::aggregate_key& aggregate) const override;
    std::vector<object_details_row> rows() const override;

private:
    using key = std::tuple<std::string, std::string, std::string>;  // instance, aggregate type, aggregate id
    eventstore::global_filter filter_;
    mutable std::shared_mutex mutex_;
    std::map<key, eventstore::object_details> rows_;
    eventstore::global_position checkpoint_;
};

}  // namespace userstream::subscriptions
