// userstream/eventstore/stored_event.hpp
//
// The envelope every event travels in, and the strong types that name its coordinates. This layer knows nothing
// about users or phones: an event here is a type name plus a JSON payload, as in ZITADEL's `eventstore.events2`
// table, whose columns these fields mirror.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>

#include "userstream/core/time.hpp"

namespace userstream::eventstore {

// Per-aggregate sequence: 1, 2, 3, ... without gaps. 0 means "no event yet".
struct sequence_number {
    std::uint64_t value = 0;
    friend auto operator<=>(const sequence_number&, const sequence_number&) = default;
};

// Store-assigned position in the global order; totally ordered, increasing with commit order. 0 is "before all".
struct global_position {
    std::uint64_t value = 0;
    friend auto operator<=>(const global_position&, const global_position&) = default;
};

// Identifies one event stream.
struct aggregate_key {
    std::string instance_id;
    std::string aggregate_type;
    std::string aggregate_id;
    friend bool operator==(const aggregate_key&, const aggregate_key&) = default;
};

struct aggregate_key_hash {
    std::size_t operator()(const aggregate_key& key) const noexcept;
};

// An event as the store keeps it. Immutable once stored.
struct stored_event {
    aggregate_key aggregate;
    std::string owner;     // resource owner (organisation id)
    std::string creator;   // id of the calling user
    sequence_number sequence;
    global_position position;
    std::uint32_t in_tx_order = 0;  // ordinal within its push
    timestamp created_at{};
    std::uint16_t revision = 1;
    std::string event_type;
    std::string payload;   // JSON text; empty when the event has no payload (a NULL column)
};

// An event the caller wants stored; the store assigns sequence and position.
struct new_event {
    std::string event_type;
    std::string payload;
    std::uint16_t revision = 1;
    std::string creator;
    timestamp created_at{};
};

}  // namespace userstream::eventstore
