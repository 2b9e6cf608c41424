// --dev: the generated admin token, the SMS printed on standard output, and the key ring beside the database that
// lets codes survive a restart.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <regex>

#include "support/dev_server.hpp"

using namespace server_test;

namespace {
const std::regex sms_line(R"(SMS to \+41791234567 \(user u1\): your verification code is ([A-Za-z0-9]+))");

// Waits for the dev SMS of u1's new number and returns its code.
std::string wait_for_code(server_process& process) {
    const auto line = process.wait_for_stdout([](const std::string& l) { return std::regex_match(l, sms_line); });
    REQUIRE(line);
    std::smatch match;
    std::regex_match(*line, match, sms_line);
    return match[1];
}
}  // namespace

TEST_CASE("dev mode prints one admin token, before the listening line, that grants on every organisation",
          "[server][dev]") {
    dev_server server;
    const auto lines = server.process().stdout_lines();
    REQUIRE(lines.size() == 2);
    CHECK(std::regex_match(lines[0], std::regex("dev admin token: [0-9a-f]{64}")));
    CHECK(std::regex_match(lines[1], std::regex(R"(userstream-server listening on http://127\.0\.0\.1:[0-9]+)")));
    // "*": user.write in an organisation that is not the token's own.
    const auto out = http_request(server.port(), "POST", "/v2/users/human", json_headers(server.token()),
                                  R"({"userId":"x1","organization":{"orgId":"elsewhere"},)"
                                  R"("profile":{"givenName":"A","familyName":"B"},"email":{"email":"x@example.com"}})");
    CHECK(out.status == 200);
}

TEST_CASE("dev mode prints the SMS of a SetPhone without returnCode, and its code verifies the phone",
          "[server][dev]") {
    dev_server server;
    REQUIRE(add_user(server.port(), server.token(), "u1").status == 200);
    const auto set = http_request(server.port(), "POST", "/v2/users/u1/phone", json_headers(server.token()),
                                  R"({"phone":"+41 79 123 45 67"})");
    REQUIRE(set.status == 200);
    CHECK_THAT(set.body, !Catch::Contains("verificationCode"));

    const auto code = wait_for_code(server.process());
    const auto verified = http_request(server.port(), "POST", "/v2/users/u1/phone/verify",
                                       json_headers(server.token()), R"({"verificationCode":")" + code + R"("})");
    CHECK(verified.status == 200);
    // The code appears on standard output only: never in the access log or any other diagnostic.
    CHECK_THAT(server.process().stderr_text(), !Catch::Contains(code) && !Catch::Contains("+41791234567") &&
                                                   !Catch::Contains(server.token()));
}

TEST_CASE("dev mode keeps its key ring beside the SQLite file with mode 0600, so a code survives a restart",
          "[server][dev]") {
    dev_server server;
    REQUIRE(add_user(server.port(), server.token(), "u1").status == 200);
    REQUIRE(http_request(server.port(), "POST", "/v2/users/u1/phone", json_headers(server.token()),
                         R"({"phone":"+41 79 123 45 67"})")
                .status == 200);
    const auto code = wait_for_code(server.process());

    const auto keys = server.directory() / "users.db.keys.json";
    struct stat info {};
    REQUIRE(::stat(keys.c_str(), &info) == 0);
    CHECK((info.st_mode & 07777) == 0600);

    REQUIRE(server.stop() == 0);
    server.start();
    // The outbox's checkpoint survived too: the code is not sent again.
    CHECK_FALSE(server.process().wait_for_stdout([](const std::string& l) { return l.rfind("SMS to", 0) == 0; }, 500ms));
    const auto verified = http_request(server.port(), "POST", "/v2/users/u1/phone/verify",
                                       json_headers(server.token()), R"({"verificationCode":")" + code + R"("})");
    CHECK(verified.status == 200);
}

TEST_CASE("the fault injector --dev-sms-failure-rate 1 fails every send, so the outbox retries, gives the code up "
          "and prints no SMS", "[server][dev]") {
    dev_server server({"--dev-sms-failure-rate", "1"});
    REQUIRE(add_user(server.port(), server.token(), "u1").status == 200);
    REQUIRE(http_request(server.port(), "POST", "/v2/users/u1/phone", json_headers(server.token()),
                         R"({"phone":"+41 79 123 45 67"})")
                .status == 200);
    // The outbox's five attempts (200, 400, 800 and 1,600 ms apart), each failure named on stderr by user only.
    const std::string failure = "SMS to user u1 not sent: injected failure (--dev-sms-failure-rate)";
    const auto failures = [&] {
        const auto text = server.process().stderr_text();
        std::size_t count = 0;
        for (auto at = text.find(failure); at != std::string::npos; at = text.find(failure, at + 1)) ++count;
        return count;
    };
    CHECK(eventually([&] { return failures() == 5; }, 10s));
    CHECK(eventually(
        [&] {
            const auto metrics = http_request(server.port(), "GET", "/debug/metrics", {});
            return metrics.body.find("userstream_sms_outbox_given_up_total 1") != std::string::npos;
        },
        5s));
    CHECK_FALSE(server.process().wait_for_stdout([](const std::string& l) { return l.rfind("SMS to", 0) == 0; }, 300ms));
    CHECK(failures() == 5);
}

TEST_CASE("the fault injector --dev-sms-failure-rate 0 fails no send: the SMS is printed", "[server][dev]") {
    dev_server server({"--dev-sms-failure-rate", "0"});
    REQUIRE(add_user(server.port(), server.token(), "u1").status == 200);
    REQUIRE(http_request(server.port(), "POST", "/v2/users/u1/phone", json_headers(server.token()),
                         R"({"phone":"+41 79 123 45 67"})")
                .status == 200);
    CHECK_FALSE(wait_for_code(server.process()).empty());
    CHECK_THAT(server.process().stderr_text(), !Catch::Contains("injected failure"));
}
