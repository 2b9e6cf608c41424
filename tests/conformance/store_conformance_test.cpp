// The event-store contract (userstream/eventstore/event_store.hpp), as one suite that runs unchanged against every
// backend: each backend's test executable links this file and one `make_backend`.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "store_backend.hpp"
#include "userstream/eventstore/errors.hpp"
#include "userstream/user/event_codec.hpp"

namespace es = userstream::eventstore;
using conformance::make_backend;

namespace {

es::aggregate_key user_key(const std::string& id, const std::string& instance = "inst-1") {
    return {instance, "user", id};
}

es::new_event event(const std::string& type, const std::string& payload = "{}") {
    es::new_event e;
    e.event_type = type;
    e.payload = payload;
    e.creator = "creator-1";
    e.created_at = userstream::timestamp(std::chrono::microseconds(1'780'000'000'123'456LL));
    return e;
}

es::aggregate_append part(const es::aggregate_key& key, std::optional<std::uint64_t> expected,
                          std::vector<es::new_event> events) {
    es::aggregate_append out{key, "org-1", std::nullopt, std::move(events)};
    if (expected) out.expected_sequence = es::sequence_number{*expected};
    return out;
}

es::append_result must_append(es::event_store& store, std::vector<es::aggregate_append> batch) {
    auto pushed = store.append(std::move(batch));
    REQUIRE(pushed.ok());
    return std::move(pushed).value();
}

bool is_conflict(const userstream::result<es::append_result>& pushed) {
    return !pushed.ok() && pushed.err().is(es::errors::concurrency_conflict) &&
           userstream::is_retryable(pushed.err().kind);
}

std::vector<es::stored_event> read_all(const es::event_store& store, const es::global_filter& filter = {}) {
    return store.read_global({}, filter, 1'000'000);
}

// Payloads are JSON; a store may normalise their text (PostgreSQL's JSONB reorders keys and respaces), so they are
// compared by meaning.
bool same_json(const std::string& a, const std::string& b) {
    if (a.empty() || b.empty()) return a.empty() && b.empty();
    return nlohmann::json::parse(a) == nlohmann::json::parse(b);
}

void require_same(const es::stored_event& a, const es::stored_event& b) {
    CHECK(a.aggregate == b.aggregate);
    CHECK(a.owner == b.owner);
    CHECK(a.creator == b.creator);
    CHECK(a.sequence == b.sequence);
    CHECK(a.position == b.position);
    CHECK(a.in_tx_order == b.in_tx_order);
    CHECK(a.created_at == b.created_at);
    CHECK(a.revision == b.revision);
    CHECK(a.event_type == b.event_type);
    CHECK(same_json(a.payload, b.payload));
}

// Positions 1..N without gap or repeat, and per-aggregate sequences 1..K: the shape every backend keeps.
void require_consistent(const std::vector<es::stored_event>& log) {
    std::map<std::string, std::uint64_t> last_sequence;
    for (std::size_t i = 0; i < log.size(); ++i) {
        REQUIRE(log[i].position.value == i + 1);
        auto& last = last_sequence[log[i].aggregate.instance_id + "/" + log[i].aggregate.aggregate_type + "/" +
                                   log[i].aggregate.aggregate_id];
        REQUIRE(log[i].sequence.value == last + 1);
        last = log[i].sequence.value;
    }
}

}  // namespace

TEST_CASE("an empty store has nothing to read", "[conformance]") {
    auto backend = make_backend();
    auto store = backend->open();
    CHECK(store->head() == es::global_position{});
    CHECK(store->read_aggregate(user_key("nobody"), {}).empty());
    CHECK(read_all(*store).empty());
    CHECK(store->for_each_global({}, {}, [](const es::stored_event&) { return true; }) == 0);
}

TEST_CASE("a push round-trips every envelope field", "[conformance]") {
    auto backend = make_backend();
    auto store = backend->open();

    auto first = event("user.human.added", R"({"phone":"+41710000000","nested":{"list":[1,2.5,true,null]}})");
    auto unicode = event("user.human.phone.changed", R"({"name":"Zoë ☎ \"quoted\" \\ back\\slash\ttab"})");
    unicode.revision = 2;
    unicode.creator = "";
    unicode.created_at = userstream::timestamp(std::chrono::microseconds(-86'400'000'001LL));  // before 1970
    auto empty = event("user.human.phone.removed", "");
    empty.revision = 32767;  // the largest revision every backend holds (PostgreSQL: SMALLINT, as in ZITADEL)
    auto large = event("user.large", R"({"blob":")" + std::string(20000, 'x') + "\"}");
    large.created_at = userstream::timestamp(std::chrono::microseconds(0));

    const auto pushed = must_append(*store, {part(user_key("u1"), 0, {first, unicode, empty, large})});
    REQUIRE(pushed.events.size() == 4);
    CHECK(pushed.last_position == pushed.events.back().position);
    CHECK(store->head() == pushed.last_position);
    for (std::uint32_t i = 0; i < 4; ++i) {
        CHECK(pushed.events[i].sequence.value == i + 1);
        CHECK(pushed.events[i].in_tx_order == i);
        CHECK(pushed.events[i].owner == "org-1");
    }
    CHECK(pushed.events[1].creator.empty());
    CHECK(pushed.events[2].payload.empty());
    CHECK(pushed.events[2].revision == 32767);

    const auto stream = store->read_aggregate(user_key("u1"), {});
    const auto global = read_all(*store);
    REQUIRE(stream.size() == 4);
    REQUIRE(global.size() == 4);
    for (std::size_t i = 0; i < 4; ++i) {
        require_same(stream[i], pushed.events[i]);
        require_same(global[i], pushed.events[i]);
    }
    CHECK(stream[1].payload.find("Zoë ☎") != std::string::npos);

    SECTION("reading from a sequence returns only the later events") {
        const auto tail = store->read_aggregate(user_key("u1"), es::sequence_number{2});
        REQUIRE(tail.size() == 2);
        CHECK(tail.front().sequence.value == 3);
        CHECK(store->read_aggregate(user_key("u1"), es::sequence_number{4}).empty());
        CHECK(store->read_aggregate(user_key("u1"), es::sequence_number{99}).empty());
    }
}

TEST_CASE("every user event type round-trips through the store and the codec", "[conformance]") {
    auto backend = make_backend();
    auto store = backend->open();
    std::vector<userstream::user::user_event> originals;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (originals.emplace_back(std::in_place_index<I>), ...);
    }(std::make_index_sequence<std::variant_size_v<userstream::user::user_event>>{});

    std::vector<es::new_event> events;
    std::vector<std::string> payloads;
    for (const auto& original : originals) {
        const auto encoded = userstream::user::encode(original);
        events.push_back(event(std::string(encoded.type), encoded.payload));
        payloads.push_back(encoded.payload);
    }
    must_append(*store, {part(user_key("every-type"), 0, events)});

    const auto stream = store->read_aggregate(user_key("every-type"), {});
    REQUIRE(stream.size() == originals.size());
    for (std::size_t i = 0; i < stream.size(); ++i) {
        INFO(stream[i].event_type);
        const auto decoded = userstream::user::decode(stream[i]);
        REQUIRE(decoded.has_value());
        CHECK(decoded->index() == originals[i].index());
        CHECK(userstream::user::encode(*decoded).payload == payloads[i]);
    }
}

TEST_CASE("a stale expected sequence is a retryable conflict and writes nothing", "[conformance]") {
    auto backend = make_backend();
    auto store = backend->open();
    const auto key = user_key("u1");
    must_append(*store, {part(key, 0, {event("a")})});

    const auto stale = store->append({part(key, 0, {event("b")})});
    CHECK(is_conflict(stale));
    const auto ahead = store->append({part(key, 5, {event("b")})});
    CHECK(is_conflict(ahead));
    CHECK(store->read_aggregate(key, {}).size() == 1);
    CHECK(store->head().value == 1);

    must_append(*store, {part(key, 1, {event("b")})});
    const auto unchecked = must_append(*store, {part(key, std::nullopt, {event("c")})});
    CHECK(unchecked.events.front().sequence.value == 3);
    require_consistent(read_all(*store));
}

TEST_CASE("defect 8.6: a push part without events writes nothing and creates no stream, but its expected sequence "
          "is checked", "[conformance][issue8]") {
    auto backend = make_backend();
    auto store = backend->open();
    const auto key = user_key("u1");
    const auto other = user_key("u2");

    // Given nothing stored, when a push carries a part without events (alone, or beside a valid part),
    const auto alone = must_append(*store, {part(key, std::nullopt, {})});
    const auto beside = must_append(*store, {part(other, 0, {event("a")}), part(key, std::nullopt, {})});

    // then only the events are stored, and the empty part created no stream:
    CHECK(alone.events.empty());
    CHECK(beside.events.size() == 1);
    CHECK(store->head().value == 1);
    CHECK(store->read_aggregate(key, {}).empty());
    // the aggregate is still new, so the next pushes to it start at sequence 1 (the memory store used to create an
    // empty stream here and read past its end on the next push).
    const auto first = must_append(*store, {part(key, 0, {event("a")})});
    CHECK(first.events.front().sequence.value == 1);
    const auto unchecked = must_append(*store, {part(key, std::nullopt, {event("b")})});
    CHECK(unchecked.events.front().sequence.value == 2);

    // An empty part still guards the push: a stale expected sequence fails it whole, a current one lets it through.
    CHECK(is_conflict(store->append({part(other, 1, {event("b")}), part(key, 1, {})})));
    CHECK(store->read_aggregate(other, {}).size() == 1);
    must_append(*store, {part(other, 1, {event("b")}), part(key, 2, {})});
    CHECK(store->read_aggregate(other, {}).size() == 2);
    CHECK(store->read_aggregate(key, {}).size() == 2);
    require_consistent(read_all(*store));
}

TEST_CASE("defect 8.9: ids and event types with NUL or invalid UTF-8 are rejected alike by every store",
          "[conformance][issue8]") {
    auto backend = make_backend();
    auto store = backend->open();
    must_append(*store, {part(user_key("victim"), 0, {event("a")})});

    const std::string nul_id("victim\0anything", 15);
    const std::vector<std::vector<es::aggregate_append>> bad_pushes{
        {part(user_key(nul_id), std::nullopt, {event("a")})},
        {part(user_key("u\x80"), std::nullopt, {event("a")})},                 // a lone continuation byte
        {part(user_key("u\xC0\xAF"), std::nullopt, {event("a")})},             // an overlong '/'
        {part(user_key("u\xED\xA0\x80"), std::nullopt, {event("a")})},         // a UTF-16 surrogate
        {part(user_key("u1", std::string("inst\0", 5)), std::nullopt, {event("a")})},
        {part(user_key("u1"), std::nullopt, {event(std::string("user.x\0", 7))})},
    };
    for (const auto& push : bad_pushes) {
        const auto rejected = store->append(push);
        REQUIRE_FALSE(rejected.ok());
        CHECK(rejected.err().is(es::errors::invalid_text));
    }
    auto bad_owner = part(user_key("u1"), std::nullopt, {event("a")});
    bad_owner.owner = std::string("org\0", 4);
    CHECK(store->append({bad_owner}).err().is(es::errors::invalid_text));

    // Payloads every store can hold: valid UTF-8 without NUL and without the escape \u0000, which PostgreSQL's JSONB
    // refuses. An escaped backslash before "u0000" is two characters of text, not a NUL.
    for (const std::string& payload : {std::string(R"({"a":"x\u0000y"})"), std::string("{\"a\":\"\x80\"}"),
                                       std::string("{\"a\":\"x\0y\"}", 11)}) {
        const auto rejected = store->append({part(user_key("u1"), std::nullopt, {event("a", payload)})});
        REQUIRE_FALSE(rejected.ok());
        CHECK(rejected.err().is(es::errors::invalid_payload));
    }
    const auto backslash = must_append(*store, {part(user_key("u3"), 0, {event("a", R"({"a":"x\\u0000y"})")})});
    CHECK(same_json(backslash.events.front().payload, R"({"a":"x\\u0000y"})"));
    CHECK(store->head().value == 2);

    // Nothing else was stored, and the victim's stream is only its own.
    CHECK(store->read_aggregate(user_key("victim"), {}).size() == 1);
    // Valid multi-byte text is stored as it is.
    const auto accented = must_append(*store, {part(user_key("us\xC3\xA9r-\xF0\x9F\x93\xB1"), 0, {event("a")})});
    CHECK(accented.events.front().aggregate.aggregate_id == "us\xC3\xA9r-\xF0\x9F\x93\xB1");
}

TEST_CASE("a multi-aggregate push is all-or-nothing when one aggregate conflicts", "[conformance]") {
    auto backend = make_backend();
    auto store = backend->open();
    const auto a = user_key("a");
    const auto b = user_key("b");
    must_append(*store, {part(a, 0, {event("a1")}), part(b, 0, {event("b1"), event("b2")})});
    const auto head = store->head();

    const auto mixed = store->append({part(a, 1, {event("a2")}), part(b, 1, {event("b3")}), part(user_key("c"), 0, {event("c1")})});
    CHECK(is_conflict(mixed));
    CHECK(store->head() == head);
    CHECK(store->read_aggregate(a, {}).size() == 1);
    CHECK(store->read_aggregate(b, {}).size() == 2);
    CHECK(store->read_aggregate(user_key("c"), {}).empty());

    const auto both = must_append(*store, {part(a, 1, {event("a2")}), part(b, 2, {event("b3")})});
    REQUIRE(both.events.size() == 2);
    CHECK(both.events[0].in_tx_order == 0);
    CHECK(both.events[1].in_tx_order == 1);
    CHECK(both.events[1].position.value == both.events[0].position.value + 1);

    SECTION("the same aggregate twice in one push continues its sequence") {
        const auto twice = must_append(*store, {part(a, 2, {event("a3")}), part(a, std::nullopt, {event("a4")})});
        CHECK(twice.events[0].sequence.value == 3);
        CHECK(twice.events[1].sequence.value == 4);
    }
    require_consistent(read_all(*store));
}

TEST_CASE("threads racing pushes on one aggregate: only the winners' events, sequences 1..K", "[conformance]") {
    auto backend = make_backend();
    auto store = backend->open();
    const auto key = user_key("contended");
    constexpr int threads = 8;
    constexpr int attempts = 25;
    std::atomic<int> wins{0};
    std::vector<std::set<std::string>> won(threads);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int n = 0; n < attempts; ++n) {
                const auto stream = store->read_aggregate(key, {});
                const std::uint64_t seen = stream.empty() ? 0 : stream.back().sequence.value;
                const std::string payload = R"({"t":)" + std::to_string(t) + R"(,"n":)" + std::to_string(n) + "}";
                const auto pushed = store->append({part(key, seen, {event("raced", payload)})});
                if (pushed.ok()) {
                    ++wins;
                    won[static_cast<std::size_t>(t)].insert(nlohmann::json::parse(payload).dump());
                } else {
                    CHECK(is_conflict(pushed));
                }
            }
        });
    }
    for (auto& th : pool) th.join();

    const auto stream = store->read_aggregate(key, {});
    REQUIRE(stream.size() == static_cast<std::size_t>(wins.load()));
    CHECK(wins.load() > 0);
    std::set<std::string> stored, expected;
    for (std::size_t i = 0; i < stream.size(); ++i) {
        CHECK(stream[i].sequence.value == i + 1);
        stored.insert(nlohmann::json::parse(stream[i].payload).dump());
    }
    for (const auto& set : won) expected.insert(set.begin(), set.end());
    CHECK(stored == expected);
    require_consistent(read_all(*store));
}

