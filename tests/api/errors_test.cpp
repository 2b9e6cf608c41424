// Every documented error of every method, in each protocol's form. Given a user in some state, when a ZITADEL client
// calls a method in a way the library (or ZITADEL's proto rules) rejects, then REST, Connect JSON, Connect binary and
// gRPC-Web all answer with the same gRPC code, ZITADEL's message "<text> (<id>)", the zitadel.v1.ErrorDetail {id,
// text}, and the HTTP status that protocol must use; and nothing was stored, except the `verification.failed` a
// failed verification records by design. Validation failures are InvalidArgument with PGV's message and no detail.
#include <functional>
#include <memory>

#include <catch2/catch.hpp>

#include "support/api_fixture.hpp"
#include "userstream/api/errors.hpp"
#include "userstream/projections/errors.hpp"
#include "userstream/user/errors.hpp"
#include "zitadel/auth.pb.h"
#include "zitadel/management.pb.h"
#include "zitadel/user/v2/user_service.pb.h"

using namespace userstream;
using namespace userstream::api_tests;
namespace pb = google::protobuf;
namespace mgmt = zitadel::management::v1;
namespace auth = zitadel::auth::v1;
namespace v2 = zitadel::user::v2;
namespace uerr = userstream::user::errors;
namespace perr = userstream::projections::errors;
namespace aerr = userstream::api::errors;

