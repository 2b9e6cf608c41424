#include "userstream/eventstore/object_details.hpp"

namespace userstream::eventstore {

void object_details_fold::apply(const stored_event& event) {
    if (details_.sequence.value == 0) details_.creation_date = event.created_at;
    details_.sequence = event.sequence;
    details_.change_date = event.created_at;
    // The owner is fixed when the aggregate is created; later events carry the same one.
    if (!event.owner.empty()) details_.resource_owner = event.owner;
}

object_details details_of(std::span<const stored_event> stream) {
    object_details_fold fold;
    for (const auto& event : stream) fold.apply(event);
    return fold.details();
}

}  // namespace userstream::eventstore
