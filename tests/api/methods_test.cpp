// Every method over every protocol: given a user, when a ZITADEL client calls the method in REST, Connect JSON,
// Connect binary or gRPC-Web, then the decoded answer is the same and the library stored what the command stores.
#include <catch2/catch.hpp>
#include <google/protobuf/util/message_differencer.h>

#include "support/api_fixture.hpp"
#include "support/seed_request.hpp"
#include "zitadel/auth.pb.h"
#include "zitadel/management.pb.h"
#include "zitadel/user/v2/user_service.pb.h"

using namespace userstream;
using namespace userstream::api_tests;
namespace mgmt = zitadel::management::v1;
namespace auth = zitadel::auth::v1;
namespace v2 = zitadel::user::v2;

namespace {
std::vector<std::string> event_types(const api_fixture& f) {
    std::vector<std::string> out;
    for (const auto& e : f.events()) out.push_back(e.event_type);
    return out;
}

// The answer of one protocol, and the events it stored after the given ones.
struct run {
    reply answer;
    std::vector<std::string> new_events;
};

template <class Given, class Request>
std::vector<run> on_every_protocol(Given given, std::string_view method, const Request& request,
                                   std::string_view token = admin_token,
                                   std::optional<std::string> org = std::nullopt) {
    std::vector<run> out;
    for (const auto p : all_protocols) {
        api_fixture f;
        given(f);
        const auto before = f.events().size();
        run r{f.send(p, method, request, token, org), {}};
        const auto all = event_types(f);
        r.new_events.assign(all.begin() + static_cast<std::ptrdiff_t>(before), all.end());
        out.push_back(std::move(r));
    }
    return out;
}

// All protocols succeeded with equal responses and stored the same events; returns the first.
run same_success(std::vector<run> runs) {
    for (std::size_t i = 0; i < runs.size(); ++i) {
        INFO(name_of(all_protocols[i]) << ": " << runs[i].answer.raw.body << " " << runs[i].answer.decode_problem
                                       << " " << runs[i].answer.message);
        REQUIRE(runs[i].answer.ok());
        CHECK(runs[i].answer.http_status == 200);
        CHECK(google::protobuf::util::MessageDifferencer::Equals(*runs[i].answer.response, *runs[0].answer.response));
        CHECK(runs[i].new_events == runs[0].new_events);
    }
    return std::move(runs[0]);
}

auto with_u1 = [](api_fixture& f) { f.given_human("u1", "o1"); };
auto with_u1_phone = [](api_fixture& f) { f.given_human("u1", "o1", "+41 71 000 00 00", false); };
auto with_u1_verified = [](api_fixture& f) { f.given_human("u1", "o1", "+41 71 000 00 00", true); };
}  // namespace

TEST_CASE("UpdateHumanPhone with the seed's body changes and verifies the phone in every protocol") {
    const auto request = seed_update_request();
    const auto& first = same_success(on_every_protocol(with_u1, "zitadel.management.v1.ManagementService/UpdateHumanPhone",
                                                       request, admin_token, "o1"));
    CHECK(first.new_events == std::vector<std::string>{"user.human.phone.changed", "user.human.phone.verified"});
    const auto& details = first.answer.as<mgmt::UpdateHumanPhoneResponse>().details();
    CHECK(details.sequence() == 3);
    CHECK(details.resource_owner() == "o1");
    CHECK_FALSE(details.has_creation_date());
}

TEST_CASE("GetHumanPhone reads the phone back with creation and change dates in every protocol") {
    mgmt::GetHumanPhoneRequest request;
    request.set_user_id("u1");
    const auto& first = same_success(
        on_every_protocol(with_u1_verified, "zitadel.management.v1.ManagementService/GetHumanPhone", request));
    const auto& answer = first.answer.as<mgmt::GetHumanPhoneResponse>();
    CHECK(answer.phone().phone() == "+41710000000");
    CHECK(answer.phone().is_phone_verified());
    CHECK(answer.details().sequence() == 2);
    CHECK(answer.details().has_creation_date());
    CHECK(answer.details().resource_owner() == "o1");
    CHECK(first.new_events.empty());
}

TEST_CASE("RemoveHumanPhone and ResendHumanPhoneVerification run their commands in every protocol") {
    mgmt::RemoveHumanPhoneRequest remove;
    remove.set_user_id("u1");
    const auto& removed =
        same_success(on_every_protocol(with_u1_phone, "zitadel.management.v1.ManagementService/RemoveHumanPhone", remove));
    CHECK(removed.new_events == std::vector<std::string>{"user.human.phone.removed"});

    mgmt::ResendHumanPhoneVerificationRequest resend;
    resend.set_user_id("u1");
    const auto& resent = same_success(on_every_protocol(
        with_u1_phone, "zitadel.management.v1.ManagementService/ResendHumanPhoneVerification", resend));
    CHECK(resent.new_events == std::vector<std::string>{"user.human.phone.code.added"});
}

