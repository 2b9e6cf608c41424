// The projection runner: paging, checkpoints, following new events on a background thread, lag, stop and resume.
#include <atomic>
#include <functional>
#include <set>
#include <stdexcept>
#include <thread>

#include "support/forwarding_store.hpp"
#include "support/world.hpp"
#include "userstream/eventstore/memory_event_store.hpp"
#include "userstream/eventstore/checkpoint_store.hpp"
#include "userstream/projections/memory_read_models.hpp"
#include "userstream/subscriptions/handler_projection.hpp"
#include "userstream/subscriptions/projection_runner.hpp"

using namespace userstream;
using namespace userstream::testing;
using namespace userstream::projections;
using namespace userstream::subscriptions;
using namespace std::chrono_literals;

namespace {

// Records every position it is given, so a test can prove that nothing was missed or applied twice.
class recording_projection final : public projection {
public:
    explicit recording_projection(eventstore::global_filter filter = {}) : filter_(std::move(filter)) {}
    std::string name() const override { return "recording"; }
    eventstore::global_filter filter() const override { return filter_; }
    delivery guarantee() const noexcept override { return delivery::exactly_once; }
    eventstore::global_position checkpoint() const override {
        std::lock_guard lock(mutex_);
        return checkpoint_;
    }
    bool apply(eventstore::global_position from, std::span<const eventstore::stored_event> events,
               eventstore::global_position through) override {
        std::lock_guard lock(mutex_);
        if (from != checkpoint_) return false;
        for (const auto& e : events) seen_.push_back(e.position.value);
        largest_page_ = std::max(largest_page_, events.size());
        ++pages_;
        checkpoint_ = through;
        return true;
    }
    void reset() override {
        std::lock_guard lock(mutex_);
        seen_.clear();
        checkpoint_ = {};
    }
    std::vector<std::uint64_t> seen() const {
        std::lock_guard lock(mutex_);
        return seen_;
    }
    std::size_t largest_page() const { return largest_page_; }
    std::size_t pages() const { return pages_; }

private:
    eventstore::global_filter filter_;
    mutable std::mutex mutex_;
    std::vector<std::uint64_t> seen_;
    eventstore::global_position checkpoint_;
    std::size_t largest_page_ = 0;
    std::size_t pages_ = 0;
};

void push_users(world& w, int from, int to) {
    for (int i = from; i < to; ++i) {
        w.given("u" + std::to_string(i), "o1", {human_added{}, phone_changed{stored_phone("+41710000000")}});
    }
}

// A store whose reads fail on demand, to simulate a database that goes away.
class flaky_store final : public forwarding_store {
public:
    using forwarding_store::forwarding_store;
    std::vector<eventstore::stored_event> read_global(eventstore::global_position after,
                                                      const eventstore::global_filter& filter,
                                                      std::size_t limit) const override {
        if (failing.load()) throw infrastructure_error("database unreachable");
        return inner_.read_global(after, filter, limit);
    }
    std::atomic<bool> failing{false};
};

}  // namespace

TEST_CASE("catch-up reads the log in pages and never more than a page at a time", "[runner]") {
    eventstore::memory_event_store store;
    world w(store);
    push_users(w, 0, 100);  // 200 events
    recording_projection target;
    projection_runner runner(store, target, {.page_size = 16});

    CHECK(runner.catch_up() == 200);
    CHECK(target.seen() == positions_in(store, {}));
    CHECK(target.largest_page() == 16);
    CHECK(target.pages() == 13);  // 12 full pages and one of 8
    CHECK(runner.status().behind == 0);
    CHECK(runner.catch_up() == 0);  // nothing new: nothing applied again
}

TEST_CASE("a filtered projection sees only its types, and its checkpoint still reaches the head", "[runner]") {
    eventstore::memory_event_store store;
    world w(store);
    eventstore::global_filter only_changes;
    only_changes.event_types = {std::string(event_types::phone_changed)};
    recording_projection target(only_changes);
    projection_runner runner(store, target, {.page_size = 4});

    push_users(w, 0, 10);
    // The newest events are not of its type.
    const auto last = w.given("u0", "o1", {phone_verified{}, phone_removed{}});
    runner.catch_up();
    CHECK(target.seen() == positions_in(store, only_changes));
    CHECK(target.seen().size() == 10);
    CHECK(runner.checkpoint() == last);
    CHECK(runner.status().behind == 0);
    CHECK(runner.wait_for(last, 0ms));
}

