// Adds a projection of the host's own - phone changes per organisation - next to the library's read models, runs it
// on a background thread, reads one's own writes through it, and shows that a redelivered page changes nothing.
//
//   build/<dir>/examples/projections/phone_changes_example
#include <cstdio>

#include "phone_change_counter.hpp"
#include "userstream/eventstore/checkpoint_store.hpp"
#include "userstream/eventstore/memory_event_store.hpp"
#include "userstream/subscriptions/handler_projection.hpp"
#include "userstream/subscriptions/projection_runner.hpp"
#include "userstream/user/user_service.hpp"

using namespace userstream;
using namespace std::chrono_literals;

namespace {
void print(const char* when, const example::phone_change_counter& counter) {
    std::printf("%s\n", when);
    for (const auto& [org, changes] : counter.per_org()) {
        std::printf("  %s: %llu phone changes\n", org.c_str(), static_cast<unsigned long long>(changes));
    }
}
}  // namespace

int main() {
    // The write side, as any host has it.
    eventstore::memory_event_store store;
    user::key_ring keys;
    keys.add_random_key("k1");
    keys.activate("k1");
    user::grant_table_authorizer auth;
    auth.grant("admin", user::grant_table_authorizer::any_org, user::permissions::user_write);
    system_clock clock;
    uuid_generator ids;
    user::user_service users(store, auth, keys, clock, ids);
    const user::caller admin{"admin", "acme"};

    // The host's projection: its state, a checkpoint store (a file_checkpoint_store survives restarts), a runner.
    example::phone_change_counter counter;
    eventstore::memory_checkpoint_store checkpoints;
    subscriptions::handler_projection changes("phone_changes_per_org", example::phone_change_counter::filter(),
                                              checkpoints,
                                              {.on_event = [&](const eventstore::stored_event& e) { counter.apply(e); },
                                               .on_reset = [&] { counter.clear(); }});
    subscriptions::projection_runner runner(store, changes);
    runner.start();

    const auto ok = [](auto&& out) {
        if (!out) {
            std::fprintf(stderr, "command failed: %s\n", std::string(out.err().id).c_str());
            std::exit(1);
        }
        return out->position;
    };
    ok(users.add_human(admin, {"alice", "acme", "+41 71 000 00 00", true}));
    ok(users.add_human(admin, {"bob", "globex", "", false}));
    ok(users.set_phone(admin, {"alice", "+41 71 000 00 01", user::mark_verified{}}));
    ok(users.set_phone(admin, {"bob", "+41 79 123 45 67", user::return_code{}}));
    const auto last = ok(users.update_human_phone(admin, {"alice", std::nullopt, "+41 71 000 00 02", true}));

    // Read-your-writes: wait until the projection has applied the last push.
    if (!runner.wait_for(last, 5s)) return 1;
    print("after the commands:", counter);

    // At-least-once: pretend the checkpoint was lost after the handlers ran. The page is delivered again; the
    // idempotent handler ignores it.
    runner.stop();
    checkpoints.save(changes.name(), {});
    runner.catch_up();
    print("after redelivering every event:", counter);

    const auto status = runner.status();
    std::printf("checkpoint %llu of head %llu (%llu behind)\n", static_cast<unsigned long long>(status.checkpoint.value),
                static_cast<unsigned long long>(status.head.value), static_cast<unsigned long long>(status.behind));
    return 0;
}
