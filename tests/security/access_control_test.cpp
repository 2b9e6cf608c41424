// Access control through the API, over HTTP against userstream-server: the attempt limit on verification codes (beyond
// ZITADEL, which has none), self-verification (GHSA-282g-fhmx-xf54, GHSA-jq8w-8q2f-ffm9: a user without user.write
// may send a code to their own phone and verify it with that code, but never mark it verified, have a code returned,
// or take a path that needs the administrator's permission), and organisations (a token of one organisation never
// sees or changes a user of another, whatever x-zitadel-orgid says). Each refusal is checked on the state too: the
// user's stream has not moved.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "support/dev_server.hpp"
#include "support/secure_server.hpp"

using namespace security_test;

namespace {

// The user as GetUserByID answers it to `token`: its sequence and its phone (number, verified).
struct user_view {
    std::string sequence;
    std::string phone;
    bool verified = false;
};

user_view read_user(secure_server& server, const std::string& id, const std::string& token) {
    const auto& r = server.call("GET", "/v2/users/" + id, token);
    INFO(r.body);
    REQUIRE(r.status == 200);
    const auto json = nlohmann::json::parse(r.body);
    user_view out;
    out.sequence = json["details"]["sequence"].get<std::string>();
    const auto& user = json.contains("user") ? json["user"] : json;
    if (user.contains("human") && user["human"].contains("phone")) {
        const auto& phone = user["human"]["phone"];
        out.phone = phone.value("phone", "");
        out.verified = phone.value("isVerified", false);
    }
    return out;
}

bool same(const user_view& a, const user_view& b) {
    return a.sequence == b.sequence && a.phone == b.phone && a.verified == b.verified;
}

void verify_fails(secure_server& server, const std::string& user, const std::string& token, const std::string& code) {
    const auto& r = server.call("POST", "/v2/users/" + user + "/phone/verify", token,
                                R"({"verificationCode":")" + code + R"("})");
    INFO(r.body);
    CHECK(r.status == 400);
    CHECK(has_error_id(r, "COMMAND-eis9R"));
}

}  // namespace

TEST_CASE("the fifth wrong code kills the pending code, counted across a restart and both API versions: the right "
          "code then fails too, and a new code starts the count again",
          "[security][attempts]") {
    secure_server server;
    const auto& admin = server.admin_token;
    REQUIRE(server.add_user("alice", "o1", admin).status == 200);
    REQUIRE(server.call("POST", "/v2/users/alice/phone", admin, R"({"phone":"+41 79 300 00 01"})").status == 200);
    const auto code = server.next_sms_code("alice");
    REQUIRE(code.size() == 6);

    verify_fails(server, "alice", admin, "AAAAA1");
    verify_fails(server, "alice", admin, "AAAAA2");
    verify_fails(server, "alice", admin, "AAAAA3");
    // The failures are events in the store, not counters in the process.
    REQUIRE(server.stop());
    server.start();
    const auto& v1 = server.call("POST", "/auth/v1/users/me/phone/_verify", server.alice_token, R"({"code":"AAAAA4"})");
    CHECK(v1.status == 400);
    verify_fails(server, "alice", server.alice_token, "AAAAA5");

    // Five failures: the right code is refused like a wrong one, through both versions.
    verify_fails(server, "alice", admin, code);
    CHECK(server.call("POST", "/auth/v1/users/me/phone/_verify", server.alice_token, R"({"code":")" + code + R"("})")
              .status == 400);
    CHECK_FALSE(read_user(server, "alice", admin).verified);

    // A new code, a new count.
    REQUIRE(server.call("POST", "/v2/users/alice/phone/resend", admin, R"({"sendCode":{}})").status == 200);
    const auto fresh = server.next_sms_code("alice");
    REQUIRE(fresh.size() == 6);
    for (const auto* wrong : {"BBBBB1", "BBBBB2", "BBBBB3", "BBBBB4"}) verify_fails(server, "alice", admin, wrong);
    // Four failures leave the code alive.
    CHECK(server.call("POST", "/v2/users/alice/phone/verify", admin, R"({"verificationCode":")" + fresh + R"("})")
              .status == 200);
    CHECK(read_user(server, "alice", admin).verified);
}

