// Verifying a phone with a code: v1 VerifyHumanPhone and VerifyMyPhone, v2 VerifyPhone. A failed attempt is stored
// as `verification.failed` and the call fails anyway.
#include "decisions.hpp"
#include "userstream/user/errors.hpp"

namespace userstream::user::detail {

result<decision> decide_verify_human_phone(const user_write_model& model, const verify_human_phone_request& request,
                                           const decision_context& context, bool self_service) {
    // The user themselves may verify (the auth API's path); anyone else needs user.write.
    auto org = authorize_v1(request.org_id, context, self_service || context.is_self(request.user_id));
    if (!org) return org.err();
    if (request.user_id.empty()) return errors::verify_user_id_missing_v1;
    if (request.code.empty()) return errors::verify_code_empty_v1;
    if (!exists_in(model, org.value())) return errors::verify_user_not_found_v1;
    const auto& pending = model.code();
    if (model.phone_status() != phone_state::active || (!pending.code && pending.generator_id.empty())) {
        return errors::verify_code_not_found_v1;
    }
    decision out;
    if (pending_code_matches(model, request.code, context)) {
        out.events.emplace_back(phone_verified{});
    } else {
        // Wrong, expired or exhausted all look the same to the caller.
        out.events.emplace_back(phone_verification_failed{});
        out.reject_after_push = error(errors::verify_code_invalid_v1);
    }
    return out;
}

result<decision> decide_verify_phone(const user_write_model& model, const verify_phone_request& request,
                                     const decision_context& context) {
    if (auto rejected = check_caller(context.who)) return *rejected;
    if (auto rejected = check_v2_user(model, request.user_id, context)) return *rejected;
    // ZITADEL lets any authenticated caller who holds the code verify anyone's phone; we require the user or
    // user.write unless the host switches the check off.
    if (context.verify_requires_permission && !may_manage(model, request.user_id, true, context)) {
        return errors::permission_denied_v2;
    }
    if (request.code.empty()) return errors::verify_code_empty_v2;
    decision out;
    if (model.phone_status() == phone_state::active && pending_code_matches(model, request.code, context)) {
        out.events.emplace_back(phone_verified{});
    } else {
        // Every failure, "no code pending" included, is recorded and looks the same to the caller.
        out.events.emplace_back(phone_verification_failed{});
        out.reject_after_push = error(errors::verify_code_invalid_v2);
    }
    return out;
}

}  // namespace userstream::user::detail
