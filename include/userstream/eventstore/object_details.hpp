// userstream/eventstore/object_details.hpp
//
// Object details of an aggregate, as ZITADEL returns them in `details`: the sequence of its last event, when it was
// created and last changed, and its resource owner. They are computed purely from the aggregate's stream, so every
// event counts, including code events (ZITADEL's users projection skips those).
#pragma once

#include <span>
#include <string>

#include "userstream/eventstore/stored_event.hpp"

namespace userstream::eventstore {

struct object_details {
    sequence_number sequence;  // of the last event
    timestamp creation_date{}; // created_at of the first event
    timestamp change_date{};   // created_at of the last event
    std::string resource_owner;

    friend bool operator==(const object_details&, const object_details&) = default;
};

// Folds events of one aggregate, in sequence order, into its details.
class object_details_fold {
public:
    void apply(const stored_event& event);
    bool empty() const noexcept { return details_.sequence.value == 0; }
    const object_details& details() const noexcept { return details_; }

private:
    object_details details_;
};

// The details of a whole stream (all default when the stream is empty).
object_details details_of(std::span<const stored_event> stream);

}  // namespace userstream::eventstore
