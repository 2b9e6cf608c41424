// Creating and removing users: the lifecycle events every phone command depends on.
#include "decisions.hpp"
#include "userstream/user/errors.hpp"

namespace userstream::user::detail {

namespace {
bool blank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// ZITADEL's AddHuman.ensureDisplayName: a blank display name becomes "given family", or else the email.
std::string display_name_of(const add_human_request& request) {
    const auto& profile = request.profile;
    if (!blank(profile.display_name)) return profile.display_name;
    if (!blank(profile.given_name) && !blank(profile.family_name)) return profile.given_name + " " + profile.family_name;
    if (!blank(request.email)) return request.email;
    return profile.display_name;
}

// Creating a user of either kind: the caller may write the org, the id is valid and not taken. The new aggregate's
// resource owner is the org.
result<decision> new_user(const user_write_model& model, const std::string& user_id, const std::string& org_id,
                          const decision_context& context) {
    if (auto rejected = check_caller(context.who)) return *rejected;
    if (org_id.empty()) return errors::org_id_missing;
    if (!context.may_write(org_id)) return errors::permission_denied_v2;
    if (auto rejected = check_user_id_v2(user_id)) return *rejected;
    if (model.sequence().value > 0) return errors::user_already_exists;
    decision out;
    out.owner = org_id;
    return out;
}
}  // namespace

result<decision> decide_add_human(const user_write_model& model, const add_human_request& request,
                                  const result<phone_number>& phone, const decision_context& context) {
    auto created = new_user(model, request.user_id, request.org_id, context);
    if (!created) return created;
    if (!request.phone.empty() && !phone) return phone.err();
    decision& out = created.value();

    // ZITADEL's AddHuman: the added event with everything the request gave, then the email's state, then the phone's.
    human_added added;
    if (!request.phone.empty()) added.phone = phone.value();
    // ZITADEL's AddHumanUser takes the email address as the username when none is given.
    added.user_name = request.username.empty() ? request.email : request.username;
    added.profile = request.profile;
    added.profile.display_name = display_name_of(request);
    added.email = request.email;
    out.events.emplace_back(std::move(added));
    if (request.is_email_verified && !request.email.empty()) out.events.emplace_back(email_verified{});

    if (request.phone.empty()) return created;
    if (request.is_phone_verified) {
        out.events.emplace_back(phone_verified{});
    } else {
        // As SetPhone's return_code: the code comes back to the caller and the SMS outbox skips it.
        auto code = context.issue_code(request.return_phone_code);
        if (request.return_phone_code && !code.plain.empty()) out.plain_code = std::move(code.plain);
        out.events.emplace_back(std::move(code.event));
    }
    return created;
}

result<decision> decide_add_machine(const user_write_model& model, const add_machine_request& request,
                                    const decision_context& context) {
    auto created = new_user(model, request.user_id, request.org_id, context);
    if (created) created->events.emplace_back(machine_added{request.username, request.name, request.description});
    return created;
}

result<decision> decide_remove_user(const user_write_model& model, const remove_user_request& request,
                                    const decision_context& context) {
    if (auto rejected = check_caller(context.who)) return *rejected;
    if (auto rejected = check_user_id_v2(request.user_id)) return *rejected;
    if (!model.aggregate_exists() || (request.org_id && *request.org_id != model.resource_owner()) ||
        !context.may_see(model, request.user_id)) {
        return errors::user_remove_not_found;
    }
    if (!context.may_write(model.resource_owner())) return errors::permission_denied_v2;
    decision out;
    out.events.emplace_back(user_removed{});
    return out;
}

}  // namespace userstream::user::detail
