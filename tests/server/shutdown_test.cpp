// SIGTERM and SIGINT: a clean exit that loses nothing acknowledged.
#include <catch2/catch.hpp>

#include <signal.h>

#include <thread>

#include "support/dev_server.hpp"

using namespace server_test;

TEST_CASE("SIGTERM exits 0, and a change answered 200 before it is in the store after a restart", "[server][shutdown]") {
    dev_server server;
    REQUIRE(add_user(server.port(), server.token(), "u1").status == 200);
    REQUIRE(http_request(server.port(), "PUT", "/management/v1/users/u1/phone", json_headers(server.token()),
                         R"({"phone": "+41 71 000 00 00", "isPhoneVerified": true})")
                .status == 200);

    CHECK(server.stop() == 0);
    CHECK(server.process().wait_for_stderr(starts_with("userstream-server: stopped"), 0ms));

    server.start();
    const auto phone = http_request(server.port(), "GET", "/management/v1/users/u1/phone",
                                    json_headers(server.token()));
    CHECK(phone.status == 200);
    CHECK_THAT(phone.body, Catch::Contains(R"("phone":"+41710000000")") && Catch::Contains(R"("isPhoneVerified":true)"));
}

TEST_CASE("SIGINT stops the server too, and idle kept-alive connections do not hold it up", "[server][shutdown]") {
    dev_server server;  // the idle timeout is 10 s: closing must not wait for it
    http_connection idle(server.port());
    REQUIRE(idle.request("GET", "/debug/healthz").status == 200);
    const auto start = std::chrono::steady_clock::now();
    server.process().send_signal(SIGINT);
    CHECK(server.process().wait_exit(5s) == 0);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    CHECK(idle.closed_within(1s));
}

TEST_CASE("a request in flight at SIGTERM is answered, closed, and kept, then the server exits 0", "[server][shutdown]") {
    dev_server server;
    REQUIRE(add_user(server.port(), server.token(), "u1").status == 200);
    const std::string body = R"({"phone": "+41 71 000 00 00", "isPhoneVerified": true})";
    const auto request = format_request("PUT", "/management/v1/users/u1/phone", json_headers(server.token()), body);
    http_connection connection(server.port());
    // The header and half the body are on their way when the signal comes.
    const auto split = request.size() - body.size() / 2;
    REQUIRE(connection.send(request.substr(0, split)));
    std::this_thread::sleep_for(100ms);
    server.process().send_signal(SIGTERM);
    REQUIRE(server.process().wait_for_stderr(starts_with("userstream-server: shutting down")));
    // New connections are no longer accepted ...
    CHECK_THROWS(http_request(server.port(), "GET", "/debug/healthz"));
    // ... but the request in flight is finished.
    std::this_thread::sleep_for(200ms);
    REQUIRE(connection.send(request.substr(split)));
    const auto out = connection.read_response();
    REQUIRE(out);
    CHECK(out->status == 200);
    CHECK_FALSE(out->keep_alive);
    CHECK(server.process().wait_exit(15s) == 0);

    server.start();
    const auto phone = http_request(server.port(), "GET", "/management/v1/users/u1/phone", json_headers(server.token()));
    CHECK_THAT(phone.body, Catch::Contains(R"("phone":"+41710000000")"));
}
