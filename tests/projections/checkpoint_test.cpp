// Where a projection's checkpoint stands after a page, on every read model: it is the position the runner says the
// page reaches (`through`), not the last event the projection read, and a page that does not start at the stored
// checkpoint is refused, so no event is handled twice.
#include <string>
#include <vector>

#include "support/backends.hpp"
#include "support/world.hpp"
#include "userstream/eventstore/checkpoint_store.hpp"
#include "userstream/eventstore/memory_event_store.hpp"
#include "userstream/subscriptions/handler_projection.hpp"
#include "userstream/subscriptions/memory_object_details.hpp"
#include "userstream/subscriptions/projection_runner.hpp"

using namespace userstream;
using namespace userstream::testing;
using namespace userstream::subscriptions;

namespace {

projection_backend make_backend(const std::string& name) {
#ifdef USERSTREAM_PROJECTION_SQL_TESTS
    if (name == "sqlite") return make_sqlite_backend();
    if (name == "postgres") return make_postgres_backend();
#endif
    return make_memory_backend();
}

std::vector<std::string> backend_names() {
#ifdef USERSTREAM_PROJECTION_SQL_TESTS
    return {"memory", "sqlite", "postgres"};
#else
    return {"memory"};
#endif
}

// Given: events of an aggregate type the user-phone projection does not read (an organisation's), appended after the
// users' events, as another feature of the host would store them.
eventstore::global_position given_other_aggregate_events(world& w, int count) {
    std::vector<eventstore::new_event> events;
    for (int i = 0; i < count; ++i) events.push_back({"org.changed", R"({"name":"acme"})", 1, "admin", w.clock.now()});
    auto out = w.store.append({{{w.instance(), "org", "o1"}, "o1", std::nullopt, std::move(events)}});
    REQUIRE(out.ok());
    return out->last_position;
}

}  // namespace

TEST_CASE("a read model's stored checkpoint reaches the head when the last events are outside its filter, and stays "
          "there after a restart",
          "[checkpoint]") {
    const auto which = GENERATE_COPY(from_range(backend_names()));
    INFO(which);
    auto b = make_backend(which);
    world w(*b.store);
    w.given("u1", "o1", {human_added{}, phone_changed{stored_phone("+41710000000")}});
    const auto last_user_event = w.given("u2", "o1", {human_added{}});
    const auto head = given_other_aggregate_events(w, 3);
    REQUIRE(head > last_user_event);

    {
        projection_runner runner(*b.store, *b.phones, {.page_size = 100});
        CHECK(runner.catch_up() == 3);
    }
    CHECK(b.phones->checkpoint() == head);

    b.reopen();  // a restarted host (memory read models live on in the same object)
    CHECK(b.phones->checkpoint() == head);
    projection_runner restarted(*b.store, *b.phones, {.page_size = 100});
    CHECK(restarted.catch_up() == 0);
    CHECK(restarted.status().behind == 0);
    CHECK(b.phones->checkpoint() == head);
}

TEST_CASE("an object details read model limited to some aggregate types still reaches the head", "[checkpoint]") {
    eventstore::memory_event_store store;
    world w(store);
    w.given("u1", "o1", {human_added{}});
    const auto head = given_other_aggregate_events(w, 2);
    memory_object_details users_only({"user"});
    projection_runner runner(store, users_only, {.page_size = 100});
    CHECK(runner.catch_up() == 1);
    CHECK(users_only.checkpoint() == head);
}

TEST_CASE("a read model refuses a page that does not start at its stored checkpoint, so nothing is applied twice",
          "[checkpoint]") {
    const auto which = GENERATE_COPY(from_range(backend_names()));
    INFO(which);
    auto b = make_backend(which);
    world w(*b.store);
    w.given("u1", "o1", {human_added{}, phone_changed{stored_phone("+41710000000")}});
    const auto head = w.given("u2", "o1", {human_added{}});
    const auto events = b.store->read_global({}, {}, 100);
    REQUIRE(events.size() == 3);
    const auto first_two = std::span(events).first(2);

    // Given both read models at the second event,
    REQUIRE(b.phones->apply({}, first_two, events[1].position));
    REQUIRE(b.details->apply({}, first_two, events[1].position));
    // when the same page comes again from the start (a second runner, a stale one), it is refused and changes nothing;
    CHECK_FALSE(b.phones->apply({}, events, head));
    CHECK_FALSE(b.details->apply({}, events, head));
    CHECK(b.phones->checkpoint() == events[1].position);
    CHECK(b.details->checkpoint() == events[1].position);
    CHECK_FALSE(b.phones->find(w.instance(), "u2"));
    CHECK_FALSE(b.details->find({w.instance(), "user", "u2"}));
    // then the page from the checkpoint on is applied.
    CHECK(b.phones->apply(events[1].position, std::span(events).subspan(2), head));
    CHECK(b.details->apply(events[1].position, std::span(events).subspan(2), head));
    CHECK(b.phones->find(w.instance(), "u2"));
    CHECK(b.details->find({w.instance(), "user", "u2"}));
    CHECK(b.details->find({w.instance(), "user", "u1"})->sequence.value == 2);
}

TEST_CASE("a handler projection refuses a page that does not start at its stored checkpoint, so each event is "
          "handled once",
          "[checkpoint][handler]") {
    eventstore::memory_event_store store;
    world w(store);
    w.given("u1", "o1", {human_added{}, phone_changed{stored_phone("+41710000000")}});
    const auto head = w.given("u2", "o1", {human_added{}});
    const auto events = store.read_global({}, {}, 100);
    REQUIRE(events.size() == 3);

    eventstore::memory_checkpoint_store checkpoints;
    std::vector<std::uint64_t> handled;
    handler_projection counted("counted", {}, checkpoints,
                               {.on_event = [&](const stored_event& e) { handled.push_back(e.position.value); },
                                .on_reset = {}});

    // Given the first two events handled and the checkpoint saved after them,
    REQUIRE(counted.apply({}, std::span(events).first(2), events[1].position));
    REQUIRE(handled == std::vector<std::uint64_t>{events[0].position.value, events[1].position.value});
    // when a page arrives that starts before the checkpoint (a second runner, or a stale one), it is refused: no
    // handler runs and the checkpoint stays;
    CHECK_FALSE(counted.apply({}, events, head));
    CHECK(handled.size() == 2);
    CHECK(checkpoints.load("counted") == events[1].position);
    // and a page that starts after the checkpoint (it would skip an event) is refused too;
    CHECK_FALSE(counted.apply(head, {}, head));
    CHECK(checkpoints.load("counted") == events[1].position);
    // then the page from the checkpoint on is handled, each event once.
    CHECK(counted.apply(events[1].position, std::span(events).subspan(2), head));
    CHECK(handled ==
          std::vector<std::uint64_t>{events[0].position.value, events[1].position.value, events[2].position.value});
    CHECK(counted.checkpoint() == head);
}
