// Recording that the SMS with a code went out: HumanPhoneVerificationCodeSent, called by the notification side (the
// SMS outbox).
#include "decisions.hpp"
#include "userstream/user/errors.hpp"

namespace userstream::user::detail {

result<decision> decide_phone_code_sent(const user_write_model& model, const phone_code_sent_request& request,
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
