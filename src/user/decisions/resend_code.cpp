// Issuing a new code for the current phone: v1 ResendHumanPhoneVerification and ResendMyPhoneVerification, v2
// ResendPhoneCode.
#include "decisions.hpp"
#include "userstream/user/errors.hpp"

namespace userstream::user::detail {

result<decision> decide_resend_human_phone(const user_write_model& model,
                                           const resend_human_phone_verification_request& request,
                                           const decision_context& context, bool self_service) {
    auto org = authorize_v1(request.org_id, context, self_service);
    if (!org) return org.err();
    if (request.user_id.empty()) return errors::resend_user_id_missing_v1;
    if (!exists_in(model, org.value())) return errors::resend_user_not_found_v1;
    if (model.phone_status() != phone_state::active) return errors::resend_phone_not_found_v1;
    if (model.is_phone_verified()) return errors::resend_already_verified_v1;
    decision out;
    out.events.emplace_back(context.issue_code(false).event);
    return out;
}

result<decision> decide_resend_phone_code(const user_write_model& model, const resend_phone_code_request& request,
                                          const decision_context& context) {
    if (auto rejected = check_caller(context.who)) return *rejected;
    if (auto rejected = check_v2_user(model, request.user_id, context)) return *rejected;
    const bool returned = std::holds_alternative<return_code>(request.delivery);
    if (!may_manage(model, request.user_id, !returned, context)) return errors::permission_denied_v2;
    // A verified phone has no code left to resend, except with an external verifier, whose id survives.
    if (!model.code().code && model.code().generator_id.empty()) return errors::resend_code_empty_v2;
    decision out;
    auto code = context.issue_code(returned);
    if (returned && !code.plain.empty()) out.plain_code = std::move(code.plain);
    out.events.emplace_back(std::move(code.event));
    return out;
}

}  // namespace userstream::user::detail
