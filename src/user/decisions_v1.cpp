// v1 phone commands (ZITADEL internal/command/user_human_phone.go): UpdateHumanPhone, VerifyHumanPhone,
// ResendHumanPhoneVerification, RemoveHumanPhone, HumanPhoneVerificationCodeSent, and the auth API's "me" variants.
#include "detail/decisions.hpp"
#include "userstream/user/errors.hpp"

namespace userstream::user::detail {

result<std::string> authorize_v1(const std::optional<std::string>& org_header, const decision_context& context,
                                 bool self_service) {
    if (auto rejected = check_caller(context.who)) return *rejected;
    std::string org = org_header ? *org_header : context.who.org_id;
    if (!self_service && !context.may_write(org)) return errors::permission_denied_v1;
    return org;
}

namespace {
// The v1 write model is filtered by organisation: a user of another org is "not found".
bool exists_in(const phone_write_model& model, const std::string& org) {
    return model.user_exists() && model.resource_owner() == org;
}
}  // namespace

result<decision> decide_update_human_phone(const phone_write_model& model, const update_human_phone_request& request,
                                           const result<phone_number>& phone, const decision_context& context,
                                           bool self_service) {
    // ZITADEL's order: authorisation (interceptor), request validation, normalisation, then the lookup.
    auto org = authorize_v1(request.org_id, context, self_service);
    if (!org) return org.err();
    if (request.user_id.empty()) return errors::user_id_missing_v1;
    if (!phone) return phone.err();
    if (!exists_in(model, org.value())) return errors::user_not_found_v1;

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

result<decision> decide_verify_human_phone(const phone_write_model& model, const verify_human_phone_request& request,
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

result<decision> decide_resend_human_phone(const phone_write_model& model,
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

result<decision> decide_remove_human_phone(const phone_write_model& model, const remove_human_phone_request& request,
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

result<decision> decide_phone_code_sent(const phone_write_model& model, const phone_code_sent_request& request,
                                        const decision_context& context) {
    if (auto rejected = check_caller(context.who)) return *rejected;
    if (request.user_id.empty()) return errors::code_sent_user_id_missing;
    const std::string& org = request.org_id ? *request.org_id : model.resource_owner();
    if (!context.may_write(org)) return errors::permission_denied_v1;
    if (!exists_in(model, org)) return errors::code_sent_user_not_found;
    if (model.phone_status() != phone_state::active) return errors::code_sent_phone_not_found;
    decision out;
    phone_code_sent sent;
    if (!request.generator_id.empty() || !request.verification_id.empty()) {
        sent.generator_info = code_generator_info{request.generator_id, request.verification_id};
    }
    out.events.emplace_back(std::move(sent));
    return out;
}

}  // namespace userstream::user::detail
