// The seed's request, `PUT /management/v1/users/{userId}/phone` with `{"phone": "+41 71 000 00 00",
// "isPhoneVerified": true}`, and its Connect twin, answered exactly as ZITADEL answers them. The test prints both
// answers, so they can be quoted.
#include <catch2/catch.hpp>

#include <iostream>

#include "support/api_fixture.hpp"
#include "zitadel/management.pb.h"

using namespace userstream;
using namespace userstream::api_tests;

TEST_CASE("The seed's REST request and its Connect twin answer ZITADEL's details") {
    const api::header_list headers{{"Authorization", "Bearer admin-token"},
                                   {"Content-Type", "application/json"},
                                   {"x-zitadel-orgid", "o1"}};
    const std::string body = R"({"phone": "+41 71 000 00 00", "isPhoneVerified": true})";
    const std::string expected = R"({"details":{"sequence":"3","changeDate":"2026-07-10T09:00:00Z","resourceOwner":"o1"}})";

    api_fixture rest;
    rest.given_human("u1", "o1");
    const auto answer = rest.raw({"PUT", "/management/v1/users/u1/phone", headers, body});
    std::cout << "REST " << answer.status << " " << answer.header("content-type").value_or("") << "\n"
              << answer.body << "\n";
    CHECK(answer.status == 200);
    CHECK(answer.header("content-type") == "application/json");
    CHECK(answer.body == expected);

    api_fixture connect;
    connect.given_human("u1", "o1");
    auto connect_headers = headers;
    connect_headers.emplace_back("Connect-Protocol-Version", "1");
    const auto connect_json = connect.raw({"POST", "/zitadel.management.v1.ManagementService/UpdateHumanPhone",
                                           connect_headers, R"({"userId":"u1","phone":"+41 71 000 00 00","isPhoneVerified":true})"});
    std::cout << "Connect " << connect_json.status << " " << connect_json.header("content-type").value_or("") << "\n"
              << connect_json.body << "\n";
    CHECK(connect_json.status == 200);
    CHECK(connect_json.body == expected);

    // The same call again: nothing changed, in each form.
    const auto rest_again = rest.raw({"PUT", "/management/v1/users/u1/phone", headers, body});
    std::cout << "REST again " << rest_again.status << "\n" << rest_again.body << "\n";
    CHECK(rest_again.status == 400);
    const auto connect_again = connect.raw({"POST", "/zitadel.management.v1.ManagementService/UpdateHumanPhone",
                                            connect_headers, R"({"userId":"u1","phone":"+41 71 000 00 00","isPhoneVerified":true})"});
    std::cout << "Connect again " << connect_again.status << "\n" << connect_again.body << "\n";
    CHECK(connect_again.status == 400);
}
