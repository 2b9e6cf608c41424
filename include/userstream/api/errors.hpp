// userstream/api/errors.hpp
//
// The errors the API layer adds to the library's own (which it passes through unchanged). Protocol errors (an unknown
// path, a malformed body, a failed proto validation rule) carry no id: ZITADEL sends those without an ErrorDetail.
#pragma once

#include "userstream/core/error.hpp"

namespace userstream::api::errors {

using k = error_kind;

// No `Authorization: Bearer <token>` header (or metadata).
inline constexpr error_code token_missing{k::unauthenticated, "US-API-token-missing", "Errors.Token.Missing",
                                          "Authorization header missing or not a bearer token"};
// A bearer token the authenticator does not know.
inline constexpr error_code token_invalid{k::unauthenticated, "US-API-token-invalid", "Errors.Token.Invalid",
                                          "Token is not valid"};
// AddHumanUser with `organization.orgDomain`: userstream has no organisation domains; pass `orgId`.
inline constexpr error_code org_domain_unsupported{k::invalid_argument, "US-API-org-domain",
                                                   "Errors.Org.Domain.Unsupported",
                                                   "Organisation domains are not supported; use orgId"};
// Anything that failed inside: the client gets this, the host's log hook gets the detail.
inline constexpr error_code internal{k::internal, "US-API-internal", "Errors.Internal", "Internal error"};

// Every error above, for catalogue checks (docs/errors.md).
inline constexpr error_code all[] = {token_missing, token_invalid, org_domain_unsupported, internal};

}  // namespace userstream::api::errors
