// Creating and removing users, and the write model's fold of those events.
#include "support/user_fixture.hpp"

using namespace userstream;
using namespace userstream::testing;
namespace et = userstream::user::event_types;

TEST_CASE("add_human with an unverified phone gives added then code.added", "[lifecycle]") {
    user_fixture f;
    auto out = f.service.add_human(admin, {"u1", "o1", "+41 71 000 00 00", false});
    REQUIRE(out.ok());
    CHECK(types_of(out->events) == types({et::human_added, et::phone_code_added}));
    CHECK(out->events[0].payload == R"({"phone":"+41710000000"})");
    CHECK(out->details.resource_owner == "o1");
    CHECK(out->details.sequence.value == 2);
    CHECK(out->details.creation_date == out->details.change_date);
}

TEST_CASE("add_human with a verified phone, or none", "[lifecycle]") {
    user_fixture f;
    auto verified = f.service.add_human(admin, {"u1", "o1", "+41710000000", true});
    REQUIRE(verified.ok());
    CHECK(types_of(verified->events) == types({et::human_added, et::phone_verified}));
    auto bare = f.service.add_human(admin, {"", "o1", "", false});
    REQUIRE(bare.ok());
    CHECK(types_of(bare->events) == types({et::human_added}));
    CHECK(bare->events[0].aggregate.aggregate_id == "gen-1");
    CHECK(bare->events[0].payload == "{}");
}

TEST_CASE("adding a user twice is rejected", "[lifecycle]") {
    user_fixture f;
    REQUIRE(f.service.add_machine(admin, {"m1", "o1"}).ok());
    then_rejected(f.service.add_human(admin, {"m1", "o1", "", false}), errors::user_already_exists);
    then_rejected(f.service.add_human(admin, {"x", "", "", false}), errors::org_id_missing);
    then_rejected(f.service.add_human(admin, {"x", "o1", "PhoneNumber", false}), errors::phone_invalid);
    then_rejected(f.service.add_human({"nobody", "o1"}, {"x", "o1", "", false}), errors::permission_denied_v2);
}

TEST_CASE("remove_user removes humans and machines of the given org", "[lifecycle]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    f.given("m1", "o1", {machine_added{}});
    then_rejected(f.service.remove_user(admin, {"u1", "o2"}), errors::user_remove_not_found);
    then_rejected(f.service.remove_user(admin, {"nobody", std::nullopt}), errors::user_remove_not_found);
    auto removed = f.service.remove_user(admin, {"u1", "o1"});
    REQUIRE(removed.ok());
    CHECK(types_of(removed->events) == types({et::user_removed}));
    CHECK(f.service.remove_user(admin, {"m1", std::nullopt}).ok());
    then_rejected(f.service.remove_user(admin, {"u1", std::nullopt}), errors::user_remove_not_found);
}

TEST_CASE("the write model folds the phone events as ZITADEL's does", "[write-model]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{stored_phone("+41711234567")}});
    auto m = f.service.load("u1");
    CHECK(m.user() == user_state::active);
    CHECK(m.phone_status() == phone_state::active);
    CHECK(m.phone().e164() == "+41711234567");
    CHECK_FALSE(m.is_phone_verified());

    f.given("u1", "o1", {phone_code_added{encrypted_value{0, "aes-256-gcm", "k", "x"}, std::chrono::hours(1), false, "", ""}});
    m = f.service.load("u1");
    REQUIRE(m.code().code);
    CHECK(m.code().created_at == f.stream("u1").back().created_at);

    f.given("u1", "o1", {phone_verification_failed{}, phone_verification_failed{}});
    CHECK(f.service.load("u1").code().failed_attempts == 2);

    f.given("u1", "o1", {phone_verified{}});
    m = f.service.load("u1");
    CHECK(m.is_phone_verified());
    CHECK_FALSE(m.code().code);

    f.given("u1", "o1", {phone_removed{}});
    m = f.service.load("u1");
    CHECK(m.phone_status() == phone_state::removed);
    CHECK(m.phone().empty());
    CHECK_FALSE(m.is_phone_verified());
    CHECK(m.sequence().value == 6);

    f.given("u1", "o1", {user_removed{}});
    CHECK(f.service.load("u1").user() == user_state::deleted);
    CHECK_FALSE(f.service.load("u1").user_exists());
}

TEST_CASE("replay trusts stored numbers: no re-parsing, so a stricter policy never rewrites history", "[write-model]") {
    user_fixture f;  // policy: valid, which rejects +4112 as input
    f.given("u1", "o1", {human_added{}, phone_changed{stored_phone("+4112")}});
    const auto model = f.service.load("u1");
    CHECK(model.phone().e164() == "+4112");
    CHECK(model.phone_status() == phone_state::active);
    // The stored number is what commands compare against; new input is still held to the policy.
    then_rejected(f.service.set_phone(admin, {"u1", "+4112", mark_verified{}}), errors::phone_not_valid);
    CHECK(f.service.update_human_phone(admin, {"u1", "o1", "+41 71 000 00 00", true}).ok());
}
