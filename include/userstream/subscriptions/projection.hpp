// userstream/subscriptions/projection.hpp
//
// What a projection is to the runner: a name, the slice of the global stream it reads (its declared aggregate and
// event types), a stored checkpoint, and one call that applies a page of events and moves the checkpoint. The runner
// (projection_runner.hpp) does the reading, paging, following and waiting; a projection only folds events into its
// read model, or acts on them, and stores where it got to.
//
// Delivery. The runner hands every matching event to `apply` in position order. What happens after a crash depends on
// where the checkpoint lives:
// * exactly_once  - rows and checkpoint change together (one SQL transaction, or one lock in memory), so a page is
//                   either applied with its checkpoint or not at all. The library's read models are this kind: the
//                   object details (here) and the user phones (userstream::projections).
// * at_least_once - the checkpoint is stored separately from the effects (an external system, a file): a crash
//                   between the two redelivers the page, so handlers must be idempotent (e.g. skip an event whose
//                   per-aggregate sequence is not above the one already applied). `handler_projection` (a host's
//                   own projection) and the SMS outbox (`user::sms_outbox`) are this kind.
//
// A projection does not know users: it sees stored events. Implementations must be safe to query from other threads
// while the runner applies a page.
#pragma once

#include <span>
#include <string>

#include "userstream/eventstore/event_store.hpp"

namespace userstream::subscriptions {

enum class delivery { exactly_once, at_least_once };

class projection {
public:
    virtual ~projection() = default;

    // A stable name; SQL read models key their checkpoint row by it.
    virtual std::string name() const = 0;
    // The events this projection reads. The runner passes it to `event_store::read_global` unchanged.
    virtual eventstore::global_filter filter() const = 0;
    virtual delivery guarantee() const noexcept = 0;

    // The position through which the stream has been applied (0 = nothing yet). Throws infrastructure_error if the
    // storage fails.
    virtual eventstore::global_position checkpoint() const = 0;

    // Applies `events` (matching `filter`, in position order, all after `from` and at most `through`) and moves the
    // checkpoint from `from` to `through`. Returns false, changing nothing, when the stored checkpoint is no longer
    // `from` - another runner on the same tables got there first - so the caller re-reads the checkpoint instead of
    // applying a page twice. An at-least-once projection may also return false when it cannot go on for now (the SMS
    // outbox whose lease another process holds), having moved the checkpoint past the events it handled, or not at
    // all: the runner reads on from the stored checkpoint, and if that did not move, waits for its next poll. Throws
    // infrastructure_error if the storage fails (an exactly-once projection applies nothing then; an at-least-once
    // one may have acted on some events, which come again).
    virtual bool apply(eventstore::global_position from, std::span<const eventstore::stored_event> events,
                       eventstore::global_position through) = 0;

    // Drops every row and the checkpoint, so that the next run rebuilds the read model from the first event.
    virtual void reset() = 0;
};

}  // namespace userstream::subscriptions