TEST_CASE("a reader polling during slow and fast transactions misses nothing", "[conformance]") {
    auto backend = make_backend();
    auto store = backend->open();
    std::atomic<bool> writing{true};

    // One writer makes large, slow pushes; others make tiny fast ones. A store that handed out positions before
    // commit would let a fast push commit a later position first, and the reader below would step past the slow one.
    std::vector<std::thread> writers;
    writers.emplace_back([&] {
        for (int n = 0; n < 6; ++n) {
            std::vector<es::new_event> big(400, event("slow", R"({"pad":")" + std::string(200, 'p') + "\"}"));
            must_append(*store, {part(user_key("slow-" + std::to_string(n)), 0, big)});
        }
    });
    for (int t = 0; t < 3; ++t) {
        writers.emplace_back([&, t] {
            for (int n = 0; n < 60; ++n) {
                must_append(*store, {part(user_key("fast-" + std::to_string(t) + "-" + std::to_string(n)), 0,
                                          {event("fast")})});
            }
        });
    }

    std::vector<std::uint64_t> seen;
    std::thread reader([&] {
        es::global_position after{};
        const auto poll = [&] {
            const auto page = store->read_global(after, {}, 50);
            for (const auto& e : page) seen.push_back(e.position.value);
            if (!page.empty()) after = page.back().position;
            return page.size();
        };
        while (writing.load()) poll();
        while (poll() != 0) {
        }
    });
    for (auto& w : writers) w.join();
    writing = false;
    reader.join();

    const auto head = store->head().value;
    CHECK(head == 6 * 400 + 3 * 60);
    REQUIRE(seen.size() == head);
    for (std::size_t i = 0; i < seen.size(); ++i) REQUIRE(seen[i] == i + 1);
    require_consistent(read_all(*store));
}

