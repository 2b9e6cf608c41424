// api_handler::route_template, which the server's access log and metrics label requests with.
#include <catch2/catch.hpp>

#include "userstream/api/api_handler.hpp"

using userstream::api::api_handler;

TEST_CASE("route templates name the REST rule without ids, the RPC path as it is, and nothing else", "[route]") {
    CHECK(api_handler::route_template("PUT", "/management/v1/users/u1/phone") == "/management/v1/users/{userId}/phone");
    CHECK(api_handler::route_template("GET", "/management/v1/users/u%2F1/phone?x=1") ==
          "/management/v1/users/{userId}/phone");
    CHECK(api_handler::route_template("POST", "/v2/users/human") == "/v2/users/human");
    CHECK(api_handler::route_template("GET", "/v2/users/4711") == "/v2/users/{userId}");
    CHECK(api_handler::route_template("POST", "/v2/users/u1/phone/verify") == "/v2/users/{userId}/phone/verify");
    CHECK(api_handler::route_template("PUT", "/auth/v1/users/me/phone") == "/auth/v1/users/me/phone");
    CHECK(api_handler::route_template("POST", "/zitadel.user.v2.UserService/SetPhone") ==
          "/zitadel.user.v2.UserService/SetPhone");
    // A path served with another method: its route (the answer is 405).
    CHECK(api_handler::route_template("PATCH", "/management/v1/users/u1/phone") ==
          "/management/v1/users/{userId}/phone");
    CHECK(api_handler::route_template("GET", "/wp-admin/u1") == "unmatched");
    CHECK(api_handler::route_template("POST", "/zitadel.user.v2.UserService/Nope") == "unmatched");
    CHECK(api_handler::route_template("GET", "") == "unmatched");
}
