// Secrets at rest and in logs. Given userstream-server on a SQLite file, when every code path that issues, sends,
// checks or drops a code has run (AddHumanUser with a phone, v1 UpdateHumanPhone verified and unverified, v2 SetPhone
// with send_code, return_code and is_verified, resends, right and wrong verifications, removals, the auth API's own
// phone), then each plain code appears only where it is meant to reach someone: the one `return_code` answer that
// returned it, or the one dev SMS line that texted it. No token, no wrong guess and no key material appears in the
// store's files (the database, its -wal and -shm), the server's standard output or error (the access log included),
// or any answer, error bodies included. Searched while the server runs and again after it stopped.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "support/dev_server.hpp"
#include "support/secret_scan.hpp"
#include "support/secure_server.hpp"

using namespace security_test;

namespace {

struct secret {
    std::string what;   // for the failure message
    std::string value;
    std::vector<std::string> allowed;  // the places it must be in, and no others
};

// The code of the last answer, from the member the v2 API returns it in.
std::string returned_code(const secure_server& server, const std::string& member) {
    return json_member(server.answers().back().response.body, member);
}

// The name of the place that is the last answer.
std::string last_answer(const secure_server& server) { return "answer " + server.answers().back().label; }

// The stdout line that is the dev SMS carrying `code`.
std::vector<std::string> sms_line_of(secure_server& server, const std::string& code) {
    std::vector<std::string> out;
    const auto lines = server.process().stdout_lines();
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].rfind("SMS to ", 0) == 0 && lines[i].find(code) != std::string::npos) {
            out.push_back("stdout line " + std::to_string(i));
        }
    }
    return out;
}

void check_everywhere(const std::vector<place>& places, const std::vector<secret>& secrets) {
    for (const auto& s : secrets) {
        INFO(s.what);
        REQUIRE_FALSE(s.value.empty());
        CHECK(places_holding(places, s.value) == s.allowed);
    }
}

}  // namespace

