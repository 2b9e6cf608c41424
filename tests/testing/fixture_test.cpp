// The public test fixture (userstream/testing/), specified: given past events, when a command, then its events or
// its error, with predictable codes, ids and dates, over the fixture's own store or any other.
#include <catch2/catch.hpp>

#include <sstream>

#include "userstream/testing/user_fixture.hpp"
#include "userstream/user/errors.hpp"
#ifdef USERSTREAM_TESTING_SQLITE
#include "userstream/backends/open_store.hpp"
#endif

using namespace userstream;
using namespace userstream::user;
using userstream::testing::admin;
using userstream::testing::check_result;
using userstream::testing::user_fixture;
namespace et = userstream::user::event_types;

namespace {

// Catch2 prints a failed check's explanation through its operator<<.
std::string text_of(const check_result& checked) {
    std::ostringstream out;
    out << checked;
    return out.str();
}

}  // namespace

TEST_CASE("fixture: given events are the user's history, when runs a command on it, then_events checks what it "
          "stored", "[testing]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    f.when(admin, set_phone_request{"u1", "071 000 00 00", send_code{}});
    CHECK(f.then_events(
        {{et::phone_changed, R"({"phone":"+41710000000"})"},
         {et::phone_code_added, R"({"code":{"KeyID":"key-1","Crypted":"<any>"},"expiry":3600000000000,
                                    "code_returned":null})"}}));
    CHECK(f.then_events({et::phone_changed, et::phone_code_added}));  // types alone
    REQUIRE(f.last_outcome());
    REQUIRE(f.last_outcome()->ok());
    CHECK(f.last_stored().size() == 2);
    CHECK(f.last_stored().back().position == f.last_outcome()->value().position);

    f.when(admin, set_phone_request{"u1", "+41 71 000 00 00", send_code{}});
    CHECK(f.then_rejected(errors::phone_not_changed_v2));
}

TEST_CASE("fixture: then_events names the first difference and lists what was stored", "[testing]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    f.when(admin, set_phone_request{"u1", "+41710000000", return_code{}});

    const auto wrong_value = f.then_events({{et::phone_changed, R"({"phone":"+41710000001"})"}, {et::phone_code_added}});
    CHECK_FALSE(wrong_value);
    CHECK_THAT(wrong_value.explanation,
               Catch::Contains(R"(event 1 (user.human.phone.changed): field "phone" is "+41710000000"; expected "+41710000001")"));
    CHECK_THAT(wrong_value.explanation, Catch::Contains("stored:\n    1. user.human.phone.changed {\"phone\":\"+41710000000\"}"));
    CHECK(text_of(wrong_value) == wrong_value.explanation);

    const auto wrong_count = f.then_events({et::phone_changed});
    CHECK_FALSE(wrong_count);
    CHECK_THAT(wrong_count.explanation, Catch::StartsWith("expected 1 events, 2 were stored"));

    const auto wrong_type = f.then_events({et::phone_changed, et::phone_verified});
    CHECK_FALSE(wrong_type);
    CHECK_THAT(wrong_type.explanation,
               Catch::Contains("event 2 (user.human.phone.code.added): the type is user.human.phone.code.added; "
                               "expected user.human.phone.verified"));

    // null: the field must be absent; a returned code is marked.
    const auto present = f.then_events({et::phone_changed, {et::phone_code_added, R"({"code_returned":null})"}});
    CHECK_FALSE(present);
    CHECK_THAT(present.explanation, Catch::Contains(R"(field "code_returned" should be absent, but is true)"));
    CHECK(f.then_events({et::phone_changed, {et::phone_code_added, R"({"code_returned":true})"}}));

    // "<any>": the field must be there.
    const auto missing = f.then_events({et::phone_changed, {et::phone_code_added, R"({"generatorId":"<any>"})"}});
    CHECK_FALSE(missing);
    CHECK_THAT(missing.explanation, Catch::Contains(R"(field "generatorId" is missing; expected any value)"));

    const auto nested = f.then_events({et::phone_changed, {et::phone_code_added, R"({"code":{"KeyID":"key-2"}})"}});
    CHECK_FALSE(nested);
    CHECK_THAT(nested.explanation, Catch::Contains(R"(field "code.KeyID" is "key-1"; expected "key-2")"));

    const auto not_json = f.then_events({et::phone_changed, {et::phone_code_added, "code"}});
    CHECK_FALSE(not_json);
    CHECK_THAT(not_json.explanation, Catch::Contains("the expected payload is not a JSON object: code"));
}

TEST_CASE("fixture: then_rejected holds only for exactly that error with nothing stored, then_failed allows "
          "stored events", "[testing]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});

    f.when(admin, set_phone_request{"u1", "", send_code{}});
    CHECK(f.then_rejected(errors::phone_empty));
    const auto other_error = f.then_rejected(errors::phone_invalid);
    CHECK_FALSE(other_error);
    CHECK_THAT(other_error.explanation, Catch::Contains("expected the error " + std::string(errors::phone_invalid.id)));
    CHECK_THAT(other_error.explanation, Catch::Contains("got " + std::string(errors::phone_empty.id)));
    const auto not_events = f.then_events({});
    CHECK_FALSE(not_events);
    CHECK_THAT(not_events.explanation, Catch::StartsWith("expected the command to succeed, it failed with " +
                                                         std::string(errors::phone_empty.id)));

    // A wrong code is recorded, then the call fails: a rejection that stored something.
    f.when(admin, set_phone_request{"u1", "+41710000000", return_code{}});
    f.when(admin, verify_phone_request{"u1", "WRONG1"});
    const auto stored_something = f.then_rejected(errors::verify_code_invalid_v2);
    CHECK_FALSE(stored_something);
    CHECK_THAT(stored_something.explanation, Catch::StartsWith("expected 0 events, 1 were stored"));
    CHECK(f.then_failed(errors::verify_code_invalid_v2, {et::phone_verification_failed}));
    CHECK_FALSE(f.then_failed(errors::verify_code_invalid_v2, {}));

    f.when(admin, verify_phone_request{"u1", "CODE01"});
    const auto succeeded = f.then_rejected(errors::verify_code_invalid_v2);
    CHECK_FALSE(succeeded);
    CHECK_THAT(succeeded.explanation, Catch::Contains("but the call succeeded"));
}

TEST_CASE("fixture: checks before any command fail and say why", "[testing]") {
    user_fixture f;
    CHECK_FALSE(f.last_outcome());
    CHECK(f.then_events({}).explanation == "no command ran: call when(...) first");
    CHECK_FALSE(f.then_rejected(errors::phone_empty));
}

TEST_CASE("fixture: codes are CODE01, CODE02, ... in the order commands issue them", "[testing][codes]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    const auto& set = f.when(admin, set_phone_request{"u1", "+41710000000", return_code{}});
    REQUIRE(set.ok());
    CHECK(set->verification_code == "CODE01");
    const auto& resent = f.when(admin, resend_phone_code_request{"u1", return_code{}});
    REQUIRE(resent.ok());
    CHECK(resent->verification_code == f.codes.code(2));
    CHECK(f.codes.drawn() == 2);
    // The code stored is the one issued: only the second still verifies.
    f.when(admin, verify_phone_request{"u1", "CODE01"});
    CHECK(f.then_failed(errors::verify_code_invalid_v2, {et::phone_verification_failed}));
    f.when(admin, verify_phone_request{"u1", "CODE02"});
    CHECK(f.then_events({et::phone_verified}));
}

TEST_CASE("fixture: a configured code source is kept, and scripted codes come in turn, then from the start",
          "[testing][codes]") {
    testing::scripted_codes scripted({"123456", "654321"});
    user_service_config config;
    config.phone_code_source = &scripted;
    user_fixture f(config);
    CHECK(f.config.phone_code_source == &scripted);
    f.given("u1", "o1", {human_added{}});
    std::vector<std::string> codes;
    for (int i = 0; i < 3; ++i) {
        const auto& out = i == 0 ? f.when(admin, set_phone_request{"u1", "+41710000000", return_code{}})
                                 : f.when(admin, resend_phone_code_request{"u1", return_code{}});
        REQUIRE(out.ok());
        codes.push_back(*out->verification_code);
    }
    CHECK(codes == std::vector<std::string>{"123456", "654321", "123456"});
    CHECK(f.codes.drawn() == 0);
    CHECK_THROWS_AS(testing::scripted_codes({}), std::invalid_argument);
    CHECK(testing::numbered_codes("SMS", 4).code(7) == "SMS0007");
    CHECK(testing::numbered_codes().code(100) == "CODE100");
}

TEST_CASE("fixture: dates come from the manual clock, new ids from the sequential generator", "[testing]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    CHECK(f.stream("u1").front().created_at == testing::test_epoch());
    f.clock.advance(std::chrono::minutes(5));
    const auto& added = f.when(admin, add_human_request{"", "o1", "+41710000000", true});
    REQUIRE(added.ok());
    CHECK(added->events.front().aggregate.aggregate_id == "gen-1");
    CHECK(added->details.change_date ==
          testing::test_epoch() + std::chrono::microseconds(1) + std::chrono::minutes(5));
    CHECK(f.then_events({{et::human_added, R"({"phone":"+41710000000"})"}, et::phone_verified}));
}

TEST_CASE("fixture: when takes any call on the service, e.g. the caller's own phone", "[testing]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{phone_number::from_stored("+41710000000")}});
    const caller self{"u1", "o1"};
    f.when([&](user_service& users) { return users.remove_my_phone(self); });
    CHECK(f.then_events({et::phone_removed}));
    f.when([&](user_service& users) { return users.remove_my_phone(self); });
    CHECK(f.then_rejected(errors::remove_phone_not_found_v1));
}

TEST_CASE("fixture: given throws when the store refuses the events", "[testing]") {
    user_fixture f;
    // An id with NUL: every store refuses it (EVENTSTORE-InvalidText).
    CHECK_THROWS_AS(f.given(std::string("u\0", 2), "o1", {human_added{}}), std::runtime_error);
}

TEST_CASE("fixture: runs over a store the test passes, sharing it with other services", "[testing]") {
    eventstore::memory_event_store store;
    user_fixture f(store);
    f.given("u1", "o1", {human_added{}});
    f.when(admin, update_human_phone_request{"u1", "o1", "+41 71 000 00 00", true});
    CHECK(f.then_events({{et::phone_changed, R"({"phone":"+41710000000"})"}, et::phone_verified}));
    CHECK(store.read_aggregate({"default", "user", "u1"}, {}).size() == 3);
}

#ifdef USERSTREAM_TESTING_SQLITE
TEST_CASE("fixture: runs over a SQLite store as over its own", "[testing][sqlite]") {
    const auto store = backends::open_store("sqlite::memory:");
    user_fixture f(*store);
    f.given("u1", "o1", {human_added{}});
    const auto& set = f.when(admin, set_phone_request{"u1", "+41 71 000 00 00", return_code{}});
    REQUIRE(set.ok());
    CHECK(set->verification_code == "CODE01");
    CHECK(f.then_events({{et::phone_changed, R"({"phone":"+41710000000"})"},
                         {et::phone_code_added, R"({"code":"<any>","code_returned":true})"}}));
    f.when(admin, verify_phone_request{"u1", "CODE02"});
    CHECK(f.then_failed(errors::verify_code_invalid_v2, {et::phone_verification_failed}));
    f.when(admin, verify_phone_request{"u1", "CODE01"});
    CHECK(f.then_events({et::phone_verified}));
    f.when(admin, set_phone_request{"u1", "+41710000000", mark_verified{}});
    CHECK(f.then_rejected(errors::phone_not_changed_v2));
    CHECK(f.stream("u1").size() == 5);
}
#endif
