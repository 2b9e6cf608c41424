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
    return reply_with_code(
        context, context.services.users.set_phone(context.who, {request.user_id(), request.phone(), verification}),
        response);
}

rpc_status verify_phone(const call_context& context, const v2::VerifyPhoneRequest& request,
                        v2::VerifyPhoneResponse& response) {
    return reply(context,
                    context.services.users.verify_phone(context.who, {request.user_id(), request.verification_code()}),
                    response);
}

rpc_status resend_phone_code(const call_context& context, const v2::ResendPhoneCodeRequest& request,
                             v2::ResendPhoneCodeResponse& response) {
    user::code_delivery delivery = user::send_code{};
    if (request.has_return_code()) delivery = user::return_code{};
    return reply_with_code(context, context.services.users.resend_phone_code(context.who, {request.user_id(), delivery}),
                           response);
}

rpc_status remove_phone(const call_context& context, const v2::RemovePhoneRequest& request,
                        v2::RemovePhoneResponse& response) {
    return reply(context, context.services.users.remove_phone(context.who, {request.user_id()}), response);
}

rpc_status delete_user(const call_context& context, const v2::DeleteUserRequest& request,
                       v2::DeleteUserResponse& response) {
    return reply(context, context.services.users.remove_user(context.who, {request.user_id(), std::nullopt}),
                    response);
}

v2::UserState state_of(user::user_state state) {
    switch (state) {
        case user::user_state::active: return v2::USER_STATE_ACTIVE;
        case user::user_state::initial: return v2::USER_STATE_INITIAL;
        case user::user_state::deleted: return v2::USER_STATE_DELETED;
        case user::user_state::unspecified: break;
    }
    return v2::USER_STATE_UNSPECIFIED;
}

// ZITADEL answers its own optional profile fields always, empty when unset; userstream does the same.
void set_human(v2::HumanUser& out, const projections::human_view& human) {
    auto& profile = *out.mutable_profile();
    profile.set_given_name(human.profile.given_name);
    profile.set_family_name(human.profile.family_name);
    profile.set_nick_name(human.profile.nick_name);
    profile.set_display_name(human.profile.display_name);
    profile.set_preferred_language(human.profile.preferred_language);
    profile.set_gender(v2::Gender_IsValid(human.profile.gender) ? static_cast<v2::Gender>(human.profile.gender)
                                                                : v2::GENDER_UNSPECIFIED);
    out.mutable_email()->set_email(human.email);
    out.mutable_email()->set_is_verified(human.is_email_verified);
    out.mutable_phone()->set_phone(human.phone);
    out.mutable_phone()->set_is_verified(human.is_phone_verified);
}

rpc_status get_user_by_id(const call_context& context, const v2::GetUserByIDRequest& request,
                          v2::GetUserByIDResponse& response) {
    auto& services = context.services;
    const auto found =
        services.read_side.get_user_by_id(services.options.instance_id, request.user_id(), context.read_after());
    if (!found) return status_of(found.err());
    const auto& view = found.value();
    // Self, or user.read on the user's organisation, as ZITADEL's permission check for GetUserByID; a caller who may
    // not see the user is told it does not exist when the service hides foreign users.
    if (context.who.user_id != view.user_id &&
        !services.permissions.has_permission(context.who, user::permissions::user_read, view.details.resource_owner)) {
        if (services.users.config().hide_foreign_users) return status_of(user::errors::user_not_found_query);
        return status_of(user::errors::permission_denied_v2);
    }
    set_details(*response.mutable_details(), view.details);
    auto& out = *response.mutable_user();
    out.set_user_id(view.user_id);
    set_details(*out.mutable_details(), view.details);
    out.set_state(state_of(view.state));
    out.set_username(view.username);
    // userstream has no organisation domains, so the username is the one login name.
    out.add_login_names(view.username);
    out.set_preferred_login_name(view.username);
    if (view.human) set_human(*out.mutable_human(), *view.human);
    if (view.machine) {
        out.mutable_machine()->set_name(view.machine->name);
        out.mutable_machine()->set_description(view.machine->description);
    }
    return {};
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
    auto status = reply(context, outcome, response);
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
    table.push_back(make_method<v2::GetUserByIDRequest, v2::GetUserByIDResponse, get_user_by_id>(
        "zitadel.user.v2.UserService/GetUserByID", {"GET", "/v2/users/{user_id}", false}));
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
