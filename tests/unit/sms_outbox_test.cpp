// The SMS outbox: which codes go out, exactly once in normal operation, with retries, across restarts.
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "support/fake_external_verifier.hpp"
#include "support/forwarding_store.hpp"
#include "support/user_fixture.hpp"
#include "userstream/eventstore/checkpoint_store.hpp"
#include "userstream/user/sms_outbox.hpp"

using namespace userstream;
using namespace userstream::testing;
namespace et = userstream::user::event_types;

namespace {

// A test double for the host's SMS provider: records messages, and fails the first `failures` sends.
class recording_sms_sender final : public sms_sender {
public:
    void send(const sms_message& message) override {
        ++attempts;
        if (failures > 0) {
            --failures;
            throw std::runtime_error("provider unavailable");
        }
        sent.push_back(message);
    }
    std::vector<sms_message> sent;
    int failures = 0;
    int attempts = 0;
};

struct outbox_fixture : user_fixture {
    recording_sms_sender sender;
    eventstore::memory_checkpoint_store checkpoints;
    std::vector<std::chrono::milliseconds> sleeps;

    explicit outbox_fixture(user_service_config cfg = {}) : user_fixture(std::move(cfg)) {
        auth.grant("sms-outbox", grant_table_authorizer::any_org, permissions::user_write);
    }

    sms_outbox make_outbox(eventstore::checkpoint_store& where) {
        return sms_outbox(store, service, keys, clock, sender, where, {},
                          [this](std::chrono::milliseconds d) { sleeps.push_back(d); });
    }
    sms_outbox::report deliver() { return make_outbox(checkpoints).run_once(); }

    // The plain code of a code.added event, as the user would receive it.
    std::string code_of(const stored_event& event) {
        return std::string(keys.decrypt(*std::get<phone_code_added>(*decode(event)).code, code_binding(event)).view());
    }

