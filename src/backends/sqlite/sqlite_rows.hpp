// Turning a result row of `events2` into a `stored_event`, apart from the store so that the decoding of what a damaged
// or hand-edited database could hold is testable (and fuzzed: tests/fuzz) without a store around it.
#pragma once

#include "sqlite/database.hpp"
#include "userstream/eventstore/stored_event.hpp"

namespace userstream::backends::sqlite_detail {

// Reads the current row of `row`, selected with the columns of sql::event_columns in that order, into `event`, or
// throws a decode_error naming the row (never its payload). Every column is checked for its type, so a row written
// by another tool with a NULL or a stray value cannot crash or silently default.
void decode_row_into(const sql::sqlite::statement& row, eventstore::stored_event& event);

}  // namespace userstream::backends::sqlite_detail
