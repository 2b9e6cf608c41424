// The API through the server, over a real socket: the seed's curl request, keep-alive and chunked bodies.
#include <catch2/catch.hpp>

#include <regex>

#include "support/dev_server.hpp"

using namespace server_test;

TEST_CASE("the seed's curl request over a socket answers 200 with ZITADEL's details", "[server]") {
    dev_server server;
    REQUIRE(add_user(server.port(), server.token(), "u1").status == 200);

    // curl -L -X PUT 'http://HOST/management/v1/users/u1/phone' -H 'Content-Type: application/json'
    //   -H 'Accept: application/json' -H 'Authorization: Bearer <TOKEN>'
    //   -d '{"phone": "+41 71 000 00 00", "isPhoneVerified": true}'
    const auto out = http_request(server.port(), "PUT", "/management/v1/users/u1/phone",
                                  {{"Content-Type", "application/json"},
                                   {"Accept", "application/json"},
                                   {"Authorization", "Bearer " + server.token()}},
                                  R"({"phone": "+41 71 000 00 00", "isPhoneVerified": true})");
    CHECK(out.status == 200);
    CHECK(out.header("content-type") == "application/json");
    CHECK(std::regex_match(out.body, std::regex(R"(\{"details":\{"sequence":"[0-9]+","changeDate":"[0-9]{4}-[0-9]{2}-)"
                                                R"([0-9]{2}T[0-9:.]+Z","resourceOwner":"dev"\}\})")));

    const auto phone = http_request(server.port(), "GET", "/management/v1/users/u1/phone",
                                    {{"Authorization", "Bearer " + server.token()}});
    CHECK(phone.status == 200);
    CHECK_THAT(phone.body, Catch::Contains(R"("phone":"+41710000000")") && Catch::Contains(R"("isPhoneVerified":true)"));
}

TEST_CASE("one kept-alive connection carries several requests, and a chunked body arrives whole", "[server]") {
    dev_server server;
    http_connection connection(server.port());
    const auto added = connection.request("POST", "/v2/users/human", json_headers(server.token()),
                                          R"({"userId":"u1","organization":{"orgId":"dev"},)"
                                          R"("profile":{"givenName":"Ada","familyName":"Lovelace"},)"
                                          R"("email":{"email":"ada@example.com"}})");
    REQUIRE(added.status == 200);
    CHECK(added.keep_alive);

    auto headers = json_headers(server.token());
    headers.emplace_back("Transfer-Encoding", "chunked");
    REQUIRE(connection.send(format_request("PUT", "/management/v1/users/u1/phone", headers,
                                           chunked(R"({"phone": "+41 71 000 00 00", "isPhoneVerified": true})", 7))));
    const auto changed = connection.read_response();
    REQUIRE(changed);
    CHECK(changed->status == 200);
    CHECK_THAT(changed->body, Catch::StartsWith(R"({"details":{"sequence":")"));

    const auto phone = connection.request("GET", "/management/v1/users/u1/phone", json_headers(server.token()));
    CHECK_THAT(phone.body, Catch::Contains("+41710000000"));
}

TEST_CASE("a binary request with a string that is not UTF-8 answers 400 and leaves no protobuf line in the server's "
          "output, so clients cannot flood it", "[server]") {
    dev_server server;
    REQUIRE(add_user(server.port(), server.token(), "u1").status == 200);
    // UpdateHumanPhoneRequest: user_id (1) = "u1", phone (2) = one byte 0xff.
    const std::string body("\x0a\x02u1\x12\x01\xff", 7);
    for (int i = 0; i < 3; ++i) {
        const auto out = http_request(server.port(), "POST", "/zitadel.management.v1.ManagementService/UpdateHumanPhone",
                                      {{"Content-Type", "application/proto"},
                                       {"Connect-Protocol-Version", "1"},
                                       {"Authorization", "Bearer " + server.token()}},
                                      body);
        CHECK(out.status == 400);
    }
    REQUIRE(server.stop() == 0);
    CHECK_THAT(server.process().stderr_text(), !Catch::Contains("libprotobuf") && !Catch::Contains("UTF-8"));
}

TEST_CASE("a request without a token answers the API's 401 through the server", "[server]") {
    dev_server server;
    const auto out = http_request(server.port(), "PUT", "/management/v1/users/u1/phone",
                                  {{"Content-Type", "application/json"}}, R"({"phone":"+41 71 000 00 00"})");
    CHECK(out.status == 401);
    CHECK_THAT(out.body, Catch::Contains("US-API-token-missing"));
}

TEST_CASE("a request's timeout header reaches the API through the server: one already run out is deadline_exceeded "
          "and changes nothing, a roomy one is served", "[server]") {
    dev_server server;
    REQUIRE(add_user(server.port(), server.token(), "u1").status == 200);
    auto headers = json_headers(server.token());
    headers.emplace_back("Connect-Protocol-Version", "1");
    headers.emplace_back("Connect-Timeout-Ms", "0");
    const std::string body = R"({"userId":"u1","phone":"+41 71 000 00 00","isPhoneVerified":true})";
    const auto late = http_request(server.port(), "POST", "/zitadel.management.v1.ManagementService/UpdateHumanPhone",
                                   headers, body);
    CHECK(late.status == 504);
    CHECK_THAT(late.body, Catch::Contains(R"("code":"deadline_exceeded")"));

    headers.back().second = "60000";
    const auto served = http_request(server.port(), "POST", "/zitadel.management.v1.ManagementService/UpdateHumanPhone",
                                     headers, body);
    CHECK(served.status == 200);
    // Served means first: the late request had stored nothing, so this one still changed the phone.
    CHECK_THAT(served.body, Catch::Contains(R"("sequence":")"));
}
