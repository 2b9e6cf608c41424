// zitadel.management.v1.ManagementService: a user's phone in the organisation of `x-zitadel-orgid`, or the caller's
// own organisation without it. Commands check user.write themselves; the read needs user.read on that organisation.
#include "methods/command_reply.hpp"
#include "userstream/projections/errors.hpp"
#include "userstream/user/errors.hpp"

namespace userstream::api::detail {

namespace {
namespace mgmt = zitadel::management::v1;

std::string org_of(const call_context& context) { return context.org_header.value_or(context.who.org_id); }

rpc_status get_human_phone(const call_context& context, const mgmt::GetHumanPhoneRequest& request,
                           mgmt::GetHumanPhoneResponse& response) {
    auto& services = context.services;
    const auto org = org_of(context);
    if (!services.permissions.has_permission(context.who, user::permissions::user_read, org)) {
        return status_of(user::errors::permission_denied_v1);
    }
    const auto phone = services.read_side.get_human_phone(services.options.instance_id, request.user_id(),
                                                          context.read_after(), services.options.when_phone_missing);
    // As ZITADEL's query filters by resource owner: a user of another organisation does not exist here.
    if (phone && phone->details.resource_owner != org) return status_of(projections::errors::phone_user_not_found);
    return reply_phone(phone, response);
}

rpc_status update_human_phone(const call_context& context, const mgmt::UpdateHumanPhoneRequest& request,
                              mgmt::UpdateHumanPhoneResponse& response) {
    return reply(context,
                    context.services.users.update_human_phone(
                        context.who, {request.user_id(), context.org_header, request.phone(), request.is_phone_verified()}),
                    response);
}

rpc_status remove_human_phone(const call_context& context, const mgmt::RemoveHumanPhoneRequest& request,
                              mgmt::RemoveHumanPhoneResponse& response) {
    return reply(context, context.services.users.remove_human_phone(context.who, {request.user_id(), context.org_header}),
                    response);
}

rpc_status resend_human_phone_verification(const call_context& context,
                                           const mgmt::ResendHumanPhoneVerificationRequest& request,
                                           mgmt::ResendHumanPhoneVerificationResponse& response) {
    return reply(
        context,
        context.services.users.resend_human_phone_verification(context.who, {request.user_id(), context.org_header}),
        response);
}
}  // namespace

void add_management_methods(std::vector<method>& table) {
    table.push_back(make_method<mgmt::GetHumanPhoneRequest, mgmt::GetHumanPhoneResponse, get_human_phone>(
        "zitadel.management.v1.ManagementService/GetHumanPhone",
        {"GET", "/management/v1/users/{user_id}/phone", false}));
    table.push_back(make_method<mgmt::UpdateHumanPhoneRequest, mgmt::UpdateHumanPhoneResponse, update_human_phone>(
        "zitadel.management.v1.ManagementService/UpdateHumanPhone",
        {"PUT", "/management/v1/users/{user_id}/phone", true}));
    table.push_back(make_method<mgmt::RemoveHumanPhoneRequest, mgmt::RemoveHumanPhoneResponse, remove_human_phone>(
        "zitadel.management.v1.ManagementService/RemoveHumanPhone",
        {"DELETE", "/management/v1/users/{user_id}/phone", false}));
    table.push_back(make_method<mgmt::ResendHumanPhoneVerificationRequest, mgmt::ResendHumanPhoneVerificationResponse,
                                resend_human_phone_verification>(
        "zitadel.management.v1.ManagementService/ResendHumanPhoneVerification",
        {"POST", "/management/v1/users/{user_id}/phone/_resend_verification", true}));
}

}  // namespace userstream::api::detail
