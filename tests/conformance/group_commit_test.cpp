// The group-commit machinery the durable stores share (src/backends/common): how pushes from concurrent threads are
// grouped, what every push of a group gets when the group's commit throws or the store fails, and how a group turns
// into one transaction (expected sequences, positions, retry alone). Specified through the public interface of
// `group_commit` and `commit_group`, with a scripted commit function and a scripted push_transaction, so the
// outcomes do not depend on a database.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "group_commit.hpp"
#include "push_transaction.hpp"

using namespace userstream;
using namespace userstream::backends::detail;
using namespace std::chrono_literals;

namespace {

eventstore::aggregate_append part(const std::string& id, std::optional<std::uint64_t> expected, int events = 1) {
    eventstore::aggregate_append out{{"i1", "user", id}, "o1", std::nullopt, {}};
    if (expected) out.expected_sequence = eventstore::sequence_number{*expected};
    for (int i = 0; i < events; ++i) {
        out.events.push_back({"user.human.phone.changed", R"({"phone":"+41710000000"})", 1, "admin", {}});
    }
    return out;
}

// What one submitting thread got back.
struct submitted {
    std::optional<result<eventstore::append_result>> outcome;
    std::string thrown;  // the message of the exception submit threw, if any
};

// A commit function that holds its first group until released, records every group's size, and settles each push
// with `settle` (or throws, if `settle` does).
struct scripted_commit {
    std::mutex mutex;
    std::vector<std::size_t> groups;
    std::atomic<bool> holding{false};
    std::atomic<bool> release{false};
    std::function<void(std::span<pending_push* const>)> settle;

    group_commit::commit_fn fn() {
        return [this](std::span<pending_push* const> group) {
            bool first = false;
            {
                std::lock_guard lock(mutex);
                first = groups.empty();
                groups.push_back(group.size());
            }
            if (first) {
                holding.store(true);
                while (!release.load()) std::this_thread::sleep_for(1ms);
            }
            settle(group);
        };
    }
};

// Submits `pushes` pushes from as many threads. Push 0 leads and its commit is held until every other thread has
// called submit (and a little longer, so that they are queued behind the leader): the later pushes then meet in the
// queue, and the next leader takes as many of them as its group may hold.
std::vector<submitted> submit_concurrently(group_commit& commits, int pushes, scripted_commit& commit) {
    std::vector<submitted> out(static_cast<std::size_t>(pushes));
    std::atomic<int> started{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < pushes; ++i) {
        threads.emplace_back([&, i] {
            if (i > 0) {
                while (!commit.holding.load()) std::this_thread::sleep_for(1ms);
            }
            started.fetch_add(1);
            auto& mine = out[static_cast<std::size_t>(i)];
            try {
                mine.outcome.emplace(commits.submit({part("u" + std::to_string(i), std::nullopt)}));
            } catch (const std::exception& e) {
                mine.thrown = e.what();
            }
        });
    }
    // Every thread is in submit (or about to be); give the later ones time to queue, then let the first commit end.
    while (started.load() < pushes) std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(200ms);
    commit.release.store(true);
    for (auto& t : threads) t.join();
    return out;
}

void settle_ok(std::span<pending_push* const> group) {
    for (auto* p : group) p->outcome.emplace(eventstore::append_result{});
}

}  // namespace

TEST_CASE("group commit: pushes that queue behind a commit are committed together, at most max_group at a time",
          "[group-commit]") {
    scripted_commit commit;
    commit.settle = settle_ok;
    group_commit commits(true, 4, commit.fn());
    const auto out = submit_concurrently(commits, 9, commit);
    for (const auto& s : out) {
        REQUIRE(s.outcome);
        CHECK(s.outcome->ok());
    }
    // The first push alone, then the eight that queued meanwhile in groups of at most four.
    CHECK(commit.groups == std::vector<std::size_t>{1, 4, 4});
}

TEST_CASE("group commit off: each push commits alone, one transaction per push", "[group-commit]") {
    scripted_commit commit;
    commit.settle = settle_ok;
    group_commit commits(false, 64, commit.fn());
    CHECK_FALSE(commits.enabled());
    const auto out = submit_concurrently(commits, 6, commit);
    for (const auto& s : out) {
        REQUIRE(s.outcome);
        CHECK(s.outcome->ok());
    }
    CHECK(commit.groups == std::vector<std::size_t>(6, 1));
}

