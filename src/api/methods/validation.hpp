// ZITADEL's proto validation rules (protoc-gen-validate) for the requests the API serves, checked before the command
// runs, as ZITADEL's validation interceptor does. A failure is InvalidArgument with PGV's message, e.g.
// "invalid SetPhoneRequest.Phone: value length must be between 1 and 200 runes, inclusive". Fields are checked in
// declaration order and the first failure is reported; lengths count Unicode code points ("runes").
#pragma once

#include <optional>
#include <string>

#include "zitadel/auth.pb.h"
#include "zitadel/management.pb.h"
#include "zitadel/user/v2/user_service.pb.h"

namespace userstream::api::detail {

using validation = std::optional<std::string>;

validation validate(const zitadel::management::v1::GetHumanPhoneRequest& request);
validation validate(const zitadel::management::v1::UpdateHumanPhoneRequest& request);
validation validate(const zitadel::management::v1::RemoveHumanPhoneRequest& request);
validation validate(const zitadel::management::v1::ResendHumanPhoneVerificationRequest& request);

validation validate(const zitadel::auth::v1::GetMyPhoneRequest& request);
validation validate(const zitadel::auth::v1::SetMyPhoneRequest& request);
validation validate(const zitadel::auth::v1::VerifyMyPhoneRequest& request);
validation validate(const zitadel::auth::v1::ResendMyPhoneVerificationRequest& request);
validation validate(const zitadel::auth::v1::RemoveMyPhoneRequest& request);

validation validate(const zitadel::user::v2::AddHumanUserRequest& request);
validation validate(const zitadel::user::v2::GetUserByIDRequest& request);
validation validate(const zitadel::user::v2::DeleteUserRequest& request);
validation validate(const zitadel::user::v2::SetPhoneRequest& request);
validation validate(const zitadel::user::v2::VerifyPhoneRequest& request);
validation validate(const zitadel::user::v2::ResendPhoneCodeRequest& request);
validation validate(const zitadel::user::v2::RemovePhoneRequest& request);

}  // namespace userstream::api::detail
