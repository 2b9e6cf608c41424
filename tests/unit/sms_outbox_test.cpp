// The SMS outbox: which codes go out, exactly once in normal operation, with retries, across restarts.
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "support/fake_external_verifier.hpp"
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
        return keys.decrypt(*std::get<phone_code_added>(*decode(event)).code);
    }
};

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
