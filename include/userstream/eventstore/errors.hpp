// userstream/eventstore/errors.hpp
//
// The business errors of the event-store layer. Listed with all others in docs/errors.md.
#pragma once

#include "userstream/core/error.hpp"

namespace userstream::eventstore::errors {

// Another writer changed the aggregate after the caller read it. Re-read, decide again, retry.
inline constexpr error_code concurrency_conflict{error_kind::conflict, "EVENTSTORE-Conflict",
                                                 "Errors.Eventstore.Conflict",
                                                 "The aggregate was changed concurrently; read it again and retry"};

// An instance, aggregate type or id, owner, creator or event type that is not valid UTF-8 or holds NUL. PostgreSQL
// would cut such text at the NUL, so two different ids would name one stream.
inline constexpr error_code invalid_text{error_kind::invalid_argument, "EVENTSTORE-InvalidText",
                                         "Errors.Eventstore.InvalidText",
                                         "Ids and event types must be valid UTF-8 without NUL characters"};

// The store could not be reached, or failed before the push's COMMIT was sent (a server restart, a lost
// connection): nothing of the push was written. Retry it as it is; the store reconnects on the next push.
inline constexpr error_code store_unavailable{error_kind::unavailable, "EVENTSTORE-Unavailable",
                                              "Errors.Eventstore.Unavailable",
                                              "The event store is unavailable; nothing was stored, try again"};

// The connection was lost after the push's COMMIT was sent, before its answer came: the push may or may not be
// stored. Re-read the aggregate and decide again; a push with an expected sequence can never be stored twice.
inline constexpr error_code commit_outcome_unknown{
    error_kind::unknown, "EVENTSTORE-CommitUnknown", "Errors.Eventstore.CommitUnknown",
    "The event store lost the connection while committing; the push may or may not be stored, read it again"};

// A payload PostgreSQL cannot hold as JSONB: a NUL byte, bytes that are not UTF-8, or the escape \u0000. Every store
// refuses it before anything is written, so a stream that one store accepts can move to any other.
inline constexpr error_code invalid_payload{error_kind::invalid_argument, "EVENTSTORE-InvalidPayload",
                                            "Errors.Eventstore.InvalidPayload",
                                            "Payloads must be UTF-8 JSON without NUL characters or \\u0000"};

// Every error above, for documentation checks and hosts that build translation tables.
inline constexpr error_code all[] = {
    concurrency_conflict,
    invalid_text,
    store_unavailable,
    commit_outcome_unknown,
    invalid_payload,
};

}  // namespace userstream::eventstore::errors
