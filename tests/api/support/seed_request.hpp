// The seed's request as the generated class: v1 UpdateHumanPhone of user u1 with the body
// `{"phone": "+41 71 000 00 00", "isPhoneVerified": true}`, which many API tests send.
#pragma once

#include "zitadel/management.pb.h"

namespace userstream::api_tests {

inline zitadel::management::v1::UpdateHumanPhoneRequest seed_update_request() {
    zitadel::management::v1::UpdateHumanPhoneRequest request;
    request.set_user_id("u1");
    request.set_phone("+41 71 000 00 00");
    request.set_is_phone_verified(true);
    return request;
}

}  // namespace userstream::api_tests