TEST_CASE("the background runner follows new events and reports its lag", "[runner]") {
    eventstore::memory_event_store store;
    world w(store);
    push_users(w, 0, 5);
    recording_projection target;
    projection_runner runner(store, target, {.page_size = 3, .poll_interval = 5ms});

    const auto before = runner.status();
    CHECK(before.checkpoint.value == 0);
    CHECK(before.head.value == 10);
    CHECK(before.behind == 10);
    CHECK_FALSE(before.running);

    runner.start();
    CHECK(runner.running());
    const auto last = w.given("late", "o1", {human_added{}});
    REQUIRE(runner.wait_for(last, 5s));
    const auto after = runner.status();
    CHECK(after.checkpoint == last);
    CHECK(after.behind == 0);
    CHECK(after.applied == 11);
    CHECK(after.running);
    runner.stop();
    CHECK_FALSE(runner.running());
    CHECK(target.seen() == positions_in(store, {}));
}

TEST_CASE("a stopped runner resumes from its checkpoint: no event missed, none applied twice", "[runner]") {
    eventstore::memory_event_store store;
    world w(store);
    recording_projection target;  // the checkpoint lives with the rows, as in every read model
    {
        projection_runner first(store, target, {.page_size = 7, .poll_interval = 1ms});
        first.start();
        // Writers keep pushing while the runner follows, then the host stops it mid-stream.
        push_users(w, 0, 40);
        REQUIRE(first.wait_for(eventstore::global_position{30}, 5s));
        first.stop();
        push_users(w, 40, 60);
    }
    CHECK(target.checkpoint().value > 0);
    CHECK(target.checkpoint() < store.head());

    // A new runner (a restarted host) continues where the read model's checkpoint says.
    projection_runner second(store, target, {.page_size = 7, .poll_interval = 1ms});
    second.start();
    REQUIRE(second.wait_for(store.head(), 5s));
    second.stop();

    const auto seen = target.seen();
    CHECK(seen == positions_in(store, {}));
    CHECK(std::set<std::uint64_t>(seen.begin(), seen.end()).size() == seen.size());
}

TEST_CASE("two runners on the same read model never apply a page twice", "[runner]") {
    eventstore::memory_event_store store;
    world w(store);
    push_users(w, 0, 200);
    recording_projection target;
    projection_runner a(store, target, {.page_size = 5, .poll_interval = 1ms});
    projection_runner b(store, target, {.page_size = 5, .poll_interval = 1ms});
    a.start();
    b.start();
    REQUIRE(a.wait_for(store.head(), 5s));
    REQUIRE(b.wait_for(store.head(), 5s));
    a.stop();
    b.stop();
    CHECK(target.seen() == positions_in(store, {}));
}

TEST_CASE("a failing store is retried from the same checkpoint and the error is reported", "[runner]") {
    eventstore::memory_event_store inner;
    flaky_store store(inner);
    world w(store);
    push_users(w, 0, 3);
    recording_projection target;
    projection_runner runner(store, target, {.page_size = 2, .poll_interval = 1ms, .max_backoff = 4ms});

    store.failing = true;
    runner.start();
    CHECK_FALSE(runner.wait_for(store.head(), 50ms));
    const auto failed = runner.status();
    REQUIRE(failed.last_error);
    CHECK(*failed.last_error == "database unreachable");
    CHECK(failed.checkpoint.value == 0);

    store.failing = false;
    REQUIRE(runner.wait_for(store.head(), 5s));
    runner.stop();
    CHECK_FALSE(runner.status().last_error);
    CHECK(target.seen() == positions_in(inner, {}));
}

TEST_CASE("direct calls let a store failure through", "[runner]") {
    eventstore::memory_event_store inner;
    flaky_store store(inner);
    world w(store);
    push_users(w, 0, 1);
    recording_projection target;
    projection_runner runner(store, target);
    store.failing = true;
    CHECK_THROWS_AS(runner.catch_up(), infrastructure_error);
    store.failing = false;
    CHECK(runner.catch_up() == 2);
}

