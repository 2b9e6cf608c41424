// The write path shared by the durable backends. A backend supplies the few primitives of one push transaction
// (begin under the writers' lock, read current sequences, insert rows, commit, roll back); `commit_group` turns a group
// of queued pushes into one transaction on top of them:
//
// * every push is checked against its expected sequences in queue order, so a stale push is rejected alone while its
//   neighbours go through;
// * positions are assigned inside the writers' lock, from the last committed position, so commit order equals
//   position order and a rolled-back transaction leaves no gap;
// * if the group transaction fails (a unique violation from a writer that does not take our lock, a payload the
//   database rejects), each push is retried in a transaction of its own, so one bad push cannot fail the others, and
//   a primary-key collision becomes the retryable conflict, never a generic error;
// * if the store itself fails, every push of the group gets EVENTSTORE-Unavailable (nothing was written) or, when
//   the failure came after the COMMIT was sent, EVENTSTORE-CommitUnknown; such pushes are never retried here.
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "group_commit.hpp"
#include "sql_errors.hpp"
#include "userstream/eventstore/errors.hpp"

namespace userstream::backends::detail {

// Thrown by the SQL layer (src/sql/sql_errors.hpp): an insert that hits the primary key (another writer stored that
// sequence first) becomes the retryable conflict; a failure of the store itself (connection lost, lock wait timed
// out, disk error) is not retried push by push, because a retry would fail the same way, and each push of the group
// returns EVENTSTORE-Unavailable.
using sql::store_unavailable;
using sql::unique_violation;

// A store failure out of `push_transaction::commit`: the COMMIT may have landed, so each push of the group returns
// EVENTSTORE-CommitUnknown, and retrying it here could store it twice.
class commit_outcome_unknown : public store_unavailable {
public:
    using store_unavailable::store_unavailable;
};

using sequence_map = std::unordered_map<eventstore::aggregate_key, std::uint64_t, eventstore::aggregate_key_hash>;

class push_transaction {
public:
    virtual ~push_transaction() = default;
    // Opens the transaction, takes the writers' lock, sets each key of `sequences` to that aggregate's current
    // (highest) sequence (absent aggregates stay 0), and returns the last committed position. One call, so a
    // networked backend can do it in one round trip.
    virtual std::uint64_t begin(sequence_map& sequences) = 0;
    // Stores the rows; a backend may defer errors to `commit`.
    virtual void insert(std::span<const eventstore::stored_event> events) = 0;
    virtual void commit() = 0;
    // Must not throw; a no-op when no transaction is open.
    virtual void rollback() noexcept = 0;
};

namespace push_detail {

// The rows of a group, in position order, and which of them each push owns. Each row is built once: the rows go to
// the database, then move into their pushes' results once the group has committed.
struct plan {
    struct rows_of_push {
        bool accepted = false;  // false = conflict
        std::size_t first = 0, count = 0;
        std::uint64_t last_position = 0;  // the group's last position after this push's rows
    };
    std::vector<rows_of_push> pushes;
    std::vector<eventstore::stored_event> rows;
};

inline plan make_plan(std::span<pending_push* const> group, sequence_map& sequences, std::uint64_t last_position) {
    plan out;
    out.pushes.reserve(group.size());
    std::size_t events = 0;
    for (const auto* push : group) {
        for (const auto& part : push->batch) events += part.events.size();
    }
    out.rows.reserve(events);
    for (const auto* push : group) {
        bool stale = false;
        for (const auto& part : push->batch) {
            if (part.expected_sequence && part.expected_sequence->value != sequences[part.aggregate]) stale = true;
        }
        if (stale) {
            out.pushes.push_back({});
            continue;
        }
        const std::size_t first = out.rows.size();
        std::uint32_t in_tx_order = 0;
        for (const auto& part : push->batch) {
            auto& sequence = sequences[part.aggregate];  // shared by repeated parts of one aggregate
            for (const auto& event : part.events) {
                out.rows.push_back(eventstore::stored_event{part.aggregate, part.owner, event.creator,
                                                            eventstore::sequence_number{++sequence},
                                                            eventstore::global_position{++last_position},
                                                            in_tx_order++, event.created_at, event.revision,
                                                            event.event_type, event.payload});
            }
        }
        out.pushes.push_back({true, first, out.rows.size() - first, last_position});
    }
    return out;
}

// A committed push's result: its rows, moved out of the plan.
inline eventstore::append_result take_result(plan& planned, const plan::rows_of_push& mine) {
    eventstore::append_result result;
    result.events.reserve(mine.count);
    for (std::size_t i = mine.first; i < mine.first + mine.count; ++i) {
        result.events.push_back(std::move(planned.rows[i]));
    }
    result.last_position = eventstore::global_position{mine.last_position};
    return result;
}

inline void commit_together(std::span<pending_push* const> group, push_transaction& tx) {
    sequence_map sequences;
    for (const auto* push : group) {
        for (const auto& part : push->batch) sequences.emplace(part.aggregate, 0);
    }
    const std::uint64_t last_position = tx.begin(sequences);
    auto planned = make_plan(group, sequences, last_position);
    if (!planned.rows.empty()) tx.insert(planned.rows);
    try {
        tx.commit();
    } catch (const store_unavailable& lost) {
        throw commit_outcome_unknown(lost.what());
    }
    for (std::size_t i = 0; i < group.size(); ++i) {
        if (planned.pushes[i].accepted) {
            group[i]->outcome.emplace(take_result(planned, planned.pushes[i]));
        } else {
            group[i]->outcome.emplace(eventstore::errors::concurrency_conflict);
        }
    }
}

// What a push whose store failed returns: nothing was written, or the outcome of its COMMIT is unknown.
inline error store_failure_outcome(const store_unavailable& failure) {
    if (dynamic_cast<const commit_outcome_unknown*>(&failure) != nullptr) {
        return error(eventstore::errors::commit_outcome_unknown);
    }
    return error(eventstore::errors::store_unavailable);
}

inline void settle_failure(pending_push& push, std::exception_ptr failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const unique_violation&) {
        push.outcome.emplace(eventstore::errors::concurrency_conflict);
    } catch (const store_unavailable& lost) {
        push.outcome.emplace(store_failure_outcome(lost));
    } catch (...) {
        push.failure = failure;
    }
}

}  // namespace push_detail

inline void commit_group(std::span<pending_push* const> group, push_transaction& tx) {
    try {
        push_detail::commit_together(group, tx);
        return;
    } catch (const store_unavailable& lost) {
        tx.rollback();
        for (auto* push : group) push->outcome.emplace(push_detail::store_failure_outcome(lost));
        return;
    } catch (...) {
        tx.rollback();
        if (group.size() == 1) {
            push_detail::settle_failure(*group.front(), std::current_exception());
            return;
        }
    }
    for (auto* push : group) {
        try {
            push_detail::commit_together(std::span<pending_push* const>(&push, 1), tx);
        } catch (...) {
            tx.rollback();
            push_detail::settle_failure(*push, std::current_exception());
        }
    }
}

}  // namespace userstream::backends::detail