TEST_CASE("two processes appending to one store", "[conformance]") {
    auto backend = make_backend();
    const auto url = backend->shared_url();
    if (!url) {
        WARN("this store lives in one process only; nothing to share");
        return;
    }
    backend->open();  // create the schema first, as a host would, so both children open an existing store
    constexpr int pushes = 150;
    constexpr int aggregates = 5;
    std::vector<pid_t> children;
    for (const char* tag : {"p1", "p2"}) {
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            const std::string count = std::to_string(pushes);
            const std::string spread = std::to_string(aggregates);
            ::execl(CONFORMANCE_WRITER_PATH, "conformance_writer", url->c_str(), tag, count.c_str(), spread.c_str(),
                    static_cast<char*>(nullptr));
            ::_exit(127);
        }
        children.push_back(pid);
    }
    for (const pid_t pid : children) {
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        REQUIRE(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }

    auto store = backend->open();
    const auto log = read_all(*store);
    CHECK(log.size() == 2 * pushes);
    require_consistent(log);
    std::map<std::string, int> per_tag;
    for (const auto& e : log) per_tag[e.payload.find("p1") != std::string::npos ? "p1" : "p2"]++;
    CHECK(per_tag["p1"] == pushes);
    CHECK(per_tag["p2"] == pushes);
}

