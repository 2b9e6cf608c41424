// zitadel.auth.v1.AuthService: the caller's own phone. Any authenticated caller may use these on themselves; the
// library's "me" commands take the user and organisation from the caller.
#include "methods/command_reply.hpp"

namespace userstream::api::detail {

namespace {
namespace auth = zitadel::auth::v1;

rpc_status get_my_phone(const call_context& context, const auth::GetMyPhoneRequest&, auth::GetMyPhoneResponse& response) {
    auto& services = context.services;
    const auto phone = services.read_side.get_human_phone(services.options.instance_id, context.who.user_id,
                                                          context.read_after(), services.options.when_phone_missing);
    return reply_phone(phone, response);
}

rpc_status set_my_phone(const call_context& context, const auth::SetMyPhoneRequest& request,
                        auth::SetMyPhoneResponse& response) {
    return reply(context, context.services.users.set_my_phone(context.who, request.phone()), response);
}

rpc_status verify_my_phone(const call_context& context, const auth::VerifyMyPhoneRequest& request,
                           auth::VerifyMyPhoneResponse& response) {
    return reply(context, context.services.users.verify_my_phone(context.who, request.code()), response);
}

rpc_status resend_my_phone_verification(const call_context& context, const auth::ResendMyPhoneVerificationRequest&,
                                        auth::ResendMyPhoneVerificationResponse& response) {
    return reply(context, context.services.users.resend_my_phone_verification(context.who), response);
}

rpc_status remove_my_phone(const call_context& context, const auth::RemoveMyPhoneRequest&,
                           auth::RemoveMyPhoneResponse& response) {
    return reply(context, context.services.users.remove_my_phone(context.who), response);
}
}  // namespace

void add_auth_methods(std::vector<method>& table) {
    table.push_back(make_method<auth::GetMyPhoneRequest, auth::GetMyPhoneResponse, get_my_phone>(
        "zitadel.auth.v1.AuthService/GetMyPhone", {"GET", "/auth/v1/users/me/phone", false}));
    table.push_back(make_method<auth::SetMyPhoneRequest, auth::SetMyPhoneResponse, set_my_phone>(
        "zitadel.auth.v1.AuthService/SetMyPhone", {"PUT", "/auth/v1/users/me/phone", true}));
    table.push_back(make_method<auth::VerifyMyPhoneRequest, auth::VerifyMyPhoneResponse, verify_my_phone>(
        "zitadel.auth.v1.AuthService/VerifyMyPhone", {"POST", "/auth/v1/users/me/phone/_verify", true}));
    table.push_back(make_method<auth::ResendMyPhoneVerificationRequest, auth::ResendMyPhoneVerificationResponse,
                                resend_my_phone_verification>(
        "zitadel.auth.v1.AuthService/ResendMyPhoneVerification",
        {"POST", "/auth/v1/users/me/phone/_resend_verification", true}));
    table.push_back(make_method<auth::RemoveMyPhoneRequest, auth::RemoveMyPhoneResponse, remove_my_phone>(
        "zitadel.auth.v1.AuthService/RemoveMyPhone", {"DELETE", "/auth/v1/users/me/phone", false}));
}

}  // namespace userstream::api::detail
