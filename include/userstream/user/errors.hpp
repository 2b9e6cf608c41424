// userstream/user/errors.hpp
//
// Every business error of the user domain, in one place. Ids and i18n keys are ZITADEL's where ZITADEL has the same
// rule, so hosts that match on them keep working; ids starting with `US-` are userstream's own, for rules ZITADEL
// leaves to its API layer or does not have. docs/errors.md lists them with their kinds and HTTP statuses.
#pragma once

#include "userstream/core/error.hpp"

namespace userstream::user::errors {

using k = error_kind;

// Phone number input (InvalidArgument).
inline constexpr error_code phone_empty{k::invalid_argument, "PHONE-Zt0NV", "Errors.User.Phone.Empty", "Phone is empty"};
inline constexpr error_code phone_invalid{k::invalid_argument, "PHONE-so0wa", "Errors.User.Phone.Invalid", "Phone is invalid"};
inline constexpr error_code phone_too_long_v1{k::invalid_argument, "US-PHONE-len50", "Errors.User.Phone.TooLong",
                                              "Phone must be at most 50 characters"};
inline constexpr error_code phone_missing_plus{k::invalid_argument, "US-PHONE-plus", "Errors.User.Phone.MissingPlus",
                                               "Phone must start with +"};
inline constexpr error_code phone_too_long_v2{k::invalid_argument, "US-PHONE-len200", "Errors.User.Phone.TooLong",
                                              "Phone must be at most 200 characters"};
inline constexpr error_code phone_not_possible{k::invalid_argument, "US-PHONE-possible", "Errors.User.Phone.NotPossible",
                                               "Phone has an impossible length for its country"};
inline constexpr error_code phone_not_valid{k::invalid_argument, "US-PHONE-valid", "Errors.User.Phone.NotValid",
                                            "Phone is not a valid number for its country"};

// Request shape (InvalidArgument).
inline constexpr error_code user_id_missing_v1{k::invalid_argument, "US-USER-idmissing", "Errors.User.UserIDMissing",
                                               "User ID is missing"};
inline constexpr error_code user_id_missing_v2{k::invalid_argument, "COMMAND-xP292j", "Errors.User.Phone.IDMissing",
                                               "User ID is missing"};
inline constexpr error_code user_id_too_long{k::invalid_argument, "US-USER-idlen200", "Errors.User.IDTooLong",
                                             "User ID must be at most 200 characters"};
inline constexpr error_code user_already_exists{k::failed_precondition, "US-USER-exists", "Errors.User.AlreadyExisting",
                                                "User already exists"};
// Any id or text field that is not valid UTF-8 or holds NUL (userstream/core/text.hpp). Checked before anything else,
// as ZITADEL's protobuf layer rejects such strings before its handlers run; the message names the field.
inline constexpr error_code text_invalid{k::invalid_argument, "US-INPUT-text", "Errors.Input.InvalidText",
                                         "Input must be valid UTF-8 without NUL characters"};
inline constexpr error_code org_id_missing{k::invalid_argument, "US-USER-orgmissing", "Errors.Org.IDMissing",
                                           "Organisation ID is missing"};

// v1 UpdateHumanPhone.
inline constexpr error_code user_not_found_v1{k::failed_precondition, "COMMAND-3M0fs", "Errors.User.NotFound",
                                              "User could not be found"};
inline constexpr error_code phone_not_changed_v1{k::failed_precondition, "COMMAND-wF94r", "Errors.User.Phone.NotChanged",
                                                 "Phone not changed"};

// v2 SetPhone (and the other v2 phone commands that share its checks).
inline constexpr error_code phone_user_not_found_v2{k::not_found, "COMMAND-ieJ2e", "Errors.User.Phone.NotFound",
                                                    "Phone not found"};
inline constexpr error_code user_not_initialised{k::failed_precondition, "COMMAND-uz0Uu", "Errors.User.NotInitialised",
                                                 "User is not yet initialised"};
inline constexpr error_code phone_not_changed_v2{k::failed_precondition, "COMMAND-Uch5e", "Errors.User.Phone.NotChanged",
                                                 "Phone not changed"};

// Verify (v1 VerifyHumanPhone / VerifyMyPhone, v2 VerifyPhone).
inline constexpr error_code verify_user_id_missing_v1{k::invalid_argument, "COMMAND-Km9ds", "Errors.User.UserIDMissing",
                                                      "User ID is missing"};
inline constexpr error_code verify_code_empty_v1{k::invalid_argument, "COMMAND-wMe9f", "Errors.User.Code.Empty",
                                                 "Code is empty"};
inline constexpr error_code verify_user_not_found_v1{k::failed_precondition, "COMMAND-Rsj8c", "Errors.User.NotFound",
                                                     "User could not be found"};
inline constexpr error_code verify_code_not_found_v1{k::not_found, "COMMAND-Rsj8c", "Errors.User.Code.NotFound",
                                                     "Code not found"};
inline constexpr error_code verify_code_invalid_v1{k::invalid_argument, "COMMAND-sM0cs", "Errors.User.Code.Invalid",
                                                   "Code is invalid"};
inline constexpr error_code verify_code_empty_v2{k::invalid_argument, "COMMAND-Fia4a", "Errors.User.Code.Empty",
                                                 "Code is empty"};
inline constexpr error_code verify_code_invalid_v2{k::invalid_argument, "COMMAND-eis9R", "Errors.User.Code.Invalid",
                                                   "Code is invalid"};

// Resend (v1 ResendHumanPhoneVerification, v2 ResendPhoneCode).
inline constexpr error_code resend_user_id_missing_v1{k::invalid_argument, "COMMAND-4M0ds", "Errors.User.UserIDMissing",
                                                      "User ID is missing"};
inline constexpr error_code resend_user_not_found_v1{k::failed_precondition, "COMMAND-2M0fs", "Errors.User.NotFound",
                                                     "User could not be found"};
inline constexpr error_code resend_phone_not_found_v1{k::not_found, "COMMAND-2b7Hf", "Errors.User.Phone.NotFound",
                                                      "Phone not found"};
inline constexpr error_code resend_already_verified_v1{k::failed_precondition, "COMMAND-2M9sf",
                                                       "Errors.User.Phone.AlreadyVerified", "Phone is already verified"};
inline constexpr error_code resend_code_empty_v2{k::failed_precondition, "PHONE-5xrra88eq8", "Errors.User.Code.Empty",
                                                 "No code was issued that could be sent again"};

// Remove (v1 RemoveHumanPhone, v2 RemovePhone).
inline constexpr error_code remove_user_id_missing_v1{k::invalid_argument, "COMMAND-6M0ds", "Errors.User.UserIDMissing",
                                                      "User ID is missing"};
inline constexpr error_code remove_user_not_found_v1{k::failed_precondition, "COMMAND-3M9fs", "Errors.User.NotFound",
                                                     "User could not be found"};
inline constexpr error_code remove_phone_not_found_v1{k::not_found, "COMMAND-p6rsc", "Errors.User.Phone.NotFound",
                                                      "Phone not found"};
inline constexpr error_code remove_phone_not_found_v2{k::failed_precondition, "COMMAND-ieJ2e",
                                                      "Errors.User.Phone.NotFound", "Phone not found"};

// Code sent (HumanPhoneVerificationCodeSent, the notification side).
inline constexpr error_code code_sent_user_id_missing{k::invalid_argument, "COMMAND-3m9Fs", "Errors.User.UserIDMissing",
                                                      "User ID is missing"};
// ZITADEL uses RemoveHumanPhone's id here too.
inline constexpr const error_code& code_sent_user_not_found = remove_user_not_found_v1;
inline constexpr error_code code_sent_phone_not_found{k::not_found, "COMMAND-66n8J", "Errors.User.Phone.NotFound",
                                                      "Phone not found"};

// User lifecycle.
inline constexpr error_code user_remove_not_found{k::not_found, "COMMAND-m9od", "Errors.User.NotFound",
                                                  "User could not be found"};

// Queries.
inline constexpr error_code user_not_found_query{k::not_found, "QUERY-Dfbg2", "Errors.User.NotFound",
                                                 "User could not be found"};

// v2 request shape: `is_verified` may only be given as true (the proto's `bool.const = true`).
inline constexpr error_code is_verified_not_true{k::invalid_argument, "US-PHONE-isverified", "Errors.User.Phone.IsVerifiedFalse",
                                                 "isVerified must be true when given"};

// Permissions.
inline constexpr error_code permission_denied_v1{k::permission_denied, "AUTH-5mWD2", "Errors.Token.Invalid",
                                                 "No matching permissions found"};
inline constexpr error_code permission_denied_v2{k::permission_denied, "AUTH-AWfge", "Errors.PermissionDenied",
                                                 "No matching permissions found"};
inline constexpr error_code unauthenticated{k::unauthenticated, "US-AUTH-anonymous", "Errors.Token.Missing",
                                            "The caller is not authenticated"};

// Every error above, for documentation checks and hosts that build translation tables.
inline constexpr error_code all[] = {
    phone_empty,
    phone_invalid,
    phone_too_long_v1,
    phone_missing_plus,
    phone_too_long_v2,
    phone_not_possible,
    phone_not_valid,
    user_id_missing_v1,
    user_id_missing_v2,
    user_id_too_long,
    user_already_exists,
    text_invalid,
    org_id_missing,
    user_not_found_v1,
    phone_not_changed_v1,
    phone_user_not_found_v2,
    user_not_initialised,
    phone_not_changed_v2,
    verify_user_id_missing_v1,
    verify_code_empty_v1,
    verify_user_not_found_v1,
    verify_code_not_found_v1,
    verify_code_invalid_v1,
    verify_code_empty_v2,
    verify_code_invalid_v2,
    resend_user_id_missing_v1,
    resend_user_not_found_v1,
    resend_phone_not_found_v1,
    resend_already_verified_v1,
    resend_code_empty_v2,
    remove_user_id_missing_v1,
    remove_user_not_found_v1,
    remove_phone_not_found_v1,
    remove_phone_not_found_v2,
    code_sent_user_id_missing,
    code_sent_phone_not_found,
    user_remove_not_found,
    user_not_found_query,
    is_verified_not_true,
    permission_denied_v1,
    permission_denied_v2,
    unauthenticated,
};

}  // namespace userstream::user::errors
