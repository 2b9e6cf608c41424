// userstream/projections/user_queries.hpp
//
// The read-side questions about users, answered from read models instead of a replay, with ZITADEL's answers for
// the cases where there is nothing to return. These functions read what the read model holds now; to read one's own
// writes, wait on the runner first, or use `user_projections`, which does both.
#pragma once

#include <optional>
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

// What v2 GetUserByID answers about a human (`zitadel.user.v2.HumanUser`, the parts userstream keeps).
struct human_view {
    user::human_profile profile;
    std::string email;  // empty: none
    bool is_email_verified = false;
    std::string phone;  // E.164; empty: none
    bool is_phone_verified = false;

    friend bool operator==(const human_view&, const human_view&) = default;
};

// ... and about a machine (`zitadel.user.v2.MachineUser`).
struct machine_view {
    std::string name;
    std::string description;

    friend bool operator==(const machine_view&, const machine_view&) = default;
};

// What v2 GetUserByID answers: exactly one of `human` and `machine`, as `kind` says.
struct user_view {
    std::string user_id;
    user_kind kind = user_kind::unknown;                      // human or machine
    user::user_state state = user::user_state::unspecified;   // active or initial (removed users are not found)
    std::string username;                                     // the stored userName, else the user id
    std::optional<human_view> human;                          // set for humans
    std::optional<machine_view> machine;                      // set for machines
    eventstore::object_details details;  // the user's real last sequence, dates, resource owner

    friend bool operator==(const user_view&, const user_view&) = default;
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

// GetUserByID: QUERY-Dfbg2 NotFound (`user::errors::user_not_found_query`) for a missing or removed user, or a stream
// that holds only events of other features; US-INPUT-text for a user id that is not valid text. Checks no
// permission: the caller decides who may read whom.
result<user_view> get_user_by_id(const user_phone_read_model& model, const std::string& instance_id,
                                 const std::string& user_id);

// QUERY-DAvb3 NotFound for a missing or removed user, QUERY-hliQl FailedPrecondition for a machine, and for a human
// without a phone EVENT-pos9e NotFound or an empty phone, as `when_missing` says.
result<human_phone> get_human_phone(const user_phone_read_model& model, const std::string& instance_id,
                                    const std::string& user_id, missing_phone when_missing = missing_phone::not_found);

}  // namespace userstream::projections
