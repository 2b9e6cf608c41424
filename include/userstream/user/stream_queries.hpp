// userstream/user/stream_queries.hpp
//
// Read-side questions answered straight from a user's event stream. They are exact but cost a stream read; hosts
// that read often use the projections instead, which answer the same questions from read models.
#pragma once

#include <string>

#include "userstream/core/result.hpp"
#include "userstream/eventstore/event_store.hpp"
#include "userstream/eventstore/object_details.hpp"

namespace userstream::user {

// The object details of a user (any event counts). QUERY-Dfbg2 NotFound when the user has no events.
result<eventstore::object_details> get_user_details(const eventstore::event_store& store, const std::string& instance_id,
                                                    const std::string& user_id);

// The user's whole stream, in sequence order (empty when the user does not exist).
std::vector<eventstore::stored_event> get_user_events(const eventstore::event_store& store,
                                                      const std::string& instance_id, const std::string& user_id);

}  // namespace userstream::user
