// Limits: body and header sizes, silent clients, and the connection limit.
#include <catch2/catch.hpp>

#include <string>

#include "support/dev_server.hpp"

using namespace server_test;

TEST_CASE("a body over 64 KiB is answered 413, with a length or chunked, and the server stays up", "[server][limits]") {
    dev_server server;
    const std::string body(65 * 1024, 'a');
    http_connection sized(server.port());
    REQUIRE(sized.send(format_request("POST", "/v2/users/u1/phone", json_headers(server.token()), body)));
    const auto too_large = sized.read_response();
    REQUIRE(too_large);
    CHECK(too_large->status == 413);
    CHECK_FALSE(too_large->keep_alive);

    auto headers = json_headers(server.token());
    headers.emplace_back("Transfer-Encoding", "chunked");
    http_connection chunks(server.port());
    REQUIRE(chunks.send(format_request("POST", "/v2/users/u1/phone", headers, chunked(body, 4096))));
    const auto chunked_too_large = chunks.read_response();
    REQUIRE(chunked_too_large);
    CHECK(chunked_too_large->status == 413);

    // Exactly 64 KiB passes the server's limit (the API then refuses the JSON).
    CHECK(http_request(server.port(), "POST", "/v2/users/u1/phone", json_headers(server.token()),
                       std::string(64 * 1024, ' '))
              .status == 400);
    CHECK(http_request(server.port(), "GET", "/debug/healthz").status == 200);
}

TEST_CASE("headers over 8 KiB are answered 431", "[server][limits]") {
    dev_server server;
    http_connection connection(server.port());
    REQUIRE(connection.send(format_request("GET", "/debug/healthz", {{"X-Filler", std::string(9 * 1024, 'b')}})));
    const auto out = connection.read_response();
    REQUIRE(out);
    CHECK(out->status == 431);
    CHECK(http_request(server.port(), "GET", "/debug/healthz").status == 200);
}

TEST_CASE("a request Beast cannot parse is answered 400", "[server][limits]") {
    dev_server server;
    http_connection connection(server.port());
    REQUIRE(connection.send("GET /debug/healthz HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n"));
    const auto out = connection.read_response();
    REQUIRE(out);
    CHECK(out->status == 400);
}

TEST_CASE("a client that sends nothing for the idle timeout is closed, also in the middle of a request",
          "[server][limits]") {
    dev_server server({"--idle-timeout-ms", "300"});
    http_connection silent(server.port());
    const auto start = std::chrono::steady_clock::now();
    CHECK(silent.closed_within(5s));
    CHECK(std::chrono::steady_clock::now() - start >= 250ms);

    http_connection halfway(server.port());
    REQUIRE(halfway.send("PUT /management/v1/users/u1/phone HTTP/1.1\r\nHost: x\r\n"));
    CHECK(halfway.closed_within(5s));

    // After a request, the kept-alive connection is closed when it falls silent.
    http_connection idle(server.port());
    CHECK(idle.request("GET", "/debug/healthz").status == 200);
    CHECK(idle.closed_within(5s));
}

TEST_CASE("connections beyond --max-connections wait in the backlog until one closes", "[server][limits]") {
    dev_server server({"--max-connections", "2"});
    auto first = std::make_unique<http_connection>(server.port());
    http_connection second(server.port());
    CHECK(first->request("GET", "/debug/healthz").status == 200);
    CHECK(second.request("GET", "/debug/healthz").status == 200);

    http_connection third(server.port());  // the kernel completes the handshake; the server does not accept yet
    REQUIRE(third.send(format_request("GET", "/debug/healthz")));
    CHECK_FALSE(third.read_response(500ms));
    first.reset();
    const auto answered = third.read_response(5s);
    REQUIRE(answered);
    CHECK(answered->status == 200);
}
