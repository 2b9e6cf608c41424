// The read models' rows and the queries' answers: given past events, when the projections catch up, then these rows
// (or this error).
#include "support/world.hpp"
#include "userstream/eventstore/memory_event_store.hpp"
#include "userstream/projections/errors.hpp"
#include "userstream/projections/memory_read_models.hpp"
#include "userstream/projections/user_queries.hpp"
#include "userstream/subscriptions/projection_runner.hpp"
#include "userstream/user/errors.hpp"
#include "userstream/user/stream_queries.hpp"

using namespace userstream;
using namespace userstream::testing;
using namespace userstream::projections;
using namespace userstream::subscriptions;
namespace pe = userstream::projections::errors;

namespace {
struct read_side {
    eventstore::memory_event_store store;
    world w{store};
    memory_object_details details;
    memory_user_phones phones;
    projection_runner details_runner{store, details};
    projection_runner phone_runner{store, phones};

    void catch_up() {
        details_runner.catch_up();
        phone_runner.catch_up();
    }
    user_phone_row row(const std::string& user_id) {
        catch_up();
        auto found = phones.find(w.instance(), user_id);
        REQUIRE(found);
        return *found;
    }
};
}  // namespace

TEST_CASE("phone.changed, phone.verified and phone.removed fill the columns as ZITADEL's users projection",
          "[read-model]") {
    read_side s;
    s.w.given("u1", "o1", {human_added{}});
    auto r = s.row("u1");
    CHECK(r.kind == user_kind::human);
    CHECK(r.state == user_state::active);
    CHECK(r.details.resource_owner == "o1");
    CHECK_FALSE(r.phone);
    CHECK_FALSE(r.is_phone_verified);

    s.w.given("u1", "o1", {phone_changed{stored_phone("+41710000000")}});
    r = s.row("u1");
    CHECK(r.phone == "+41710000000");
    CHECK(r.is_phone_verified == false);
    CHECK(r.last_phone == "+41710000000");
    CHECK_FALSE(r.verified_phone);

    s.w.given("u1", "o1", {phone_verified{}});
    r = s.row("u1");
    CHECK(r.is_phone_verified == true);
    CHECK(r.verified_phone == "+41710000000");

    // A new unverified number keeps the previously verified one in verified_phone.
    s.w.given("u1", "o1", {phone_changed{stored_phone("+41710000001")}});
    r = s.row("u1");
    CHECK(r.phone == "+41710000001");
    CHECK(r.is_phone_verified == false);
    CHECK(r.last_phone == "+41710000001");
    CHECK(r.verified_phone == "+41710000000");

    s.w.given("u1", "o1", {phone_removed{}});
    r = s.row("u1");
    CHECK_FALSE(r.phone);
    CHECK_FALSE(r.is_phone_verified);
    CHECK_FALSE(r.last_phone);
    CHECK_FALSE(r.verified_phone);
    CHECK(r.details.sequence.value == 5);
}

TEST_CASE("ZITADEL's legacy v1 event names project like the current ones", "[read-model]") {
    read_side s;
    s.w.given_raw("u1", "o1", {{"user.added", "{}"}, {"user.phone.changed", R"({"phone":"+41710000000"})"},
                               {"user.phone.verified", ""}});
    const auto r = s.row("u1");
    CHECK(r.kind == user_kind::human);
    CHECK(r.phone == "+41710000000");
    CHECK(r.is_phone_verified == true);
}

TEST_CASE("the details hold the real last sequence, code events included", "[read-model]") {
    read_side s;
    s.w.clock.advance(std::chrono::seconds(5));
    auto added = s.w.service.add_human(admin, {"u1", "o1", "", false});
    REQUIRE(added.ok());
    s.w.clock.advance(std::chrono::seconds(5));
    // SetPhone with a code: phone.changed, then code.added (ZITADEL's users14.sequence stops at phone.changed).
    auto set = s.w.service.set_phone(admin, {"u1", "+41 71 000 00 00", send_code{}});
    REQUIRE(set.ok());
    REQUIRE(set->events.size() == 2);
    s.catch_up();

    auto details = get_user_details(s.details, s.w.instance(), "u1");
    REQUIRE(details.ok());
    CHECK(details->sequence.value == 3);
    CHECK(details->creation_date == added->details.creation_date);
    CHECK(details->change_date == set->events.back().created_at);
    CHECK(details->change_date != details->creation_date);
    CHECK(details->resource_owner == "o1");
    // The same answer as a replay of the stream.
    auto replayed = user::get_user_details(s.store, s.w.instance(), "u1");
    REQUIRE(replayed.ok());
    CHECK(details.value() == replayed.value());

    auto phone = get_human_phone(s.phones, s.w.instance(), "u1");
    REQUIRE(phone.ok());
    CHECK(phone->details == replayed.value());
}

