#include <catch2/catch.hpp>

#include "userstream/eventstore/errors.hpp"
#include "userstream/eventstore/memory_event_store.hpp"
#include "userstream/eventstore/object_details.hpp"

using namespace userstream;
using namespace userstream::eventstore;

namespace {
aggregate_append push(std::string id, std::optional<std::uint64_t> expected, int count, std::string type = "t") {
    aggregate_append a{{"i", "user", std::move(id)}, "o1", std::nullopt, {}};
    if (expected) a.expected_sequence = sequence_number{*expected};
    for (int i = 0; i < count; ++i) {
        a.events.push_back({type, "{}", 1, "c", timestamp{std::chrono::microseconds(1000 + i)}});
    }
    return a;
}
}  // namespace

TEST_CASE("the memory store assigns gapless sequences and increasing positions", "[store]") {
    memory_event_store store;
    auto first = store.append({push("a", 0, 2)});
    REQUIRE(first.ok());
    CHECK(first->events[0].sequence.value == 1);
    CHECK(first->events[1].sequence.value == 2);
    CHECK(first->last_position.value == 2);
    auto second = store.append({push("b", 0, 1), push("a", 2, 1)});
    REQUIRE(second.ok());
    CHECK(second->events[1].sequence.value == 3);
    CHECK(second->events[1].in_tx_order == 1);
    CHECK(store.head().value == 4);
    CHECK(store.read_aggregate({"i", "user", "a"}, {}).size() == 3);
    CHECK(store.read_aggregate({"i", "user", "a"}, sequence_number{2}).size() == 1);
}

TEST_CASE("a stale expected sequence is a conflict and writes nothing", "[store]") {
    memory_event_store store;
    REQUIRE(store.append({push("a", 0, 1)}).ok());
    auto stale = store.append({push("b", 0, 1), push("a", 0, 1)});
    REQUIRE_FALSE(stale.ok());
    CHECK(stale.err().is(errors::concurrency_conflict));
    CHECK(is_retryable(stale.err().kind));
    CHECK(store.head().value == 1);
    CHECK(store.read_aggregate({"i", "user", "b"}, {}).empty());
}

TEST_CASE("global reads filter by instance, aggregate type and event type, in pages", "[store]") {
    memory_event_store store;
    REQUIRE(store.append({push("a", 0, 3, "x")}).ok());
    REQUIRE(store.append({push("b", 0, 2, "y")}).ok());
    global_filter only_y{"i", {"user"}, {"y"}};
    auto ys = store.read_global({}, only_y, 10);
    REQUIRE(ys.size() == 2);
    CHECK(ys[0].position.value == 4);
    CHECK(store.read_global({}, global_filter{"other", {}, {}}, 10).empty());
    auto page1 = store.read_global({}, {}, 2);
    auto page2 = store.read_global(page1.back().position, {}, 2);
    auto page3 = store.read_global(page2.back().position, {}, 2);
    CHECK(page1.size() == 2);
    CHECK(page2.size() == 2);
    CHECK(page3.size() == 1);
    CHECK(store.read_global(page3.back().position, {}, 2).empty());
}

TEST_CASE("the memory store's streaming read crosses chunk boundaries, starts mid-chunk and counts only matches",
          "[store]") {
    // The log is kept in chunks of 1,024 events; 2,600 events fill two and part of a third.
    memory_event_store store;
    for (int n = 0; n < 26; ++n) {
        REQUIRE(store.append({push("a" + std::to_string(n), 0, 100, n % 2 == 0 ? "even" : "odd")}).ok());
    }
    REQUIRE(store.head().value == 2600);
    const auto positions = [&](std::uint64_t after, const global_filter& filter, std::size_t stop_after) {
        std::vector<std::uint64_t> seen;
        const auto visited = store.for_each_global(global_position{after}, filter, [&](const stored_event& e) {
            seen.push_back(e.position.value);
            return seen.size() < stop_after;
        });
        CHECK(visited == seen.size());
        return seen;
    };
    constexpr std::size_t all = 100'000;

    // Every event once, in position order, from each kind of starting point.
    for (const std::uint64_t after : {0U, 1U, 1023U, 1024U, 1025U, 1500U, 2047U, 2048U, 2599U}) {
        INFO("after " << after);
        const auto seen = positions(after, {}, all);
        REQUIRE(seen.size() == 2600 - after);
        for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == after + i + 1);
    }
    CHECK(positions(2600, {}, all).empty());
    CHECK(positions(5000, {}, all).empty());

    // Stopping early across a boundary: the event that said stop is the last one visited.
    CHECK(positions(1020, {}, 6) == std::vector<std::uint64_t>{1021, 1022, 1023, 1024, 1025, 1026});

    // A filter skips without counting; "odd" events are positions 101-200, 301-400, ... (stream n holds n*100+1..).
    const global_filter odd{"", {}, {"odd"}};
    const auto odds = positions(1050, odd, all);
    REQUIRE(odds.size() == 800);  // streams 11, 13, ..., 25
    CHECK(odds.front() == 1101);
    CHECK(odds.back() == 2600);
    CHECK(positions(1050, odd, 3) == std::vector<std::uint64_t>{1101, 1102, 1103});
    CHECK(positions(0, global_filter{"other", {}, {}}, all).empty());
}

TEST_CASE("object details come from the first and last event of a stream", "[details]") {
    memory_event_store store;
    REQUIRE(store.append({push("a", 0, 3)}).ok());
    const auto stream = store.read_aggregate({"i", "user", "a"}, {});
    const auto details = details_of(stream);
    CHECK(details.sequence.value == 3);
    CHECK(details.creation_date == stream.front().created_at);
    CHECK(details.change_date == stream.back().created_at);
    CHECK(details.resource_owner == "o1");
    CHECK(details_of({}).sequence.value == 0);
}

TEST_CASE("object details keep the owner fixed at creation when a later event carries none", "[details]") {
    // Given a stream created by o1 and then an event stored without an owner (a writer that leaves the column
    // empty), then the resource owner is still o1, while sequence and change date move on.
    memory_event_store store;
    REQUIRE(store.append({push("a", 0, 2)}).ok());
    auto ownerless = push("a", 2, 1);
    ownerless.owner.clear();
    REQUIRE(store.append({ownerless}).ok());
    const auto stream = store.read_aggregate({"i", "user", "a"}, {});
    REQUIRE(stream.size() == 3);
    REQUIRE(stream.back().owner.empty());
    const auto details = details_of(stream);
    CHECK(details.resource_owner == "o1");
    CHECK(details.sequence.value == 3);
    CHECK(details.change_date == stream.back().created_at);
}