namespace {

constexpr std::string_view get_human_phone = "zitadel.management.v1.ManagementService/GetHumanPhone";
constexpr std::string_view update_human_phone = "zitadel.management.v1.ManagementService/UpdateHumanPhone";
constexpr std::string_view remove_human_phone = "zitadel.management.v1.ManagementService/RemoveHumanPhone";
constexpr std::string_view resend_human_phone = "zitadel.management.v1.ManagementService/ResendHumanPhoneVerification";
constexpr std::string_view get_my_phone = "zitadel.auth.v1.AuthService/GetMyPhone";
constexpr std::string_view set_my_phone = "zitadel.auth.v1.AuthService/SetMyPhone";
constexpr std::string_view verify_my_phone = "zitadel.auth.v1.AuthService/VerifyMyPhone";
constexpr std::string_view resend_my_phone = "zitadel.auth.v1.AuthService/ResendMyPhoneVerification";
constexpr std::string_view remove_my_phone = "zitadel.auth.v1.AuthService/RemoveMyPhone";
constexpr std::string_view set_phone = "zitadel.user.v2.UserService/SetPhone";
constexpr std::string_view verify_phone = "zitadel.user.v2.UserService/VerifyPhone";
constexpr std::string_view resend_phone_code = "zitadel.user.v2.UserService/ResendPhoneCode";
constexpr std::string_view remove_phone = "zitadel.user.v2.UserService/RemovePhone";
constexpr std::string_view delete_user = "zitadel.user.v2.UserService/DeleteUser";
constexpr std::string_view add_human_user = "zitadel.user.v2.UserService/AddHumanUser";
constexpr std::string_view get_user_by_id = "zitadel.user.v2.UserService/GetUserByID";

constexpr int invalid_argument = 3, not_found = 5, permission_denied = 7, failed_precondition = 9, internal = 13,
              unavailable = 14, unauthenticated = 16;

// What a client must read, whatever the protocol.
struct expected {
    int code;
    std::string message;
    std::string error_id;  // empty: no ErrorDetail may be sent
    std::string error_message;
};

// A library error as ZITADEL sends it. The gRPC code is written out, not derived from the library's own mapping.
expected library(const error_code& e, int grpc_code) {
    return {grpc_code, std::string(e.message) + " (" + std::string(e.id) + ")", std::string(e.id),
            std::string(e.message)};
}
// A library error whose text names a field (US-INPUT-text).
expected library(const error_code& e, int grpc_code, std::string_view field) {
    const std::string text = std::string(e.message) + ": " + std::string(field);
    return {grpc_code, text + " (" + std::string(e.id) + ")", std::string(e.id), text};
}
// A proto validation rule's failure: InvalidArgument, PGV's message, no ErrorDetail.
expected invalid(std::string message) { return {invalid_argument, std::move(message), "", ""}; }

std::string length_rule(std::string_view field, int min, int max) {
    return "invalid " + std::string(field) + ": value length must be between " + std::to_string(min) + " and " +
           std::to_string(max) + " runes, inclusive";
}

using request_ptr = std::shared_ptr<const pb::Message>;
using given_fn = std::function<void(api_fixture&)>;

struct error_case {
    std::string name;
    std::string_view method;
    given_fn given;
    request_ptr request;
    std::string_view token;
    std::optional<std::string> org;
    expected expect;
    std::vector<std::string> stored{};  // the events the failed call still stores (a failed verification)
};

// ---- givens ----
const given_fn nobody = [](api_fixture&) {};
const given_fn u1 = [](api_fixture& f) { f.given_human("u1", "o1"); };
const given_fn u1_phone = [](api_fixture& f) { f.given_human("u1", "o1", "+41 71 000 00 00", false); };  // CODE01
const given_fn u1_verified = [](api_fixture& f) { f.given_human("u1", "o1", "+41 71 000 00 00", true); };
const given_fn u1_phone_removed = [](api_fixture& f) {
    f.given_events("u1", "o1", {user::human_added{}, user::phone_changed{user::phone_number::from_stored("+41710000000")},
                                user::phone_removed{}});
};
const given_fn u1_initial = [](api_fixture& f) {
    f.given_events("u1", "o1", {user::human_added{}, user::human_initial_code_added{}});
};
const given_fn u1_removed = [](api_fixture& f) {
    f.given_events("u1", "o1", {user::human_added{user::phone_number::from_stored("+41710000000")}, user::user_removed{}});
};
const given_fn m1_machine = [](api_fixture& f) { f.given_events("m1", "o1", {user::machine_added{"m1"}}); };
// The admin of o1 is itself a machine user (GetMyPhone on a machine).
const given_fn admin_machine = [](api_fixture& f) { f.given_events("admin", "o1", {user::machine_added{"admin"}}); };
const given_fn u2_in_o2 = [](api_fixture& f) { f.given_human("u2", "o2", "+41 71 000 00 00", false); };

// ---- requests ----
template <class M>
request_ptr with_user(std::string user_id) {
    auto r = std::make_shared<M>();
    r->set_user_id(std::move(user_id));
    return r;
}
template <class M>
request_ptr empty() {
    return std::make_shared<M>();
}
request_ptr update(std::string user_id, std::string phone, bool verified = false) {
    auto r = std::make_shared<mgmt::UpdateHumanPhoneRequest>();
    r->set_user_id(std::move(user_id));
    r->set_phone(std::move(phone));
    r->set_is_phone_verified(verified);
    return r;
}
request_ptr my_phone(std::string phone) {
    auto r = std::make_shared<auth::SetMyPhoneRequest>();
    r->set_phone(std::move(phone));
    return r;
}
request_ptr my_code(std::string code) {
    auto r = std::make_shared<auth::VerifyMyPhoneRequest>();
    r->set_code(std::move(code));
    return r;
}
enum class mode { unset, send_code, return_code, verified, verified_false };
request_ptr set(std::string user_id, std::string phone, mode m = mode::unset) {
    auto r = std::make_shared<v2::SetPhoneRequest>();
    r->set_user_id(std::move(user_id));
    r->set_phone(std::move(phone));
    if (m == mode::send_code) r->mutable_send_code();
    if (m == mode::return_code) r->mutable_return_code();
    if (m == mode::verified) r->set_is_verified(true);
    if (m == mode::verified_false) r->set_is_verified(false);
    return r;
}
request_ptr verify(std::string user_id, std::string code) {
    auto r = std::make_shared<v2::VerifyPhoneRequest>();
    r->set_user_id(std::move(user_id));
    r->set_verification_code(std::move(code));
    return r;
}
request_ptr resend(std::string user_id, mode m = mode::unset) {
    auto r = std::make_shared<v2::ResendPhoneCodeRequest>();
    r->set_user_id(std::move(user_id));
    if (m == mode::send_code) r->mutable_send_code();
    if (m == mode::return_code) r->mutable_return_code();
    return r;
}

// A complete AddHumanUser request for `user_id` in o1, which `change` then spoils.
request_ptr add_human(std::string user_id, const std::function<void(v2::AddHumanUserRequest&)>& change = {}) {
    auto r = std::make_shared<v2::AddHumanUserRequest>();
    r->set_user_id(std::move(user_id));
    r->set_username("minnie");
    r->mutable_organization()->set_org_id("o1");
    r->mutable_profile()->set_given_name("Minnie");
    r->mutable_profile()->set_family_name("Mouse");
    r->mutable_email()->set_email("minnie@example.com");
    r->mutable_phone()->set_phone("+41 79 123 45 67");
    if (change) change(*r);
    return r;
}

const std::string long_id(201, 'a');
const std::string nul_phone = std::string("+41 71 000 00 00") + '\0';
const std::vector<std::string> failed{"user.human.phone.verification.failed"};

// REST carries the user id in the path, where an empty one cannot be written.
bool expressible_in_rest(const error_case& c) {
    if (rest_rule_of(c.method).path.find("{userId}") == std::string_view::npos) return true;
    const auto* field = c.request->GetDescriptor()->FindFieldByName("user_id");
    return !c.request->GetReflection()->GetString(*c.request, field).empty();
}

bool same_event(const eventstore::stored_event& a, const eventstore::stored_event& b) {
    return a.position == b.position && a.event_type == b.event_type && a.payload == b.payload;
}

void check_on_every_protocol(const error_case& c) {
    for (const auto p : all_protocols) {
        if (p == protocol::rest && !expressible_in_rest(c)) continue;
        INFO(c.method << ": " << c.name << ", over " << name_of(p));
        api_fixture f;
        c.given(f);
        const auto before = f.events();
        const auto answer = f.send(p, c.method, *c.request, c.token, c.org);
        INFO("answered HTTP " << answer.http_status << " " << answer.raw.body << " " << answer.decode_problem);
        CHECK(answer.decode_problem.empty());
        CHECK(answer.code == c.expect.code);
        CHECK(answer.message == c.expect.message);
        CHECK(answer.error_id == c.expect.error_id);
        CHECK(answer.error_message == c.expect.error_message);
        CHECK(answer.http_status == expected_http_status(p, c.expect.code));

        const auto after = f.events();
        REQUIRE(after.size() >= before.size());
        for (std::size_t i = 0; i < before.size(); ++i) CHECK(same_event(after[i], before[i]));
        std::vector<std::string> added;
        for (std::size_t i = before.size(); i < after.size(); ++i) added.push_back(after[i].event_type);
        CHECK(added == c.stored);
    }
}

void check_all(const std::vector<error_case>& cases) {
    for (const auto& c : cases) check_on_every_protocol(c);
}

}  // namespace

TEST_CASE("Every method answers a missing or unknown bearer token with Unauthenticated in every protocol") {
    const std::vector<std::pair<std::string_view, request_ptr>> calls{
        {get_human_phone, with_user<mgmt::GetHumanPhoneRequest>("u1")},
        {update_human_phone, update("u1", "+41 79 123 45 67")},
        {remove_human_phone, with_user<mgmt::RemoveHumanPhoneRequest>("u1")},
        {resend_human_phone, with_user<mgmt::ResendHumanPhoneVerificationRequest>("u1")},
        {get_my_phone, empty<auth::GetMyPhoneRequest>()},
        {set_my_phone, my_phone("+41 79 123 45 67")},
        {verify_my_phone, my_code("CODE01")},
        {resend_my_phone, empty<auth::ResendMyPhoneVerificationRequest>()},
        {remove_my_phone, empty<auth::RemoveMyPhoneRequest>()},
        {set_phone, set("u1", "+41 79 123 45 67")},
        {verify_phone, verify("u1", "CODE01")},
        {resend_phone_code, resend("u1")},
        {remove_phone, with_user<v2::RemovePhoneRequest>("u1")},
        {delete_user, with_user<v2::DeleteUserRequest>("u1")},
        {add_human_user, add_human("u9")},
        {get_user_by_id, with_user<v2::GetUserByIDRequest>("u1")},
    };
    std::vector<error_case> cases;
    for (const auto& [method, request] : calls) {
        cases.push_back({"no Authorization header", method, u1_phone, request, "", std::nullopt,
                         library(aerr::token_missing, unauthenticated)});
        cases.push_back({"a token nobody issued", method, u1_phone, request, "not-a-token", std::nullopt,
                         library(aerr::token_invalid, unauthenticated)});
    }
    check_all(cases);
}