TEST_CASE("group commit: when the group's commit throws, every push of the group gets that failure", "[group-commit]") {
    scripted_commit commit;
    commit.settle = [&](std::span<pending_push* const> group) {
        // The first push (alone in its group) commits; the group of the others fails as a whole.
        if (group.size() == 1 && commit.groups.size() == 1) return settle_ok(group);
        throw infrastructure_error("disk on fire");
    };
    group_commit commits(true, 64, commit.fn());
    const auto out = submit_concurrently(commits, 5, commit);
    REQUIRE(commit.groups == std::vector<std::size_t>{1, 4});
    REQUIRE(out[0].outcome);
    CHECK(out[0].outcome->ok());
    for (std::size_t i = 1; i < out.size(); ++i) {
        INFO(i);
        CHECK_FALSE(out[i].outcome);
        CHECK(out[i].thrown == "disk on fire");
    }
}

TEST_CASE("group commit: a commit function that leaves a push unsettled fails that push, never hangs it",
          "[group-commit]") {
    group_commit commits(true, 8, [](std::span<pending_push* const>) {});
    CHECK_THROWS_WITH(commits.submit({part("u1", std::nullopt)}), Catch::Contains("unsettled"));
}

TEST_CASE("group commit: a push with invalid text is refused before it reaches the commit", "[group-commit]") {
    int commits_run = 0;
    group_commit commits(true, 8, [&](std::span<pending_push* const> group) {
        ++commits_run;
        settle_ok(group);
    });
    auto bad = part("u1", std::nullopt);
    bad.events[0].payload = std::string("{\"a\":\"\\u0000\"}");
    const auto out = commits.submit({bad});
    REQUIRE_FALSE(out.ok());
    CHECK(out.err().id == "EVENTSTORE-InvalidPayload");
    CHECK(commits_run == 0);
}

// ---- commit_group: one group as one transaction, over a scripted push_transaction ----

namespace {

// A push_transaction over an in-memory table, whose steps fail on demand.
class scripted_transaction final : public push_transaction {
public:
    std::uint64_t begin(sequence_map& sequences) override {
        ++begins;
        if (begin_fails) begin_fails();
        open = true;
        for (auto& [key, sequence] : sequences) {
            sequence = 0;
            for (const auto& row : committed) {
                if (row.aggregate == key) sequence = std::max(sequence, row.sequence.value);
            }
        }
        pending.clear();
        return last_position;
    }
    void insert(std::span<const eventstore::stored_event> events) override {
        if (insert_fails) insert_fails(events);
        pending.insert(pending.end(), events.begin(), events.end());
    }
    void commit() override {
        if (commit_fails) commit_fails();
        for (const auto& row : pending) last_position = std::max(last_position, row.position.value);
        committed.insert(committed.end(), pending.begin(), pending.end());
        pending.clear();
        open = false;
        ++commits;
    }
    void rollback() noexcept override {
        pending.clear();
        open = false;
        ++rollbacks;
    }

    std::function<void()> begin_fails;
    std::function<void(std::span<const eventstore::stored_event>)> insert_fails;
    std::function<void()> commit_fails;
    std::vector<eventstore::stored_event> committed;
    std::vector<eventstore::stored_event> pending;
    std::uint64_t last_position = 0;
    bool open = false;
    int begins = 0;
    int commits = 0;
    int rollbacks = 0;
};

// A group of pushes built by hand, as the leader hands them to the commit function.
struct hand_group {
    std::vector<std::unique_ptr<pending_push>> pushes;
    std::vector<pending_push*> pointers;

    void add(std::vector<eventstore::aggregate_append> batch) {
        pushes.push_back(std::make_unique<pending_push>());
        pushes.back()->batch = std::move(batch);
        pointers.push_back(pushes.back().get());
    }
    std::span<pending_push* const> span() const { return pointers; }
    const pending_push& operator[](std::size_t i) const { return *pushes[i]; }
};

std::string outcome_id(const pending_push& push) {
    REQUIRE(push.outcome);
    return push.outcome->ok() ? std::string("ok") : std::string(push.outcome->err().id);
}

}  // namespace

TEST_CASE("commit_group: when the store becomes unavailable, every push of the group fails with Unavailable and "
          "nothing is written",
          "[group-commit][store-failure]") {
    scripted_transaction tx;
    hand_group group;
    for (int i = 0; i < 4; ++i) group.add({part("u" + std::to_string(i), 0)});
    SECTION("at begin") { tx.begin_fails = [] { throw store_unavailable("connection lost"); }; }
    SECTION("at insert") {
        tx.insert_fails = [](std::span<const eventstore::stored_event>) { throw store_unavailable("lock timeout"); };
    }
    commit_group(group.span(), tx);
    for (std::size_t i = 0; i < 4; ++i) {
        INFO(i);
        CHECK(outcome_id(group[i]) == "EVENTSTORE-Unavailable");
        CHECK_FALSE(group[i].failure);
    }
    CHECK(tx.committed.empty());
    CHECK(tx.begins == 1);  // never retried push by push: a retry would fail the same way
    CHECK_FALSE(tx.open);
}

