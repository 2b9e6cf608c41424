// The failures of the SQL layer (src/sql) that its callers tell apart from other infrastructure errors, because they
// react differently: a push that hit a primary key is a retryable conflict, and a store that failed as a whole
// (connection lost, lock wait timed out, disk error) fails every push of a group alike (backends/common).
#pragma once

#include "userstream/core/error.hpp"

namespace userstream::sql {

// A write hit a primary or unique key: another writer stored that row first.
class unique_violation : public infrastructure_error {
public:
    using infrastructure_error::infrastructure_error;
};

// The database itself failed, not one statement: the connection is gone, a lock wait timed out, the disk failed.
// Retrying the same work at once would fail the same way.
// Public as userstream::unavailable_error, so that layers above the stores (the API) can answer it as Unavailable.
class store_unavailable : public unavailable_error {
public:
    using unavailable_error::unavailable_error;
};

}  // namespace userstream::sql
