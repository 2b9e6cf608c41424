// Request deadlines: the timeout a request carries in its protocol's header (Connect's `connect-timeout-ms`, gRPC's
// `grpc-timeout` on gRPC-Web and, as grpc-gateway reads it, on REST), counted from when the host read the request.
// A call whose deadline passed while it waited (for a worker, say) does not run, and a read waits for the read models
// no longer than the deadline. Both answer DeadlineExceeded in the protocol's form.
#include <catch2/catch.hpp>

#include <chrono>

#include "support/api_fixture.hpp"
#include "support/seed_request.hpp"
#include "support/freezable_store.hpp"
#include "wire/timeouts.hpp"
#include "zitadel/management.pb.h"

using namespace userstream;
using namespace userstream::api_tests;
using namespace std::chrono_literals;
namespace mgmt = zitadel::management::v1;
using api::detail::parse_timeout;
using api::detail::timeout_form;

namespace {
constexpr std::string_view update_phone = "zitadel.management.v1.ManagementService/UpdateHumanPhone";
constexpr int deadline_exceeded = 4;


bool is_connect(protocol p) { return p == protocol::connect_json || p == protocol::connect_proto; }

// The timeout header protocol `p` sends, with a value of `ms` milliseconds in that header's form.
api::header_list::value_type timeout_header(protocol p, int ms) {
    if (is_connect(p)) return {"Connect-Timeout-Ms", std::to_string(ms)};
    return {"Grpc-Timeout", std::to_string(ms) + "m"};
}
}  // namespace

