// Turning an outcome into a reply: an error becomes its status; a command's success records the position written
// (for read-your-writes) and fills the response's `details` in the form of the response's API version (the
// `set_details` overloads of object_details.hpp); a phone read fills v1's `details` and `phone`.
#pragma once

#include "methods/method_table.hpp"
#include "methods/object_details.hpp"
#include "userstream/projections/user_queries.hpp"
#include "wire/status_mapping.hpp"

namespace userstream::api::detail {

template <class Response>
rpc_status reply(const call_context& context, const result<user::command_outcome>& outcome, Response& response) {
    if (!outcome) return status_of(outcome.err());
    context.services.wrote(outcome->position);
    set_details(*response.mutable_details(), outcome->details);
    return {};
}

// v2 SetPhone and ResendPhoneCode: as `reply`, and the plain code when `return_code` asked for it.
template <class Response>
rpc_status reply_with_code(const call_context& context, const result<user::command_outcome>& outcome,
                           Response& response) {
    auto status = reply(context, outcome, response);
    if (status.ok() && outcome->verification_code) response.set_verification_code(*outcome->verification_code);
    return status;
}

// v1 GetHumanPhone and GetMyPhone: the phone with the user's details, creation date included.
template <class Response>
rpc_status reply_phone(const result<projections::human_phone>& phone, Response& response) {
    if (!phone) return status_of(phone.err());
    set_view_details(*response.mutable_details(), phone->details);
    response.mutable_phone()->set_phone(phone->phone);
    response.mutable_phone()->set_is_phone_verified(phone->is_verified);
    return {};
}

}  // namespace userstream::api::detail