TEST_CASE("GHSA-282g-fhmx-xf54 and GHSA-jq8w-8q2f-ffm9: a user without user.write cannot mark their phone verified or "
          "get a code returned on any path, and verifies it only with the code that was texted",
          "[security][self-verification]") {
    secure_server server;
    const auto& admin = server.admin_token;
    const auto& alice = server.alice_token;
    REQUIRE(server.add_user("alice", "o1", admin).status == 200);
    REQUIRE(server.call("POST", "/v2/users/alice/phone", admin, R"({"phone":"+41 79 400 00 01"})").status == 200);
    const auto texted = server.next_sms_code("alice");
    REQUIRE(texted.size() == 6);
    // The outbox records code.sent (sequence 4, after added, phone.changed, code.added) just after it printed the SMS.
    REQUIRE(server_test::eventually([&] { return read_user(server, "alice", admin).sequence == "4"; }));
    const auto before = read_user(server, "alice", admin);
    REQUIRE_FALSE(before.verified);

    struct attempt {
        const char* what;
        const char* method;
        std::string target;
        std::string body;
        std::optional<std::string> org;
        const char* error_id;
    };
    const std::vector<attempt> refused{
        {"v2 SetPhone isVerified on herself", "POST", "/v2/users/alice/phone",
         R"({"phone":"+41 79 400 00 01","isVerified":true})", std::nullopt, "AUTH-AWfge"},
        {"v2 SetPhone isVerified with a new number", "POST", "/v2/users/alice/phone",
         R"({"phone":"+41 79 400 00 02","isVerified":true})", std::nullopt, "AUTH-AWfge"},
        {"v2 SetPhone returnCode (she would read the code instead of receiving it)", "POST", "/v2/users/alice/phone",
         R"({"phone":"+41 79 400 00 02","returnCode":{}})", std::nullopt, "AUTH-AWfge"},
        {"v2 ResendPhoneCode returnCode", "POST", "/v2/users/alice/phone/resend", R"({"returnCode":{}})", std::nullopt,
         "AUTH-AWfge"},
        {"v1 UpdateHumanPhone isPhoneVerified, her organisation in the header", "PUT",
         "/management/v1/users/alice/phone", R"({"phone":"+41 79 400 00 01","isPhoneVerified":true})", "o1",
         "AUTH-5mWD2"},
        {"v1 UpdateHumanPhone isPhoneVerified, no header (her own organisation)", "PUT",
         "/management/v1/users/alice/phone", R"({"phone":"+41 79 400 00 01","isPhoneVerified":true})", std::nullopt,
         "AUTH-5mWD2"},
        {"v1 ResendHumanPhoneVerification (an administrator's method)", "POST",
         "/management/v1/users/alice/phone/_resend_verification", "{}", "o1", "AUTH-5mWD2"},
        {"v2 AddHumanUser of another user with a verified phone", "POST", "/v2/users/human",
         R"({"userId":"alice2","organization":{"orgId":"o1"},"profile":{"givenName":"A","familyName":"B"},)"
         R"("email":{"email":"a2@example.com"},"phone":{"phone":"+41 79 400 00 03","isVerified":true}})",
         std::nullopt, "AUTH-AWfge"},
    };
    for (const auto& a : refused) {
        INFO(a.what);
        const auto& r = server.call(a.method, a.target, alice, a.body, a.org);
        INFO(r.body);
        CHECK(r.status == 403);
        CHECK(has_error_id(r, a.error_id));
        CHECK(json_member(r.body, "verificationCode").empty());
        CHECK(same(read_user(server, "alice", admin), before));
    }
    // The auth API's SetMyPhone has no verified flag: one in the body is an unknown field and is ignored.
    REQUIRE(server.call("PUT", "/auth/v1/users/me/phone", alice, R"({"phone":"+41 79 400 00 04","isPhoneVerified":true})")
                .status == 200);
    const auto mine = read_user(server, "alice", admin);
    CHECK(mine.phone == "+41794000004");
    CHECK_FALSE(mine.verified);
    const auto texted_again = server.next_sms_code("alice");
    REQUIRE(texted_again.size() == 6);
    // A made-up code does not verify it; the texted one does, through the self-service paths she may use.
    verify_fails(server, "alice", alice, "ZZZZZ9");
    CHECK_FALSE(read_user(server, "alice", admin).verified);
    CHECK(server.call("POST", "/v2/users/alice/phone/verify", alice, R"({"verificationCode":")" + texted_again + R"("})")
              .status == 200);
    CHECK(read_user(server, "alice", admin).verified);
}

