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

// Every error above, for documentation checks and hosts that build translation tables.
inline constexpr error_code all[] = {
    concurrency_conflict,
    invalid_text,
};

}  // namespace userstream::eventstore::errors
