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

}  // namespace userstream::eventstore::errors
