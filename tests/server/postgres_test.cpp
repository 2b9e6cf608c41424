// The server on PostgreSQL: the event store and the read models in one database, across a restart.
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>
#include <thread>

#include "support/dev_server.hpp"

using namespace server_test;

TEST_CASE("on PostgreSQL the seed's request answers 200, and the change and a sent code survive a restart",
          "[server][postgres]") {
    dev_server server({}, postgres_store_url());
    REQUIRE(add_user(server.port(), server.token(), "u1").status == 200);
    const auto out = http_request(server.port(), "PUT", "/management/v1/users/u1/phone", json_headers(server.token()),
                                  R"({"phone": "+41 71 000 00 00", "isPhoneVerified": true})");
    CHECK(out.status == 200);
    CHECK_THAT(out.body, Catch::Matches(R"(\{"details":\{"sequence":"[0-9]+","changeDate":"[^"]+Z","resourceOwner":"dev"\}\})"));
    REQUIRE(http_request(server.port(), "POST", "/v2/users/u1/phone", json_headers(server.token()),
                         R"({"phone":"+41 79 123 45 67"})")
                .status == 200);
    const std::regex sms(R"(SMS to \+41791234567 \(user u1\): your verification code is ([A-Za-z0-9]+))");
    const auto line = server.process().wait_for_stdout([&](const std::string& l) { return std::regex_match(l, sms); });
    REQUIRE(line);
    std::smatch code;
    std::regex_match(*line, code, sms);
    // Beside a PostgreSQL store, --dev keeps the key ring in the working directory.
    CHECK(std::filesystem::exists(server.directory() / "userstream-keys.json"));

    REQUIRE(server.stop() == 0);
    server.start();
    CHECK(http_request(server.port(), "GET", "/debug/ready").status == 200);
    const auto verified = http_request(server.port(), "POST", "/v2/users/u1/phone/verify",
                                       json_headers(server.token()), R"({"verificationCode":")" + code[1].str() + R"("})");
    CHECK(verified.status == 200);
    const auto user = http_request(server.port(), "GET", "/v2/users/u1", json_headers(server.token()));
    CHECK_THAT(user.body, Catch::Contains(R"("phone":{"phone":"+41791234567","isVerified":true})"));
}

namespace {
// The users whose SMS line is among `lines`, one entry per line.
std::vector<std::string> sms_recipients(const std::vector<std::string>& lines) {
    static const std::regex sms(R"(SMS to \+[0-9]+ \(user ([^)]+)\): your verification code is [A-Za-z0-9]+)");
    std::vector<std::string> out;
    for (const auto& line : lines) {
        std::smatch m;
        if (std::regex_match(line, m, sms)) out.push_back(m[1].str());
    }
    return out;
}
}  // namespace

TEST_CASE("two servers on one PostgreSQL database send each code once, and when the sending one stops the other "
          "takes over", "[server][postgres]") {
    const auto url = postgres_store_url();
    dev_server first({}, url);
    // The same key ring, as the servers of one deployment have: each can read the codes the other stored.
    dev_server second({"--keys", (first.directory() / "userstream-keys.json").string()}, url);

    std::vector<std::string> users;
    for (int i = 0; i < 8; ++i) {
        const auto id = "u" + std::to_string(i);
        auto& via = i % 2 == 0 ? first : second;
        REQUIRE(add_user(via.port(), via.token(), id).status == 200);
        REQUIRE(http_request(via.port(), "POST", "/v2/users/" + id + "/phone", json_headers(via.token()),
                             R"({"phone":"+41 79 123 45 6)" + std::to_string(i) + R"("})")
                    .status == 200);
        users.push_back(id);
    }
    const auto all_sent = [&] {
        auto sent = sms_recipients(first.process().stdout_lines());
        const auto more = sms_recipients(second.process().stdout_lines());
        sent.insert(sent.end(), more.begin(), more.end());
        return sent;
    };
    REQUIRE(eventually([&] { return all_sent().size() >= users.size(); }, 10s));
    std::this_thread::sleep_for(1s);  // time for a second sending of any of them, were there one
    auto sent = all_sent();
    std::sort(sent.begin(), sent.end());
    CHECK(sent == users);
    // One server sent them all: the other stood by.
    const bool first_sends = !sms_recipients(first.process().stdout_lines()).empty();
    CHECK(sms_recipients((first_sends ? second : first).process().stdout_lines()).empty());

    auto& sender = first_sends ? first : second;
    auto& standby = first_sends ? second : first;
    REQUIRE(sender.stop() == 0);
    REQUIRE(http_request(standby.port(), "POST", "/v2/users/u0/phone", json_headers(standby.token()),
                         R"({"phone":"+41 79 765 43 21"})")
                .status == 200);
    CHECK(standby.process().wait_for_stdout(
        [](const std::string& line) { return line.starts_with("SMS to +41797654321 (user u0)"); }, 10s));
}
