// v2 AddHumanUser's fields beyond the phone, and a machine's username, name and description: stored in the added
// event's payload under ZITADEL's names (internal/repository/user/human.go, machine.go), so the read side can answer
// GetUserByID. The phone part of add_human is specified in lifecycle_test.cpp.
#include "support/user_fixture.hpp"

using namespace userstream;
using namespace userstream::testing;
namespace et = userstream::user::event_types;

namespace {
add_human_request full_request() {
    add_human_request request{"u1", "o1", "", false};
    request.username = "minnie";
    request.profile = {"Minnie", "Mouse", "Min", "Minnie Mouse", "de-CH", 1};
    request.email = "minnie@example.com";
    return request;
}
}  // namespace

TEST_CASE("add_human stores username, profile and email in human.added under ZITADEL's payload names",
          "[add_human]") {
    user_fixture f;
    auto out = f.service.add_human(admin, full_request());
    REQUIRE(out.ok());
    REQUIRE(types_of(out->events) == types({et::human_added}));
    // Go's field order; every field but userName is omitempty in ZITADEL.
    CHECK(out->events[0].payload ==
          R"({"userName":"minnie","firstName":"Minnie","lastName":"Mouse","nickName":"Min","displayName":"Minnie Mouse",)"
          R"("preferredLanguage":"de-CH","gender":1,"email":"minnie@example.com"})");
    CHECK(f.stream("u1")[0].payload == out->events[0].payload);
}

TEST_CASE("add_human omits the profile fields it was not given, except the display name it derives", "[add_human]") {
    user_fixture f;
    auto request = full_request();
    request.profile = {"Minnie", "Mouse", "", "", "", 0};
    request.phone = "+41 71 000 00 00";
    request.is_phone_verified = true;
    auto out = f.service.add_human(admin, request);
    REQUIRE(out.ok());
    CHECK(out->events[0].payload ==
          R"({"userName":"minnie","firstName":"Minnie","lastName":"Mouse","displayName":"Minnie Mouse",)"
          R"("email":"minnie@example.com","phone":"+41710000000"})");
}

TEST_CASE("add_human derives a blank display name as ZITADEL's AddHuman does: given and family name, else the email",
          "[add_human]") {
    user_fixture f;
    auto named = full_request();
    named.profile.display_name = "  ";
    auto out = f.service.add_human(admin, named);
    REQUIRE(out.ok());
    CHECK(std::get<human_added>(*decode(out->events[0])).profile.display_name == "Minnie Mouse");

    auto unnamed = full_request();
    unnamed.user_id = "u2";
    unnamed.profile = {"Minnie", "", "", "", "", 0};
    out = f.service.add_human(admin, unnamed);
    REQUIRE(out.ok());
    CHECK(std::get<human_added>(*decode(out->events[0])).profile.display_name == "minnie@example.com");

    auto given = full_request();
    given.user_id = "u3";
    given.profile.display_name = "Min M.";
    out = f.service.add_human(admin, given);
    REQUIRE(out.ok());
    CHECK(std::get<human_added>(*decode(out->events[0])).profile.display_name == "Min M.");
}

TEST_CASE("add_human without a username takes the email address, as ZITADEL's AddHumanUser does", "[add_human]") {
    user_fixture f;
    auto request = full_request();
    request.username.clear();
    auto out = f.service.add_human(admin, request);
    REQUIRE(out.ok());
    const auto added = std::get<human_added>(*decode(out->events[0]));
    CHECK(added.user_name == "minnie@example.com");

    // Without an email either, the payload has no userName (readers fall back to the user id).
    auto bare = f.service.add_human(admin, {"u2", "o1", "", false});
    REQUIRE(bare.ok());
    CHECK(bare->events[0].payload == "{}");
}

