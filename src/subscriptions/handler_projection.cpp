#include "userstream/subscriptions/handler_projection.hpp"

#include <stdexcept>

namespace userstream::subscriptions {

handler_projection::handler_projection(std::string name, eventstore::global_filter filter,
                                       eventstore::checkpoint_store& checkpoints, projection_handlers handlers)
    : name_(std::move(name)), filter_(std::move(filter)), checkpoints_(checkpoints), handlers_(std::move(handlers)) {
    if (!handlers_.on_event) throw std::invalid_argument("handler_projection " + name_ + ": on_event is required");
}

eventstore::global_position handler_projection::checkpoint() const { return checkpoints_.load(name_); }

bool handler_projection::apply(eventstore::global_position from, std::span<const eventstore::stored_event> events,
                               eventstore::global_position through) {
    if (checkpoints_.load(name_) != from) return false;
    for (const auto& event : events) handlers_.on_event(event);
    checkpoints_.save(name_, through);
    return true;
}

void handler_projection::reset() {
    // Effects first: if dropping them fails, the checkpoint still says they are there.
    if (handlers_.on_reset) handlers_.on_reset();
    checkpoints_.save(name_, {});
}

}  // namespace userstream::subscriptions
