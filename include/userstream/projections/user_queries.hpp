// userstream/projections/user_queries.hpp
//
// The read-side questions about users, answered from read models instead of a replay, with ZITADEL's answers for
// the cases where there is nothing to return. These functions read what the read model holds now; to read one's own
// writes, wait on the runner first, or use `user_projections`, which does both.
#pragma once

#include <string>

#include "userstream/core/result.hpp"
#include "userstream/projections/user_phone_projection.hpp"
#include "userstream/subscriptions/object_details_projection.hpp"

namespace userstream::projections {

// What GetHumanPhone answers, plus the notification columns and the user's details.
struct human_phone {
    std::string phone;           // E.164; empty only under missing_phone::empty
    bool is_verified = false;
    std::string last_phone;      // the last number set (empty when none)
    std::string verified_phone;  // the last verified number (empty when none)
    user::user_state state = user::user_state::unspecified;
    eventstore::object_details details;  // the user's real last sequence, dates, resource owner
};

// What a human without a phone gets: the error of ZITADEL v1 (EVENT-pos9e), or an empty phone as current ZITADEL.
enum class missing_phone { not_found, empty };

// US-QUERY-objnotfound when the projection has seen no event of `aggregate`.
result<eventstore::object_details> get_object_details(const subscriptions::object_details_read_model& model,
                                                      const eventstore::aggregate_key& aggregate);

// A user's details: QUERY-Dfbg2 NotFound when the projection has seen no event of the user (the same answer as the
// stream-based user::get_user_details).
result<eventstore::object_details> get_user_details(const subscriptions::object_details_read_model& model,
                                                    const std::string& instance_id, const std::string& user_id);

// QUERY-DAvb3 NotFound for a missing or removed user, QUERY-hliQl FailedPrecondition for a machine, and for a human
// without a phone EVENT-pos9e NotFound or an empty phone, as `when_missing` says.
result<human_phone> get_human_phone(const user_phone_read_model& model, const std::string& instance_id,
                                    const std::string& user_id, missing_phone when_missing = missing_phone::not_found);

}  // namespace userstream::projections
