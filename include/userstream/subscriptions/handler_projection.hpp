// userstream/subscriptions/handler_projection.hpp
//
// A host's own projection in a few lines: a name, the event types it reads, a handler per event, and a
// `checkpoint_store` (eventstore/checkpoint_store.hpp) for where it got to. The handler's effects live wherever the
// host keeps them (memory, a cache, a search index, another service), so they cannot commit together with the
// checkpoint:
//
//   Delivery is AT-LEAST-ONCE. The checkpoint is saved after a page's handlers ran; a crash in between replays that
//   page on restart. Handlers must therefore be idempotent - e.g. remember per aggregate the last sequence applied and
//   ignore events at or below it (examples/projections shows this).
//
//     eventstore::file_checkpoint_store checkpoints("/var/lib/app/checkpoints");
//     handler_projection changes("phone_changes", filter, checkpoints,
//                                {.on_event = [&](const stored_event& e) { counts.apply(e); },
//                                 .on_reset = [&] { counts.clear(); }});
//     projection_runner runner(store, changes);
//     runner.start();
//
// Run one runner per name: the checkpoint store has no compare-and-set, so two runners of one handler projection
// would both apply every page (harmless with idempotent handlers, but wasted). Thread-safety of the handlers is the
// host's: the runner calls them from its thread, one page at a time.
#pragma once

#include <functional>
#include <string>

#include "userstream/eventstore/checkpoint_store.hpp"
#include "userstream/subscriptions/projection.hpp"

namespace userstream::subscriptions {

struct projection_handlers {
    std::function<void(const eventstore::stored_event&)> on_event;  // required; must be idempotent
    std::function<void()> on_reset;                                  // drops the effects, for a rebuild; optional
};

class handler_projection final : public projection {
public:
    handler_projection(std::string name, eventstore::global_filter filter, eventstore::checkpoint_store& checkpoints,
                       projection_handlers handlers);

    std::string name() const override { return name_; }
    eventstore::global_filter filter() const override { return filter_; }
    delivery guarantee() const noexcept override { return delivery::at_least_once; }
    eventstore::global_position checkpoint() const override;
    // Runs `on_event` for each event, then saves `through`. If a handler throws, the checkpoint stays and the page is
    // delivered again (including the events whose handlers already ran).
    bool apply(eventstore::global_position from, std::span<const eventstore::stored_event> events,
               eventstore::global_position through) override;
    void reset() override;

private:
    std::string name_;
    eventstore::global_filter filter_;
    eventstore::checkpoint_store& checkpoints_;
    projection_handlers handlers_;
};

}  // namespace userstream::subscriptions