TEST_CASE("rebuild drops the read model and applies the log again", "[runner][rebuild]") {
    eventstore::memory_event_store store;
    world w(store);
    push_users(w, 0, 30);
    memory_user_phones phones;
    projection_runner runner(store, phones, {.page_size = 8});
    runner.catch_up();
    const auto incremental = phones.rows();
    REQUIRE(incremental.size() == 30);

    CHECK(runner.rebuild() == 60);
    CHECK(phones.rows() == incremental);
    CHECK(runner.checkpoint() == store.head());
}

TEST_CASE("wait_for on a stopped runner applies pages on the caller's thread", "[runner][read-your-writes]") {
    eventstore::memory_event_store store;
    world w(store);
    recording_projection target;
    projection_runner runner(store, target, {.page_size = 2, .poll_interval = 1ms});
    const auto pos = w.given("u1", "o1", {human_added{}, phone_verified{}, phone_removed{}});
    CHECK(runner.wait_for(pos, 1s));
    CHECK(target.seen().size() == 3);
    // A position that no push has reached yet times out.
    const auto started = std::chrono::steady_clock::now();
    CHECK_FALSE(runner.wait_for(eventstore::global_position{pos.value + 1}, 30ms));
    CHECK(std::chrono::steady_clock::now() - started >= 30ms);
}

TEST_CASE("a handler projection redelivers a page whose handler failed, and saves its checkpoint after the handlers",
          "[runner][at-least-once]") {
    eventstore::memory_event_store store;
    world w(store);
    push_users(w, 0, 3);  // 6 events
    eventstore::memory_checkpoint_store checkpoints;
    std::vector<std::uint64_t> handled;
    bool fail_once = true;
    handler_projection target("counting", {}, checkpoints,
                              {.on_event =
                                   [&](const eventstore::stored_event& e) {
                                       handled.push_back(e.position.value);
                                       if (e.position.value == 4 && fail_once) {
                                           fail_once = false;
                                           throw std::runtime_error("downstream unavailable");
                                       }
                                   },
                               .on_reset = [&] { handled.clear(); }});
    CHECK(target.guarantee() == delivery::at_least_once);
    projection_runner runner(store, target, {.page_size = 4});

    CHECK_THROWS_AS(runner.catch_up(), std::runtime_error);
    CHECK(checkpoints.load("counting").value == 0);  // the failed page's checkpoint was not saved
    runner.catch_up();
    CHECK(checkpoints.load("counting") == store.head());
    // Events 1-4 were handled twice: at least once, never skipped.
    CHECK(handled == std::vector<std::uint64_t>{1, 2, 3, 4, 1, 2, 3, 4, 5, 6});

    runner.rebuild();
    CHECK(handled == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6});
}

