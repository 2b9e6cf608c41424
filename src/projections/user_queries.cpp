#include "userstream/projections/user_queries.hpp"

#include "userstream/core/text.hpp"
#include "userstream/projections/errors.hpp"
#include "userstream/user/errors.hpp"
#include "userstream/user/events.hpp"

namespace userstream::projections {

result<eventstore::object_details> get_object_details(const subscriptions::object_details_read_model& model,
                                                      const eventstore::aggregate_key& aggregate) {
    auto found = model.find(aggregate);
    if (!found) return errors::object_not_found;
    return *std::move(found);
}

result<eventstore::object_details> get_user_details(const subscriptions::object_details_read_model& model,
                                                    const std::string& instance_id, const std::string& user_id) {
    if (!is_valid_text(user_id)) return error(user::errors::text_invalid, "userId");
    auto found = model.find({instance_id, std::string(user::aggregate_type), user_id});
    if (!found) return user::errors::user_not_found_query;
    return *std::move(found);
}

result<user_view> get_user_by_id(const user_phone_read_model& model, const std::string& instance_id,
                                 const std::string& user_id) {
    if (!is_valid_text(user_id)) return error(user::errors::text_invalid, "userId");
    auto row = model.find(instance_id, user_id);
    if (!row || row->kind == user_kind::unknown || row->state == user::user_state::deleted) {
        return user::errors::user_not_found_query;
    }
    user_view out;
    out.user_id = std::move(row->user_id);
    out.kind = row->kind;
    out.state = row->state;
    out.username = std::move(row->username);
    if (row->kind == user_kind::human) {
        out.human = human_view{std::move(row->profile), std::move(row->email), row->is_email_verified,
                               row->phone.value_or(""), row->is_phone_verified.value_or(false)};
    } else {
        out.machine = machine_view{std::move(row->machine_name), std::move(row->machine_description)};
    }
    out.details = std::move(row->details);
    return out;
}

result<human_phone> get_human_phone(const user_phone_read_model& model, const std::string& instance_id,
                                    const std::string& user_id, missing_phone when_missing) {
    if (!is_valid_text(user_id)) return error(user::errors::text_invalid, "userId");
    const auto row = model.find(instance_id, user_id);
    // A row without an added event (only events of other features) is not a user yet, as in ZITADEL's users table.
    if (!row || row->kind == user_kind::unknown || row->state == user::user_state::deleted) {
        return errors::phone_user_not_found;
    }
    if (row->kind != user_kind::human) return errors::user_not_human;
    if (!row->phone && when_missing == missing_phone::not_found) return errors::phone_not_found;
    human_phone out;
    out.phone = row->phone.value_or("");
    out.is_verified = row->is_phone_verified.value_or(false);
    out.last_phone = row->last_phone.value_or("");
    out.verified_phone = row->verified_phone.value_or("");
    out.state = row->state;
    out.details = row->details;
    return out;
}

}  // namespace userstream::projections