TEST_CASE("Authentication comes before validation: an invalid request without a token is Unauthenticated") {
    check_all({
        {"empty phone, no token", update_human_phone, u1, update("u1", ""), "", std::nullopt,
         library(aerr::token_missing, unauthenticated)},
        {"isVerified false, unknown token", set_phone, u1, set("u1", "+41 79 123 45 67", mode::verified_false),
         "not-a-token", std::nullopt, library(aerr::token_invalid, unauthenticated)},
    });
}

TEST_CASE("UpdateHumanPhone: ZITADEL's proto rules, permission, phone, user and not-changed errors") {
    check_all({
        {"empty phone", update_human_phone, u1, update("u1", ""), admin_token, std::nullopt,
         invalid(length_rule("UpdateHumanPhoneRequest.Phone", 1, 50))},
        {"51-character phone", update_human_phone, u1, update("u1", "+" + std::string(50, '1')), admin_token,
         std::nullopt, invalid(length_rule("UpdateHumanPhoneRequest.Phone", 1, 50))},
        {"phone without +", update_human_phone, u1, update("u1", "071 000 00 00"), admin_token, std::nullopt,
         invalid("invalid UpdateHumanPhoneRequest.Phone: value does not have prefix \"+\"")},
        {"201-character user id (checked before the phone)", update_human_phone, u1, update(long_id, ""), admin_token,
         std::nullopt, invalid(length_rule("UpdateHumanPhoneRequest.UserId", 1, 200))},
        {"empty user id", update_human_phone, u1, update("", "+41 79 123 45 67"), admin_token, std::nullopt,
         invalid(length_rule("UpdateHumanPhoneRequest.UserId", 1, 200))},
        {"a reader without user.write", update_human_phone, u1, update("u1", "+41 79 123 45 67"), reader_token,
         std::nullopt, library(uerr::permission_denied_v1, permission_denied)},
        {"the user itself (no self-management on the management API)", update_human_phone, u1,
         update("u1", "+41 79 123 45 67"), u1_token, std::nullopt, library(uerr::permission_denied_v1, permission_denied)},
        {"o1's admin with x-zitadel-orgid o2", update_human_phone, u1, update("u1", "+41 79 123 45 67"), admin_token,
         "o2", library(uerr::permission_denied_v1, permission_denied)},
        {"o2's admin with x-zitadel-orgid o1", update_human_phone, u1, update("u1", "+41 79 123 45 67"),
         other_admin_token, "o1", library(uerr::permission_denied_v1, permission_denied)},
        {"an unparsable phone", update_human_phone, u1, update("u1", "+999 1234"), admin_token, std::nullopt,
         library(uerr::phone_invalid, invalid_argument)},
        {"a number that is not valid", update_human_phone, u1, update("u1", "+4112"), admin_token, std::nullopt,
         library(uerr::phone_not_valid, invalid_argument)},
        {"a NUL in the phone", update_human_phone, u1, update("u1", nul_phone), admin_token, std::nullopt,
         library(uerr::text_invalid, invalid_argument, "phone")},
        {"no such user", update_human_phone, nobody, update("u1", "+41 79 123 45 67"), admin_token, std::nullopt,
         library(uerr::user_not_found_v1, failed_precondition)},
        {"a user of another org: o2's admin", update_human_phone, u1, update("u1", "+41 79 123 45 67"),
         other_admin_token, std::nullopt, library(uerr::user_not_found_v1, failed_precondition)},
        {"a user of another org: o2's admin with x-zitadel-orgid o2", update_human_phone, u1,
         update("u1", "+41 79 123 45 67"), other_admin_token, "o2", library(uerr::user_not_found_v1, failed_precondition)},
        {"a user of another org: o1's admin on o2's user", update_human_phone, u2_in_o2,
         update("u2", "+41 79 123 45 67"), admin_token, std::nullopt,
         library(uerr::user_not_found_v1, failed_precondition)},
        {"a removed user", update_human_phone, u1_removed, update("u1", "+41 79 123 45 67"), admin_token, std::nullopt,
         library(uerr::user_not_found_v1, failed_precondition)},
        {"a machine user", update_human_phone, m1_machine, update("m1", "+41 79 123 45 67"), admin_token, std::nullopt,
         library(uerr::user_not_found_v1, failed_precondition)},
        {"the same verified number, verified again", update_human_phone, u1_verified,
         update("u1", "+41 71 000 00 00", true), admin_token, "o1", library(uerr::phone_not_changed_v1, failed_precondition)},
        {"the same number in another format, unverified", update_human_phone, u1_phone, update("u1", "+41710000000"),
         admin_token, std::nullopt, library(uerr::phone_not_changed_v1, failed_precondition)},
    });
}