TEST_CASE("after every code path, each plain code is only in its return_code answer or its dev SMS line, and no token, "
          "wrong guess or key is in the store files, the logs or any answer",
          "[security][secrets]") {
    secure_server server;
    const auto& admin = server.admin_token;
    const auto& alice = server.alice_token;
    std::vector<secret> secrets;
    // An SMS code is allowed in its SMS line only; a returned code in its answer only.
    const auto texted = [&](const std::string& what, const std::string& user) {
        const auto code = server.next_sms_code(user);
        INFO(what);
        REQUIRE_FALSE(code.empty());
        secrets.push_back({what, code, {}});  // its SMS line is looked up at the end, when all lines are in
        return code;
    };
    const auto returned = [&](const std::string& what, const std::string& member) {
        const auto code = returned_code(server, member);
        INFO(what << ": " << server.answers().back().response.body);
        REQUIRE(code.size() == 6);
        secrets.push_back({what, code, {last_answer(server)}});
        return code;
    };
    const auto ok = [&](const http_response& r) {
        INFO(server.answers().back().label << " " << r.body);
        REQUIRE(r.status == 200);
    };

    // AddHumanUser with a phone: send_code, return_code, verified.
    ok(server.add_user("send-user", "o1", admin, R"({"phone":"+41 79 100 00 01","sendCode":{}})"));
    texted("AddHumanUser sendCode", "send-user");
    ok(server.add_user("return-user", "o1", admin, R"({"phone":"+41 79 100 00 02","returnCode":{}})"));
    const auto add_returned = returned("AddHumanUser returnCode", "phoneCode");
    ok(server.add_user("verified-user", "o1", admin, R"({"phone":"+41 79 100 00 03","isVerified":true})"));
    ok(server.add_user("alice", "o1", admin));

    // v1 UpdateHumanPhone, unverified (a code is texted) and verified.
    ok(server.call("PUT", "/management/v1/users/alice/phone", admin, R"({"phone":"+41 79 100 00 04"})", "o1"));
    texted("v1 UpdateHumanPhone unverified", "alice");
    ok(server.call("PUT", "/management/v1/users/alice/phone", admin,
                   R"({"phone":"+41 79 100 00 05","isPhoneVerified":true})", "o1"));

    // v2 SetPhone in each mode.
    ok(server.call("POST", "/v2/users/alice/phone", admin, R"({"phone":"+41 79 100 00 06","sendCode":{}})"));
    texted("v2 SetPhone sendCode", "alice");
    ok(server.call("POST", "/v2/users/alice/phone", admin, R"({"phone":"+41 79 100 00 07"})"));
    texted("v2 SetPhone without a verification (send)", "alice");
    ok(server.call("POST", "/v2/users/alice/phone", admin, R"({"phone":"+41 79 100 00 08","returnCode":{}})"));
    returned("v2 SetPhone returnCode", "verificationCode");
    ok(server.call("POST", "/v2/users/alice/phone", admin, R"({"phone":"+41 79 100 00 09","isVerified":true})"));

    // Resends: v2 send and return, v1.
    ok(server.call("POST", "/v2/users/alice/phone", admin, R"({"phone":"+41 79 100 00 10","returnCode":{}})"));
    returned("v2 SetPhone returnCode, before the resends", "verificationCode");
    ok(server.call("POST", "/v2/users/alice/phone/resend", admin, R"({"sendCode":{}})"));
    texted("v2 ResendPhoneCode sendCode", "alice");
    ok(server.call("POST", "/v2/users/alice/phone/resend", admin, R"({"returnCode":{}})"));
    returned("v2 ResendPhoneCode returnCode", "verificationCode");
    ok(server.call("POST", "/management/v1/users/alice/phone/_resend_verification", admin, "{}", "o1"));
    const auto resent = texted("v1 ResendHumanPhoneVerification", "alice");

    // Verification: wrong guesses, then the right code (v2, by the admin).
    const std::string wrong_v2 = "WR0NG2";
    const auto& wrong = server.call("POST", "/v2/users/alice/phone/verify", admin,
                                    R"({"verificationCode":")" + wrong_v2 + R"("})");
    CHECK(wrong.status == 400);
    CHECK(has_error_id(wrong, "COMMAND-eis9R"));
    secrets.push_back({"a wrong v2 guess", wrong_v2, {}});
    const std::string malformed_guess = "L3AKED";
    CHECK(server.call("POST", "/v2/users/alice/phone/verify", admin, R"({"verificationCode":")" + malformed_guess)
              .status == 400);
    secrets.push_back({"a guess in a malformed body", malformed_guess, {}});
    ok(server.call("POST", "/v2/users/alice/phone/verify", admin, R"({"verificationCode":")" + resent + R"("})"));

    // The auth API on alice's own phone: set, resend, a wrong and the right code, remove.
    ok(server.call("PUT", "/auth/v1/users/me/phone", alice, R"({"phone":"+41 79 100 00 11"})"));
    texted("v1 SetMyPhone", "alice");
    ok(server.call("POST", "/auth/v1/users/me/phone/_resend_verification", alice, "{}"));
    const auto mine = texted("v1 ResendMyPhoneVerification", "alice");
    const std::string wrong_v1 = "WR0NG1";
    CHECK(server.call("POST", "/auth/v1/users/me/phone/_verify", alice, R"({"code":")" + wrong_v1 + R"("})").status ==
          400);
    secrets.push_back({"a wrong v1 guess", wrong_v1, {}});
    ok(server.call("POST", "/auth/v1/users/me/phone/_verify", alice, R"({"code":")" + mine + R"("})"));
    ok(server.call("DELETE", "/auth/v1/users/me/phone", alice));

    // Removal through v1 and v2, and a verification of a code that was returned, after the removal.
    ok(server.call("DELETE", "/management/v1/users/send-user/phone", admin, "", "o1"));
    ok(server.call("DELETE", "/v2/users/return-user/phone", admin, "{}"));
    CHECK(server.call("POST", "/v2/users/return-user/phone/verify", admin,
                      R"({"verificationCode":")" + add_returned + R"("})")
              .status >= 400);

    // Tokens that fail, and tokens in the wrong place.
    const std::string probe = "f00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeed";
    CHECK(server.call("GET", "/v2/users/alice", probe).status == 401);
    CHECK(server.send("GET", "/v2/users/alice", {{"Authorization", "Basic " + admin}}, "").status == 401);
    CHECK(server.send("GET", "/v2/users/alice", {{"Authorization", "Bearer " + admin + "x"}}, "").status == 401);
    CHECK(server.call("GET", "/v2/users/" + admin, admin).status >= 400);  // a token where an id belongs

    // The read side has caught up, and reads answer (a read holds no code).
    ok(server.call("GET", "/v2/users/alice", admin));
    ok(server.call("GET", "/management/v1/users/verified-user/phone", admin, "", "o1"));

    // Every allowed SMS line, now that all are in.
    for (auto& s : secrets) {
        if (s.allowed.empty() && s.what.find("guess") == std::string::npos) s.allowed = sms_line_of(server, s.value);
    }
    for (const auto& s : secrets) {
        if (s.what.find("guess") == std::string::npos) {
            INFO(s.what);
            CHECK(s.allowed.size() == 1);  // each code is texted or returned exactly once
        }
    }
    for (const auto& [what, value] : std::vector<std::pair<std::string, std::string>>{
             {"the admin token", admin}, {"alice's token", alice}, {"the other organisation's token", server.other_token},
             {"an unknown token", probe}, {"the admin token in base64", base64_of(admin)},
             {"the key (base64, as in the key file)", server.key_base64}, {"the key's bytes", server.key_bytes},
             {"the key in hex", hex_of(server.key_bytes)}}) {
        secrets.push_back({what, value, {}});
    }
    // The request that put the admin token in the path is answered with an error, which must not echo it either.

    const std::set<std::string> inputs{"tokens.json", "keys.json"};
    {
        INFO("while the server runs");
        auto places = files_under(server.directory(), inputs);
        REQUIRE(std::any_of(places.begin(), places.end(), [](const place& p) { return p.name == "file users.db-wal"; }));
        const auto logs = lines_and_answers(server);
        places.insert(places.end(), logs.begin(), logs.end());
        check_everywhere(places, secrets);
    }
    {
        INFO("after it stopped, when SQLite has checkpointed the WAL into the database");
        REQUIRE(server.stop());
        auto places = files_under(server.directory(), inputs);
        const auto logs = lines_and_answers(server);
        places.insert(places.end(), logs.begin(), logs.end());
        check_everywhere(places, secrets);
    }
}

