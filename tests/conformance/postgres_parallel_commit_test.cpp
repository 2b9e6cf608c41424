// Parallel commits on PostgreSQL (`postgres_commits::parallel`, docs/stores.md "Global order"): writers commit at the
// same time, each event's position comes from its transaction's id, and readers stop at the transaction horizon, the
// oldest transaction still running. What must hold: a follower reading by position sees every event exactly once and
// never skips a late commit; a push does not wait for another writer's open transaction; a store restored into a
// cluster whose transaction counter is lower numbers new events above the restored ones; and the commit rule is a
// property of the stored schema, so every process writing it uses the same one.
#include <catch2/catch.hpp>
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "postgres_raw_connection.hpp"
#include "postgres_test_server.hpp"
#include "userstream/backends/open_store.hpp"
#include "userstream/backends/postgres_event_store.hpp"
#include "userstream/eventstore/errors.hpp"

namespace es = userstream::eventstore;
using namespace std::chrono_literals;
using userstream::backends::postgres_commits;
using userstream::backends::postgres_event_store;
using userstream::backends::postgres_options;

namespace {

using conformance::raw_connection;

struct parallel_schema {
    parallel_schema() : name(conformance::unique_schema_name("parallel")) {}
    ~parallel_schema() { conformance::drop_schema(name); }
    postgres_options options(std::optional<postgres_commits> commits = postgres_commits::parallel) const {
        postgres_options out{.conninfo = conformance::postgres_conninfo(), .schema = name};
        out.commits = commits;
        return out;
    }
    std::string name;
};

es::new_event numbered_event(const std::string& tag) {
    return es::new_event{"parallel.pushed", R"({"tag":")" + tag + "\"}", 1, "c", {}};
}

std::string tag_of(const es::stored_event& event) {
    const auto start = event.payload.find("\"tag\": \"") + 8;
    return event.payload.substr(start, event.payload.find('"', start) - start);
}

// Reads by position from `after` until `done()` and nothing more comes, as a projection would.
struct follower {
    const es::event_store& store;
    es::global_position after{};
    std::vector<es::stored_event> seen = {};

    std::size_t poll(std::size_t page = 37) {
        const auto events = store.read_global(after, {}, page);
        for (const auto& e : events) seen.push_back(e);
        if (!events.empty()) after = events.back().position;
        return events.size();
    }
    // Another transaction anywhere on the server holds the horizon back for as long as it runs; wait it out.
    void poll_until(std::size_t count, std::chrono::seconds patience = 60s) {
        const auto give_up = std::chrono::steady_clock::now() + patience;
        while (seen.size() < count && std::chrono::steady_clock::now() < give_up) {
            if (poll() == 0) std::this_thread::sleep_for(2ms);
        }
    }
};

std::string key_text(const es::aggregate_key& key) { return key.aggregate_type + "/" + key.aggregate_id; }

}  // namespace