TEST_CASE("GetHumanPhone: proto rules, user.read on the org, user of another org, no phone, machine") {
    check_all({
        {"201-character user id", get_human_phone, u1_phone, with_user<mgmt::GetHumanPhoneRequest>(long_id),
         admin_token, std::nullopt, invalid(length_rule("GetHumanPhoneRequest.UserId", 1, 200))},
        {"empty user id", get_human_phone, u1_phone, with_user<mgmt::GetHumanPhoneRequest>(""), admin_token,
         std::nullopt, invalid(length_rule("GetHumanPhoneRequest.UserId", 1, 200))},
        {"the user itself, without user.read", get_human_phone, u1_phone, with_user<mgmt::GetHumanPhoneRequest>("u1"),
         u1_token, std::nullopt, library(uerr::permission_denied_v1, permission_denied)},
        {"o1's admin with x-zitadel-orgid o2", get_human_phone, u1_phone, with_user<mgmt::GetHumanPhoneRequest>("u1"),
         admin_token, "o2", library(uerr::permission_denied_v1, permission_denied)},
        {"no such user", get_human_phone, nobody, with_user<mgmt::GetHumanPhoneRequest>("u1"), admin_token,
         std::nullopt, library(perr::phone_user_not_found, not_found)},
        {"a removed user", get_human_phone, u1_removed, with_user<mgmt::GetHumanPhoneRequest>("u1"), reader_token,
         std::nullopt, library(perr::phone_user_not_found, not_found)},
        {"a user of another org: o2's admin", get_human_phone, u1_phone, with_user<mgmt::GetHumanPhoneRequest>("u1"),
         other_admin_token, std::nullopt, library(perr::phone_user_not_found, not_found)},
        {"a user of another org: o2's admin with x-zitadel-orgid o2", get_human_phone, u1_phone,
         with_user<mgmt::GetHumanPhoneRequest>("u1"), other_admin_token, "o2",
         library(perr::phone_user_not_found, not_found)},
        {"a user of another org: o1's reader on o2's user", get_human_phone, u2_in_o2,
         with_user<mgmt::GetHumanPhoneRequest>("u2"), reader_token, std::nullopt,
         library(perr::phone_user_not_found, not_found)},
        {"a human without a phone", get_human_phone, u1, with_user<mgmt::GetHumanPhoneRequest>("u1"), reader_token,
         std::nullopt, library(perr::phone_not_found, not_found)},
        {"a removed phone", get_human_phone, u1_phone_removed, with_user<mgmt::GetHumanPhoneRequest>("u1"),
         reader_token, std::nullopt, library(perr::phone_not_found, not_found)},
        {"a machine user", get_human_phone, m1_machine, with_user<mgmt::GetHumanPhoneRequest>("m1"), reader_token,
         std::nullopt, library(perr::user_not_human, failed_precondition)},
    });
}

TEST_CASE("RemoveHumanPhone and ResendHumanPhoneVerification: proto rules, permission, user, phone errors") {
    using remove = mgmt::RemoveHumanPhoneRequest;
    using resend_v1 = mgmt::ResendHumanPhoneVerificationRequest;
    check_all({
        {"201-character user id", remove_human_phone, u1_phone, with_user<remove>(long_id), admin_token, std::nullopt,
         invalid(length_rule("RemoveHumanPhoneRequest.UserId", 1, 200))},
        {"empty user id", remove_human_phone, u1_phone, with_user<remove>(""), admin_token, std::nullopt,
         invalid(length_rule("RemoveHumanPhoneRequest.UserId", 1, 200))},
        {"a reader", remove_human_phone, u1_phone, with_user<remove>("u1"), reader_token, std::nullopt,
         library(uerr::permission_denied_v1, permission_denied)},
        {"the user itself", remove_human_phone, u1_phone, with_user<remove>("u1"), u1_token, std::nullopt,
         library(uerr::permission_denied_v1, permission_denied)},
        {"no such user", remove_human_phone, nobody, with_user<remove>("u1"), admin_token, std::nullopt,
         library(uerr::remove_user_not_found_v1, failed_precondition)},
        {"a user of another org", remove_human_phone, u1_phone, with_user<remove>("u1"), other_admin_token, "o2",
         library(uerr::remove_user_not_found_v1, failed_precondition)},
        {"no phone", remove_human_phone, u1, with_user<remove>("u1"), admin_token, std::nullopt,
         library(uerr::remove_phone_not_found_v1, not_found)},
        {"a removed phone", remove_human_phone, u1_phone_removed, with_user<remove>("u1"), admin_token, std::nullopt,
         library(uerr::remove_phone_not_found_v1, not_found)},

        {"201-character user id", resend_human_phone, u1_phone, with_user<resend_v1>(long_id), admin_token,
         std::nullopt, invalid(length_rule("ResendHumanPhoneVerificationRequest.UserId", 1, 200))},
        {"a reader", resend_human_phone, u1_phone, with_user<resend_v1>("u1"), reader_token, std::nullopt,
         library(uerr::permission_denied_v1, permission_denied)},
        {"no such user", resend_human_phone, nobody, with_user<resend_v1>("u1"), admin_token, std::nullopt,
         library(uerr::resend_user_not_found_v1, failed_precondition)},
        {"a user of another org", resend_human_phone, u1_phone, with_user<resend_v1>("u1"), other_admin_token,
         std::nullopt, library(uerr::resend_user_not_found_v1, failed_precondition)},
        {"no phone", resend_human_phone, u1, with_user<resend_v1>("u1"), admin_token, std::nullopt,
         library(uerr::resend_phone_not_found_v1, not_found)},
        {"a verified phone", resend_human_phone, u1_verified, with_user<resend_v1>("u1"), admin_token, std::nullopt,
         library(uerr::resend_already_verified_v1, failed_precondition)},
    });
}