TEST_CASE("a store reopened after close has everything and continues", "[conformance]") {
    auto backend = make_backend();
    es::append_result first;
    {
        auto store = backend->open();
        first = must_append(*store, {part(user_key("u1"), 0, {event("a"), event("b")}),
                                     part(user_key("u2", "inst-2"), 0, {event("c")})});
    }
    auto store = backend->open();
    CHECK(store->head() == first.last_position);
    const auto stream = store->read_aggregate(user_key("u1"), {});
    REQUIRE(stream.size() == 2);
    require_same(stream[1], first.events[1]);
    CHECK(is_conflict(store->append({part(user_key("u1"), 1, {event("stale")})})));
    const auto next = must_append(*store, {part(user_key("u1"), 2, {event("d")})});
    CHECK(next.events.front().sequence.value == 3);
    CHECK(next.last_position.value == first.last_position.value + 1);
    require_consistent(read_all(*store));
}

TEST_CASE("global reads filter by instance, aggregate types and event types", "[conformance]") {
    auto backend = make_backend();
    auto store = backend->open();
    must_append(*store, {part(user_key("u1", "i1"), 0, {event("user.added"), event("user.phone.changed")})});
    must_append(*store, {part({"i1", "org", "o1"}, 0, {event("org.added")})});
    must_append(*store, {part(user_key("u2", "i2"), 0, {event("user.added"), event("user.removed")})});
    must_append(*store, {part({"i2", "org", "o2"}, 0, {event("org.added")})});

    const auto types = [](const std::vector<es::stored_event>& events) {
        std::vector<std::string> out;
        for (const auto& e : events) out.push_back(e.aggregate.instance_id + ":" + e.event_type);
        return out;
    };
    using list = std::vector<std::string>;
    CHECK(read_all(*store).size() == 6);
    CHECK(types(read_all(*store, {"i1", {}, {}})) == list{"i1:user.added", "i1:user.phone.changed", "i1:org.added"});
    CHECK(types(read_all(*store, {"", {"org"}, {}})) == list{"i1:org.added", "i2:org.added"});
    CHECK(types(read_all(*store, {"", {}, {"user.added", "user.removed"}})) ==
          list{"i1:user.added", "i2:user.added", "i2:user.removed"});
    CHECK(types(read_all(*store, {"i2", {"user", "org"}, {"user.removed", "org.added"}})) ==
          list{"i2:user.removed", "i2:org.added"});
    CHECK(read_all(*store, {"i3", {}, {}}).empty());
    CHECK(read_all(*store, {"", {"nothing"}, {}}).empty());
    CHECK(read_all(*store, {"", {}, {"nothing"}}).empty());

    std::vector<std::string> streamed;
    const auto visited = store->for_each_global({}, {"", {"user"}, {}}, [&](const es::stored_event& e) {
        streamed.push_back(e.aggregate.instance_id + ":" + e.event_type);
        return true;
    });
    CHECK(visited == 4);
    CHECK(streamed == types(read_all(*store, {"", {"user"}, {}})));
}

