// v2 SetPhone (ZITADEL internal/command/user_v2_phone.go).
#include "detail/decisions.hpp"
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
    if (count_code_points(user_id) > max_user_id_length) return error(errors::user_id_too_long);
    return std::nullopt;
}

result<decision> decide_set_phone(const phone_write_model& model, const set_phone_request& request, lazy_phone& phone,
                                  const decision_context& context) {
    if (auto rejected = check_caller(context.who)) return *rejected;
    if (auto rejected = check_user_id_v2(request.user_id)) return *rejected;
    if (!model.user_exists()) return errors::phone_user_not_found_v2;
    if (model.user() == user_state::initial) return errors::user_not_initialised;

    // Self-management covers only `send_code`: returning the code or marking the phone verified would let a user
    // verify a number they do not own (GHSA-282g-fhmx-xf54, GHSA-jq8w-8q2f-ffm9).
    const bool self_allowed = std::holds_alternative<send_code>(request.verification);
    const bool is_self = context.who.user_id == request.user_id;
    if (!(self_allowed && is_self) && !context.may_write(model.resource_owner())) {
        return errors::permission_denied_v2;
    }

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