TEST_CASE("The auth API's own-phone methods: proto rules, the caller's user and phone errors") {
    check_all({
        // GetMyPhone
        {"the caller has no user", get_my_phone, u1_phone, empty<auth::GetMyPhoneRequest>(), admin_token, std::nullopt,
         library(perr::phone_user_not_found, not_found)},
        {"the caller has no phone", get_my_phone, u1, empty<auth::GetMyPhoneRequest>(), u1_token, std::nullopt,
         library(perr::phone_not_found, not_found)},
        {"the caller is a machine", get_my_phone, admin_machine, empty<auth::GetMyPhoneRequest>(), admin_token,
         std::nullopt, library(perr::user_not_human, failed_precondition)},
        // SetMyPhone
        {"empty phone", set_my_phone, u1, my_phone(""), u1_token, std::nullopt,
         invalid(length_rule("SetMyPhoneRequest.Phone", 1, 50))},
        {"51-character phone", set_my_phone, u1, my_phone("+" + std::string(50, '1')), u1_token, std::nullopt,
         invalid(length_rule("SetMyPhoneRequest.Phone", 1, 50))},
        {"phone without +", set_my_phone, u1, my_phone("079 123 45 67"), u1_token, std::nullopt,
         invalid("invalid SetMyPhoneRequest.Phone: value does not have prefix \"+\"")},
        {"an unparsable phone", set_my_phone, u1, my_phone("+999 1234"), u1_token, std::nullopt,
         library(uerr::phone_invalid, invalid_argument)},
        {"a number that is not valid", set_my_phone, u1, my_phone("+4112"), u1_token, std::nullopt,
         library(uerr::phone_not_valid, invalid_argument)},
        {"a NUL in the phone", set_my_phone, u1, my_phone(nul_phone), u1_token, std::nullopt,
         library(uerr::text_invalid, invalid_argument, "phone")},
        {"the caller has no user", set_my_phone, u1, my_phone("+41 79 123 45 67"), admin_token, std::nullopt,
         library(uerr::user_not_found_v1, failed_precondition)},
        {"the same number", set_my_phone, u1_phone, my_phone("+41 71 000 00 00"), u1_token, std::nullopt,
         library(uerr::phone_not_changed_v1, failed_precondition)},
        {"the same verified number", set_my_phone, u1_verified, my_phone("+41 71 000 00 00"), u1_token, std::nullopt,
         library(uerr::phone_not_changed_v1, failed_precondition)},
        // VerifyMyPhone
        {"empty code", verify_my_phone, u1_phone, my_code(""), u1_token, std::nullopt,
         invalid(length_rule("VerifyMyPhoneRequest.Code", 1, 200))},
        {"a NUL in the code", verify_my_phone, u1_phone, my_code(std::string("CODE01") + '\0'), u1_token,
         std::nullopt, library(uerr::text_invalid, invalid_argument, "verificationCode")},
        {"the caller has no user", verify_my_phone, u1_phone, my_code("CODE01"), admin_token, std::nullopt,
         library(uerr::verify_user_not_found_v1, failed_precondition)},
        {"no phone, so no code", verify_my_phone, u1, my_code("CODE01"), u1_token, std::nullopt,
         library(uerr::verify_code_not_found_v1, not_found)},
        {"a verified phone has no code left", verify_my_phone, u1_verified, my_code("CODE01"), u1_token, std::nullopt,
         library(uerr::verify_code_not_found_v1, not_found)},
        {"a wrong code (recorded)", verify_my_phone, u1_phone, my_code("CODE99"), u1_token, std::nullopt,
         library(uerr::verify_code_invalid_v1, invalid_argument), failed},
        // ResendMyPhoneVerification
        {"the caller has no user", resend_my_phone, u1_phone, empty<auth::ResendMyPhoneVerificationRequest>(),
         admin_token, std::nullopt, library(uerr::resend_user_not_found_v1, failed_precondition)},
        {"no phone", resend_my_phone, u1, empty<auth::ResendMyPhoneVerificationRequest>(), u1_token, std::nullopt,
         library(uerr::resend_phone_not_found_v1, not_found)},
        {"a verified phone", resend_my_phone, u1_verified, empty<auth::ResendMyPhoneVerificationRequest>(), u1_token,
         std::nullopt, library(uerr::resend_already_verified_v1, failed_precondition)},
        // RemoveMyPhone
        {"the caller has no user", remove_my_phone, u1_phone, empty<auth::RemoveMyPhoneRequest>(), admin_token,
         std::nullopt, library(uerr::remove_user_not_found_v1, failed_precondition)},
        {"no phone", remove_my_phone, u1, empty<auth::RemoveMyPhoneRequest>(), u1_token, std::nullopt,
         library(uerr::remove_phone_not_found_v1, not_found)},
    });
}