TEST_CASE("The auth API acts on the caller's own phone in every protocol") {
    auth::SetMyPhoneRequest set;
    set.set_phone("+41 79 123 45 67");
    const auto& changed =
        same_success(on_every_protocol(with_u1, "zitadel.auth.v1.AuthService/SetMyPhone", set, u1_token));
    CHECK(changed.new_events == std::vector<std::string>{"user.human.phone.changed", "user.human.phone.code.added"});

    auth::GetMyPhoneRequest get;
    const auto& read = same_success(on_every_protocol(with_u1_verified, "zitadel.auth.v1.AuthService/GetMyPhone", get, u1_token));
    CHECK(read.answer.as<auth::GetMyPhoneResponse>().phone().phone() == "+41710000000");

    auth::VerifyMyPhoneRequest verify;
    verify.set_code("CODE01");  // the fixture's first code, issued when the phone was added
    const auto& verified =
        same_success(on_every_protocol(with_u1_phone, "zitadel.auth.v1.AuthService/VerifyMyPhone", verify, u1_token));
    CHECK(verified.new_events == std::vector<std::string>{"user.human.phone.verified"});

    auth::ResendMyPhoneVerificationRequest resend;
    const auto& resent = same_success(
        on_every_protocol(with_u1_phone, "zitadel.auth.v1.AuthService/ResendMyPhoneVerification", resend, u1_token));
    CHECK(resent.new_events == std::vector<std::string>{"user.human.phone.code.added"});

    auth::RemoveMyPhoneRequest remove;
    const auto& removed =
        same_success(on_every_protocol(with_u1_phone, "zitadel.auth.v1.AuthService/RemoveMyPhone", remove, u1_token));
    CHECK(removed.new_events == std::vector<std::string>{"user.human.phone.removed"});
}

TEST_CASE("v2 SetPhone with returnCode answers the code, and VerifyPhone accepts it, in every protocol") {
    v2::SetPhoneRequest set;
    set.set_user_id("u1");
    set.set_phone("+41 79 123 45 67");
    set.mutable_return_code();
    const auto& changed = same_success(on_every_protocol(with_u1, "zitadel.user.v2.UserService/SetPhone", set));
    CHECK(changed.new_events == std::vector<std::string>{"user.human.phone.changed", "user.human.phone.code.added"});
    CHECK(changed.answer.as<v2::SetPhoneResponse>().verification_code() == "CODE01");
    CHECK(changed.answer.as<v2::SetPhoneResponse>().details().sequence() == 3);

    v2::SetPhoneRequest send = set;
    send.mutable_send_code();
    const auto& sent = same_success(on_every_protocol(with_u1, "zitadel.user.v2.UserService/SetPhone", send));
    CHECK_FALSE(sent.answer.as<v2::SetPhoneResponse>().has_verification_code());

    v2::VerifyPhoneRequest verify;
    verify.set_user_id("u1");
    verify.set_verification_code("CODE01");
    const auto& verified = same_success(on_every_protocol(with_u1_phone, "zitadel.user.v2.UserService/VerifyPhone", verify));
    CHECK(verified.new_events == std::vector<std::string>{"user.human.phone.verified"});
}

TEST_CASE("v2 ResendPhoneCode, RemovePhone and DeleteUser run their commands in every protocol") {
    v2::ResendPhoneCodeRequest resend;
    resend.set_user_id("u1");
    resend.mutable_return_code();
    const auto& resent = same_success(on_every_protocol(with_u1_phone, "zitadel.user.v2.UserService/ResendPhoneCode", resend));
    CHECK(resent.new_events == std::vector<std::string>{"user.human.phone.code.added"});
    CHECK(resent.answer.as<v2::ResendPhoneCodeResponse>().verification_code() == "CODE02");

    v2::RemovePhoneRequest remove;
    remove.set_user_id("u1");
    const auto& removed = same_success(on_every_protocol(with_u1_phone, "zitadel.user.v2.UserService/RemovePhone", remove));
    CHECK(removed.new_events == std::vector<std::string>{"user.human.phone.removed"});

    v2::DeleteUserRequest del;
    del.set_user_id("u1");
    const auto& deleted = same_success(on_every_protocol(with_u1_phone, "zitadel.user.v2.UserService/DeleteUser", del));
    CHECK(deleted.new_events == std::vector<std::string>{"user.removed"});
}