TEST_CASE("a token of one organisation neither sees nor changes a user of another, whatever x-zitadel-orgid says, in "
          "REST and Connect",
          "[security][organisations]") {
    secure_server server;
    const auto& mine = server.admin_token;  // admin of o1
    const auto& theirs = server.other_token;  // admin of o2
    REQUIRE(server.add_user("olga", "o2", theirs, R"({"phone":"+41 79 500 00 01","isVerified":true})").status == 200);
    REQUIRE(server.add_user("alice", "o1", mine).status == 200);
    const auto before = read_user(server, "olga", theirs);
    REQUIRE(before.verified);

    struct attempt {
        const char* method;
        std::string target;
        std::string body;
        std::optional<std::string> org;
    };
    std::vector<attempt> attempts;
    for (const std::optional<std::string>& org : {std::optional<std::string>{}, std::optional<std::string>{"o1"},
                                                  std::optional<std::string>{"o2"}}) {
        attempts.push_back({"GET", "/management/v1/users/olga/phone", "", org});
        attempts.push_back({"PUT", "/management/v1/users/olga/phone", R"({"phone":"+41 79 500 00 09"})", org});
        attempts.push_back({"PUT", "/management/v1/users/olga/phone",
                            R"({"phone":"+41 79 500 00 09","isPhoneVerified":true})", org});
        attempts.push_back({"POST", "/management/v1/users/olga/phone/_resend_verification", "{}", org});
        attempts.push_back({"DELETE", "/management/v1/users/olga/phone", "", org});
        attempts.push_back({"GET", "/v2/users/olga", "", org});
        attempts.push_back({"POST", "/v2/users/olga/phone", R"({"phone":"+41 79 500 00 09","isVerified":true})", org});
        attempts.push_back({"POST", "/v2/users/olga/phone", R"({"phone":"+41 79 500 00 09","returnCode":{}})", org});
        attempts.push_back({"POST", "/v2/users/olga/phone/verify", R"({"verificationCode":"ABC123"})", org});
        attempts.push_back({"POST", "/v2/users/olga/phone/resend", R"({"returnCode":{}})", org});
        attempts.push_back({"DELETE", "/v2/users/olga/phone", "{}", org});
        attempts.push_back({"DELETE", "/v2/users/olga", "", org});
        attempts.push_back({"POST", "/zitadel.management.v1.ManagementService/UpdateHumanPhone",
                            R"({"userId":"olga","phone":"+41 79 500 00 09","isPhoneVerified":true})", org});
        attempts.push_back({"POST", "/zitadel.management.v1.ManagementService/GetHumanPhone", R"({"userId":"olga"})",
                            org});
        attempts.push_back({"POST", "/zitadel.user.v2.UserService/GetUserByID", R"({"userId":"olga"})", org});
        attempts.push_back({"POST", "/v2/users/human",
                            R"({"userId":"olga2","organization":{"orgId":"o2"},"profile":{"givenName":"A",)"
                            R"("familyName":"B"},"email":{"email":"o2@example.com"}})",
                            org});
    }
    for (const std::string* token : {&mine, static_cast<const std::string*>(&server.alice_token)}) {
        for (const auto& a : attempts) {
            INFO(a.method << " " << a.target << " x-zitadel-orgid " << a.org.value_or("(none)")
                          << (token == &mine ? " by o1's admin" : " by alice of o1"));
            const auto& r = server.call(a.method, a.target, *token, a.body, a.org);
            INFO(r.status << " " << r.body);
            CHECK(r.status >= 400);
            CHECK(r.status < 500);
            // Nothing of olga's comes back: not her number, not her email.
            CHECK(r.body.find("500 00 01") == std::string::npos);
            CHECK(r.body.find("795000001") == std::string::npos);
            CHECK(r.body.find("olga@example.com") == std::string::npos);
        }
    }
    CHECK(same(read_user(server, "olga", theirs), before));
    // And the other way round: o2's admin, told o1, does not reach alice.
    const auto alice_before = read_user(server, "alice", mine);
    CHECK(server.call("PUT", "/management/v1/users/alice/phone", theirs, R"({"phone":"+41 79 500 00 02"})", "o1")
              .status == 403);
    CHECK(server.call("POST", "/v2/users/alice/phone", theirs, R"({"phone":"+41 79 500 00 02"})", "o1").status == 403);
    CHECK(same(read_user(server, "alice", mine), alice_before));
}