TEST_CASE("add_human with a verified email stores email.verified right after human.added, before the phone events",
          "[add_human]") {
    user_fixture f;
    auto request = full_request();
    request.is_email_verified = true;
    request.phone = "+41710000000";
    auto out = f.service.add_human(admin, request);
    REQUIRE(out.ok());
    CHECK(types_of(out->events) == types({et::human_added, et::email_verified, et::phone_code_added}));
    CHECK(out->events[1].event_type == "user.human.email.verified");
    CHECK(out->events[1].payload.empty());

    SECTION("an unverified email gets no event and no code: email verification is out of scope") {
        auto unverified = full_request();
        unverified.user_id = "u2";
        auto plain = f.service.add_human(admin, unverified);
        REQUIRE(plain.ok());
        CHECK(types_of(plain->events) == types({et::human_added}));
        CHECK_FALSE(plain->verification_code);
    }
    SECTION("without an email address, is_email_verified stores nothing") {
        add_human_request no_email{"u3", "o1", "", false};
        no_email.is_email_verified = true;
        auto plain = f.service.add_human(admin, no_email);
        REQUIRE(plain.ok());
        CHECK(types_of(plain->events) == types({et::human_added}));
    }
}

TEST_CASE("add_human with return_phone_code returns the plain code, marks it returned and sends no SMS",
          "[add_human]") {
    user_fixture f;
    auto request = full_request();
    request.phone = "+41 71 000 00 00";
    request.return_phone_code = true;
    auto out = f.service.add_human(admin, request);
    REQUIRE(out.ok());
    REQUIRE(types_of(out->events) == types({et::human_added, et::phone_code_added}));
    REQUIRE(out->verification_code);
    CHECK(*out->verification_code == f.codes.code(1));
    const auto added = std::get<phone_code_added>(*decode(out->events[1]));
    CHECK(added.code_returned);
    REQUIRE(added.code);
    CHECK(f.keys.decrypt(*added.code, code_binding(out->events[1])) == *out->verification_code);
    // The returned code verifies the phone.
    auto verified = f.service.verify_phone(admin, {"u1", *out->verification_code});
    REQUIRE(verified.ok());
    CHECK(types_of(verified->events) == types({et::phone_verified}));
}

TEST_CASE("add_human returns no code when the phone is sent a code, verified, or absent", "[add_human]") {
    user_fixture f;
    auto sent = full_request();
    sent.phone = "+41710000000";
    auto out = f.service.add_human(admin, sent);
    REQUIRE(out.ok());
    CHECK_FALSE(out->verification_code);
    CHECK_FALSE(std::get<phone_code_added>(*decode(out->events[1])).code_returned);

    auto verified = full_request();
    verified.user_id = "u2";
    verified.phone = "+41710000001";
    verified.is_phone_verified = true;
    verified.return_phone_code = true;  // is_verified wins: v2's oneof cannot hold both
    out = f.service.add_human(admin, verified);
    REQUIRE(out.ok());
    CHECK(types_of(out->events) == types({et::human_added, et::phone_verified}));
    CHECK_FALSE(out->verification_code);

    auto no_phone = full_request();
    no_phone.user_id = "u3";
    no_phone.return_phone_code = true;
    out = f.service.add_human(admin, no_phone);
    REQUIRE(out.ok());
    CHECK(types_of(out->events) == types({et::human_added}));
    CHECK_FALSE(out->verification_code);
}

TEST_CASE("add_human and add_machine refuse new text fields that are not valid UTF-8", "[add_human][text]") {
    user_fixture f;
    const std::string nul("a\0b", 3);
    auto request = full_request();
    request.profile.given_name = nul;
    then_rejected(f.service.add_human(admin, request), errors::text_invalid);
    request = full_request();
    request.email = "\x80";
    then_rejected(f.service.add_human(admin, request), errors::text_invalid);
    add_machine_request machine{"m1", "o1"};
    machine.description = nul;
    then_rejected(f.service.add_machine(admin, machine), errors::text_invalid);
    CHECK(f.store.head().value == 0);
}

TEST_CASE("add_machine stores username, name and description in machine.added under ZITADEL's names",
          "[add_machine]") {
    user_fixture f;
    auto out = f.service.add_machine(admin, {"m1", "o1", "robot", "Robot", "Builds things"});
    REQUIRE(out.ok());
    CHECK(out->events[0].payload == R"({"userName":"robot","name":"Robot","description":"Builds things"})");
    const auto added = std::get<machine_added>(*decode(out->events[0]));
    CHECK(added.user_name == "robot");
    CHECK(added.name == "Robot");
    CHECK(added.description == "Builds things");

    // Without any of them the payload stays empty, as before.
    auto bare = f.service.add_machine(admin, {"m2", "o1"});
    REQUIRE(bare.ok());
    CHECK(bare->events[0].payload.empty());
}