TEST_CASE("v2 AddHumanUser creates a user with profile, email and phone, and returns the phone code, in every protocol") {
    v2::AddHumanUserRequest add;
    add.set_username("minnie");
    add.mutable_organization()->set_org_id("o1");
    add.mutable_profile()->set_given_name("Minnie");
    add.mutable_profile()->set_family_name("Mouse");
    add.mutable_profile()->set_gender(v2::GENDER_FEMALE);
    add.mutable_email()->set_email("minnie@example.com");
    add.mutable_email()->set_is_verified(true);
    add.mutable_phone()->set_phone("+41 79 123 45 67");
    add.mutable_phone()->mutable_return_code();
    const auto& added = same_success(on_every_protocol([](api_fixture&) {}, "zitadel.user.v2.UserService/AddHumanUser", add));
    CHECK(added.new_events == std::vector<std::string>{"user.human.added", "user.human.email.verified",
                                                       "user.human.phone.code.added"});
    const auto& answer = added.answer.as<v2::AddHumanUserResponse>();
    CHECK_FALSE(answer.user_id().empty());
    CHECK(answer.phone_code() == "CODE01");
    CHECK_FALSE(answer.has_email_code());
    CHECK(answer.details().resource_owner() == "o1");

    v2::AddHumanUserRequest with_id = add;
    with_id.set_user_id("u9");
    with_id.mutable_phone()->set_is_verified(true);
    const auto& chosen =
        same_success(on_every_protocol([](api_fixture&) {}, "zitadel.user.v2.UserService/AddHumanUser", with_id));
    CHECK(chosen.answer.as<v2::AddHumanUserResponse>().user_id() == "u9");
    CHECK_FALSE(chosen.answer.as<v2::AddHumanUserResponse>().has_phone_code());
    CHECK(chosen.new_events ==
          std::vector<std::string>{"user.human.added", "user.human.email.verified", "user.human.phone.verified"});
}

TEST_CASE("v2 GetUserByID answers a human's profile, email and phone from the read model in every protocol") {
    auto given = [](api_fixture& f) {
        v2::AddHumanUserRequest add;
        add.set_user_id("u1");
        add.set_username("minnie");
        add.mutable_organization()->set_org_id("o1");
        add.mutable_profile()->set_given_name("Minnie");
        add.mutable_profile()->set_family_name("Mouse");
        add.mutable_profile()->set_nick_name("Min");
        add.mutable_email()->set_email("minnie@example.com");
        add.mutable_phone()->set_phone("+41 79 123 45 67");
        add.mutable_phone()->set_is_verified(true);
        REQUIRE(f.send(protocol::connect_proto, "zitadel.user.v2.UserService/AddHumanUser", add).ok());
    };
    v2::GetUserByIDRequest get;
    get.set_user_id("u1");
    const auto& read = same_success(on_every_protocol(given, "zitadel.user.v2.UserService/GetUserByID", get));
    const auto& user = read.answer.as<v2::GetUserByIDResponse>().user();
    CHECK(user.user_id() == "u1");
    CHECK(user.state() == v2::USER_STATE_ACTIVE);
    CHECK(user.username() == "minnie");
    CHECK(user.login_names_size() == 1);
    CHECK(user.preferred_login_name() == "minnie");
    REQUIRE(user.has_human());
    CHECK_FALSE(user.has_machine());
    CHECK(user.human().profile().given_name() == "Minnie");
    CHECK(user.human().profile().family_name() == "Mouse");
    CHECK(user.human().profile().nick_name() == "Min");
    CHECK(user.human().email().email() == "minnie@example.com");
    CHECK_FALSE(user.human().email().is_verified());
    CHECK(user.human().phone().phone() == "+41791234567");
    CHECK(user.human().phone().is_verified());
    CHECK(user.details().resource_owner() == "o1");
    CHECK(user.details().sequence() == 2);
    CHECK(read.answer.as<v2::GetUserByIDResponse>().details().sequence() == 2);
}

TEST_CASE("v2 GetUserByID answers a machine user with `machine` and no `human`") {
    api_fixture f;
    user::grant_table_authorizer grants;
    grants.grant("admin", "o1", user::permissions::user_write);
    user::user_service seeding(f.store, grants, f.keys, f.clock, f.ids);
    user::add_machine_request machine{"bot", "o1"};
    machine.username = "build-bot";
    machine.name = "Build bot";
    machine.description = "runs the nightly builds";
    const auto added = seeding.add_machine({"admin", "o1"}, machine);
    REQUIRE(added);
    REQUIRE(f.read_side->wait_for(added->position, std::chrono::seconds(10)));
    v2::GetUserByIDRequest get;
    get.set_user_id("bot");
    for (const auto p : all_protocols) {
        INFO(name_of(p));
        const auto read = f.send(p, "zitadel.user.v2.UserService/GetUserByID", get);
        REQUIRE(read.ok());
        const auto& user = read.as<v2::GetUserByIDResponse>().user();
        CHECK(user.username() == "build-bot");
        CHECK_FALSE(user.has_human());
        REQUIRE(user.has_machine());
        CHECK(user.machine().name() == "Build bot");
        CHECK(user.machine().description() == "runs the nightly builds");
    }
}