TEST_CASE("get_human_phone answers as ZITADEL for missing users, machines and missing phones", "[read-model][query]") {
    read_side s;
    s.w.given("u1", "o1", {human_added{stored_phone("+41710000000")}, phone_verified{}});
    s.w.given("bare", "o1", {human_added{}});
    s.w.given("m1", "o1", {machine_added{}});
    s.w.given("gone", "o1", {human_added{stored_phone("+41710000002")}, user_removed{}});
    s.catch_up();
    const auto& inst = s.w.instance();

    auto u1 = get_human_phone(s.phones, inst, "u1");
    REQUIRE(u1.ok());
    CHECK(u1->phone == "+41710000000");
    CHECK(u1->is_verified);

    then_rejected(get_human_phone(s.phones, inst, "nobody"), pe::phone_user_not_found);
    then_rejected(get_human_phone(s.phones, inst, "gone"), pe::phone_user_not_found);
    then_rejected(get_human_phone(s.phones, inst, "m1"), pe::user_not_human);
    then_rejected(get_human_phone(s.phones, inst, "bare"), pe::phone_not_found);
    auto empty = get_human_phone(s.phones, inst, "bare", missing_phone::empty);
    REQUIRE(empty.ok());
    CHECK(empty->phone.empty());
    CHECK_FALSE(empty->is_verified);
    // Another instance's user with the same id is not this one.
    then_rejected(get_human_phone(s.phones, "other-instance", "u1"), pe::phone_user_not_found);

    then_rejected(get_user_details(s.details, inst, "nobody"), user::errors::user_not_found_query);
    then_rejected(get_object_details(s.details, {inst, "org", "o1"}), pe::object_not_found);
    // A removed user's aggregate still has details: they describe its stream, which ends with user.removed.
    auto gone = get_user_details(s.details, inst, "gone");
    REQUIRE(gone.ok());
    CHECK(gone->sequence.value == 2);
}

TEST_CASE("a user whose stream holds only events of other features is not a user yet", "[read-model][query]") {
    read_side s;
    s.w.given_raw("u1", "o1", {{"user.human.email.changed", R"({"email":"a@b.c"})"}});
    s.catch_up();
    then_rejected(get_human_phone(s.phones, s.w.instance(), "u1"), pe::phone_user_not_found);
    // Its sequence still counts for the aggregate's details.
    auto details = get_user_details(s.details, s.w.instance(), "u1");
    REQUIRE(details.ok());
    CHECK(details->sequence.value == 1);
}

TEST_CASE("applying an event twice changes nothing (idempotent folds for at-least-once delivery)", "[read-model]") {
    read_side s;
    s.w.given("u1", "o1", {human_added{}, phone_changed{stored_phone("+41710000000")}, phone_verified{}});
    s.w.given("u1", "o1", {phone_changed{stored_phone("+41710000001")}});
    const auto stream = s.store.read_aggregate({s.w.instance(), "user", "u1"}, {});
    REQUIRE(stream.size() == 4);

    std::optional<user_phone_row> row;
    std::optional<eventstore::object_details> details;
    for (const auto& e : stream) {
        CHECK(advance_user_phone(row, e));
        CHECK(advance_details(details, e));
    }
    const auto once_row = row;
    const auto once_details = details;
    // Redeliver everything, e.g. after a crash between effects and checkpoint.
    for (const auto& e : stream) {
        CHECK_FALSE(advance_user_phone(row, e));
        CHECK_FALSE(advance_details(details, e));
    }
    CHECK(row == once_row);
    CHECK(details == once_details);
    CHECK(row->phone == "+41710000001");
}

TEST_CASE("a malformed payload stops the page without applying any of it", "[read-model]") {
    read_side s;
    s.w.given("u1", "o1", {human_added{}});
    s.w.given_raw("u1", "o1", {{"user.human.phone.changed", R"({"phone":17})"}});
    CHECK_THROWS_AS(s.phone_runner.catch_up(), decode_error);
    CHECK(s.phones.checkpoint().value == 0);
    CHECK(s.phones.rows().empty());
}

TEST_CASE("human.added fills username, profile and email, email.verified marks the email verified", "[read-model]") {
    read_side s;
    add_human_request request{"u1", "o1", "+41 71 000 00 00", true};
    request.username = "minnie";
    request.profile = {"Minnie", "Mouse", "Min", "Minnie Mouse", "de-CH", 1};
    request.email = "minnie@example.com";
    REQUIRE(s.w.service.add_human(admin, request).ok());
    auto r = s.row("u1");
    CHECK(r.kind == user_kind::human);
    CHECK(r.username == "minnie");
    CHECK(r.profile == request.profile);
    CHECK(r.email == "minnie@example.com");
    CHECK_FALSE(r.is_email_verified);
    CHECK(r.phone == "+41710000000");
    CHECK(r.is_phone_verified == true);
    CHECK(r.machine_name.empty());

    s.w.given("u1", "o1", {email_verified{}});
    CHECK(s.row("u1").is_email_verified);
    // Legacy name, on another user: the same.
    s.w.given_raw("u2", "o1", {{"user.added", R"({"userName":"u2name","email":"u2@example.com"})"},
                               {"user.email.verified", ""}});
    r = s.row("u2");
    CHECK(r.username == "u2name");
    CHECK(r.is_email_verified);
}

