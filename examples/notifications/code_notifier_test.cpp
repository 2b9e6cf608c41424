// The notification component's specification: one SMS per issued code, worded by the component. It runs the real
// user service through userstream's test fixture, which gives predictable codes ("CODE01", ...) and a manual clock.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "code_notifier.hpp"
#include "userstream/eventstore/checkpoint_store.hpp"
#include "userstream/testing/user_fixture.hpp"

using namespace userstream;
using userstream::testing::admin;
namespace et = userstream::user::event_types;

namespace {

// A test double for the SMS provider: keeps what would have been sent.
class recording_sms_gateway final : public notifications::sms_gateway {
public:
    struct text {
        std::string to;
        std::string body;
        friend bool operator==(const text&, const text&) = default;
    };
    void send(const std::string& to_e164, const std::string& body) override { sent.push_back({to_e164, body}); }
    std::vector<text> sent;
};

// The notifier over the fixture's store and service, as the host wires it over its own.
struct notifier_fixture {
    testing::user_fixture users;
    recording_sms_gateway gateway;
    eventstore::memory_checkpoint_store checkpoints;
    notifications::code_notifier notifier{users.store, users.service, users.keys, users.clock,
                                          gateway,     checkpoints,   "ACME"};

    notifier_fixture() {
        users.auth.grant("sms-outbox", user::grant_table_authorizer::any_org, user::permissions::user_write);
    }
};

}  // namespace

TEST_CASE("notifications: every issued code is texted once, in the component's words", "[notifications]") {
    notifier_fixture f;
    f.users.given("u1", "o1", {user::human_added{}});

    f.users.when(admin, user::set_phone_request{"u1", "+41 71 000 00 00", user::send_code{}});
    REQUIRE(f.users.then_events({{et::phone_changed, R"({"phone":"+41710000000"})"}, et::phone_code_added}));
    CHECK(f.notifier.deliver_pending() == 1);

    f.users.when(admin, user::resend_phone_code_request{"u1", user::send_code{}});
    REQUIRE(f.users.then_events({et::phone_code_added}));
    CHECK(f.notifier.deliver_pending() == 1);
    CHECK(f.notifier.deliver_pending() == 0);  // nothing new: nothing is sent twice

    CHECK(f.gateway.sent == std::vector<recording_sms_gateway::text>{
                                {"+41710000000", "Your ACME code is CODE01. It expires in 60 minutes."},
                                {"+41710000000", "Your ACME code is CODE02. It expires in 60 minutes."}});
}

TEST_CASE("notifications: a sent code is recorded in the user's stream", "[notifications]") {
    notifier_fixture f;
    f.users.given("u1", "o1", {user::human_added{}});
    f.users.when(admin, user::set_phone_request{"u1", "+41710000000", user::send_code{}});
    f.users.clock.advance(std::chrono::minutes(15));
    REQUIRE(f.notifier.deliver_pending() == 1);
    CHECK(f.gateway.sent.at(0).body == "Your ACME code is CODE01. It expires in 45 minutes.");
    CHECK(f.users.stream("u1").back().event_type == et::phone_code_sent);
}

TEST_CASE("notifications: no text for a code returned to the caller, or for a phone set as verified",
          "[notifications]") {
    notifier_fixture f;
    f.users.given("u1", "o1", {user::human_added{}});
    f.users.when(admin, user::set_phone_request{"u1", "+41710000000", user::return_code{}});
    REQUIRE(f.users.then_events({et::phone_changed, {et::phone_code_added, R"({"code_returned":true})"}}));
    f.users.given("u2", "o1", {user::human_added{}});
    f.users.when(admin, user::set_phone_request{"u2", "+41710000001", user::mark_verified{}});
    REQUIRE(f.users.then_events({et::phone_changed, et::phone_verified}));

    CHECK(f.notifier.deliver_pending() == 0);
    CHECK(f.gateway.sent.empty());
}