TEST_CASE("Timeout headers: connect-timeout-ms in milliseconds, grpc-timeout with its six units") {
    CHECK(parse_timeout(timeout_form::connect, "0") == 0ns);
    CHECK(parse_timeout(timeout_form::connect, "1500") == 1500ms);
    CHECK(parse_timeout(timeout_form::connect, "9999999999") == std::chrono::nanoseconds(9'999'999'999'000'000));
    CHECK(parse_timeout(timeout_form::grpc, "2H") == 2h);
    CHECK(parse_timeout(timeout_form::grpc, "3M") == 3min);
    CHECK(parse_timeout(timeout_form::grpc, "4S") == 4s);
    CHECK(parse_timeout(timeout_form::grpc, "5m") == 5ms);
    CHECK(parse_timeout(timeout_form::grpc, "6u") == 6us);
    CHECK(parse_timeout(timeout_form::grpc, "99999999n") == 99'999'999ns);
    // Beyond a year reads as a year, so that adding it to a clock cannot overflow.
    const auto year = std::chrono::nanoseconds(std::int64_t{365} * 24 * 3600 * 1'000'000'000);
    CHECK(parse_timeout(timeout_form::grpc, "99999999H") == year);
}

TEST_CASE("Timeout headers that are not in their protocol's form are malformed") {
    for (const auto* value : {"", "12345678901", "-5", "1.5", "+1", " 10", "10 ", "1e3", "10m"}) {
        INFO(value);
        CHECK_FALSE(parse_timeout(timeout_form::connect, value));
    }
    for (const auto* value : {"", "S", "1", "123456789S", "10X", "10s", "-1S", "1.5S", "10 S", "S10"}) {
        INFO(value);
        CHECK_FALSE(parse_timeout(timeout_form::grpc, value));
    }
}

TEST_CASE("A request whose timeout ran out before it was handled is DeadlineExceeded in its protocol's form, and "
          "changes nothing") {
    for (const auto p : all_protocols) {
        INFO(name_of(p));
        api_fixture f;
        f.given_human("u1", "o1");
        const auto before = f.events().size();
        auto request = f.request_for(p, update_phone, seed_update_request());
        request.headers.push_back(timeout_header(p, 1000));
        request.received = std::chrono::steady_clock::now() - 2s;  // it waited for a worker for two seconds

        const auto late = f.answer(p, update_phone, request);
        CHECK(late.decode_problem.empty());
        CHECK(late.code == deadline_exceeded);
        CHECK(late.http_status == expected_http_status(p, deadline_exceeded));
        CHECK(late.message == "deadline exceeded before the call ran");
        CHECK(late.error_id.empty());
        CHECK(f.events().size() == before);
    }
}

TEST_CASE("A request within its timeout runs as any other, whenever it arrived") {
    for (const auto p : all_protocols) {
        INFO(name_of(p));
        api_fixture f;
        f.given_human("u1", "o1");
        auto request = f.request_for(p, update_phone, seed_update_request());
        request.headers.push_back(timeout_header(p, 60'000));
        request.received = std::chrono::steady_clock::now() - 2s;
        const auto answer = f.answer(p, update_phone, request);
        REQUIRE(answer.ok());
        CHECK(answer.as<mgmt::UpdateHumanPhoneResponse>().details().sequence() > 0);
    }
}

TEST_CASE("A malformed timeout header is InvalidArgument in its protocol's form, and changes nothing") {
    for (const auto p : all_protocols) {
        INFO(name_of(p));
        api_fixture f;
        f.given_human("u1", "o1");
        const auto before = f.events().size();
        const bool connect = is_connect(p);
        auto request = f.request_for(p, update_phone, seed_update_request());
        request.headers.emplace_back(connect ? "Connect-Timeout-Ms" : "Grpc-Timeout", "soon");
        const auto answer = f.answer(p, update_phone, request);
        CHECK(answer.code == 3);
        CHECK(answer.http_status == expected_http_status(p, 3));
        CHECK(answer.message == (connect ? "malformed connect-timeout-ms" : "malformed grpc-timeout"));
        CHECK(f.events().size() == before);
    }
}

TEST_CASE("Each protocol reads only its own timeout header") {
    // A Connect request's grpc-timeout, or a REST request's connect-timeout-ms, is just another header.
    api_fixture f;
    f.given_human("u1", "o1");
    auto connect = f.request_for(protocol::connect_json, update_phone, seed_update_request());
    connect.headers.emplace_back("Grpc-Timeout", "1n");
    connect.received = std::chrono::steady_clock::now() - 1s;
    CHECK(f.answer(protocol::connect_json, update_phone, connect).ok());

    auto rest = f.request_for(protocol::rest, update_phone, seed_update_request());
    rest.headers.emplace_back("Connect-Timeout-Ms", "1");
    rest.received = std::chrono::steady_clock::now() - 1s;
    const auto again = f.answer(protocol::rest, update_phone, rest);
    CHECK(again.error_id == "COMMAND-wF94r");  // it ran: the phone was already that one
}

TEST_CASE("A read whose read models lag stops waiting at the caller's deadline, not the handler's bound, and is "
          "DeadlineExceeded") {
    api_fixture f;
    f.given_human("u1", "o1");
    freezable_store view(f.store);
    projections::user_projections lagging(view);
    lagging.start();
    api::api_options options;
    options.read_your_writes_timeout = 30s;
    api::api_handler handler(*f.users, lagging, f.tokens, f.tokens, options);
    const api::header_list admin{{"Authorization", "Bearer admin-token"}};

    view.freeze();
    REQUIRE(handler.handle({"PUT", "/management/v1/users/u1/phone", admin, R"({"phone":"+41 71 000 00 00"})"}).status ==
            200);
    api::api_request get{"GET", "/management/v1/users/u1/phone", admin, ""};
    get.headers.emplace_back("Grpc-Timeout", "200m");
    const auto asked = std::chrono::steady_clock::now();
    const auto late = handler.handle(get);
    const auto waited = std::chrono::steady_clock::now() - asked;
    CHECK(late.status == 504);
    CHECK(late.body == R"({"code":4,"message":"deadline exceeded while waiting for the read models"})");
    // It gave up at the deadline: the handler's own bound would have kept it 30 s.
    CHECK(waited >= 200ms);
    CHECK(waited < 20s);
    view.thaw();
    lagging.stop();
}

TEST_CASE("call: a deadline in the past is DeadlineExceeded before the call runs") {
    api_fixture f;
    f.given_human("u1", "o1");
    const auto before = f.events().size();
    api::rpc_metadata metadata{"Bearer admin-token", std::nullopt, std::chrono::steady_clock::now() - 1ms};
    const auto late = f.api->call(update_phone, seed_update_request().SerializeAsString(), metadata);
    CHECK(late.status.code == deadline_exceeded);
    CHECK(f.events().size() == before);

    metadata.deadline = std::chrono::steady_clock::now() + 60s;
    CHECK(f.api->call(update_phone, seed_update_request().SerializeAsString(), metadata).status.ok());
}
