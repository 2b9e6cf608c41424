// Resending codes, removing the phone, recording a sent code, and the auth API's "me" variants.
#include "support/fake_external_verifier.hpp"
#include "support/user_fixture.hpp"

using namespace userstream;
using namespace userstream::testing;
namespace et = userstream::user::event_types;

namespace {
const phone_number number = stored_phone("+41710000000");
}

TEST_CASE("resend v1: a new code replaces the pending one", "[resend][v1]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    auto first = f.service.set_phone(admin, {"u1", "+41710000000", return_code{}});
    REQUIRE(first.ok());
    auto out = f.service.resend_human_phone_verification(admin, {"u1", "o1"});
    REQUIRE(out.ok());
    CHECK(types_of(out->events) == types({et::phone_code_added}));
    CHECK_FALSE(std::get<phone_code_added>(*decode(out->events[0])).code_returned);
    CHECK_FALSE(out->verification_code);
    then_rejected(f.service.verify_phone(admin, {"u1", *first->verification_code}), errors::verify_code_invalid_v2);
}

TEST_CASE("resend v1: errors", "[resend][v1]") {
    user_fixture f;
    then_rejected(f.service.resend_human_phone_verification(admin, {"", "o1"}), errors::resend_user_id_missing_v1);
    then_rejected(f.service.resend_human_phone_verification(admin, {"u1", "o1"}), errors::resend_user_not_found_v1);
    f.given("u1", "o1", {human_added{}});
    then_rejected(f.service.resend_human_phone_verification(admin, {"u1", "o1"}), errors::resend_phone_not_found_v1);
    f.given("u1", "o1", {phone_changed{number}, phone_verified{}});
    then_rejected(f.service.resend_human_phone_verification(admin, {"u1", "o1"}), errors::resend_already_verified_v1);
    then_rejected(f.service.resend_human_phone_verification({"u1", "o1"}, {"u1", "o1"}), errors::permission_denied_v1);
}

TEST_CASE("resend v2: send or return a new code", "[resend][v2]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    then_rejected(f.service.resend_phone_code(admin, {"u1", send_code{}}), errors::resend_code_empty_v2);
    REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", send_code{}}).ok());
    auto returned = f.service.resend_phone_code(admin, {"u1", return_code{}});
    REQUIRE(returned.ok());
    REQUIRE(returned->verification_code);
    CHECK(std::get<phone_code_added>(*decode(returned->events[0])).code_returned);
    // Self-management: the user may have a code sent, never returned.
    CHECK(f.service.resend_phone_code({"u1", "o1"}, {"u1", send_code{}}).ok());
    then_rejected(f.service.resend_phone_code({"u1", "o1"}, {"u1", return_code{}}), errors::permission_denied_v2);
    REQUIRE(f.service.verify_phone(admin, {"u1", *returned->verification_code}).ok() == false);  // superseded
    then_rejected(f.service.resend_phone_code(admin, {"nobody", send_code{}}), errors::phone_user_not_found_v2);
}

TEST_CASE("resend v2: nothing to resend after verification, except with an external verifier", "[resend][v2]") {
    SECTION("internal codes") {
        user_fixture f;
        f.given("u1", "o1", {human_added{}});
        REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", mark_verified{}}).ok());
        then_rejected(f.service.resend_phone_code(admin, {"u1", send_code{}}), errors::resend_code_empty_v2);
    }
    SECTION("external verifier: its id survives verification") {
        fake_external_verifier verifier;
        user_service_config config;
        config.phone_verifier = &verifier;
        user_fixture f(config);
        f.given("u1", "o1", {human_added{}});
        REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", send_code{}}).ok());
        REQUIRE(f.service.verify_phone(admin, {"u1", "424242"}).ok());
        auto out = f.service.resend_phone_code(admin, {"u1", send_code{}});
        REQUIRE(out.ok());
        CHECK(out->events[0].payload == R"({"generatorId":"fake-verify-1"})");
    }
}

TEST_CASE("remove v1 and v2 push removed, a missing phone is an error of each version's kind", "[remove]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{number}});
    f.given("u2", "o1", {human_added{number}});
    auto v1 = f.service.remove_human_phone(admin, {"u1", "o1"});
    REQUIRE(v1.ok());
    CHECK(types_of(v1->events) == types({et::phone_removed}));
    then_rejected(f.service.remove_human_phone(admin, {"u1", "o1"}), errors::remove_phone_not_found_v1);
    auto v2 = f.service.remove_phone(admin, {"u2"});
    REQUIRE(v2.ok());
    then_rejected(f.service.remove_phone(admin, {"u2"}), errors::remove_phone_not_found_v2);
    CHECK(errors::remove_phone_not_found_v2.kind == error_kind::failed_precondition);
    CHECK(errors::remove_phone_not_found_v1.kind == error_kind::not_found);

    then_rejected(f.service.remove_human_phone(admin, {"", "o1"}), errors::remove_user_id_missing_v1);
    then_rejected(f.service.remove_human_phone(admin, {"u9", "o1"}), errors::remove_user_not_found_v1);
    then_rejected(f.service.remove_human_phone(admin, {"u1", "o2"}), errors::remove_user_not_found_v1);
    then_rejected(f.service.remove_phone(admin, {"u9"}), errors::phone_user_not_found_v2);
}