TEST_CASE("v2 SetPhone: proto rules, user, permission (before the phone), phone and not-changed errors") {
    check_all({
        {"empty phone", set_phone, u1, set("u1", ""), admin_token, std::nullopt,
         invalid(length_rule("SetPhoneRequest.Phone", 1, 200))},
        {"201-character phone", set_phone, u1, set("u1", "+" + std::string(200, '1')), admin_token, std::nullopt,
         invalid(length_rule("SetPhoneRequest.Phone", 1, 200))},
        {"isVerified false", set_phone, u1, set("u1", "+41 79 123 45 67", mode::verified_false), admin_token,
         std::nullopt, invalid("invalid SetPhoneRequest.IsVerified: value must equal true")},
        {"201-character user id", set_phone, u1, set(long_id, "+41 79 123 45 67"), admin_token, std::nullopt,
         invalid(length_rule("SetPhoneRequest.UserId", 1, 200))},
        {"empty user id", set_phone, u1, set("", "+41 79 123 45 67"), admin_token, std::nullopt,
         invalid(length_rule("SetPhoneRequest.UserId", 1, 200))},
        {"no such user", set_phone, nobody, set("u1", "+41 79 123 45 67"), admin_token, std::nullopt,
         library(uerr::phone_user_not_found_v2, not_found)},
        {"a removed user", set_phone, u1_removed, set("u1", "+41 79 123 45 67"), admin_token, std::nullopt,
         library(uerr::phone_user_not_found_v2, not_found)},
        {"a user still in initialisation", set_phone, u1_initial, set("u1", "+41 79 123 45 67"), admin_token,
         std::nullopt, library(uerr::user_not_initialised, failed_precondition)},
        {"o2's admin on o1's user", set_phone, u1, set("u1", "+41 79 123 45 67"), other_admin_token, std::nullopt,
         library(uerr::permission_denied_v2, permission_denied)},
        {"o2's admin with x-zitadel-orgid o1 (the header plays no part in v2)", set_phone, u1,
         set("u1", "+41 79 123 45 67"), other_admin_token, "o1", library(uerr::permission_denied_v2, permission_denied)},
        {"o2's admin with an unparsable phone: permission first", set_phone, u1, set("u1", "PhoneNumber"),
         other_admin_token, std::nullopt, library(uerr::permission_denied_v2, permission_denied)},
        {"a reader", set_phone, u1, set("u1", "+41 79 123 45 67"), reader_token, std::nullopt,
         library(uerr::permission_denied_v2, permission_denied)},
        {"the user itself asking for the code back", set_phone, u1, set("u1", "+41 79 123 45 67", mode::return_code),
         u1_token, std::nullopt, library(uerr::permission_denied_v2, permission_denied)},
        {"the user itself marking the phone verified", set_phone, u1, set("u1", "+41 79 123 45 67", mode::verified),
         u1_token, std::nullopt, library(uerr::permission_denied_v2, permission_denied)},
        {"an unparsable phone", set_phone, u1, set("u1", "PhoneNumber"), admin_token, std::nullopt,
         library(uerr::phone_invalid, invalid_argument)},
        {"a number that is not valid", set_phone, u1, set("u1", "+4112"), admin_token, std::nullopt,
         library(uerr::phone_not_valid, invalid_argument)},
        {"a NUL in the phone", set_phone, u1, set("u1", nul_phone), admin_token, std::nullopt,
         library(uerr::text_invalid, invalid_argument, "phone")},
        {"the same number", set_phone, u1_phone, set("u1", "+41 71 000 00 00", mode::send_code), admin_token,
         std::nullopt, library(uerr::phone_not_changed_v2, failed_precondition)},
        {"the same verified number, isVerified true", set_phone, u1_verified, set("u1", "+41710000000", mode::verified),
         admin_token, std::nullopt, library(uerr::phone_not_changed_v2, failed_precondition)},
    });
}

TEST_CASE("v2 VerifyPhone: proto rules, user, permission, and a failure that is recorded") {
    check_all({
        {"empty code", verify_phone, u1_phone, verify("u1", ""), admin_token, std::nullopt,
         invalid(length_rule("VerifyPhoneRequest.VerificationCode", 1, 20))},
        {"21-character code", verify_phone, u1_phone, verify("u1", std::string(21, 'C')), admin_token, std::nullopt,
         invalid(length_rule("VerifyPhoneRequest.VerificationCode", 1, 20))},
        {"201-character user id", verify_phone, u1_phone, verify(long_id, "CODE01"), admin_token, std::nullopt,
         invalid(length_rule("VerifyPhoneRequest.UserId", 1, 200))},
        {"empty user id", verify_phone, u1_phone, verify("", "CODE01"), admin_token, std::nullopt,
         invalid(length_rule("VerifyPhoneRequest.UserId", 1, 200))},
        {"a NUL in the code", verify_phone, u1_phone, verify("u1", std::string("CODE01") + '\0'), admin_token,
         std::nullopt, library(uerr::text_invalid, invalid_argument, "verificationCode")},
        {"no such user", verify_phone, nobody, verify("u1", "CODE01"), admin_token, std::nullopt,
         library(uerr::phone_user_not_found_v2, not_found)},
        {"a user still in initialisation", verify_phone, u1_initial, verify("u1", "CODE01"), admin_token, std::nullopt,
         library(uerr::user_not_initialised, failed_precondition)},
        {"o2's admin", verify_phone, u1_phone, verify("u1", "CODE01"), other_admin_token, std::nullopt,
         library(uerr::permission_denied_v2, permission_denied)},
        {"a reader", verify_phone, u1_phone, verify("u1", "CODE01"), reader_token, std::nullopt,
         library(uerr::permission_denied_v2, permission_denied)},
        {"a wrong code (recorded)", verify_phone, u1_phone, verify("u1", "CODE99"), admin_token, std::nullopt,
         library(uerr::verify_code_invalid_v2, invalid_argument), failed},
        {"the user itself with a wrong code (recorded)", verify_phone, u1_phone, verify("u1", "CODE99"), u1_token,
         std::nullopt, library(uerr::verify_code_invalid_v2, invalid_argument), failed},
        {"no code pending: a verified phone (recorded)", verify_phone, u1_verified, verify("u1", "CODE01"), admin_token,
         std::nullopt, library(uerr::verify_code_invalid_v2, invalid_argument), failed},
        {"no code pending: no phone (recorded)", verify_phone, u1, verify("u1", "CODE01"), admin_token, std::nullopt,
         library(uerr::verify_code_invalid_v2, invalid_argument), failed},
    });
}

