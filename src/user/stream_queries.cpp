#include "userstream/user/stream_queries.hpp"

#include "userstream/core/text.hpp"
#include "userstream/user/errors.hpp"
#include "userstream/user/events.hpp"

namespace userstream::user {

std::vector<eventstore::stored_event> get_user_events(const eventstore::event_store& store,
                                                      const std::string& instance_id, const std::string& user_id) {
    // Commands never store such an id, so there is nothing to read, and a store need not accept it.
    if (!is_valid_text(user_id)) return {};
    return store.read_aggregate({instance_id, std::string(aggregate_type), user_id}, {});
}

result<eventstore::object_details> get_user_details(const eventstore::event_store& store, const std::string& instance_id,
                                                    const std::string& user_id) {
    if (!is_valid_text(user_id)) return error(errors::text_invalid, "userId");
    const auto stream = get_user_events(store, instance_id, user_id);
    if (stream.empty()) return errors::user_not_found_query;
    return eventstore::details_of(stream);
}

}  // namespace userstream::user
