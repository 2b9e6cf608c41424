// The checks several commands share: who is calling, which user id is valid, whether the user exists for this caller,
// and who may manage a user's phone.
#include "decisions.hpp"
#include "userstream/user/errors.hpp"
#include "userstream/core/text.hpp"

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

std::optional<error> check_v2_user(const user_write_model& model, std::string_view user_id,
                                   const decision_context& context) {
    if (auto rejected = check_user_id_v2(user_id)) return rejected;
    if (!model.user_exists() || !context.may_see(model, user_id)) return error(errors::phone_user_not_found_v2);
    if (model.user() == user_state::initial) return error(errors::user_not_initialised);
    return std::nullopt;
}

result<std::string> authorize_v1(const std::optional<std::string>& org_header, const decision_context& context,
                                 bool self_service) {
    if (auto rejected = check_caller(context.who)) return *rejected;
    std::string org = org_header ? *org_header : context.who.org_id;
    if (!self_service && !context.may_write(org)) return errors::permission_denied_v1;
    return org;
}

// The v1 write model is filtered by organisation: a user of another org is "not found".
bool exists_in(const user_write_model& model, const std::string& org) {
    return model.user_exists() && model.resource_owner() == org;
}

// Self-management covers only sending a code to the user's own phone: returning the code or marking the phone
// verified would let a user verify a number they do not own (GHSA-282g-fhmx-xf54, GHSA-jq8w-8q2f-ffm9).
bool may_manage(const user_write_model& model, std::string_view user_id, bool self_allowed,
                const decision_context& context) {
    return (self_allowed && context.is_self(user_id)) || context.may_write(model.resource_owner());
}

}  // namespace userstream::user::detail
