// Turning a command's outcome into a reply: an error becomes its status; a success records the position written
// (for read-your-writes) and fills the response's `details` the way the response's API version expects.
#pragma once

#include "methods/method_table.hpp"
#include "methods/object_details.hpp"
#include "wire/status_mapping.hpp"

namespace userstream::api::detail {

// v1 change responses: sequence, change date, resource owner.
template <class Response>
rpc_status reply_v1(const call_context& context, const result<user::command_outcome>& outcome, Response& response) {
    if (!outcome) return status_of(outcome.err());
    context.services.wrote(outcome->position);
    set_change_details(*response.mutable_details(), outcome->details);
    return {};
}

// v2 responses: zitadel.object.v2.Details.
template <class Response>
rpc_status reply_v2(const call_context& context, const result<user::command_outcome>& outcome, Response& response) {
    if (!outcome) return status_of(outcome.err());
    context.services.wrote(outcome->position);
    set_details(*response.mutable_details(), outcome->details);
    return {};
}

}  // namespace userstream::api::detail