    // Waits (a bounded time) until the user's last event is `type`.
    bool wait_for_last_event(const std::string& user_id, std::string_view type) {
        for (int i = 0; i < 500; ++i) {
            if (stream(user_id).back().event_type == type) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }
};

void no_sleep(std::chrono::milliseconds) {}

}  // namespace

TEST_CASE("outbox: a pending code is sent to the user's number, then code.sent is recorded", "[outbox]") {
    outbox_fixture f;
    f.given("u1", "o1", {human_added{}});
    auto set = f.service.set_phone(admin, {"u1", "+41 71 000 00 00", send_code{}});
    REQUIRE(set.ok());
    const auto report = f.deliver();
    CHECK(report.sent == 1);
    REQUIRE(f.sender.sent.size() == 1);
    const auto& sms = f.sender.sent[0];
    CHECK(sms.user_id == "u1");
    CHECK(sms.resource_owner == "o1");
    CHECK(sms.phone.e164() == "+41710000000");
    CHECK(sms.code == f.code_of(set->events[1]));
    CHECK(sms.expires_at == set->events[1].created_at + std::chrono::hours(1));
    const auto stream = f.stream("u1");
    CHECK(stream.back().event_type == et::phone_code_sent);
    CHECK(stream.back().payload == "{}");
    CHECK(stream.back().creator == "sms-outbox");
}

TEST_CASE("outbox: returned, expired and superseded codes are skipped", "[outbox]") {
    outbox_fixture f;
    f.given("u1", "o1", {human_added{}});
    SECTION("returned to the caller") {
        REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", return_code{}}).ok());
        CHECK(f.deliver().skipped == 1);
    }
    SECTION("expired") {
        REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", send_code{}}).ok());
        f.clock.advance(std::chrono::hours(1) + std::chrono::microseconds(1));
        CHECK(f.deliver().skipped == 1);
    }
    SECTION("superseded by a later code: only the later one goes out") {
        REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", send_code{}}).ok());
        auto resent = f.service.resend_phone_code(admin, {"u1", send_code{}});
        REQUIRE(resent.ok());
        const auto report = f.deliver();
        CHECK(report.skipped == 1);
        CHECK(report.sent == 1);
        REQUIRE(f.sender.sent.size() == 1);
        CHECK(f.sender.sent[0].code == f.code_of(resent->events[0]));
    }
    SECTION("superseded by a code.sent") {
        REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", send_code{}}).ok());
        REQUIRE(f.service.phone_code_sent(admin, {"u1", std::nullopt, "", ""}).ok());
        CHECK(f.deliver().skipped == 1);
    }
    SECTION("the phone was verified or removed meanwhile") {
        REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", send_code{}}).ok());
        REQUIRE(f.service.remove_phone(admin, {"u1"}).ok());
        CHECK(f.deliver().skipped == 1);
    }
    CHECK(f.sender.sent.size() <= 1);
}

TEST_CASE("outbox: a code is still sent at exactly its expiry instant, and skipped one microsecond later",
          "[outbox][expiry]") {
    // ZITADEL's rule: a code is valid up to and including created_at + expiry (`creationDate+expiry < now` expires it).
    outbox_fixture f;
    f.given("u1", "o1", {human_added{}});
    auto set = f.service.set_phone(admin, {"u1", "+41710000000", send_code{}});
    REQUIRE(set.ok());
    const auto deadline = set->events[1].created_at + std::chrono::hours(1);
    SECTION("at the deadline: sent") {
        f.clock.set(deadline);
        const auto report = f.deliver();
        CHECK(report.sent == 1);
        CHECK(report.skipped == 0);
        REQUIRE(f.sender.sent.size() == 1);
        CHECK(f.sender.sent[0].code == f.code_of(set->events[1]));
    }
    SECTION("one microsecond after: skipped") {
        f.clock.set(deadline + std::chrono::microseconds(1));
        const auto report = f.deliver();
        CHECK(report.sent == 0);
        CHECK(report.skipped == 1);
        CHECK(f.sender.sent.empty());
    }
}

TEST_CASE("outbox: a restart resumes after the checkpoint without sending twice", "[outbox]") {
    outbox_fixture f;
    f.given("u1", "o1", {human_added{}});
    REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", send_code{}}).ok());
    REQUIRE(f.deliver().sent == 1);

    f.given("u2", "o1", {human_added{}});
    REQUIRE(f.service.set_phone(admin, {"u2", "+41710000001", send_code{}}).ok());
    // A new outbox instance (a restarted host) with the same checkpoints: only the new code goes out.
    const auto report = f.deliver();
    CHECK(report.sent == 1);
    CHECK(report.skipped == 0);
    REQUIRE(f.sender.sent.size() == 2);
    CHECK(f.sender.sent[1].user_id == "u2");

    // Even with the checkpoint lost, the recorded code.sent events keep both codes from going out again.
    eventstore::memory_checkpoint_store lost;
    CHECK(f.make_outbox(lost).run_once().sent == 0);
    CHECK(f.sender.sent.size() == 2);
}

TEST_CASE("outbox: a failing sender is retried with backoff, a bounded number of times", "[outbox]") {
    outbox_fixture f;
    f.given("u1", "o1", {human_added{}});
    REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", send_code{}}).ok());
    SECTION("recovers on the third attempt") {
        f.sender.failures = 2;
        CHECK(f.deliver().sent == 1);
        CHECK(f.sender.attempts == 3);
        CHECK(f.sleeps == std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(200),
                                                                  std::chrono::milliseconds(400)});
    }
    SECTION("gives up after five attempts and moves on") {
        f.sender.failures = 100;
        const auto report = f.deliver();
        CHECK(report.given_up == 1);
        CHECK(f.sender.attempts == 5);
        CHECK(f.sleeps.size() == 4);
        CHECK(f.stream("u1").back().event_type == et::phone_code_added);  // no code.sent
        CHECK(f.checkpoints.load("sms_outbox") == f.stream("u1").back().position);
    }
}

TEST_CASE("outbox: codes encrypted before a key rotation are still delivered", "[outbox][keys]") {
    outbox_fixture f;
    f.given("u1", "o1", {human_added{}});
    auto set = f.service.set_phone(admin, {"u1", "+41710000000", send_code{}});
    REQUIRE(set.ok());
    const auto plain = f.code_of(set->events[1]);
    f.keys.add_random_key("key-2");
    f.keys.activate("key-2");
    REQUIRE(f.deliver().sent == 1);
    CHECK(f.sender.sent[0].code == plain);
    CHECK(f.service.verify_phone(admin, {"u1", plain}).ok());
}

