// userstream-server's native gRPC listener over a real HTTP/2 socket (--grpc-listen), with grpc++'s generic stub and
// the generated protobuf classes, as a Go or Node server-side client calls ZITADEL: the same answers as the other
// protocols, errors with their ErrorDetail in grpc-status-details-bin, deadlines, the size limit and health.
#include <catch2/catch.hpp>

#include <regex>

#include "google/rpc/status.pb.h"
#include "grpc/grpc_client.hpp"
#include "grpc/served_over_grpc.hpp"
#include "support/dev_server.hpp"
#include "zitadel/management.pb.h"
#include "zitadel/message.pb.h"
#include "zitadel/user/v2/user_service.pb.h"

using namespace server_test;

namespace {

namespace v2 = zitadel::user::v2;
const std::string grpc_line(served_over_grpc::grpc_line);
const std::string set_phone = "/zitadel.user.v2.UserService/SetPhone";
const std::string verify_phone = "/zitadel.user.v2.UserService/VerifyPhone";
const std::string update_human_phone = "/zitadel.management.v1.ManagementService/UpdateHumanPhone";

std::string set_phone_returning_code(const std::string& user_id, const std::string& phone) {
    v2::SetPhoneRequest request;
    request.set_user_id(user_id);
    request.set_phone(phone);
    request.mutable_return_code();
    return request.SerializeAsString();
}

}  // namespace

TEST_CASE("gRPC: the listening line comes before the HTTP one, with the bound address", "[server][grpc]") {
    served_over_grpc server;
    const auto lines = server.http.process().stdout_lines();
    const auto grpc_at = std::find_if(lines.begin(), lines.end(), starts_with(grpc_line));
    const auto http_at = std::find_if(lines.begin(), lines.end(), starts_with("userstream-server listening on http://"));
    REQUIRE(grpc_at != lines.end());
    REQUIRE(http_at != lines.end());
    CHECK(grpc_at < http_at);
    CHECK(std::regex_match(server.address, std::regex(R"(127\.0\.0\.1:[1-9][0-9]*)")));
}

TEST_CASE("gRPC: SetPhone with returnCode answers the code, and VerifyPhone with it verifies the phone",
          "[server][grpc]") {
    served_over_grpc server;
    REQUIRE(add_user(server.http.port(), server.http.token(), "u1").status == 200);

    const auto set = server.client->call(set_phone, set_phone_returning_code("u1", "+41 71 000 00 00"), server.admin());
    REQUIRE(set.status.error_message() == "");
    REQUIRE(set.status.ok());
    v2::SetPhoneResponse answer;
    REQUIRE(answer.ParseFromString(set.response));
    CHECK(answer.details().resource_owner() == "dev");
    CHECK(answer.details().sequence() > 0);
    REQUIRE(answer.has_verification_code());
    CHECK(std::regex_match(answer.verification_code(), std::regex("[A-Z0-9]{6}")));

    v2::VerifyPhoneRequest verify;
    verify.set_user_id("u1");
    verify.set_verification_code(answer.verification_code());
    const auto verified = server.client->call(verify_phone, verify.SerializeAsString(), server.admin());
    CHECK(verified.status.error_message() == "");
    REQUIRE(verified.status.ok());
    v2::VerifyPhoneResponse verified_answer;
    REQUIRE(verified_answer.ParseFromString(verified.response));
    CHECK(verified_answer.details().sequence() > answer.details().sequence());

    // The same user read over HTTP: the phone is verified.
    const auto read = http_request(server.http.port(), "GET", "/management/v1/users/u1/phone",
                                   {{"Authorization", "Bearer " + server.http.token()}});
    CHECK_THAT(read.body, Catch::Contains(R"("phone":"+41710000000")") && Catch::Contains(R"("isPhoneVerified":true)"));
}

