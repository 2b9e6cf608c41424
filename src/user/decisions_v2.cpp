// v2 phone commands (ZITADEL internal/command/user_v2_phone.go): SetPhone, VerifyPhone, ResendPhoneCode, RemovePhone.
#include "detail/decisions.hpp"
#include "userstream/core/text.hpp"
#include "userstream/user/errors.hpp"

namespace userstream::user::detail {

namespace {
constexpr std::size_t max_user_id_length = 200;
}

std::optional<error> check_caller(const caller& who) {
    if (who.user_id.empty()) return error(errors::unauthenticated);
    return std::nullopt;
}

std::optional<error> check_user_id_v2(std::string_view user_id) {
    if (user_id.empty()) return error(errors::user_id_missing_v2);
    // Text validity is checked at the service boundary, so only the length is left to count here.
    if (count_characters(user_id).value_or(0) > max_user_id_length) return error(errors::user_id_too_long);
    return std::nullopt;
}

std::optional<error> check_v2_user(const phone_write_model& model, std::string_view user_id,
                                   const decision_context& context) {
    if (auto rejected = check_user_id_v2(user_id)) return rejected;
    if (!model.user_exists() || !context.may_see(model, user_id)) return error(errors::phone_user_not_found_v2);
    if (model.user() == user_state::initial) return error(errors::user_not_initialised);
    return std::nullopt;
}

namespace {
// Self-management covers only sending a code to the user's own phone: returning the code or marking the phone
// verified would let a user verify a number they do not own (GHSA-282g-fhmx-xf54, GHSA-jq8w-8q2f-ffm9).
bool may_manage(const phone_write_model& model, std::string_view user_id, bool self_allowed,
                const decision_context& context) {
    return (self_allowed && context.is_self(user_id)) || context.may_write(model.resource_owner());
}
}  // namespace

result<decision> decide_set_phone(const phone_write_model& model, const set_phone_request& request, lazy_phone& phone,
                                  const decision_context& context) {
    if (auto rejected = check_caller(context.who)) return *rejected;
    if (auto rejected = check_v2_user(model, request.user_id, context)) return *rejected;

    const bool self_allowed = std::holds_alternative<send_code>(request.verification);
    if (!may_manage(model, request.user_id, self_allowed, context)) return errors::permission_denied_v2;

    // Permission first, then the phone: a caller without rights learns nothing about the input.
    const auto& normalized = phone.get(context.rules);
    if (!normalized) return normalized.err();
    if (normalized.value() == model.phone()) return errors::phone_not_changed_v2;

    decision out;
    out.events.emplace_back(phone_changed{normalized.value()});
    if (std::holds_alternative<mark_verified>(request.verification)) {
        out.events.emplace_back(phone_verified{});
    } else {
        const bool returned = std::holds_alternative<return_code>(request.verification);
        auto code = context.issue_code(returned);
        if (returned && !code.plain.empty()) out.plain_code = std::move(code.plain);
        out.events.emplace_back(std::move(code.event));
    }
    return out;
}

result<decision> decide_verify_phone(const phone_write_model& model, const verify_phone_request& request,
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

result<decision> decide_resend_phone_code(const phone_write_model& model, const resend_phone_code_request& request,
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

result<decision> decide_remove_phone(const phone_write_model& model, const remove_phone_request& request,
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