TEST_CASE("parallel commits: 8 writers commit at once while a follower reads by position, it sees every event "
          "exactly once, in each aggregate's sequence order", "[postgres][parallel]") {
    parallel_schema schema;
    postgres_event_store reader(schema.options());
    constexpr int writers = 8;
    constexpr int pushes = 30;
    std::atomic<std::size_t> acknowledged_events{0};
    std::atomic<int> unexpected{0};  // outcomes other than success, or a Conflict on the shared aggregate
    std::vector<std::set<std::string>> acknowledged(writers * 2);

    // Each writer has two aggregates of its own (1-3 events per push, sometimes both in one push) and races the others
    // for a shared one with the sequence it last read (a Conflict is allowed there, a partial push never).
    const auto write = [&](es::event_store& store, int writer, const std::string& round) {
        const std::string prefix = round + "-w" + std::to_string(writer);
        std::uint64_t own[2] = {0, 0};
        for (int n = 0; n < pushes; ++n) {
            const std::string push_id = prefix + "-" + std::to_string(n);
            std::vector<es::aggregate_append> batch;
            const bool both = n % 4 == 3;
            for (int a = 0; a < (both ? 2 : 1); ++a) {
                const int which = both ? a : n % 2;
                batch.push_back({{"i1", "user", prefix + "-a" + std::to_string(which)}, "o",
                                 es::sequence_number{own[which]}, {}});
            }
            for (int i = 0; i < 1 + n % 3; ++i) batch[i % batch.size()].events.push_back(numbered_event(push_id));
            if (n % 5 == 0) {
                const auto shared = store.read_aggregate({"i1", "user", "shared"}, {});
                batch.push_back({{"i1", "user", "shared"}, "o",
                                 es::sequence_number{shared.empty() ? 0 : shared.back().sequence.value},
                                 {numbered_event(push_id)}});
            }
            const auto pushed = store.append(batch);
            if (!pushed) {
                // Only the shared aggregate is contended.
                if (!pushed.err().is(es::errors::concurrency_conflict) || n % 5 != 0) ++unexpected;
                continue;
            }
            for (const auto& part : batch) {
                if (part.aggregate.aggregate_id == "shared") continue;
                own[part.aggregate.aggregate_id.back() - '0'] += part.events.size();
            }
            acknowledged_events += pushed->events.size();
            acknowledged[static_cast<std::size_t>(writer) + (round == "shared" ? writers : 0)].insert(push_id);
        }
    };

    follower follow{reader};
    std::atomic<bool> writing{true};
    std::thread following([&] {
        while (writing.load()) {
            if (follow.poll() == 0) std::this_thread::sleep_for(1ms);
        }
    });
    {
        // Round one: a store (and so a connection) per writer, as separate host instances would.
        std::vector<std::unique_ptr<postgres_event_store>> stores;
        for (int w = 0; w < writers; ++w) stores.push_back(std::make_unique<postgres_event_store>(schema.options()));
        std::vector<std::thread> threads;
        for (int w = 0; w < writers; ++w) threads.emplace_back([&, w] { write(*stores[w], w, "own"); });
        for (auto& t : threads) t.join();
    }
    {
        // Round two: one store shared by the 8 threads: its writer connections group and commit in parallel.
        postgres_event_store shared_store(schema.options());
        std::vector<std::thread> threads;
        for (int w = 0; w < writers; ++w) threads.emplace_back([&, w] { write(shared_store, w, "shared"); });
        for (auto& t : threads) t.join();
    }
    writing = false;
    following.join();
    CHECK(unexpected.load() == 0);
    follow.poll_until(acknowledged_events.load());

    const auto log = reader.read_global({}, {}, 1'000'000);
    REQUIRE(log.size() == acknowledged_events.load());
    REQUIRE(follow.seen.size() == log.size());
    std::map<std::string, std::uint64_t> last_sequence;
    std::map<std::string, int> events_of_push;
    for (std::size_t i = 0; i < log.size(); ++i) {
        // The follower saw exactly the final log, in its order: nothing skipped, nothing twice.
        REQUIRE(follow.seen[i].position == log[i].position);
        REQUIRE(follow.seen[i].aggregate == log[i].aggregate);
        REQUIRE(follow.seen[i].sequence == log[i].sequence);
        if (i > 0) REQUIRE(log[i].position > log[i - 1].position);
        auto& last = last_sequence[key_text(log[i].aggregate)];
        REQUIRE(log[i].sequence.value == last + 1);
        last = log[i].sequence.value;
        ++events_of_push[tag_of(log[i])];
    }
    for (const auto& pushes_of_writer : acknowledged) {
        for (const auto& push : pushes_of_writer) CHECK(events_of_push.contains(push));
    }
    CHECK(last_sequence["user/shared"] > 0);
}

