// userstream/eventstore/event_store.hpp
//
// The contract every event store backend implements (memory, SQLite, PostgreSQL). It is deliberately free of
// in-memory assumptions: results are copied out, reads are paged, and nothing hands out references into the store.
//
// Guarantees every implementation gives:
// * `append` is all-or-nothing across all aggregates in the batch.
// * A stale `expected_sequence` (or a concurrent writer that got there first) yields the retryable
//   `errors::concurrency_conflict`, never a partial write.
// * Per-aggregate sequences are 1..N without gaps.
// * Positions are totally ordered, and a reader that polls `read_global` after the last position it saw never misses
//   an event that commits later with a smaller position.
//
// Implementations are safe to use from several threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "userstream/core/result.hpp"
#include "userstream/eventstore/stored_event.hpp"

namespace userstream::eventstore {

// Events for one aggregate inside a push.
struct aggregate_append {
    aggregate_key aggregate;
    std::string owner;
    // The last sequence the writer's decision was based on (0 = the aggregate must not exist yet).
    // nullopt appends after whatever is there, without a concurrency check.
    std::optional<sequence_number> expected_sequence;
    std::vector<new_event> events;
};

struct append_result {
    std::vector<stored_event> events;  // as stored, in push order
    global_position last_position;     // position of the last event of this push
};

// Which events a global read returns; an empty field matches everything.
struct global_filter {
    std::string instance_id;
    std::vector<std::string> aggregate_types;
    std::vector<std::string> event_types;

    bool matches(const stored_event& event) const;
};

// The checks every backend makes before a push touches storage: every id and event type is valid text
// (userstream/core/text.hpp), and every payload is text PostgreSQL's JSONB can hold (valid UTF-8 without NUL and
// without the escape \u0000). Returns the InvalidArgument error of the first violation.
std::optional<error> check_append(const std::vector<aggregate_append>& batch);

class event_store {
public:
    virtual ~event_store() = default;

    // Stores the batch in one transaction. Business outcomes: `errors::concurrency_conflict` (retryable);
    // `errors::invalid_text` and `errors::invalid_payload` (see `check_append`), which store nothing. A part without events writes nothing and
    // creates no stream, but its expected sequence is still checked: a way to make a push depend on the state of an
    // aggregate it does not change, as KurrentDB's empty append with an expected version does.
    // When a durable store itself fails, the push returns `errors::store_unavailable` (nothing was written; retry
    // as is) or, if the connection was lost after the COMMIT was sent, `errors::commit_outcome_unknown` (it may be
    // stored; re-read, then decide again). Other failures (a payload that is not JSON on a durable store) throw
    // infrastructure_error.
    virtual result<append_result> append(std::vector<aggregate_append> batch) = 0;

    // One aggregate's events with a sequence greater than `after`, in sequence order.
    virtual std::vector<stored_event> read_aggregate(const aggregate_key& aggregate,
                                                     sequence_number after = {}) const = 0;

    // Up to `limit` events with a position greater than `after` that match `filter`, in position order.
    // Call again with the last returned position to page on.
    virtual std::vector<stored_event> read_global(global_position after, const global_filter& filter,
                                                  std::size_t limit) const = 0;

    // The position of the newest event visible to readers (0 when empty).
    virtual global_position head() const = 0;

    // Streams the events with a position greater than `after` that match `filter` to `visit`, in position order,
    // without holding them all in memory; stops early when `visit` returns false. Returns how many were visited.
    // This is the replay path: durable backends override it to stream rows. `visit` must not call into the same
    // store, as a backend may hold a connection or lock while streaming.
    virtual std::uint64_t for_each_global(global_position after, const global_filter& filter,
                                          const std::function<bool(const stored_event&)>& visit) const {
        constexpr std::size_t page_size = 1024;
        std::uint64_t visited = 0;
        for (;;) {
            const auto page = read_global(after, filter, page_size);
            for (const auto& event : page) {
                ++visited;
                if (!visit(event)) return visited;
            }
            if (page.size() < page_size) return visited;
            after = page.back().position;
        }
    }
};

}  // namespace userstream::eventstore
