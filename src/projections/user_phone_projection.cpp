#include "userstream/projections/user_phone_projection.hpp"

#include "overloaded.hpp"
#include "userstream/subscriptions/object_details_projection.hpp"
#include "userstream/user/event_codec.hpp"

namespace userstream::projections {

namespace {

std::optional<std::string> null_if_empty(const user::phone_number& phone) {
    if (phone.empty()) return std::nullopt;
    return phone.e164();
}

// Users added without username (and, for humans, without email) show their id, so GetUserByID always has one.
std::string username_or_id(const user_phone_row& row, const std::string& user_name) {
    return user_name.empty() ? row.user_id : user_name;
}

template <class Added>  // human_added or human_registered: the same payload
void on_human_added(user_phone_row& row, const Added& e) {
    row.kind = user_kind::human;
    row.state = user::user_state::active;
    row.phone = null_if_empty(e.phone);
    row.is_phone_verified = e.phone.empty() ? std::nullopt : std::optional<bool>(false);
    row.last_phone = null_if_empty(e.phone);
    row.verified_phone.reset();
    row.username = username_or_id(row, e.user_name);
    row.profile = e.profile;
    row.email = e.email;
    row.is_email_verified = false;
    row.machine_name.clear();
    row.machine_description.clear();
}

void clear_phone(user_phone_row& row) {
    row.phone.reset();
    row.is_phone_verified.reset();
    row.last_phone.reset();
    row.verified_phone.reset();
}

}  // namespace

bool advance_user_phone(std::optional<user_phone_row>& row, const eventstore::stored_event& event) {
    // Sequence, dates and owner follow the same rule as the object-details projection; it also decides whether the
    // event is new to this row.
    std::optional<eventstore::object_details> details;
    if (row) details = row->details;
    if (!subscriptions::advance_details(details, event)) return false;
    // Decode before touching the row, so a malformed payload leaves it as it was.
    const auto decoded = user::decode(event, user::unknown_event_policy::skip);
    if (!row) {
        row.emplace();
        row->instance_id = event.aggregate.instance_id;
        row->user_id = event.aggregate.aggregate_id;
    }
    row->details = *details;
    if (!decoded) return true;  // an event of another feature: only the details move

    using namespace user;
    std::visit(userstream::detail::overloaded{
                   [&](const human_added& e) { on_human_added(*row, e); },
                   [&](const human_registered& e) { on_human_added(*row, e); },
                   [&](const human_initial_code_added&) { row->state = user_state::initial; },
                   [&](const human_initialized_check_succeeded&) { row->state = user_state::active; },
                   [&](const machine_added& e) {
                       row->kind = user_kind::machine;
                       row->state = user_state::active;
                       clear_phone(*row);
                       row->username = username_or_id(*row, e.user_name);
                       row->profile = {};
                       row->email.clear();
                       row->is_email_verified = false;
                       row->machine_name = e.name;
                       row->machine_description = e.description;
                   },
                   [&](const user_removed&) { row->state = user_state::deleted; },
                   [&](const email_verified&) { row->is_email_verified = true; },
                   [&](const phone_changed& e) {
                       row->phone = null_if_empty(e.phone);
                       row->is_phone_verified = false;
                       row->last_phone = null_if_empty(e.phone);
                   },
                   [&](const phone_verified&) {
                       row->is_phone_verified = true;
                       row->verified_phone = row->last_phone;
                   },
                   [&](const phone_removed&) { clear_phone(*row); },
                   // Code events move only the details (done above); they change no phone column.
                   [&](const phone_code_added&) {},
                   [&](const phone_code_sent&) {},
                   [&](const phone_verification_failed&) {},
               },
               *decoded);
    return true;
}

eventstore::global_filter user_phone_filter() {
    eventstore::global_filter filter;
    filter.aggregate_types = {std::string(user::aggregate_type)};
    return filter;
}

}  // namespace userstream::projections
