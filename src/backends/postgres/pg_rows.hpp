// Turning binary-format result rows of `events2` into `stored_event`s. Binary results skip text parsing of integers
// and timestamps, which is most of the cost of replay. A row this code cannot read throws a decode_error naming it.
#pragma once

#include "pg_connection.hpp"
#include "userstream/eventstore/stored_event.hpp"

namespace userstream::backends::pg_detail {

// The column list every read selects, in the order `decode_row` expects.
inline constexpr const char* event_columns =
    "instance_id, aggregate_type, aggregate_id, event_type, \"sequence\", revision, created_at, payload, creator, "
    "\"owner\", \"position\", in_tx_order";

eventstore::stored_event decode_row(const result_set& rows, int row);

}  // namespace userstream::backends::pg_detail