TEST_CASE("paging through the global order hits every edge", "[conformance]") {
    auto backend = make_backend();
    auto store = backend->open();
    for (int n = 0; n < 10; ++n) {
        must_append(*store, {part(user_key("u" + std::to_string(n)), 0,
                                  {event(n % 3 == 0 ? "kept" : "other"), event("other")})});
    }
    const auto all = read_all(*store);
    REQUIRE(all.size() == 20);

    CHECK(store->read_global({}, {}, 0).empty());
    CHECK(store->read_global(store->head(), {}, 10).empty());
    CHECK(store->read_global(es::global_position{store->head().value + 100}, {}, 10).empty());
    CHECK(store->read_global(es::global_position{19}, {}, 10).size() == 1);

    // Pages of one, of an exact divisor, and of a size that leaves a remainder all cover the log once, in order.
    for (const std::size_t size : {std::size_t{1}, std::size_t{5}, std::size_t{7}, std::size_t{20}, std::size_t{21}}) {
        INFO("page size " << size);
        std::vector<std::uint64_t> positions;
        es::global_position after{};
        for (;;) {
            const auto page = store->read_global(after, {}, size);
            CHECK(page.size() <= size);
            for (const auto& e : page) positions.push_back(e.position.value);
            if (page.empty()) break;
            after = page.back().position;
        }
        REQUIRE(positions.size() == 20);
        for (std::size_t i = 0; i < positions.size(); ++i) CHECK(positions[i] == i + 1);
    }

    // A filtered page skips non-matching events without ending early.
    const es::global_filter kept{"", {}, {"kept"}};
    const auto first = store->read_global({}, kept, 2);
    REQUIRE(first.size() == 2);
    const auto second = store->read_global(first.back().position, kept, 2);
    REQUIRE(second.size() == 2);
    CHECK(store->read_global(second.back().position, kept, 2).empty());
    CHECK(second.back().aggregate.aggregate_id == "u9");

    // The streaming read stops when asked, and starts after the given position.
    std::vector<std::uint64_t> streamed;
    const auto visited = store->for_each_global(es::global_position{5}, {}, [&](const es::stored_event& e) {
        streamed.push_back(e.position.value);
        return streamed.size() < 3;
    });
    CHECK(visited == 3);
    CHECK(streamed == std::vector<std::uint64_t>{6, 7, 8});
    CHECK(store->for_each_global({}, {}, [](const es::stored_event&) { return true; }) == 20);
}