TEST_CASE("outbox: with an external verifier the provider starts the verification", "[outbox][external]") {
    fake_external_verifier verifier;
    user_service_config config;
    config.phone_verifier = &verifier;
    outbox_fixture f(config);
    f.given("u1", "o1", {human_added{}});
    REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", send_code{}}).ok());
    CHECK(f.deliver().sent == 1);
    CHECK(f.sender.sent.empty());
    CHECK(verifier.started == 1);
    CHECK(verifier.last_phone == "+41710000000");
    CHECK(f.stream("u1").back().payload == R"({"generatorInfo":{"id":"fake-verify-1","verificationId":"VE1"}})");
    CHECK(f.service.verify_phone(admin, {"u1", "424242"}).ok());
    CHECK(verifier.last_checked_id == "VE1");
}

TEST_CASE("outbox: the background thread delivers and stops cleanly", "[outbox]") {
    outbox_fixture f;
    f.given("u1", "o1", {human_added{}});
    REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", send_code{}}).ok());
    auto outbox = f.make_outbox(f.checkpoints);
    outbox.start(std::chrono::milliseconds(5));
    for (int i = 0; i < 500 && f.stream("u1").back().event_type != et::phone_code_sent; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    outbox.stop();
    CHECK(f.sender.sent.size() == 1);
    CHECK(f.stream("u1").back().event_type == et::phone_code_sent);
}

TEST_CASE("file checkpoints survive a new instance and only hold the position", "[checkpoint]") {
    const auto dir = std::filesystem::temp_directory_path() / ("userstream-cp-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    {
        eventstore::file_checkpoint_store store(dir);
        CHECK(store.load("outbox").value == 0);
        store.save("outbox", eventstore::global_position{42});
        store.save("outbox", eventstore::global_position{43});
    }
    eventstore::file_checkpoint_store reopened(dir);
    CHECK(reopened.load("outbox").value == 43);
    CHECK(reopened.load("other").value == 0);
    CHECK_THROWS_AS(reopened.save("../escape", {}), std::invalid_argument);
    std::filesystem::remove_all(dir);
}

TEST_CASE("defect 8.5: a code whose key was retired is given up and reported, and the other users' codes still go out",
          "[issue8][outbox][keys]") {
    outbox_fixture f;
    // Before the restart: u1's code is encrypted under k0.
    key_ring before_keys;
    before_keys.add_random_key("k0");
    before_keys.activate("k0");
    user_service before(f.store, f.auth, before_keys, f.clock, f.ids, f.config);
    f.given("u1", "o1", {human_added{}});
    auto first = before.set_phone(admin, {"u1", "+41710000000", send_code{}});
    REQUIRE(first.ok());
    const std::string retired_code(
        before_keys.decrypt(*std::get<phone_code_added>(*decode(first->events[1])).code, code_binding(first->events[1]))
            .view());

    // The restart: only k1 is configured (k0 retired). u2 gets a code under k1.
    key_ring keys;
    keys.add_random_key("k1");
    keys.activate("k1");
    user_service after(f.store, f.auth, keys, f.clock, f.ids, f.config);
    f.given("u2", "o1", {human_added{}});
    REQUIRE(after.set_phone(admin, {"u2", "+41710000001", send_code{}}).ok());
    sms_outbox outbox(f.store, after, keys, f.clock, f.sender, f.checkpoints, {}, no_sleep);

    SECTION("one round gives u1's code up and sends u2's") {
        sms_outbox::report report;
        REQUIRE_NOTHROW(report = outbox.run_once());
        CHECK(report.sent == 1);
        CHECK(report.given_up == 1);
        CHECK(report.undecryptable == 1);
        CHECK(f.checkpoints.load("sms_outbox") == f.stream("u2")[2].position);  // past both codes
        // The next round has nothing left to do: the undecryptable code is not retried.
        const auto again = outbox.run_once();
        CHECK(again.sent + again.given_up + again.skipped == 0);
    }
    SECTION("the background thread does the same") {
        outbox.start(std::chrono::milliseconds(1));
        CHECK(f.wait_for_last_event("u2", et::phone_code_sent));
        // A round counts once the runner finds nothing left to do; stopping right after the last page would race it.
        for (int i = 0; i < 500 && outbox.status().rounds == 0; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        outbox.stop();
    }

    REQUIRE(f.sender.sent.size() == 1);
    CHECK(f.sender.sent[0].user_id == "u2");
    CHECK(f.stream("u1").back().event_type == et::phone_code_added);  // given up: no code.sent for u1
    CHECK(f.stream("u2").back().event_type == et::phone_code_sent);
    const auto status = outbox.status();
    CHECK(status.totals.sent == 1);
    CHECK(status.totals.given_up == 1);
    CHECK(status.totals.undecryptable == 1);
    CHECK(status.failed_rounds == 0);
    CHECK(status.rounds >= 1);
    CHECK(status.last_error_id.empty());
    CHECK_THAT(status.last_error, Catch::Contains("u1") && Catch::Contains("k0"));
    CHECK_THAT(status.last_error, !Catch::Contains(retired_code));
}

TEST_CASE("defect 8.10: a rejected code.sent is counted with its error id, and the SMS still counts as sent",
          "[issue8][outbox]") {
    outbox_fixture f;
    f.given("u1", "o1", {human_added{}});
    auto set = f.service.set_phone(admin, {"u1", "+41710000000", send_code{}});
    REQUIRE(set.ok());
    const auto code = f.code_of(set->events[1]);
    sms_outbox_config config;
    config.recorder = {"outbox-without-grant", ""};  // lacks user.write
    sms_outbox outbox(f.store, f.service, f.keys, f.clock, f.sender, f.checkpoints, config, no_sleep);

    const auto report = outbox.run_once();
    CHECK(report.sent == 1);
    CHECK(report.record_failures == 1);
    CHECK(f.sender.sent.size() == 1);
    CHECK(f.stream("u1").back().event_type == et::phone_code_added);  // code.sent was not stored

    const auto status = outbox.status();
    CHECK(status.totals.sent == 1);
    CHECK(status.totals.record_failures == 1);
    CHECK(status.last_error_id == errors::permission_denied_v1.id);
    CHECK_THAT(status.last_error, Catch::Contains("u1") && !Catch::Contains(code));
    // The checkpoint moved on: the SMS is not sent again.
    CHECK(outbox.run_once().sent == 0);
    CHECK(f.sender.sent.size() == 1);
}

namespace {

// Removes the user's phone while the SMS is out, as a concurrent RemovePhone would.
class phone_removing_sender final : public sms_sender {
public:
    explicit phone_removing_sender(user_service& users) : users_(users) {}
    void send(const sms_message& message) override {
        REQUIRE(users_.remove_phone(admin, {message.user_id}).ok());
        ++sent;
    }
    int sent = 0;

private:
    user_service& users_;
};

}  // namespace

TEST_CASE("outbox: a phone removed while its SMS was out leaves nothing to record and is no failure", "[outbox]") {
    outbox_fixture f;
    f.given("u1", "o1", {human_added{}});
    REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", send_code{}}).ok());
    phone_removing_sender sender(f.service);
    sms_outbox outbox(f.store, f.service, f.keys, f.clock, sender, f.checkpoints, {}, no_sleep);
    const auto report = outbox.run_once();
    CHECK(sender.sent == 1);
    CHECK(report.sent == 1);
    CHECK(report.record_failures == 0);
    CHECK(f.stream("u1").back().event_type == et::phone_removed);
    CHECK(outbox.status().last_error.empty());
}

namespace {

// The outbox's view of the store: when the outbox looks for events after a code (its supersede check), the answer
// it gets is the one from before the phone's removal, which another caller commits right after that read.
class removing_after_read_store final : public forwarding_store {
public:
    removing_after_read_store(eventstore::event_store& inner, user_service& users)
        : forwarding_store(inner), users_(users) {}
    std::vector<eventstore::stored_event> read_aggregate(const eventstore::aggregate_key& key,
                                                         eventstore::sequence_number after) const override {
        auto events = inner_.read_aggregate(key, after);
        if (!removed_) {
            removed_ = true;
            REQUIRE(users_.remove_phone(admin, {key.aggregate_id}).ok());
        }
        return events;
    }

private:
    user_service& users_;
    mutable bool removed_ = false;
};

}  // namespace

TEST_CASE("outbox: a phone removed after the supersede check, before the send, is not texted", "[outbox]") {
    // Given a pending code, when the phone is removed between the outbox's check for later events and its reading of
    // the user, then no SMS goes out: the number the code was for is gone.
    outbox_fixture f;
    f.given("u1", "o1", {human_added{}});
    REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", send_code{}}).ok());
    removing_after_read_store racing(f.store, f.service);
    sms_outbox outbox(racing, f.service, f.keys, f.clock, f.sender, f.checkpoints, {}, no_sleep);
    const auto report = outbox.run_once();
    CHECK(report.sent == 0);
    CHECK(report.skipped == 1);
    CHECK(f.sender.sent.empty());
    CHECK(f.stream("u1").back().event_type == et::phone_removed);
}

TEST_CASE("defect 8.11: the outbox does not text a code moved into another user's event", "[issue8][outbox][keys]") {
    outbox_fixture f;
    f.given("victim", "o1", {human_added{}});
    auto set = f.service.set_phone(admin, {"victim", "+41710000000", return_code{}});
    REQUIRE(set.ok());
    // Someone with write access to the store copies the victim's code event into their own stream.
    const auto stolen = std::get<phone_code_added>(*decode(set->events[1]));
    phone_code_added copy = stolen;
    copy.code_returned = false;
    f.given("mallory", "o1", {human_added{stored_phone("+41719999999")}, copy});

    const auto report = f.deliver();
    CHECK(report.sent == 0);
    CHECK(report.undecryptable == 1);
    CHECK(f.sender.sent.empty());
}

TEST_CASE("defect 8.12: start and stop called concurrently from many threads keep one worker at most",
          "[issue8][outbox][threads]") {
    outbox_fixture f;
    auto outbox = f.make_outbox(f.checkpoints);
    std::atomic<bool> go{false};
    std::vector<std::thread> callers;
    for (int t = 0; t < 6; ++t) {
        callers.emplace_back([&, t] {
            while (!go.load()) std::this_thread::yield();
            for (int i = 0; i < 40; ++i) {
                if ((i + t) % 2 == 0) {
                    outbox.start(std::chrono::milliseconds(1));
                } else {
                    outbox.stop();
                }
            }
        });
    }
    go.store(true);
    for (auto& caller : callers) caller.join();
    outbox.stop();
    CHECK_FALSE(outbox.status().running);

    // The outbox still works after the storm: one start delivers, one stop ends it.
    f.given("u1", "o1", {human_added{}});
    REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", send_code{}}).ok());
    outbox.start(std::chrono::milliseconds(1));
    CHECK(outbox.status().running);
    CHECK(f.wait_for_last_event("u1", et::phone_code_sent));
    outbox.stop();
    CHECK_FALSE(outbox.status().running);
    CHECK(f.sender.sent.size() == 1);
}

TEST_CASE("outbox: a code event that does not decode is given up, and the other users' codes still go out",
          "[outbox]") {
    outbox_fixture f;
    f.given("u1", "o1", {human_added{stored_phone("+41710000000")}});
    eventstore::aggregate_append corrupt{{f.config.instance_id, "user", "u1"}, "o1", std::nullopt, {}};
    corrupt.events.push_back({std::string(et::phone_code_added), R"({"code":"not an object"})", aggregate_revision,
                              "seed", f.clock.now()});
    std::vector<eventstore::aggregate_append> batch{std::move(corrupt)};
    REQUIRE(f.store.append(std::move(batch)).ok());
    f.given("u2", "o1", {human_added{}});
    REQUIRE(f.service.set_phone(admin, {"u2", "+41710000001", send_code{}}).ok());

    auto outbox = f.make_outbox(f.checkpoints);
    const auto report = outbox.run_once();
    CHECK(report.given_up == 1);
    CHECK(report.undecryptable == 1);
    CHECK(report.sent == 1);
    REQUIRE(f.sender.sent.size() == 1);
    CHECK(f.sender.sent[0].user_id == "u2");
    CHECK_THAT(outbox.status().last_error, Catch::Contains("u1"));
}

namespace {

// A store whose reads of the global stream fail on demand, as a database that went away; it counts the attempts.
class unreachable_store final : public forwarding_store {
public:
    using forwarding_store::forwarding_store;
    std::vector<stored_event> read_global(eventstore::global_position after, const eventstore::global_filter& filter,
                                          std::size_t limit) const override {
        fail_if_down();
        return inner_.read_global(after, filter, limit);
    }
    eventstore::global_position head() const override {
        fail_if_down();
        return inner_.head();
    }
    std::atomic<bool> down{false};
    std::atomic<bool> host_exception{false};  // fail with a host's own exception type instead of the library's
    mutable std::atomic<int> failed_calls{0};

private:
    void fail_if_down() const {
        if (!down) return;
        ++failed_calls;
        if (host_exception) throw std::runtime_error("host driver: last statement held code 424242");
        throw infrastructure_error("database unreachable");
    }
};

}  // namespace

TEST_CASE("outbox: a store failure in the background is reported in the status and retried after a pause that "
          "doubles, once the store is back the code goes out and the report clears",
          "[outbox]") {
    outbox_fixture f;
    f.given("u1", "o1", {human_added{}});
    REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", send_code{}}).ok());
    unreachable_store store(f.store);
    sms_outbox outbox(store, f.service, f.keys, f.clock, f.sender, f.checkpoints, {}, no_sleep);

    store.down = true;
    outbox.start(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto failing = outbox.status();  // asks no store: the store is down
    CHECK(failing.running);
    CHECK(failing.failed_rounds >= 3);
    CHECK(failing.last_error == "a round failed: database unreachable");
    // Backoff: pauses of 1, 2, 4, ... ms make about ten attempts in 300 ms, not one per millisecond.
    CHECK(store.failed_calls.load() < 30);
    CHECK(f.sender.sent.empty());

    store.down = false;
    CHECK(f.wait_for_last_event("u1", et::phone_code_sent));
    outbox.stop();
    const auto recovered = outbox.status();
    CHECK(recovered.totals.sent == 1);
    CHECK(recovered.last_error.empty());
    CHECK(recovered.failed_rounds >= failing.failed_rounds);  // cumulative
    CHECK(f.sender.sent.size() == 1);
}

TEST_CASE("outbox: a failing round from host code is reported without the exception's text, which may quote a code",
          "[outbox]") {
    outbox_fixture f;
    unreachable_store store(f.store);
    store.down = true;
    store.host_exception = true;
    sms_outbox outbox(store, f.service, f.keys, f.clock, f.sender, f.checkpoints, {}, no_sleep);
    CHECK_THROWS_AS(outbox.run_once(), std::runtime_error);  // a direct call lets it through unchanged
    outbox.start(std::chrono::milliseconds(1));
    for (int i = 0; i < 500 && outbox.status().failed_rounds == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(outbox.status().failed_rounds > 0);
    outbox.stop();
    const auto status = outbox.status();
    CHECK_THAT(status.last_error, Catch::Contains("a round failed") && Catch::Contains("exception from host code"));
    CHECK_THAT(status.last_error, !Catch::Contains("424242"));
}

namespace {
// A test double for a lease among processes (the PostgreSQL one is tested against a real server): `hold()` answers
// what the test scripted, one answer per call, then `held_after_script`.
class scripted_lease final : public subscriptions::exclusive_lease {
public:
    bool hold() noexcept override {
        ++asked;
        if (script.empty()) return held_after_script;
        const bool answer = script.front();
        script.erase(script.begin());
        return answer;
    }
    std::vector<bool> script;
    bool held_after_script = true;
    int asked = 0;
};
}  // namespace

TEST_CASE("outbox: while another process holds the lease, the outbox stands by: nothing sent, checkpoint unmoved, and "
          "once the lease is free it sends", "[outbox]") {
    outbox_fixture f;
    f.given("u1", "o1", {human_added{}});
    REQUIRE(f.service.set_phone(admin, {"u1", "+41 71 000 00 00", send_code{}}).ok());
    scripted_lease lease;
    lease.held_after_script = false;
    sms_outbox_config config;
    config.lease = &lease;
    sms_outbox outbox(f.store, f.service, f.keys, f.clock, f.sender, f.checkpoints, config, no_sleep);

    const auto standing_by = outbox.run_once();
    CHECK(standing_by.sent == 0);
    CHECK(standing_by.skipped == 0);
    CHECK(f.sender.sent.empty());
    CHECK(f.checkpoints.load("sms_outbox") == eventstore::global_position{});
    CHECK(f.stream("u1").back().event_type == et::phone_code_added);
    CHECK(outbox.status().standing_by);
    CHECK(lease.asked == 1);  // declined once, not retried in a loop

    lease.held_after_script = true;
    CHECK(outbox.run_once().sent == 1);
    CHECK(f.sender.sent.size() == 1);
    CHECK_FALSE(outbox.status().standing_by);
}

TEST_CASE("outbox: a lease lost in the middle of a page stops before the next code, and the codes before it are "
          "not sent again", "[outbox]") {
    outbox_fixture f;
    for (const auto* id : {"u1", "u2", "u3"}) {
        f.given(id, "o1", {human_added{}});
        REQUIRE(f.service.set_phone(admin, {id, "+41 71 000 00 00", send_code{}}).ok());
    }
    scripted_lease lease;
    lease.script = {true, true};  // held for u1 and u2, then lost
    lease.held_after_script = false;
    sms_outbox_config config;
    config.lease = &lease;
    sms_outbox outbox(f.store, f.service, f.keys, f.clock, f.sender, f.checkpoints, config, no_sleep);

    CHECK(outbox.run_once().sent == 2);
    REQUIRE(f.sender.sent.size() == 2);
    CHECK(f.sender.sent[0].user_id == "u1");
    CHECK(f.sender.sent[1].user_id == "u2");
    CHECK(f.stream("u3").back().event_type == et::phone_code_added);
    CHECK(outbox.status().standing_by);

    // Another process's outbox took the lease and the shared checkpoint: it sends u3's code, and only that one.
    recording_sms_sender other_sender;
    scripted_lease other_lease;
    config.lease = &other_lease;
    sms_outbox other(f.store, f.service, f.keys, f.clock, other_sender, f.checkpoints, config, no_sleep);
    CHECK(other.run_once().sent == 1);
    REQUIRE(other_sender.sent.size() == 1);
    CHECK(other_sender.sent[0].user_id == "u3");
}

namespace {
// A test double for one lease shared by several processes: the first outbox to ask holds it until released.
struct shared_lease_double {
    std::mutex mutex;
    const void* holder = nullptr;

    class handle final : public subscriptions::exclusive_lease {
    public:
        explicit handle(shared_lease_double& lease) : lease_(lease) {}
        bool hold() noexcept override {
            std::lock_guard lock(lease_.mutex);
            if (lease_.holder == nullptr) lease_.holder = this;
            return lease_.holder == this;
        }

    private:
        shared_lease_double& lease_;
    };
};

// A test double for an SMS provider that takes its time: each send waits until the test lets it go.
class gated_sms_sender final : public sms_sender {
public:
    void send(const sms_message& message) override {
        std::unique_lock lock(mutex_);
        ++waiting_;
        changed_.notify_all();
        changed_.wait(lock, [&] { return open_; });
        sent.push_back(message.user_id);
    }
    void wait_until_sending() {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return waiting_ > 0; });
    }
    void open() {
        std::lock_guard lock(mutex_);
        open_ = true;
        changed_.notify_all();
    }
    std::vector<std::string> sent;

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    int waiting_ = 0;
    bool open_ = false;
};
}  // namespace

TEST_CASE("outbox: two processes on one checkpoint, while the lease holder is still sending a code, the other does "
          "not send it too", "[outbox]") {
    outbox_fixture f;
    f.given("u1", "o1", {human_added{}});
    REQUIRE(f.service.set_phone(admin, {"u1", "+41 71 000 00 00", send_code{}}).ok());
    shared_lease_double lease;
    shared_lease_double::handle first_lease(lease), second_lease(lease);
    gated_sms_sender slow;
    recording_sms_sender second_sender;
    sms_outbox_config config;
    config.lease = &first_lease;
    sms_outbox first(f.store, f.service, f.keys, f.clock, slow, f.checkpoints, config, no_sleep);
    config.lease = &second_lease;
    sms_outbox second(f.store, f.service, f.keys, f.clock, second_sender, f.checkpoints, config, no_sleep);

    std::thread sending([&] { first.run_once(); });
    slow.wait_until_sending();  // the first process is in the middle of u1's code; its checkpoint is still before it
    const auto meanwhile = second.run_once();
    slow.open();
    sending.join();

    CHECK(meanwhile.sent == 0);
    CHECK(second_sender.sent.empty());
    CHECK(slow.sent == std::vector<std::string>{"u1"});
    CHECK(second.status().standing_by);
}