TEST_CASE("a user added without username shows the email address, or without both the user id", "[read-model]") {
    read_side s;
    add_human_request with_email{"u1", "o1", "", false};
    with_email.email = "minnie@example.com";
    REQUIRE(s.w.service.add_human(admin, with_email).ok());
    REQUIRE(s.w.service.add_human(admin, {"u2", "o1", "", false}).ok());
    REQUIRE(s.w.service.add_machine(admin, {"m1", "o1"}).ok());
    CHECK(s.row("u1").username == "minnie@example.com");
    CHECK(s.row("u2").username == "u2");
    CHECK(s.row("m1").username == "m1");
}

TEST_CASE("machine.added fills username, name and description and no human fields", "[read-model]") {
    read_side s;
    REQUIRE(s.w.service.add_machine(admin, {"m1", "o1", "robot", "Robot", "Builds things"}).ok());
    const auto r = s.row("m1");
    CHECK(r.kind == user_kind::machine);
    CHECK(r.username == "robot");
    CHECK(r.machine_name == "Robot");
    CHECK(r.machine_description == "Builds things");
    CHECK(r.profile == human_profile{});
    CHECK(r.email.empty());
    CHECK_FALSE(r.phone);
}

TEST_CASE("get_user_by_id answers a human with profile, email and phone, and the user's details", "[read-model][query]") {
    read_side s;
    add_human_request request{"u1", "o1", "+41 71 000 00 00", false};
    request.username = "minnie";
    request.profile = {"Minnie", "Mouse", "", "Minnie Mouse", "de-CH", 1};
    request.email = "minnie@example.com";
    request.is_email_verified = true;
    auto added = s.w.service.add_human(admin, request);
    REQUIRE(added.ok());
    s.catch_up();

    auto user = get_user_by_id(s.phones, s.w.instance(), "u1");
    REQUIRE(user.ok());
    CHECK(user->user_id == "u1");
    CHECK(user->kind == user_kind::human);
    CHECK(user->state == user_state::active);
    CHECK(user->username == "minnie");
    REQUIRE(user->human);
    CHECK_FALSE(user->machine);
    CHECK(user->human->profile == request.profile);
    CHECK(user->human->email == "minnie@example.com");
    CHECK(user->human->is_email_verified);
    CHECK(user->human->phone == "+41710000000");
    CHECK_FALSE(user->human->is_phone_verified);
    // human.added, email.verified, phone.code.added: the details of all three.
    CHECK(user->details == added->details);
    CHECK(user->details.sequence.value == 3);
    CHECK(user->details.resource_owner == "o1");
}

TEST_CASE("get_user_by_id answers a machine with machine fields and no human", "[read-model][query]") {
    read_side s;
    REQUIRE(s.w.service.add_machine(admin, {"m1", "o1", "robot", "Robot", "Builds things"}).ok());
    s.catch_up();
    auto user = get_user_by_id(s.phones, s.w.instance(), "m1");
    REQUIRE(user.ok());
    CHECK(user->kind == user_kind::machine);
    CHECK(user->username == "robot");
    CHECK_FALSE(user->human);
    REQUIRE(user->machine);
    CHECK(*user->machine == machine_view{"Robot", "Builds things"});
}

TEST_CASE("get_user_by_id: a missing, removed or not-yet-added user is QUERY-Dfbg2 NotFound, an initial one is found",
          "[read-model][query]") {
    read_side s;
    s.w.given("gone", "o1", {human_added{}, user_removed{}});
    s.w.given_raw("other", "o1", {{"user.human.email.changed", R"({"email":"a@b.c"})"}});
    s.w.given("new", "o1", {human_added{}, human_initial_code_added{}});
    s.catch_up();
    const auto& inst = s.w.instance();
    then_rejected(get_user_by_id(s.phones, inst, "nobody"), user::errors::user_not_found_query);
    then_rejected(get_user_by_id(s.phones, inst, "gone"), user::errors::user_not_found_query);
    then_rejected(get_user_by_id(s.phones, inst, "other"), user::errors::user_not_found_query);
    then_rejected(get_user_by_id(s.phones, "other-instance", "new"), user::errors::user_not_found_query);
    then_rejected(get_user_by_id(s.phones, inst, std::string("new\0x", 5)), user::errors::text_invalid);
    auto initial = get_user_by_id(s.phones, inst, "new");
    REQUIRE(initial.ok());
    CHECK(initial->state == user_state::initial);
    CHECK(initial->username == "new");
    REQUIRE(initial->human);
    CHECK(initial->human->phone.empty());
}