TEST_CASE("parallel commits: a push commits while another writer's transaction is open, readers stop at that "
          "transaction until it ends, then see its events and the later ones, none skipped", "[postgres][parallel]") {
    parallel_schema schema;
    postgres_event_store store(schema.options());
    REQUIRE(store.append({{{"i1", "user", "first"}, "o", es::sequence_number{0}, {numbered_event("first")}}}).ok());
    follower follow{store};
    follow.poll_until(1);
    REQUIRE(follow.seen.size() == 1);

    // Another instance's push, paused before its COMMIT: it holds a transaction id below the next push's, and an event
    // numbered from it. It also holds the serialised writers' lock, which a push with parallel commits never takes.
    raw_connection slow;
    const auto epoch = slow.run("SELECT epoch FROM " + schema.name + ".position_epoch");
    slow.run("BEGIN");
    slow.run("SELECT pg_advisory_xact_lock(hashtext('userstream.events2'), '" + schema.name +
             ".events2'::regclass::oid::int)");
    slow.run("INSERT INTO " + schema.name +
             ".events2 VALUES ('i1', 'user', 'slow', 'parallel.pushed', 1, 1, now(), '{\"tag\": \"slow\"}', 'c', 'o', "
             "((pg_current_xact_id()::text::bigint + " + epoch + ") << 20) + 1, 0)");

    auto fast = std::async(std::launch::async, [&] {
        return store.append({{{"i1", "user", "fast"}, "o", es::sequence_number{0}, {numbered_event("fast")}}});
    });
    // The push does not wait for the open transaction (with serialised commits it would wait for the lock).
    REQUIRE(fast.wait_for(20s) == std::future_status::ready);
    const auto pushed = fast.get();
    REQUIRE(pushed.ok());

    // Committed, but above the horizon: the open transaction could still commit an event below it.
    std::this_thread::sleep_for(50ms);
    CHECK(follow.poll() == 0);
    CHECK(store.head() == follow.seen.back().position);

    slow.run("COMMIT");
    follow.poll_until(3);
    REQUIRE(follow.seen.size() == 3);
    CHECK(tag_of(follow.seen[1]) == "slow");
    CHECK(tag_of(follow.seen[2]) == "fast");
    CHECK(follow.seen[1].position < follow.seen[2].position);
    CHECK(follow.seen[2].position == pushed->last_position);
    CHECK(store.head() == pushed->last_position);
}

TEST_CASE("parallel commits: a store restored into a cluster whose transaction ids are lower numbers new events after "
          "the restored ones", "[postgres][parallel]") {
    parallel_schema schema;
    { postgres_event_store store(schema.options()); }

    // Given events restored from a cluster a million transactions further on (its epoch row not restored with them),
    raw_connection raw;
    raw.run("INSERT INTO " + schema.name +
            ".events2 VALUES ('i1', 'user', 'restored', 'parallel.pushed', 1, 1, now(), '{\"tag\": \"restored\"}', "
            "'c', 'o', ((pg_current_xact_id()::text::bigint + 1000000) << 20) + 1, 0)");
    // when the store opens and pushes,
    postgres_event_store store(schema.options());
    const auto pushed = store.append({{{"i1", "user", "new"}, "o", es::sequence_number{0}, {numbered_event("new")}}});
    REQUIRE(pushed.ok());

    // then the new event comes after the restored one, and a follower sees both, in that order.
    follower follow{store};
    follow.poll_until(2);
    REQUIRE(follow.seen.size() == 2);
    CHECK(tag_of(follow.seen[0]) == "restored");
    CHECK(tag_of(follow.seen[1]) == "new");
    CHECK(follow.seen[1].position == pushed->last_position);
}

TEST_CASE("parallel commits: the store records its commit rule, and opening it with the other one is refused",
          "[postgres][parallel]") {
    parallel_schema schema;
    { postgres_event_store store(schema.options()); }
    raw_connection raw;
    CHECK(raw.run("SELECT version FROM " + schema.name + ".schema_version WHERE component = 'eventstore'") == "2");
    CHECK_THROWS_WITH(postgres_event_store(schema.options(postgres_commits::serialised)),
                      Catch::Contains("parallel commits") && Catch::Contains("commits=serialised"));
    postgres_event_store unspecified(schema.options(std::nullopt));
    CHECK(unspecified.options().commits == postgres_commits::parallel);

    // The URL options choose the same: a new store with commits=parallel records version 2.
    parallel_schema by_url;
    const auto url = conformance::store_url_for_schema(by_url.name);
    userstream::backends::open_store(url + (url.starts_with("postgres") ? "&" : " ") + "commits=parallel");
    CHECK(raw.run("SELECT version FROM " + by_url.name + ".schema_version WHERE component = 'eventstore'") == "2");

    parallel_schema serialised;
    { postgres_event_store store(serialised.options(std::nullopt)); }
    CHECK_THROWS_WITH(postgres_event_store(serialised.options(postgres_commits::parallel)),
                      Catch::Contains("serialised commits") && Catch::Contains("commits=parallel"));
}

