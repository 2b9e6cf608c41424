// zitadel.user.v2.UserService: phone commands, and creating, reading and deleting users. The library's v2 rules apply
// (permission on the user's organisation or self-management); `x-zitadel-orgid` plays no part, as in ZITADEL.
#include "methods/command_reply.hpp"
#include "userstream/api/errors.hpp"
#include "userstream/projections/errors.hpp"
#include "userstream/user/errors.hpp"

namespace userstream::api::detail {

namespace {
namespace v2 = zitadel::user::v2;

rpc_status set_phone(const call_context& context, const v2::SetPhoneRequest& request, v2::SetPhoneResponse& response) {
    user::phone_verification verification = user::send_code{};
    if (request.has_return_code()) verification = user::return_code{};
    if (request.has_is_verified()) verification = user::mark_verified{};
    const auto outcome =
        context.services.users.set_phone(context.who, {request.user_id(), request.phone(), verification});
    auto status = reply_v2(context, outcome, response);
    if (status.ok() && outcome->verification_code) response.set_verification_code(*outcome->verification_code);
    return status;
}

rpc_status verify_phone(const call_context& context, const v2::VerifyPhoneRequest& request,
                        v2::VerifyPhoneResponse& response) {
    return reply_v2(context,
                    context.services.users.verify_phone(context.who, {request.user_id(), request.verification_code()}),
                    response);
}

rpc_status resend_phone_code(const call_context& context, const v2::ResendPhoneCodeRequest& request,
                             v2::ResendPhoneCodeResponse& response) {
    user::code_delivery delivery = user::send_code{};
    if (request.has_return_code()) delivery = user::return_code{};
    const auto outcome = context.services.users.resend_phone_code(context.who, {request.user_id(), delivery});
    auto status = reply_v2(context, outcome, response);
    if (status.ok() && outcome->verification_code) response.set_verification_code(*outcome->verification_code);
    return status;
}

rpc_status remove_phone(const call_context& context, const v2::RemovePhoneRequest& request,
                        v2::RemovePhoneResponse& response) {
    return reply_v2(context, context.services.users.remove_phone(context.who, {request.user_id()}), response);
}

rpc_status delete_user(const call_context& context, const v2::DeleteUserRequest& request,
                       v2::DeleteUserResponse& response) {
    return reply_v2(context, context.services.users.remove_user(context.who, {request.user_id(), std::nullopt}),
                    response);
}

rpc_status add_human_user(const call_context& context, const v2::AddHumanUserRequest& request,
                          v2::AddHumanUserResponse& response) {
    if (request.organization().has_org_domain()) return status_of(errors::org_domain_unsupported);
    user::add_human_request command;
    command.user_id = request.user_id();
    command.org_id = request.organization().has_org_id() ? request.organization().org_id() : context.who.org_id;
    command.username = request.username();
    const auto& profile = request.profile();
    command.profile.given_name = profile.given_name();
    command.profile.family_name = profile.family_name();
    command.profile.nick_name = profile.nick_name();
    command.profile.display_name = profile.display_name();
    command.profile.preferred_language = profile.preferred_language();
    command.profile.gender = static_cast<int>(profile.gender());
    command.email = request.email().email();
    command.is_email_verified = request.email().has_is_verified() && request.email().is_verified();
    if (request.has_phone() && !request.phone().phone().empty()) {
        command.phone = request.phone().phone();
        command.is_phone_verified = request.phone().has_is_verified();
        command.return_phone_code = request.phone().has_return_code();
    }
    const auto outcome = context.services.users.add_human(context.who, command);
    auto status = reply_v2(context, outcome, response);
    if (!status.ok()) return status;
    // The id may have been generated: the stored events name it.
    response.set_user_id(outcome->events.front().aggregate.aggregate_id);
    if (outcome->verification_code) response.set_phone_code(*outcome->verification_code);
    return status;
}
}  // namespace

void add_user_v2_methods(std::vector<method>& table) {
    table.push_back(make_method<v2::AddHumanUserRequest, v2::AddHumanUserResponse, add_human_user>(
        "zitadel.user.v2.UserService/AddHumanUser", {"POST", "/v2/users/human", true}));
    table.push_back(make_method<v2::DeleteUserRequest, v2::DeleteUserResponse, delete_user>(
        "zitadel.user.v2.UserService/DeleteUser", {"DELETE", "/v2/users/{user_id}", false}));
    table.push_back(make_method<v2::SetPhoneRequest, v2::SetPhoneResponse, set_phone>(
        "zitadel.user.v2.UserService/SetPhone", {"POST", "/v2/users/{user_id}/phone", true}));
    table.push_back(make_method<v2::VerifyPhoneRequest, v2::VerifyPhoneResponse, verify_phone>(
        "zitadel.user.v2.UserService/VerifyPhone", {"POST", "/v2/users/{user_id}/phone/verify", true}));
    table.push_back(make_method<v2::ResendPhoneCodeRequest, v2::ResendPhoneCodeResponse, resend_phone_code>(
        "zitadel.user.v2.UserService/ResendPhoneCode", {"POST", "/v2/users/{user_id}/phone/resend", true}));
    table.push_back(make_method<v2::RemovePhoneRequest, v2::RemovePhoneResponse, remove_phone>(
        "zitadel.user.v2.UserService/RemovePhone", {"DELETE", "/v2/users/{user_id}/phone", true}));
}

}  // namespace userstream::api::detail
