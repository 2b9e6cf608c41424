// Removing the phone: v1 RemoveHumanPhone and RemoveMyPhone, v2 RemovePhone.
#include "decisions.hpp"
#include "userstream/user/errors.hpp"

namespace userstream::user::detail {

result<decision> decide_remove_human_phone(const user_write_model& model, const remove_human_phone_request& request,
                                           const decision_context& context, bool self_service) {
    auto org = authorize_v1(request.org_id, context, self_service);
    if (!org) return org.err();
    if (request.user_id.empty()) return errors::remove_user_id_missing_v1;
    if (!exists_in(model, org.value())) return errors::remove_user_not_found_v1;
    if (model.phone_status() != phone_state::active) return errors::remove_phone_not_found_v1;
    decision out;
    out.events.emplace_back(phone_removed{});
    return out;
}

result<decision> decide_remove_phone(const user_write_model& model, const remove_phone_request& request,
                                     const decision_context& context) {
    if (auto rejected = check_caller(context.who)) return *rejected;
    if (auto rejected = check_v2_user(model, request.user_id, context)) return *rejected;
    if (!may_manage(model, request.user_id, true, context)) return errors::permission_denied_v2;
    if (model.phone_status() != phone_state::active) return errors::remove_phone_not_found_v2;
    decision out;
    out.events.emplace_back(phone_removed{});
    return out;
}

}  // namespace userstream::user::detail