namespace {

// A projection whose pages fail on demand with an exception of the test's choosing.
class failing_projection final : public projection {
public:
    std::string name() const override { return "failing"; }
    eventstore::global_filter filter() const override { return {}; }
    delivery guarantee() const noexcept override { return delivery::at_least_once; }
    eventstore::global_position checkpoint() const override { return eventstore::global_position{checkpoint_.load()}; }
    bool apply(eventstore::global_position from, std::span<const eventstore::stored_event>,
               eventstore::global_position through) override {
        if (fail) fail();
        if (from.value != checkpoint_.load()) return false;
        checkpoint_.store(through.value);
        return true;
    }
    void reset() override { checkpoint_.store(0); }
    std::function<void()> fail;  // set before the runner starts; throws whatever the test wants

private:
    std::atomic<std::uint64_t> checkpoint_{0};
};

// Waits (a bounded time) until `done` holds.
template <class Done>
bool eventually(Done done) {
    for (int i = 0; i < 500; ++i) {
        if (done()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return done();
}

}  // namespace

TEST_CASE("start and stop called concurrently from many threads leave at most one background thread, and stop returns",
          "[runner][threads]") {
    eventstore::memory_event_store store;
    world w(store);
    recording_projection target;
    projection_runner runner(store, target, {.page_size = 3, .poll_interval = 1ms});
    std::atomic<bool> go{false};
    std::vector<std::thread> callers;
    for (int t = 0; t < 6; ++t) {
        callers.emplace_back([&, t] {
            while (!go.load()) std::this_thread::yield();
            for (int i = 0; i < 200; ++i) {
                if ((i + t) % 2 == 0) {
                    runner.start();
                } else {
                    runner.stop();
                }
            }
        });
    }
    go.store(true);
    for (auto& caller : callers) caller.join();
    runner.stop();
    CHECK_FALSE(runner.running());

    // One start still follows the stream, and one stop ends it: no thread was left running unjoined.
    runner.start();
    push_users(w, 0, 5);
    REQUIRE(runner.wait_for(store.head(), 5s));
    runner.stop();
    CHECK_FALSE(runner.activity().running);
    CHECK(target.seen() == positions_in(store, {}));
}

TEST_CASE("a background failure is counted and reported, a caught-up runner counts its rounds, and a success clears "
          "the error, activity() asks no store",
          "[runner]") {
    eventstore::memory_event_store inner;
    flaky_store store(inner);
    world w(store);
    push_users(w, 0, 2);
    recording_projection target;
    projection_runner runner(store, target, {.page_size = 2, .poll_interval = 1ms, .max_backoff = 4ms});

    store.failing = true;
    runner.start();
    REQUIRE(eventually([&] { return runner.activity().failures >= 3; }));
    const auto failing = runner.activity();  // the store is down: no call to it here
    CHECK(failing.running);
    REQUIRE(failing.last_error);
    CHECK(*failing.last_error == "database unreachable");
    CHECK(failing.rounds == 0);

    store.failing = false;
    REQUIRE(runner.wait_for(inner.head(), 5s));
    REQUIRE(eventually([&] { return runner.activity().rounds >= 2; }));  // polls that found nothing new
    runner.stop();
    const auto recovered = runner.status();
    CHECK_FALSE(recovered.last_error);
    CHECK(recovered.failures == runner.activity().failures);
    CHECK(recovered.failures >= 3);
    CHECK(recovered.rounds >= 2);
    CHECK(target.seen() == positions_in(inner, {}));

    const auto before = runner.activity().rounds;
    runner.catch_up();
    CHECK(runner.activity().rounds == before + 1);  // a direct catch-up is a round too
}

TEST_CASE("an exception that is not a std::exception is reported by the background thread, never escapes it",
          "[runner]") {
    eventstore::memory_event_store store;
    world w(store);
    push_users(w, 0, 1);
    failing_projection target;
    std::atomic<bool> failing{true};
    target.fail = [&] {
        if (failing) throw 42;
    };
    projection_runner runner(store, target, {.poll_interval = 1ms, .max_backoff = 2ms});
    runner.start();
    REQUIRE(eventually([&] { return runner.activity().last_error.has_value(); }));
    CHECK(*runner.activity().last_error == "an exception from host code (not a std::exception)");
    CHECK(runner.activity().failures >= 1);
    failing = false;
    REQUIRE(runner.wait_for(store.head(), 5s));
    runner.stop();
    CHECK_FALSE(runner.activity().last_error);
}

TEST_CASE("with quote_host_errors off, a host exception's message is not kept, the library's own messages are",
          "[runner]") {
    eventstore::memory_event_store store;
    world w(store);
    push_users(w, 0, 1);
    failing_projection target;
    std::atomic<bool> library_error{false};
    target.fail = [&] {
        if (library_error) throw infrastructure_error("checkpoint file unwritable");
        throw std::runtime_error("provider said: your code is 123456");
    };
    SECTION("quoted by default") {
        projection_runner runner(store, target, {.poll_interval = 1ms, .max_backoff = 2ms});
        runner.start();
        REQUIRE(eventually([&] { return runner.activity().last_error.has_value(); }));
        runner.stop();
        CHECK(*runner.activity().last_error == "provider said: your code is 123456");
    }
    SECTION("not quoted") {
        projection_runner runner(store, target, {.poll_interval = 1ms, .max_backoff = 2ms, .quote_host_errors = false});
        runner.start();
        REQUIRE(eventually([&] { return runner.activity().last_error.has_value(); }));
        CHECK(*runner.activity().last_error == "an exception from host code");
        library_error = true;
        REQUIRE(eventually([&] { return runner.activity().last_error == "checkpoint file unwritable"; }));
        runner.stop();
    }
}