TEST_CASE("parallel commits: threads racing on one aggregate over several writer connections store only the "
          "winners' events, sequences 1..K", "[postgres][parallel]") {
    parallel_schema schema;
    postgres_event_store store(schema.options());
    const es::aggregate_key key{"i1", "user", "contended"};
    std::atomic<int> wins{0};
    std::atomic<int> other_failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int n = 0; n < 20; ++n) {
                const auto stream = store.read_aggregate(key, {});
                const std::uint64_t seen = stream.empty() ? 0 : stream.back().sequence.value;
                const auto pushed = store.append(
                    {{key, "o", es::sequence_number{seen}, {numbered_event(std::to_string(t) + "-" + std::to_string(n))}}});
                if (pushed) {
                    ++wins;
                } else if (!pushed.err().is(es::errors::concurrency_conflict)) {
                    ++other_failures;
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(other_failures.load() == 0);
    const auto stream = store.read_aggregate(key, {});
    REQUIRE(stream.size() == static_cast<std::size_t>(wins.load()));
    for (std::size_t i = 0; i < stream.size(); ++i) CHECK(stream[i].sequence.value == i + 1);
}

TEST_CASE("parallel commits: a push whose expected sequence is behind or ahead of the stream is a Conflict and writes "
          "nothing, alone or grouped with pushes that land", "[postgres][parallel]") {
    parallel_schema schema;
    postgres_event_store store(schema.options());
    const auto push = [&](const std::string& id, std::uint64_t expected) {
        return store.append({{{"i1", "user", id}, "o", es::sequence_number{expected}, {numbered_event(id)}}});
    };
    REQUIRE(push("a", 0).ok());
    REQUIRE(push("a", 1).ok());

    // Alone: behind, ahead, and ahead on a stream that does not exist yet.
    CHECK(push("a", 1).err().is(es::errors::concurrency_conflict));
    CHECK(push("a", 5).err().is(es::errors::concurrency_conflict));
    CHECK(push("new", 3).err().is(es::errors::concurrency_conflict));
    // A multi-aggregate push with one part ahead stores none of its parts.
    CHECK(store.append({{{"i1", "user", "b"}, "o", es::sequence_number{0}, {numbered_event("b")}},
                        {{"i1", "user", "a"}, "o", es::sequence_number{3}, {numbered_event("a")}}})
              .err()
              .is(es::errors::concurrency_conflict));
    CHECK(store.read_aggregate({"i1", "user", "b"}, {}).empty());

    // Grouped: many threads at once, each with a stale push and a good one; the good ones land with the positions
    // their results name, the stale ones are Conflicts.
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    std::vector<es::global_position> landed(16);
    for (int t = 0; t < 16; ++t) {
        threads.emplace_back([&, t] {
            const auto id = "g" + std::to_string(t);
            const auto stale = t % 2 ? push("a", 7) : push("a", 1);
            if (stale || !stale.err().is(es::errors::concurrency_conflict)) ++wrong;
            const auto good = push(id, 0);
            if (!good) {
                ++wrong;
            } else {
                landed[static_cast<std::size_t>(t)] = good->last_position;
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(wrong.load() == 0);
    follower follow{store};
    follow.poll_until(2 + 16);
    REQUIRE(follow.seen.size() == 2 + 16);
    for (int t = 0; t < 16; ++t) {
        const auto id = "g" + std::to_string(t);
        const auto found = std::find_if(follow.seen.begin(), follow.seen.end(),
                                        [&](const es::stored_event& e) { return e.aggregate.aggregate_id == id; });
        REQUIRE(found != follow.seen.end());
        CHECK(found->position == landed[static_cast<std::size_t>(t)]);
    }
    CHECK(store.read_aggregate({"i1", "user", "a"}, {}).size() == 2);
}
