// userstream/user/commands.hpp
//
// The requests a host sends to `user_service`, one struct per command, named after ZITADEL's API methods.
// Fields are raw input: validation and normalisation happen in the service, in ZITADEL's order.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "userstream/user/human_profile.hpp"

namespace userstream::user {

// v1 management `UpdateHumanPhone` (PUT /management/v1/users/{user_id}/phone).
struct update_human_phone_request {
    std::string user_id;
    std::optional<std::string> org_id;  // the `x-zitadel-orgid` header; absent = the caller's own organisation
    std::string phone;
    bool is_phone_verified = false;
};

// v2 `SetPhone` verification choice: exactly one of these (the proto's oneof). Default: send a code by SMS.
struct send_code {};
struct return_code {};  // the plain code comes back in the response and no SMS is sent
struct mark_verified {};  // `is_verified: true`
using phone_verification = std::variant<send_code, return_code, mark_verified>;

// v2 `SetPhone` (POST /v2/users/{user_id}/phone).
struct set_phone_request {
    std::string user_id;
    std::string phone;
    phone_verification verification = send_code{};
};

// v1 VerifyHumanPhone.
struct verify_human_phone_request {
    std::string user_id;
    std::optional<std::string> org_id;  // as in update_human_phone_request
    std::string code;
};

// v2 VerifyPhone.
struct verify_phone_request {
    std::string user_id;
    std::string code;
};

// v1 ResendHumanPhoneVerification.
struct resend_human_phone_verification_request {
    std::string user_id;
    std::optional<std::string> org_id;
};

// v2 ResendPhoneCode: send a new code by SMS (default) or return it.
using code_delivery = std::variant<send_code, return_code>;
struct resend_phone_code_request {
    std::string user_id;
    code_delivery delivery = send_code{};
};

// v1 RemoveHumanPhone.
struct remove_human_phone_request {
    std::string user_id;
    std::optional<std::string> org_id;
};

// v2 RemovePhone.
struct remove_phone_request {
    std::string user_id;
};

// HumanPhoneVerificationCodeSent. `generator_id`/`verification_id` both empty: payload `{}`.
struct phone_code_sent_request {
    std::string user_id;
    std::optional<std::string> org_id;
    std::string generator_id;
    std::string verification_id;
};

// Creates a human user in `org_id`, optionally with a phone (normalised like v2 input): v2 `AddHumanUser`. The first
// four fields are what the phone domain needs; the rest is stored for the read side. Names and email are stored as
// given: their lengths are checked by the API layer, as ZITADEL's proto rules do, not here. Every later field has an
// initialiser, so `{"u1", "o1", "", false}` stays a complete initialiser (-Wmissing-field-initializers).
struct add_human_request {
    std::string user_id;  // empty: generated
    std::string org_id;
    std::string phone;    // empty: no phone
    bool is_phone_verified = false;
    // v2 `returnCode` for the phone: the plain code comes back in command_outcome::verification_code and no SMS is
    // sent. Ignored when there is no phone or it is verified.
    bool return_phone_code = false;
    // Empty: the email address, as ZITADEL's AddHumanUser does. Without an email too, the payload has no userName and
    // readers use the user id (docs/events.md).
    std::string username{};
    human_profile profile{};
    std::string email{};             // empty: no email
    // Stored as `user.human.email.verified` right after `user.human.added`. Email verification codes are out of
    // scope: an unverified email gets no code, whatever v2's `sendCode` or `returnCode` asked.
    bool is_email_verified = false;
};

// Creates a machine user in `org_id`: v1 AddMachineUser / v2 AddUser's machine fields.
struct add_machine_request {
    std::string user_id;  // empty: generated
    std::string org_id;
    std::string username{};  // empty: no userName in the payload; readers use the user id
    std::string name{};
    std::string description{};
};

// Removes a user. `org_id`, when given, must be the user's organisation.
struct remove_user_request {
    std::string user_id;
    std::optional<std::string> org_id;
};

}  // namespace userstream::user