TEST_CASE("in plain --dev, the generated key ring's key is in no store file, log line or answer, and the dev token only "
          "in its one start-up line",
          "[security][secrets]") {
    server_test::dev_server server;
    const auto& token = server.token();
    REQUIRE(server_test::add_user(server.port(), token, "u1").status == 200);
    const auto set = server_test::http_request(server.port(), "POST", "/v2/users/u1/phone",
                                               server_test::json_headers(token),
                                               R"({"phone":"+41 79 100 00 01","returnCode":{}})");
    REQUIRE(set.status == 200);
    const auto code = json_member(set.body, "verificationCode");
    REQUIRE(code.size() == 6);
    const auto verified = server_test::http_request(server.port(), "POST", "/v2/users/u1/phone/verify",
                                                    server_test::json_headers(token),
                                                    R"({"verificationCode":")" + code + R"("})");
    REQUIRE(verified.status == 200);

    // The key ring the server generated beside the database.
    const auto ring_path = server.directory() / "users.db.keys.json";
    std::ifstream ring_file(ring_path);
    const auto ring = nlohmann::json::parse(ring_file);
    std::vector<std::string> keys;
    for (const auto& key : ring["keys"]) keys.push_back(key["key"].get<std::string>());
    REQUIRE_FALSE(keys.empty());
    REQUIRE(server.stop() == 0);

    auto places = files_under(server.directory(), {"users.db.keys.json"});
    const auto out = server.process().stdout_lines();
    for (std::size_t i = 0; i < out.size(); ++i) places.push_back({"stdout line " + std::to_string(i), out[i]});
    const auto err = server.process().stderr_lines();
    for (std::size_t i = 0; i < err.size(); ++i) places.push_back({"stderr line " + std::to_string(i), err[i]});
    places.push_back({"the SetPhone answer", set.body});
    places.push_back({"the VerifyPhone answer", verified.body});
    for (const auto& key : keys) {
        CHECK(places_holding(places, key).empty());
        // The key's bytes and their hex form.
        std::string bytes(48, '\0');
        const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                                      reinterpret_cast<const unsigned char*>(key.data()), static_cast<int>(key.size()));
        REQUIRE(n >= 32);
        bytes.resize(32);
        CHECK(places_holding(places, bytes).empty());
        CHECK(places_holding(places, hex_of(bytes)).empty());
    }
    CHECK(places_holding(places, token) == std::vector<std::string>{"stdout line 0"});
    CHECK(places_holding(places, code) == std::vector<std::string>{"the SetPhone answer"});
}
