// userstream/projections/errors.hpp
//
// The business errors of the read side. Ids and i18n keys are ZITADEL's where ZITADEL answers the same question
// (internal/query/user.go for GetHumanPhone; the v1 user eventstore for a missing phone); `US-` ids are userstream's
// own. The stream-based `user::errors::user_not_found_query` (QUERY-Dfbg2) is reused for a user's object details and
// for GetUserByID (`get_user_by_id`).
#pragma once

#include "userstream/core/error.hpp"

namespace userstream::projections::errors {

using k = error_kind;

// GetHumanPhone: no such user, or the user was removed.
inline constexpr error_code phone_user_not_found{k::not_found, "QUERY-DAvb3", "Errors.User.NotFound",
                                                 "User could not be found"};
// GetHumanPhone on a machine user.
inline constexpr error_code user_not_human{k::failed_precondition, "QUERY-hliQl", "Errors.User.NotHuman",
                                           "User is not a human"};
// A human without a phone, when the caller asks for that to be an error (ZITADEL v1's PhoneByID). Current ZITADEL
// answers with an empty phone instead; `missing_phone::empty` does that.
inline constexpr error_code phone_not_found{k::not_found, "EVENT-pos9e", "Errors.User.PhoneNotFound",
                                            "Phone not found"};
// No event of the aggregate has been projected.
inline constexpr error_code object_not_found{k::not_found, "US-QUERY-objnotfound", "Errors.Object.NotFound",
                                             "Object could not be found"};
// The projection did not reach the requested position within the timeout. Retry the read as it is: the write is
// stored and the projection will get there. Kind Unavailable (gRPC UNAVAILABLE, HTTP 503), not Conflict, which would
// tell a caller to re-read and decide a command again.
inline constexpr error_code projection_behind{k::unavailable, "US-QUERY-behind", "Errors.Query.ProjectionNotUpToDate",
                                              "The projection has not yet reached the requested position; retry"};

// Every error above, for catalogue checks (docs/errors.md).
inline constexpr error_code all[] = {phone_user_not_found, user_not_human, phone_not_found, object_not_found,
                                     projection_behind};

}  // namespace userstream::projections::errors
