// v2 SetPhone, as a specification.
#include "support/fake_external_verifier.hpp"
#include "support/user_fixture.hpp"

using namespace userstream;
using namespace userstream::testing;
namespace et = userstream::user::event_types;

namespace {
const phone_number stored_number = stored_phone("+41711234567");
}

TEST_CASE("v2: send_code (the default) gives changed then code.added, no code returned", "[v2]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    auto out = f.service.set_phone(admin, {"u1", "071 000 00 00", send_code{}});
    REQUIRE(out.ok());
    CHECK(types_of(out->events) == types({et::phone_changed, et::phone_code_added}));
    CHECK(out->events[0].payload == R"({"phone":"+41710000000"})");
    CHECK_FALSE(out->verification_code);
    CHECK_FALSE(std::get<phone_code_added>(*decode(out->events[1])).code_returned);
}

TEST_CASE("v2: return_code returns the plain code and marks it returned", "[v2]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    auto out = f.service.set_phone(admin, {"u1", "+41710000000", return_code{}});
    REQUIRE(out.ok());
    REQUIRE(out->verification_code);
    CHECK(out->verification_code->size() == 6);
    const auto added = std::get<phone_code_added>(*decode(out->events[1]));
    CHECK(added.code_returned);
    CHECK(f.keys.decrypt(*added.code, code_binding(out->events[1])) == *out->verification_code);
}

TEST_CASE("v2: is_verified gives changed then verified", "[v2]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    auto out = f.service.set_phone(admin, {"u1", "+41710000000", mark_verified{}});
    REQUIRE(out.ok());
    CHECK(types_of(out->events) == types({et::phone_changed, et::phone_verified}));
}

TEST_CASE("v2: any unchanged number is COMMAND-Uch5e, also with is_verified", "[v2]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{stored_number}});
    const phone_verification how = GENERATE(phone_verification{send_code{}}, phone_verification{return_code{}},
                                            phone_verification{mark_verified{}});
    then_rejected(f.service.set_phone(admin, {"u1", "071 123 45 67", how}), errors::phone_not_changed_v2);
    CHECK(f.stream("u1").size() == 1);
}

TEST_CASE("v2: request and user state errors", "[v2]") {
    user_fixture f;
    then_rejected(f.service.set_phone(admin, {"", "+41710000000", {}}), errors::user_id_missing_v2);
    then_rejected(f.service.set_phone(admin, {std::string(201, 'u'), "+41710000000", {}}), errors::user_id_too_long);
    then_rejected(f.service.set_phone(admin, {"nobody", "+41710000000", {}}), errors::phone_user_not_found_v2);
    f.given("gone", "o1", {human_added{}, user_removed{}});
    then_rejected(f.service.set_phone(admin, {"gone", "+41710000000", {}}), errors::phone_user_not_found_v2);
    f.given("robot", "o1", {machine_added{}});
    then_rejected(f.service.set_phone(admin, {"robot", "+41710000000", {}}), errors::phone_user_not_found_v2);
    f.given("new", "o1", {human_added{}, human_initial_code_added{}});
    then_rejected(f.service.set_phone(admin, {"new", "+41710000000", {}}), errors::user_not_initialised);
    f.given("new", "o1", {human_initialized_check_succeeded{}});
    CHECK(f.service.set_phone(admin, {"new", "+41710000000", {}}).ok());
}

TEST_CASE("v2: phone validation errors, after the user checks", "[v2]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    then_rejected(f.service.set_phone(admin, {"u1", "", {}}), errors::phone_empty);
    then_rejected(f.service.set_phone(admin, {"u1", "   ", {}}), errors::phone_invalid);
    then_rejected(f.service.set_phone(admin, {"u1", "PhoneNumber", {}}), errors::phone_invalid);
    then_rejected(f.service.set_phone(admin, {"u1", std::string(201, '1'), {}}), errors::phone_too_long_v2);
    then_rejected(f.service.set_phone(admin, {"u1", "+4112", {}}), errors::phone_not_valid);
    CHECK(f.stream("u1").size() == 1);
}

TEST_CASE("v2: a user may set their own phone with send_code only", "[v2][permissions]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    const caller self{"u1", "o1"};
    // GHSA-282g-fhmx-xf54 / GHSA-jq8w-8q2f-ffm9: no self-verification through is_verified or return_code.
    then_rejected(f.service.set_phone(self, {"u1", "+41710000000", mark_verified{}}), errors::permission_denied_v2);
    then_rejected(f.service.set_phone(self, {"u1", "+41710000000", return_code{}}), errors::permission_denied_v2);
    CHECK(f.stream("u1").size() == 1);
    auto sent = f.service.set_phone(self, {"u1", "+41710000000", send_code{}});
    REQUIRE(sent.ok());
    CHECK_FALSE(sent->verification_code);
}

TEST_CASE("v2: others need user.write on the user's org, the header plays no part", "[v2][permissions]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    const caller stranger{"u2", "o1"};
    then_rejected(f.service.set_phone(stranger, {"u1", "+41710000000", send_code{}}), errors::permission_denied_v2);
    f.auth.grant("u3", "o2", permissions::user_write);
    then_rejected(f.service.set_phone({"u3", "o2"}, {"u1", "+41710000000", send_code{}}), errors::permission_denied_v2);
    f.auth.grant("u2", "o1", permissions::user_write);
    CHECK(f.service.set_phone(stranger, {"u1", "+41710000000", return_code{}}).ok());
}

TEST_CASE("v2: permission is checked before the phone is validated", "[v2][permissions]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    then_rejected(f.service.set_phone({"u2", "o1"}, {"u1", "", mark_verified{}}), errors::permission_denied_v2);
    then_rejected(f.service.set_phone({"u2", "o1"}, {"u1", "PhoneNumber", send_code{}}), errors::permission_denied_v2);
}

TEST_CASE("v2: an external verifier gets a code.added without a code", "[v2][external]") {
    fake_external_verifier verifier;
    user_service_config config;
    config.phone_verifier = &verifier;
    user_fixture f(config);
    f.given("u1", "o1", {human_added{}});
    auto out = f.service.set_phone(admin, {"u1", "+41710000000", send_code{}});
    REQUIRE(out.ok());
    CHECK(out->events[1].payload == R"({"generatorId":"fake-verify-1"})");
}

TEST_CASE("v2: response details match the stream", "[v2][details]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    f.clock.advance(std::chrono::minutes(1));
    auto out = f.service.set_phone(admin, {"u1", "+41710000000", return_code{}});
    REQUIRE(out.ok());
    CHECK(out->details == eventstore::details_of(f.stream("u1")));
    CHECK(out->details.sequence.value == 3);
    CHECK(out->details.change_date == f.clock.now());
}