TEST_CASE("remove v2: the user may remove their own phone, others need user.write", "[remove][permissions]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{number}});
    then_rejected(f.service.remove_phone({"u2", "o1"}, {"u1"}), errors::permission_denied_v2);
    CHECK(f.service.remove_phone({"u1", "o1"}, {"u1"}).ok());
}

TEST_CASE("the same number can be set again after a remove (ZITADEL #3538)", "[remove][regression]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    REQUIRE(f.service.update_human_phone(admin, {"u1", "o1", "+41 71 000 00 00", true}).ok());
    REQUIRE(f.service.remove_human_phone(admin, {"u1", "o1"}).ok());
    auto again = f.service.update_human_phone(admin, {"u1", "o1", "+41 71 000 00 00", true});
    REQUIRE(again.ok());
    CHECK(types_of(again->events) == types({et::phone_changed, et::phone_verified}));
    REQUIRE(f.service.remove_phone(admin, {"u1"}).ok());
    CHECK(f.service.set_phone(admin, {"u1", "+41710000000", send_code{}}).ok());
}

TEST_CASE("code sent records generatorInfo", "[code-sent]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{number}});
    auto plain = f.service.phone_code_sent(admin, {"u1", "o1", "", ""});
    REQUIRE(plain.ok());
    CHECK(plain->events[0].event_type == et::phone_code_sent);
    CHECK(plain->events[0].payload == "{}");
    auto external = f.service.phone_code_sent(admin, {"u1", std::nullopt, "sms-1", "VE9"});
    REQUIRE(external.ok());
    CHECK(external->events[0].payload == R"({"generatorInfo":{"id":"sms-1","verificationId":"VE9"}})");
    CHECK(f.service.load("u1").code().verification_id == "VE9");

    then_rejected(f.service.phone_code_sent(admin, {"", "o1", "", ""}), errors::code_sent_user_id_missing);
    then_rejected(f.service.phone_code_sent(admin, {"u9", "o1", "", ""}), errors::code_sent_user_not_found);
    f.given("u2", "o1", {human_added{}});
    then_rejected(f.service.phone_code_sent(admin, {"u2", "o1", "", ""}), errors::code_sent_phone_not_found);
}

TEST_CASE("code sent: an org other than the user's finds no user and stores nothing", "[code-sent][org]") {
    // Given a user of o1 with a phone, when the notification side records a sent code naming o2 (a caller allowed to
    // write in every org), then the v1 owner filter finds no user: COMMAND-3M0fs's sibling for code.sent.
    user_fixture f;
    f.given("u1", "o1", {human_added{number}});
    const auto before = f.store.head();
    f.when(admin, phone_code_sent_request{"u1", "o2", "", ""});
    REQUIRE(f.then_rejected(errors::code_sent_user_not_found));
    CHECK(f.store.head() == before);
    // The user's own org still records it.
    f.when(admin, phone_code_sent_request{"u1", "o1", "", ""});
    REQUIRE(f.then_events({{et::phone_code_sent, "{}"}}));
}

TEST_CASE("me: the auth API variants act on the caller's own user and org", "[me]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    const caller me{"u1", "o1"};  // no permissions at all
    auto set = f.service.set_my_phone(me, "+41 71 000 00 00");
    REQUIRE(set.ok());
    // SetMyPhone can never mark the phone verified: it always issues a code.
    CHECK(types_of(set->events) == types({et::phone_changed, et::phone_code_added}));
    auto resent = f.service.resend_my_phone_verification(me);
    REQUIRE(resent.ok());
    CHECK(types_of(resent->events) == types({et::phone_code_added}));
    then_rejected(f.service.verify_my_phone(me, "WRONG1"), errors::verify_code_invalid_v1);
    CHECK(f.service.remove_my_phone(me).ok());
    then_rejected(f.service.remove_my_phone(me), errors::remove_phone_not_found_v1);
    // A caller whose org does not own the user finds nothing.
    then_rejected(f.service.set_my_phone({"u1", "o2"}, "+41710000000"), errors::user_not_found_v1);
}

TEST_CASE("me: verify my phone with the code", "[me]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    auto set = f.service.set_phone(admin, {"u1", "+41710000000", return_code{}});
    REQUIRE(set.ok());
    auto out = f.service.verify_my_phone({"u1", "o1"}, *set->verification_code);
    REQUIRE(out.ok());
    CHECK(types_of(out->events) == types({et::phone_verified}));
}
