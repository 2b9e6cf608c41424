// The server's own endpoints (/debug/healthz, /debug/ready, /debug/metrics) and its access log.
#include <catch2/catch.hpp>

#include "support/dev_server.hpp"

using namespace server_test;

TEST_CASE("healthz and ready answer 200 once the server has said it listens", "[server][debug]") {
    dev_server server;
    const auto health = http_request(server.port(), "GET", "/debug/healthz");
    CHECK(health.status == 200);
    CHECK(health.body == "ok\n");
    const auto ready = http_request(server.port(), "GET", "/debug/ready");
    CHECK(ready.status == 200);
    CHECK(http_request(server.port(), "GET", "/debug/nothing").status == 404);
    CHECK(http_request(server.port(), "POST", "/debug/healthz").status == 405);
}

TEST_CASE("metrics count requests by route template and status, and show latency, lag, outbox and commits",
          "[server][debug]") {
    dev_server server;
    REQUIRE(add_user(server.port(), server.token(), "u1").status == 200);
    REQUIRE(http_request(server.port(), "PUT", "/management/v1/users/u1/phone", json_headers(server.token()),
                         R"({"phone": "+41 71 000 00 00", "isPhoneVerified": true})")
                .status == 200);
    REQUIRE(http_request(server.port(), "GET", "/management/v1/users/nobody/phone", json_headers(server.token()))
                .status == 404);

    // An exchange is counted once its response is written, which the client may see a moment before the count.
    http_response metrics;
    CHECK(eventually([&] {
        metrics = http_request(server.port(), "GET", "/debug/metrics");
        return metrics.body.find(R"(route="/management/v1/users/{userId}/phone",status="404"} 1)") != std::string::npos;
    }));
    CHECK(metrics.status == 200);
    CHECK_THAT(metrics.header("content-type").value_or(""), Catch::StartsWith("text/plain; version=0.0.4"));
    const auto& text = metrics.body;
    CHECK_THAT(text, Catch::Contains(
                         R"(userstream_http_requests_total{method="PUT",route="/management/v1/users/{userId}/phone",status="200"} 1)"));
    CHECK_THAT(text, Catch::Contains(
                         R"(userstream_http_requests_total{method="GET",route="/management/v1/users/{userId}/phone",status="404"} 1)"));
    CHECK_THAT(text, Catch::Contains(R"(userstream_http_requests_total{method="POST",route="/v2/users/human",status="200"} 1)"));
    CHECK_THAT(text, Catch::Contains(
                         R"(userstream_http_request_duration_seconds_count{method="PUT",route="/management/v1/users/{userId}/phone"} 1)"));
    CHECK_THAT(text, Catch::Contains("userstream_store_commit_duration_seconds_count 2"));
    CHECK_THAT(text, Catch::Contains(R"(userstream_projection_lag_events{projection="user_phones"})"));
    CHECK_THAT(text, Catch::Contains(R"(userstream_projection_lag_events{projection="object_details"})"));
    CHECK_THAT(text, Catch::Contains("userstream_sms_outbox_pending_events"));
    CHECK_THAT(text, Catch::Contains("userstream_sms_outbox_sent_total 0"));
    CHECK_THAT(text, Catch::Contains("userstream_sms_outbox_given_up_total 0"));
    // No id of a request reaches a label.
    CHECK_THAT(text, !Catch::Contains("u1") && !Catch::Contains("nobody"));
}

TEST_CASE("the access log has method, route template, status and duration, and no id, token or phone",
          "[server][debug]") {
    dev_server server;
    REQUIRE(add_user(server.port(), server.token(), "user-4711").status == 200);
    REQUIRE(http_request(server.port(), "PUT", "/management/v1/users/user-4711/phone", json_headers(server.token()),
                         R"({"phone": "+41 71 000 00 00", "isPhoneVerified": true})")
                .status == 200);
    const auto line = server.process().wait_for_stderr(starts_with("access method=PUT"));
    REQUIRE(line);
    CHECK_THAT(*line, Catch::Matches(
                          R"(access method=PUT route=/management/v1/users/\{userId\}/phone status=200 duration_ms=[0-9]+\.[0-9]{3})"));
    const auto log = server.process().stderr_text();
    CHECK_THAT(log, !Catch::Contains("user-4711") && !Catch::Contains(server.token()) && !Catch::Contains("+4171") &&
                        !Catch::Contains("71 000"));
}

TEST_CASE("every answered request has its access line on standard error once the server has stopped",
          "[server][debug][access_log]") {
    dev_server server;
    REQUIRE(add_user(server.port(), server.token(), "user-1").status == 200);
    constexpr int requests = 25;
    for (int i = 0; i < requests; ++i) {
        const std::string phone = i % 2 == 0 ? "+41 71 000 00 00" : "+41 79 123 45 67";
        REQUIRE(http_request(server.port(), "PUT", "/management/v1/users/user-1/phone", json_headers(server.token()),
                             R"({"phone": ")" + phone + R"(", "isPhoneVerified": true})")
                    .status == 200);
    }
    REQUIRE(server.stop() == 0);
    const auto log = server.process().stderr_text();
    std::size_t lines = 0;
    for (auto at = log.find("access method=PUT route=/management/v1/users/{userId}/phone status=200 ");
         at != std::string::npos; at = log.find("access method=PUT route=", at + 1)) {
        ++lines;
    }
    CHECK(lines == requests);
    // The last exchange's line comes before the server's last word.
    CHECK(log.rfind("access method=") < log.rfind("userstream-server: stopped"));
}
