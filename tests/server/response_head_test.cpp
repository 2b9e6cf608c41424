// The head of every response as it goes on the wire: the handler's headers in their order, the Connection header by
// HTTP/1.1 and HTTP/1.0 rules, and Content-Length last (the server frames every body itself).
#include <catch2/catch.hpp>

#include "support/dev_server.hpp"

using namespace server_test;

namespace {
http_response exchange(unsigned short port, std::string_view raw_request) {
    http_connection connection(port);
    REQUIRE(connection.send(raw_request));
    auto response = connection.read_response();
    REQUIRE(response);
    return *response;
}
}  // namespace

TEST_CASE("a response head lists the handler's headers in order, then Connection by the HTTP version's rules, then "
          "Content-Length",
          "[server][wire]") {
    dev_server server;
    const header_list plain{{"Content-Type", "text/plain; charset=utf-8"}, {"Cache-Control", "no-store"}};

    SECTION("HTTP/1.1 kept alive: no Connection header") {
        const auto out = exchange(server.port(), "GET /debug/healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        CHECK(out.status == 200);
        CHECK(out.headers == header_list{plain[0], plain[1], {"Content-Length", "3"}});
        CHECK(out.body == "ok\n");
        CHECK(out.keep_alive);
    }
    SECTION("HTTP/1.1 closing: Connection: close") {
        const auto out = exchange(server.port(), "GET /debug/healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        CHECK(out.headers == header_list{plain[0], plain[1], {"Connection", "close"}, {"Content-Length", "3"}});
        CHECK_FALSE(out.keep_alive);
    }
    SECTION("HTTP/1.0 kept alive on request: Connection: keep-alive") {
        const auto out =
            exchange(server.port(), "GET /debug/healthz HTTP/1.0\r\nHost: t\r\nConnection: keep-alive\r\n\r\n");
        CHECK(out.headers == header_list{plain[0], plain[1], {"Connection", "keep-alive"}, {"Content-Length", "3"}});
        CHECK(out.keep_alive);
    }
    SECTION("HTTP/1.0 by default: closed, no Connection header") {
        const auto out = exchange(server.port(), "GET /debug/healthz HTTP/1.0\r\nHost: t\r\n\r\n");
        CHECK(out.headers == header_list{plain[0], plain[1], {"Content-Length", "3"}});
        CHECK_FALSE(out.keep_alive);
    }
    SECTION("a header the handler adds keeps its place") {
        const auto out = exchange(server.port(), "POST /debug/healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
        CHECK(out.status == 405);
        CHECK(out.headers == header_list{plain[0], plain[1], {"Allow", "GET"}, {"Content-Length", "19"}});
    }
}