TEST_CASE("v2 ResendPhoneCode, RemovePhone and DeleteUser: proto rules, user, permission and state errors") {
    check_all({
        {"201-character user id", resend_phone_code, u1_phone, resend(long_id), admin_token, std::nullopt,
         invalid(length_rule("ResendPhoneCodeRequest.UserId", 1, 200))},
        {"no such user", resend_phone_code, nobody, resend("u1"), admin_token, std::nullopt,
         library(uerr::phone_user_not_found_v2, not_found)},
        {"a user still in initialisation", resend_phone_code, u1_initial, resend("u1"), admin_token, std::nullopt,
         library(uerr::user_not_initialised, failed_precondition)},
        {"o2's admin", resend_phone_code, u1_phone, resend("u1"), other_admin_token, std::nullopt,
         library(uerr::permission_denied_v2, permission_denied)},
        {"the user itself asking for the code back", resend_phone_code, u1_phone, resend("u1", mode::return_code),
         u1_token, std::nullopt, library(uerr::permission_denied_v2, permission_denied)},
        {"a verified phone has no code to resend", resend_phone_code, u1_verified, resend("u1"), admin_token,
         std::nullopt, library(uerr::resend_code_empty_v2, failed_precondition)},
        {"no phone", resend_phone_code, u1, resend("u1", mode::return_code), admin_token, std::nullopt,
         library(uerr::resend_code_empty_v2, failed_precondition)},

        {"201-character user id", remove_phone, u1_phone, with_user<v2::RemovePhoneRequest>(long_id), admin_token,
         std::nullopt, invalid(length_rule("RemovePhoneRequest.UserId", 1, 200))},
        {"no such user", remove_phone, nobody, with_user<v2::RemovePhoneRequest>("u1"), admin_token, std::nullopt,
         library(uerr::phone_user_not_found_v2, not_found)},
        {"a user still in initialisation", remove_phone, u1_initial, with_user<v2::RemovePhoneRequest>("u1"),
         admin_token, std::nullopt, library(uerr::user_not_initialised, failed_precondition)},
        {"o2's admin", remove_phone, u1_phone, with_user<v2::RemovePhoneRequest>("u1"), other_admin_token,
         std::nullopt, library(uerr::permission_denied_v2, permission_denied)},
        {"a reader", remove_phone, u1_phone, with_user<v2::RemovePhoneRequest>("u1"), reader_token, std::nullopt,
         library(uerr::permission_denied_v2, permission_denied)},
        {"no phone (the same id as a missing user, but 400)", remove_phone, u1, with_user<v2::RemovePhoneRequest>("u1"),
         admin_token, std::nullopt, library(uerr::remove_phone_not_found_v2, failed_precondition)},
        {"a removed phone", remove_phone, u1_phone_removed, with_user<v2::RemovePhoneRequest>("u1"), u1_token,
         std::nullopt, library(uerr::remove_phone_not_found_v2, failed_precondition)},

        {"201-character user id", delete_user, u1_phone, with_user<v2::DeleteUserRequest>(long_id), admin_token,
         std::nullopt, invalid(length_rule("DeleteUserRequest.UserId", 1, 200))},
        {"empty user id", delete_user, u1_phone, with_user<v2::DeleteUserRequest>(""), admin_token, std::nullopt,
         invalid(length_rule("DeleteUserRequest.UserId", 1, 200))},
        {"no such user", delete_user, nobody, with_user<v2::DeleteUserRequest>("u1"), admin_token, std::nullopt,
         library(uerr::user_remove_not_found, not_found)},
        {"a removed user", delete_user, u1_removed, with_user<v2::DeleteUserRequest>("u1"), admin_token, std::nullopt,
         library(uerr::user_remove_not_found, not_found)},
        {"o2's admin", delete_user, u1_phone, with_user<v2::DeleteUserRequest>("u1"), other_admin_token, std::nullopt,
         library(uerr::permission_denied_v2, permission_denied)},
        {"a reader", delete_user, u1_phone, with_user<v2::DeleteUserRequest>("u1"), reader_token, std::nullopt,
         library(uerr::permission_denied_v2, permission_denied)},
        {"the user itself", delete_user, u1_phone, with_user<v2::DeleteUserRequest>("u1"), u1_token, std::nullopt,
         library(uerr::permission_denied_v2, permission_denied)},
    });
}

TEST_CASE("v2 AddHumanUser: proto rules, organisation, permission, existing user and phone errors") {
    using request = v2::AddHumanUserRequest;
    const std::string embedded = "embedded message failed validation | caused by: ";
    check_all({
        {"201-character user id", add_human_user, nobody, add_human(long_id), admin_token, std::nullopt,
         invalid(length_rule("AddHumanUserRequest.UserId", 1, 200))},
        {"no profile", add_human_user, nobody, add_human("u9", [](request& r) { r.clear_profile(); }), admin_token,
         std::nullopt, invalid("invalid AddHumanUserRequest.Profile: value is required")},
        {"no given name", add_human_user, nobody,
         add_human("u9", [](request& r) { r.mutable_profile()->clear_given_name(); }), admin_token, std::nullopt,
         invalid("invalid AddHumanUserRequest.Profile: " + embedded +
                 length_rule("SetHumanProfile.GivenName", 1, 200))},
        {"no email", add_human_user, nobody, add_human("u9", [](request& r) { r.clear_email(); }), admin_token,
         std::nullopt, invalid("invalid AddHumanUserRequest.Email: value is required")},
        {"an email that is no address", add_human_user, nobody,
         add_human("u9", [](request& r) { r.mutable_email()->set_email("minnie"); }), admin_token, std::nullopt,
         invalid("invalid AddHumanUserRequest.Email: " + embedded +
                 "invalid SetHumanEmail.Email: value must be a valid email address")},
        {"phone isVerified false", add_human_user, nobody,
         add_human("u9", [](request& r) { r.mutable_phone()->set_is_verified(false); }), admin_token, std::nullopt,
         invalid("invalid AddHumanUserRequest.Phone: " + embedded +
                 "invalid SetHumanPhone.IsVerified: value must equal true")},
        {"an organisation domain", add_human_user, nobody,
         add_human("u9", [](request& r) { r.mutable_organization()->set_org_domain("example.com"); }), admin_token,
         std::nullopt, library(aerr::org_domain_unsupported, invalid_argument)},
        {"an empty organisation id", add_human_user, nobody,
         add_human("u9", [](request& r) { r.mutable_organization()->set_org_id(""); }), admin_token, std::nullopt,
         library(uerr::org_id_missing, invalid_argument)},
        {"o2's admin adding to o1", add_human_user, nobody, add_human("u9"), other_admin_token, std::nullopt,
         library(uerr::permission_denied_v2, permission_denied)},
        {"a reader", add_human_user, nobody, add_human("u9"), reader_token, std::nullopt,
         library(uerr::permission_denied_v2, permission_denied)},
        {"an id that is taken", add_human_user, u1, add_human("u1"), admin_token, std::nullopt,
         library(uerr::user_already_exists, failed_precondition)},
        {"an unparsable phone", add_human_user, nobody,
         add_human("u9", [](request& r) { r.mutable_phone()->set_phone("PhoneNumber"); }), admin_token, std::nullopt,
         library(uerr::phone_invalid, invalid_argument)},
        {"a number that is not valid", add_human_user, nobody,
         add_human("u9", [](request& r) { r.mutable_phone()->set_phone("+4112"); }), admin_token, std::nullopt,
         library(uerr::phone_not_valid, invalid_argument)},
        {"a NUL in the username", add_human_user, nobody,
         add_human("u9", [](request& r) { r.set_username(std::string("min\0nie", 8)); }), admin_token,
         std::nullopt, library(uerr::text_invalid, invalid_argument, "username")},
    });
}

