// v1 UpdateHumanPhone, as a specification: given past events, when the command, then events or an error.
#include "support/user_fixture.hpp"

using namespace userstream;
using namespace userstream::testing;
namespace et = userstream::user::event_types;

namespace {
const phone_number stored_number = stored_phone("+41711234567");

update_human_phone_request v1(std::string phone, bool verified, std::optional<std::string> org = "o1") {
    return {"u1", std::move(org), std::move(phone), verified};
}
}  // namespace

TEST_CASE("v1: a new number, unverified, gives changed then code.added", "[v1]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    auto out = f.service.update_human_phone(admin, v1("+41 71 000 00 00", false));
    REQUIRE(out.ok());
    CHECK(types_of(out->events) == types({et::phone_changed, et::phone_code_added}));
    CHECK(out->events[0].payload == R"({"phone":"+41710000000"})");
    CHECK_FALSE(out->verification_code);  // v1 never returns the code
    const auto added = std::get<phone_code_added>(*decode(out->events[1]));
    CHECK_FALSE(added.code_returned);
    CHECK(added.expiry == std::chrono::hours(1));
    REQUIRE(added.code);
    CHECK(added.code->key_id == "key-1");
}

TEST_CASE("v1: a new number, verified, gives changed then verified", "[v1]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{stored_number}, phone_verified{}});
    auto out = f.service.update_human_phone(admin, v1("+41 71 000 00 00", true));
    REQUIRE(out.ok());
    CHECK(types_of(out->events) == types({et::phone_changed, et::phone_verified}));
}

TEST_CASE("v1: the same number, unverified, with verified=true gives verified only", "[v1]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{stored_number}});
    auto out = f.service.update_human_phone(admin, v1("+41 71 123 45 67", true));
    REQUIRE(out.ok());
    CHECK(types_of(out->events) == types({et::phone_verified}));
}

TEST_CASE("v1: every other unchanged case is NotChanged and pushes nothing", "[v1]") {
    user_fixture f;
    SECTION("same number, verified, verified=true") {
        f.given("u1", "o1", {human_added{stored_number}, phone_verified{}});
        then_rejected(f.service.update_human_phone(admin, v1("+41711234567", true)), errors::phone_not_changed_v1);
    }
    SECTION("same number, verified, verified=false") {
        f.given("u1", "o1", {human_added{stored_number}, phone_verified{}});
        then_rejected(f.service.update_human_phone(admin, v1("+41711234567", false)), errors::phone_not_changed_v1);
    }
    SECTION("same number, unverified, verified=false (no re-send through update)") {
        f.given("u1", "o1", {human_added{stored_number}});
        then_rejected(f.service.update_human_phone(admin, v1("+41 71 123 45 67", false)),
                      errors::phone_not_changed_v1);
    }
    CHECK(f.store.head().value == f.stream("u1").size());
}

TEST_CASE("v1: missing, deleted, machine and foreign users are all COMMAND-3M0fs", "[v1]") {
    user_fixture f;
    SECTION("missing") {}
    SECTION("deleted") { f.given("u1", "o1", {human_added{}, user_removed{}}); }
    SECTION("machine") { f.given("u1", "o1", {machine_added{}}); }
    SECTION("owned by another org than the header") { f.given("u1", "o2", {human_added{}}); }
    const auto before = f.store.head();
    const auto out = f.service.update_human_phone(admin, v1("+41 71 000 00 00", false));
    then_rejected(out, errors::user_not_found_v1);
    // ZITADEL's literal id and key, which hosts match on (not the constant, which a typo would change along).
    CHECK(out.err().id == "COMMAND-3M0fs");
    CHECK(out.err().key == "Errors.User.NotFound");
    CHECK(f.store.head() == before);
}

TEST_CASE("v1: without the org header the caller's own org is used", "[v1]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    f.auth.grant("boss", "o1", permissions::user_write);
    f.auth.grant("boss", "o2", permissions::user_write);
    auto own = f.service.update_human_phone({"boss", "o1"}, v1("+41 71 000 00 00", true, std::nullopt));
    CHECK(own.ok());
    then_rejected(f.service.update_human_phone({"boss", "o2"}, v1("+41 71 111 00 00", true, std::nullopt)),
                  errors::user_not_found_v1);
}

TEST_CASE("v1: initial users are not rejected", "[v1]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}, human_initial_code_added{}});
    CHECK(f.service.update_human_phone(admin, v1("+41 71 000 00 00", true)).ok());
}

TEST_CASE("v1: normalisation comes before the lookup", "[v1]") {
    user_fixture f;  // no user at all: the phone error still wins
    then_rejected(f.service.update_human_phone(admin, v1("", false)), errors::phone_empty);
    then_rejected(f.service.update_human_phone(admin, v1("+41 PhoneNumber", false)), errors::phone_invalid);
    then_rejected(f.service.update_human_phone(admin, v1("071 000 00 00", false)), errors::phone_missing_plus);
    then_rejected(f.service.update_human_phone(admin, v1("+" + std::string(50, '1'), false)),
                  errors::phone_too_long_v1);
    then_rejected(f.service.update_human_phone(admin, v1("+4112", false)), errors::phone_not_valid);
    then_rejected(f.service.update_human_phone(admin, {"", "o1", "+41 71 000 00 00", false}),
                  errors::user_id_missing_v1);
    CHECK(f.store.head().value == 0);
}

TEST_CASE("v1: the ZITADEL-compatible parse policy stores +4112", "[v1]") {
    user_service_config config;
    config.phone.policy = phone_policy::parse;
    user_fixture f(config);
    f.given("u1", "o1", {human_added{}});
    auto out = f.service.update_human_phone(admin, v1("+41 12", true));
    REQUIRE(out.ok());
    CHECK(out->events[0].payload == R"({"phone":"+4112"})");
}

TEST_CASE("v1: user.write on the header org is required, before anything else", "[v1][permissions]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    f.auth.grant("other-admin", "o2", permissions::user_write);
    then_rejected(f.service.update_human_phone({"other-admin", "o2"}, v1("", false)), errors::permission_denied_v1);
    then_rejected(f.service.update_human_phone({"u1", "o1"}, v1("+41 71 000 00 00", false)),
                  errors::permission_denied_v1);  // self-service is the auth API's SetMyPhone, not management
    then_rejected(f.service.update_human_phone({"", ""}, v1("+41 71 000 00 00", false)), errors::unauthenticated);
    f.auth.grant("org-admin", "o1", permissions::user_write);
    CHECK(f.service.update_human_phone({"org-admin", "o2"}, v1("+41 71 000 00 00", false)).ok());
}

TEST_CASE("v1: the response details are those of the push", "[v1][details]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    const auto created = f.stream("u1").front().created_at;
    f.clock.advance(std::chrono::seconds(5));
    auto out = f.service.update_human_phone(admin, v1("+41 71 000 00 00", false));
    REQUIRE(out.ok());
    const auto stream = f.stream("u1");
    CHECK(out->details.sequence.value == 3);
    CHECK(out->details.sequence == stream.back().sequence);
    CHECK(out->details.change_date == stream.back().created_at);
    CHECK(out->details.change_date == f.clock.now());
    CHECK(out->details.creation_date == created);
    CHECK(out->details.resource_owner == "o1");
    CHECK(out->details == eventstore::details_of(stream));
    CHECK(out->position == stream.back().position);
    CHECK(stream.back().creator == "admin");
    CHECK(stream.back().revision == 2);
}
