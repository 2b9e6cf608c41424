// Read-your-writes: a query that passes the position of its own push sees that push, without every read waiting.
#include "support/world.hpp"
#include "userstream/eventstore/memory_event_store.hpp"
#include "userstream/projections/errors.hpp"
#include "userstream/projections/user_projections.hpp"

using namespace userstream;
using namespace userstream::testing;
using namespace userstream::projections;
using namespace std::chrono_literals;
namespace pe = userstream::projections::errors;

TEST_CASE("a query that passes its command's position sees that command", "[read-your-writes]") {
    eventstore::memory_event_store store;
    world w(store);
    // A long poll interval: without read-your-writes the query would see the old number for a minute.
    user_projections read_side(store, {.poll_interval = 60s});
    read_side.start();
    REQUIRE(w.service.add_human(admin, {"u1", "o1", "+41 71 000 00 00", true}).ok());
    REQUIRE(read_side.wait_for(store.head(), 5s));

    auto out = w.service.set_phone(admin, {"u1", "+41 71 000 00 01", mark_verified{}});
    REQUIRE(out.ok());
    const auto started = std::chrono::steady_clock::now();
    auto phone = read_side.get_human_phone(w.instance(), "u1", {out->position});
    CHECK(std::chrono::steady_clock::now() - started < 10s);
    REQUIRE(phone.ok());
    CHECK(phone->phone == "+41710000001");
    CHECK(phone->is_verified);
    CHECK(phone->details == out->details);

    auto details = read_side.get_user_details(w.instance(), "u1", {out->position});
    REQUIRE(details.ok());
    CHECK(details.value() == out->details);
    read_side.stop();
}

TEST_CASE("a query without a position reads what is there and never waits", "[read-your-writes]") {
    eventstore::memory_event_store store;
    world w(store);
    user_projections read_side(store);  // not started: nothing is projected until someone asks
    auto out = w.service.add_human(admin, {"u1", "o1", "+41 71 000 00 00", true});
    REQUIRE(out.ok());
    then_rejected(read_side.get_human_phone(w.instance(), "u1"), pe::phone_user_not_found);
    auto phone = read_side.get_human_phone(w.instance(), "u1", {out->position});
    REQUIRE(phone.ok());
    CHECK(phone->phone == "+41710000000");
}

TEST_CASE("a position the projection cannot reach in time is a retryable error, not stale data",
          "[read-your-writes]") {
    eventstore::memory_event_store store;
    world w(store);
    user_projections read_side(store);
    auto out = w.service.add_human(admin, {"u1", "o1", "", false});
    REQUIRE(out.ok());
    const eventstore::global_position future{out->position.value + 5};
    auto phone = read_side.get_human_phone(w.instance(), "u1", {future, 20ms});
    then_rejected(phone, pe::projection_behind);
    CHECK(is_retryable(phone.err().kind));
    // "Retry the read", not "re-decide": the kind a caller retries as it is.
    CHECK(phone.err().kind == error_kind::unavailable);
    then_rejected(read_side.get_user_details(w.instance(), "u1", {future, 20ms}), pe::projection_behind);
}

TEST_CASE("get_user_by_id after add_human, with its position, sees the new user, past the head it is US-QUERY-behind",
          "[read-your-writes]") {
    eventstore::memory_event_store store;
    world w(store);
    user_projections read_side(store, {.poll_interval = 60s});
    read_side.start();
    add_human_request request{"u1", "o1", "", false};
    request.email = "minnie@example.com";
    request.profile = {"Minnie", "Mouse", "", "", "", 0};
    auto out = w.service.add_human(admin, request);
    REQUIRE(out.ok());
    auto user = read_side.get_user_by_id(w.instance(), "u1", {out->position});
    REQUIRE(user.ok());
    CHECK(user->username == "minnie@example.com");
    REQUIRE(user->human);
    CHECK(user->human->profile.given_name == "Minnie");
    CHECK(user->details == out->details);

    const eventstore::global_position future{out->position.value + 5};
    then_rejected(read_side.get_user_by_id(w.instance(), "u1", {future, 20ms}), pe::projection_behind);
    read_side.stop();
}

TEST_CASE("concurrent writers each read their own write", "[read-your-writes]") {
    eventstore::memory_event_store store;
    world w(store);
    user_projections read_side(store, {.poll_interval = 50ms});
    read_side.start();
    constexpr int writers = 4;
    for (int i = 0; i < writers; ++i) {
        REQUIRE(w.service.add_human(admin, {"u" + std::to_string(i), "o1", "", false}).ok());
    }
    std::vector<std::thread> threads;
    std::atomic<int> mismatches{0};
    for (int i = 0; i < writers; ++i) {
        threads.emplace_back([&, i] {
            const auto user = "u" + std::to_string(i);
            for (int n = 0; n < 20; ++n) {
                const auto number = "+4171000" + std::to_string(1000 + i * 100 + n);
                auto out = w.service.set_phone(admin, {user, number, mark_verified{}});
                if (!out) { ++mismatches; continue; }
                auto phone = read_side.get_human_phone(w.instance(), user, {out->position});
                if (!phone || phone->phone != number || !phone->is_verified) ++mismatches;
            }
        });
    }
    for (auto& t : threads) t.join();
    read_side.stop();
    CHECK(mismatches.load() == 0);
}
