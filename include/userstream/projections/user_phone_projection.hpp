// userstream/projections/user_phone_projection.hpp
//
// The user-phone projection: one row per user with its kind, state and resource owner, the phone fields of ZITADEL's
// `users14_humans` (`phone`, `is_phone_verified`) and `users14_notifications` (`last_phone`, `verified_phone`), and
// the user's object details. Unlike ZITADEL's users projection it reads every event of the user aggregate, so the
// row's `sequence` and `change_date` are the aggregate's real ones even when the last event was a code event.
//
// Column rules, as ZITADEL's projection (reference section 10):
// * phone.changed   phone = number, is_phone_verified = false, last_phone = number (NULL when empty);
// * phone.verified  is_phone_verified = true, verified_phone = last_phone;
// * phone.removed   phone, is_phone_verified, last_phone and verified_phone all become NULL;
// * user.removed    the row stays as a tombstone with state `deleted` (queries answer NotFound), so that a redelivered
//                   older event can never bring the user back.
//
// The row also holds what GetUserByID answers besides the phone: username, the human's profile and email, the
// machine's name and description (ZITADEL's `users14`, `users14_humans`, `users14_machines`). They live in this row
// rather than in a second projection because the row already has the user's kind, state, phone and details, and a
// second projection would repeat its fold, its three storages and a second runner to wait on:
// * human.added / selfregistered  username (the user id when the event has none), profile, email set;
//                   is_email_verified = false; machine fields cleared;
// * email.verified  is_email_verified = true;
// * machine.added   username, machine name and description set; human fields and phone cleared.
//
// `advance_user_phone` is the fold every storage shares; backends only load and save rows. The projection runs on the
// generic read side (userstream::subscriptions): its runner, its page fold, its object-details fold for the
// user's details.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "userstream/eventstore/object_details.hpp"
#include "userstream/subscriptions/projection.hpp"
#include "userstream/user/human_profile.hpp"
#include "userstream/user/user_write_model.hpp"

namespace userstream::projections {

// The checkpoint's name. "_v2" since the row holds the profile columns: SQL read models of the earlier layout (table
// `user_phones`, checkpoint `user_phone`) are left as they are and the new table is filled from position 0.
inline constexpr const char* user_phone_projection_name = "user_phone_v2";

enum class user_kind { unknown, human, machine };

struct user_phone_row {
    std::string instance_id;
    std::string user_id;
    user_kind kind = user_kind::unknown;          // unknown until an added event was seen
    user::user_state state = user::user_state::unspecified;
    std::optional<std::string> phone;             // E.164; NULL when the user has no phone
    std::optional<bool> is_phone_verified;        // NULL when the user has no phone
    std::optional<std::string> last_phone;        // the last number set, verified or not
    std::optional<std::string> verified_phone;    // the last number that was verified
    std::string username{};                       // the added event's userName, else the user id
    user::human_profile profile{};                // humans only
    std::string email{};                          // humans only; empty: none
    bool is_email_verified = false;
    std::string machine_name{};                   // machines only
    std::string machine_description{};            // machines only
    eventstore::object_details details;           // sequence, creation_date, change_date, resource_owner

    friend bool operator==(const user_phone_row&, const user_phone_row&) = default;
};

// Applies one event of a user's stream to the user's row (nullopt = no row yet). Events the codec does not know still
// move sequence and change date. Returns false, leaving the row alone, for an event whose sequence the row already
// reflects. Throws decode_error for a malformed payload.
bool advance_user_phone(std::optional<user_phone_row>& row, const eventstore::stored_event& event);

// Every event of the `user` aggregate type.
eventstore::global_filter user_phone_filter();

// A user-phone read model in some storage.
class user_phone_read_model : public subscriptions::projection {
public:
    std::string name() const override { return user_phone_projection_name; }
    eventstore::global_filter filter() const override { return user_phone_filter(); }

    virtual std::optional<user_phone_row> find(const std::string& instance_id, const std::string& user_id) const = 0;
    // Every row, ordered by instance and user id.
    virtual std::vector<user_phone_row> rows() const = 0;
};

}  // namespace userstream::projections