TEST_CASE("commit_group: a store failure at COMMIT leaves every push of the group CommitUnknown, never retried",
          "[group-commit][store-failure]") {
    scripted_transaction tx;
    hand_group group;
    for (int i = 0; i < 3; ++i) group.add({part("u" + std::to_string(i), 0)});
    tx.commit_fails = [] { throw store_unavailable("connection reset after COMMIT was sent"); };
    commit_group(group.span(), tx);
    for (std::size_t i = 0; i < 3; ++i) CHECK(outcome_id(group[i]) == "EVENTSTORE-CommitUnknown");
    CHECK(tx.begins == 1);
}

TEST_CASE("commit_group: each push is checked against its expected sequence, a stale push is a Conflict alone",
          "[group-commit][concurrency]") {
    scripted_transaction tx;
    {
        hand_group earlier;
        earlier.add({part("u1", 0, 2)});
        commit_group(earlier.span(), tx);
        REQUIRE(outcome_id(earlier[0]) == "ok");
    }
    hand_group group;
    group.add({part("u1", 1)});       // stale: u1 is at 2
    group.add({part("u1", 2)});       // current
    group.add({part("u2", 0)});       // new aggregate
    group.add({part("u2", 0)});       // stale: the push before created u2
    group.add({part("u3", std::nullopt)});  // no check
    group.add({part("u4", 9)});             // ahead of the store: stale too
    commit_group(group.span(), tx);
    CHECK(outcome_id(group[0]) == "EVENTSTORE-Conflict");
    CHECK(outcome_id(group[1]) == "ok");
    CHECK(outcome_id(group[2]) == "ok");
    CHECK(outcome_id(group[3]) == "EVENTSTORE-Conflict");
    CHECK(outcome_id(group[4]) == "ok");
    CHECK(outcome_id(group[5]) == "EVENTSTORE-Conflict");
    // Sequences continue per aggregate; positions continue from the last committed one, in queue order.
    CHECK(group[1].outcome->value().events[0].sequence.value == 3);
    CHECK(group[2].outcome->value().events[0].sequence.value == 1);
    std::vector<std::uint64_t> positions;
    for (const auto& row : tx.committed) positions.push_back(row.position.value);
    CHECK(positions == std::vector<std::uint64_t>{1, 2, 3, 4, 5});
    CHECK(group[4].outcome->value().last_position.value == 5);
    CHECK(tx.commits == 2);
}

TEST_CASE("commit_group: a group the database rejects is retried push by push, so one bad push fails alone, and a "
          "unique violation is a Conflict",
          "[group-commit][retry]") {
    scripted_transaction tx;
    hand_group group;
    group.add({part("u1", 0)});
    group.add({part("poison", 0)});
    group.add({part("u3", 0)});
    group.add({part("taken", 0)});
    tx.insert_fails = [](std::span<const eventstore::stored_event> rows) {
        for (const auto& row : rows) {
            if (row.aggregate.aggregate_id == "poison") throw infrastructure_error("payload rejected");
            if (row.aggregate.aggregate_id == "taken") throw unique_violation("duplicate key");
        }
    };
    commit_group(group.span(), tx);
    CHECK(outcome_id(group[0]) == "ok");
    REQUIRE(group[1].failure);
    CHECK_FALSE(group[1].outcome);
    CHECK_THROWS_WITH(std::rethrow_exception(group[1].failure), "payload rejected");
    CHECK(outcome_id(group[2]) == "ok");
    CHECK(outcome_id(group[3]) == "EVENTSTORE-Conflict");
    CHECK(tx.committed.size() == 2);
    // Positions have no gap where the rejected pushes were.
    CHECK(tx.committed[0].position.value == 1);
    CHECK(tx.committed[1].position.value == 2);
}

TEST_CASE("commit_group: a group of one whose transaction throws gets that failure, a unique violation a Conflict",
          "[group-commit][retry]") {
    scripted_transaction tx;
    hand_group poisoned;
    poisoned.add({part("poison", 0)});
    tx.insert_fails = [](std::span<const eventstore::stored_event>) { throw infrastructure_error("payload rejected"); };
    commit_group(poisoned.span(), tx);
    REQUIRE(poisoned[0].failure);
    CHECK(tx.begins == 1);
    hand_group taken;
    taken.add({part("taken", 0)});
    tx.insert_fails = [](std::span<const eventstore::stored_event>) { throw unique_violation("duplicate key"); };
    commit_group(taken.span(), tx);
    CHECK(outcome_id(taken[0]) == "EVENTSTORE-Conflict");
    CHECK(tx.committed.empty());
}
