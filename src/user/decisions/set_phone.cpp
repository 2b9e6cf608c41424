// Setting a phone number: v1 UpdateHumanPhone and the auth API's SetMyPhone (ZITADEL
// internal/command/user_human_phone.go), v2 SetPhone (internal/command/user_v2_phone.go).
#include "decisions.hpp"
#include "userstream/user/errors.hpp"

namespace userstream::user::detail {

result<decision> decide_update_human_phone(const user_write_model& model, const update_human_phone_request& request,
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

result<decision> decide_set_phone(const user_write_model& model, const set_phone_request& request, lazy_phone& phone,
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

}  // namespace userstream::user::detail