TEST_CASE("v2 GetUserByID: proto rules, unknown and removed users, and who may read") {
    using request = v2::GetUserByIDRequest;
    check_all({
        {"201-character user id", get_user_by_id, u1_phone, with_user<request>(long_id), admin_token, std::nullopt,
         invalid(length_rule("GetUserByIDRequest.UserId", 1, 200))},
        {"empty user id", get_user_by_id, u1_phone, with_user<request>(""), admin_token, std::nullopt,
         invalid(length_rule("GetUserByIDRequest.UserId", 1, 200))},
        {"no such user", get_user_by_id, nobody, with_user<request>("u1"), admin_token, std::nullopt,
         library(uerr::user_not_found_query, not_found)},
        {"a removed user", get_user_by_id, u1_removed, with_user<request>("u1"), admin_token, std::nullopt,
         library(uerr::user_not_found_query, not_found)},
        {"o2's admin", get_user_by_id, u1_phone, with_user<request>("u1"), other_admin_token, std::nullopt,
         library(uerr::permission_denied_v2, permission_denied)},
        {"a user without user.read reading another user", get_user_by_id, u2_in_o2, with_user<request>("u2"),
         u1_token, std::nullopt, library(uerr::permission_denied_v2, permission_denied)},
    });
}

TEST_CASE("v2 self-management through the API: the user may send a code to a new number, resend, verify and remove it, and read itself") {
    const auto succeeds = [](const given_fn& given, std::string_view method, const pb::Message& request,
                             const std::vector<std::string>& events) {
        for (const auto p : all_protocols) {
            INFO(method << " as u1 over " << name_of(p));
            api_fixture f;
            given(f);
            const auto before = f.events().size();
            const auto answer = f.send(p, method, request, u1_token);
            INFO(answer.raw.body << " " << answer.message);
            CHECK(answer.ok());
            std::vector<std::string> added;
            const auto after = f.events();
            for (std::size_t i = before; i < after.size(); ++i) added.push_back(after[i].event_type);
            CHECK(added == events);
        }
    };
    succeeds(u1, set_phone, *set("u1", "+41 79 123 45 67", mode::send_code),
             {"user.human.phone.changed", "user.human.phone.code.added"});
    succeeds(u1, set_phone, *set("u1", "+41 79 123 45 67"), {"user.human.phone.changed", "user.human.phone.code.added"});
    succeeds(u1_phone, resend_phone_code, *resend("u1", mode::send_code), {"user.human.phone.code.added"});
    succeeds(u1_phone, verify_phone, *verify("u1", "CODE01"), {"user.human.phone.verified"});
    succeeds(u1_phone, remove_phone, *with_user<v2::RemovePhoneRequest>("u1"), {"user.human.phone.removed"});
    succeeds(u1_phone, get_user_by_id, *with_user<v2::GetUserByIDRequest>("u1"), {});
}

TEST_CASE("A read the read side cannot serve yet is Unavailable (US-QUERY-behind) in every protocol's form") {
    for (const auto p : all_protocols) {
        INFO(name_of(p));
        api::api_options options;
        // No wait at all, and no background projection: the read cannot see the write (a stopped runner would
        // otherwise be stepped by the waiting reader itself).
        options.read_your_writes_timeout = std::chrono::milliseconds(0);
        api_fixture f({}, options);
        f.given_human("u1", "o1");
        f.read_side->stop();
        REQUIRE(f.send(p, set_my_phone, *my_phone("+41 79 123 45 67"), u1_token).ok());
        const auto answer = f.send(p, get_my_phone, auth::GetMyPhoneRequest{}, u1_token);
        const auto want = library(perr::projection_behind, unavailable);
        CHECK(answer.code == want.code);
        CHECK(answer.message == want.message);
        CHECK(answer.error_id == want.error_id);
        CHECK(answer.http_status == expected_http_status(p, unavailable));
    }
}

TEST_CASE("An infrastructure failure is a generic Internal error in every protocol's form, its detail goes only to the log") {
    for (const auto p : all_protocols) {
        INFO(name_of(p));
        api_fixture f;
        f.given_human("u1", "o1", "+41 71 000 00 00", false);  // CODE01, encrypted under key-1
        // Another key under the same id: the stored code no longer decrypts, which the library throws as an
        // infrastructure error.
        f.keys.add_random_key(std::string(testing::test_key_id));
        const auto before = f.events().size();
        const auto answer = f.send(p, verify_phone, *verify("u1", "CODE01"));
        const auto want = library(aerr::internal, internal);
        CHECK(answer.decode_problem.empty());
        CHECK(answer.code == want.code);
        CHECK(answer.message == want.message);
        CHECK(answer.error_id == want.error_id);
        CHECK(answer.error_message == want.error_message);
        CHECK(answer.http_status == expected_http_status(p, internal));
        CHECK(f.events().size() == before);
        REQUIRE(f.log.size() == 1);
        CHECK(f.log[0].find("VerifyPhone") != std::string::npos);
        // The detail stays out of the answer.
        std::string everything = answer.raw.body;
        for (const auto& [name, value] : answer.raw.headers) everything += name + ": " + value + "\n";
        CHECK(everything.find(f.log[0]) == std::string::npos);
        CHECK(everything.find("key-1") == std::string::npos);
    }
}