TEST_CASE("gRPC: NotChanged is FAILED_PRECONDITION with ZITADEL's message and the ErrorDetail in the status details",
          "[server][grpc]") {
    served_over_grpc server;
    REQUIRE(add_user(server.http.port(), server.http.token(), "u1").status == 200);
    zitadel::management::v1::UpdateHumanPhoneRequest request;
    request.set_user_id("u1");
    request.set_phone("+41 71 000 00 00");
    request.set_is_phone_verified(true);
    auto options = server.admin();
    options.metadata.emplace_back("x-zitadel-orgid", "dev");
    REQUIRE(server.client->call(update_human_phone, request.SerializeAsString(), options).status.ok());

    const auto again = server.client->call(update_human_phone, request.SerializeAsString(), options);
    CHECK(again.status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(again.status.error_message() == "Phone not changed (COMMAND-wF94r)");
    google::rpc::Status details;
    REQUIRE(details.ParseFromString(again.status.error_details()));
    CHECK(details.code() == 9);
    CHECK(details.message() == "Phone not changed (COMMAND-wF94r)");
    REQUIRE(details.details_size() == 1);
    CHECK(details.details(0).type_url() == "type.googleapis.com/zitadel.v1.ErrorDetail");
    zitadel::v1::ErrorDetail detail;
    REQUIRE(details.details(0).UnpackTo(&detail));
    CHECK(detail.id() == "COMMAND-wF94r");
    CHECK(detail.message() == "Phone not changed");
}

TEST_CASE("gRPC: a call without a token is UNAUTHENTICATED and changes nothing", "[server][grpc]") {
    served_over_grpc server;
    REQUIRE(add_user(server.http.port(), server.http.token(), "u1").status == 200);
    const auto out = server.client->call(set_phone, set_phone_returning_code("u1", "+41 71 000 00 00"));
    CHECK(out.status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
    CHECK_THAT(out.status.error_message(), Catch::Contains("US-API-token-missing"));
    const auto read = http_request(server.http.port(), "GET", "/management/v1/users/u1/phone",
                                   {{"Authorization", "Bearer " + server.http.token()}});
    CHECK_THAT(read.body, !Catch::Contains("+41710000000"));
}

TEST_CASE("gRPC: an unknown method is UNIMPLEMENTED", "[server][grpc]") {
    served_over_grpc server;
    const auto out = server.client->call("/zitadel.user.v2.UserService/NoSuchMethod", "", server.admin());
    CHECK(out.status.error_code() == grpc::StatusCode::UNIMPLEMENTED);
    const auto other = server.client->call("/no.such.Service/Method", "", server.admin());
    CHECK(other.status.error_code() == grpc::StatusCode::UNIMPLEMENTED);
}

TEST_CASE("gRPC: a call whose deadline has already passed is DEADLINE_EXCEEDED", "[server][grpc]") {
    served_over_grpc server;
    REQUIRE(add_user(server.http.port(), server.http.token(), "u1").status == 200);
    auto options = server.admin();
    options.deadline = std::chrono::system_clock::now() - std::chrono::seconds(1);
    const auto out = server.client->call(set_phone, set_phone_returning_code("u1", "+41 71 000 00 00"), options);
    CHECK(out.status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED);
}

TEST_CASE("gRPC: a request message over 64 KiB is RESOURCE_EXHAUSTED, and the listener goes on serving",
          "[server][grpc]") {
    served_over_grpc server;
    REQUIRE(add_user(server.http.port(), server.http.token(), "u1").status == 200);
    const auto big = set_phone_returning_code("u1", std::string(64 * 1024, '1'));
    REQUIRE(big.size() > 64 * 1024);
    const auto out = server.client->call(set_phone, big, server.admin());
    CHECK(out.status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);

    const auto after = server.client->call(set_phone, set_phone_returning_code("u1", "+41 71 000 00 00"), server.admin());
    CHECK(after.status.ok());
}

TEST_CASE("gRPC: the health service answers SERVING once the server is ready", "[server][grpc]") {
    served_over_grpc server;
    // grpc.health.v1.HealthCheckRequest{service: ""} is empty; HealthCheckResponse{status: SERVING} is field 1 = 1.
    const auto out = server.client->call("/grpc.health.v1.Health/Check", "");
    REQUIRE(out.status.ok());
    CHECK(out.response == std::string("\x08\x01", 2));
}

TEST_CASE("gRPC: calls are counted in the metrics by method and code, unknown methods under one label",
          "[server][grpc]") {
    served_over_grpc server;
    (void)server.client->call(set_phone, set_phone_returning_code("u1", "+41 71 000 00 00"));
    (void)server.client->call("/x.Y/Z" + std::string(40, 'z'), "", server.admin());
    // A call is counted when gRPC reports it done, which may be just after the client has its status.
    const std::string unauthenticated =
        R"(userstream_grpc_requests_total{code="UNAUTHENTICATED",method="/zitadel.user.v2.UserService/SetPhone"} 1)";
    const std::string unmatched = R"(userstream_grpc_requests_total{code="UNIMPLEMENTED",method="unmatched"} 1)";
    std::string body;
    CHECK(eventually([&] {
        body = http_request(server.http.port(), "GET", "/debug/metrics", {}).body;
        return body.find(unauthenticated) != std::string::npos && body.find(unmatched) != std::string::npos;
    }));
    INFO(body);
    CHECK(body.find("zzzz") == std::string::npos);
}

TEST_CASE("gRPC: calls of one method add up in one series per code, and another code gets its own", "[server][grpc]") {
    served_over_grpc server;
    REQUIRE(add_user(server.http.port(), server.http.token(), "u1").status == 200);
    for (int i = 0; i < 3; ++i) (void)server.client->call(set_phone, set_phone_returning_code("u1", "+41 71 000 00 00"));
    (void)server.client->call(set_phone, set_phone_returning_code("u1", "+41 71 000 00 00"), server.admin());
    const std::string unauthenticated =
        R"(userstream_grpc_requests_total{code="UNAUTHENTICATED",method="/zitadel.user.v2.UserService/SetPhone"} 3)";
    const std::string ok = R"(userstream_grpc_requests_total{code="OK",method="/zitadel.user.v2.UserService/SetPhone"} 1)";
    std::string body;
    CHECK(eventually([&] {
        body = http_request(server.http.port(), "GET", "/debug/metrics", {}).body;
        return body.find(unauthenticated) != std::string::npos && body.find(ok) != std::string::npos;
    }));
}

TEST_CASE("gRPC: SIGTERM lets the server exit 0 with the gRPC listener open", "[server][grpc]") {
    served_over_grpc server;
    REQUIRE(server.client->call("/grpc.health.v1.Health/Check", "").status.ok());
    CHECK(server.http.stop() == 0);
}

TEST_CASE("gRPC: --grpc-listen without a port is a start-up error naming the flag, exit 2", "[server][grpc]") {
    scratch_dir dir;
    server_process process({"--dev", "--store", "memory:", "--grpc-listen", "127.0.0.1"}, dir.path);
    CHECK(process.wait_exit(15s) == 2);
    process.wait_for_stderr([](const std::string&) { return false; }, 1s);  // until the pipe closes
    CHECK_THAT(process.stderr_text(), Catch::Contains("--grpc-listen must be HOST:PORT"));
}
