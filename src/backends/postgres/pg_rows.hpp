// Turning binary-format result rows of `events2` into `stored_event`s. Binary results skip text parsing of integers
// and timestamps, which is most of the cost of replay. A row this code cannot read throws a decode_error naming it.
#pragma once

#include <cstdint>

#include "postgres/connection.hpp"
#include "userstream/eventstore/stored_event.hpp"

namespace userstream::backends::pg_detail {

// A row of `events2` selected with the columns of sql::event_columns, in that order.
eventstore::stored_event decode_row(const sql::postgres::result_set& rows, int row);
// The same into an existing event, every field overwritten; replay reuses one event, so its strings keep their
// capacity from row to row.
void decode_row_into(const sql::postgres::result_set& rows, int row, eventstore::stored_event& event);
// Only the row's position, without decoding the rest; 0 when it is not a valid one (decode_row_into then throws).
std::uint64_t position_of(const sql::postgres::result_set& rows, int row) noexcept;

}  // namespace userstream::backends::pg_detail
