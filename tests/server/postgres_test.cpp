// The server on PostgreSQL: the event store and the read models in one database, across a restart.
#include <catch2/catch.hpp>

#include <regex>

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
