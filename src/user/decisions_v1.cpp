// v1 management UpdateHumanPhone (ZITADEL internal/command/user_human_phone.go ChangeHumanPhone).
#include "detail/decisions.hpp"
#include "userstream/user/errors.hpp"

namespace userstream::user::detail {

result<decision> decide_update_human_phone(const phone_write_model& model, const update_human_phone_request& request,
                                           const result<phone_number>& phone, const decision_context& context) {
    // ZITADEL's order: authorisation (interceptor), request validation, normalisation, then the lookup.
    if (auto rejected = check_caller(context.who)) return *rejected;
    const std::string& org = request.org_id ? *request.org_id : context.who.org_id;
    if (!context.may_write(org)) return errors::permission_denied_v1;
    if (request.user_id.empty()) return errors::user_id_missing_v1;
    if (!phone) return phone.err();

    // The write model is filtered by the header's organisation: a user of another org is "not found".
    if (!model.user_exists() || model.resource_owner() != org) return errors::user_not_found_v1;

    const bool changed = phone.value() != model.phone();
    const bool verifies = request.is_phone_verified && !model.is_phone_verified();
    if (!changed && !verifies) return errors::phone_not_changed_v1;

    decision out;
    if (changed) out.events.emplace_back(phone_changed{phone.value()});
    if (request.is_phone_verified) {
        out.events.emplace_back(phone_verified{});
    } else {
        out.events.emplace_back(context.issue_code(false).event);
    }
    return out;
}

}  // namespace userstream::user::detail
