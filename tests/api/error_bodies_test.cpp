// Error bodies byte for byte. Given u1's verified phone, when an admin sets the same number verified again, then each
// protocol answers COMMAND-wF94r exactly as the issue's examples (and ZITADEL's grpc-gateway, connect-go and gRPC-Web
// servers) write it: REST's google.rpc.Status JSON with HTTP 400, Connect's JSON error with HTTP 400 and the
// ErrorDetail as unpadded base64, gRPC-Web's trailers-only headers with HTTP 200. Validation failures carry no details.
#include <catch2/catch.hpp>

#include "google/rpc/status.pb.h"
#include "support/api_fixture.hpp"
#include "support/seed_request.hpp"
#include "zitadel/management.pb.h"
#include "zitadel/message.pb.h"

using namespace userstream;
using namespace userstream::api_tests;
namespace mgmt = zitadel::management::v1;

namespace {

constexpr std::string_view update_human_phone = "zitadel.management.v1.ManagementService/UpdateHumanPhone";

constexpr std::string_view base64_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// RFC 4648 standard base64, without the '=' padding (what Connect and gRPC's binary headers send), written out here
// rather than taken from the library.
std::string base64_unpadded(std::string_view bytes) {
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (const char c : bytes) {
        buffer = (buffer << 8) | static_cast<unsigned char>(c);
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(base64_alphabet[(buffer >> bits) & 0x3Fu]);
        }
    }
    if (bits > 0) out.push_back(base64_alphabet[(buffer << (6 - bits)) & 0x3Fu]);
    return out;
}

// Padded or not.
std::string base64_decode(std::string_view text) {
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (const char c : text) {
        if (c == '=') break;
        const auto at = base64_alphabet.find(c);
        if (at == std::string_view::npos) throw std::runtime_error("not base64");
        buffer = (buffer << 6) | static_cast<unsigned>(at);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xFFu));
        }
    }
    return out;
}

std::string binary_error_detail(std::string_view id, std::string_view message) {
    zitadel::v1::ErrorDetail detail;
    detail.set_id(std::string(id));
    detail.set_message(std::string(message));
    return detail.SerializeAsString();
}

reply not_changed(protocol p) {
    api_fixture f;
    f.given_human("u1", "o1", "+41 71 000 00 00", true);
    return f.send(p, update_human_phone, seed_update_request(), admin_token, "o1");
}

reply without_plus(protocol p) {
    api_fixture f;
    f.given_human("u1", "o1");
    mgmt::UpdateHumanPhoneRequest request;
    request.set_user_id("u1");
    request.set_phone("071 000 00 00");
    return f.send(p, update_human_phone, request);
}

std::string header_or_none(const api::api_response& r, std::string_view name) {
    return std::string(r.header(name).value_or("<none>"));
}

}  // namespace

TEST_CASE("The test's own base64 is RFC 4648's, unpadded") {
    CHECK(base64_unpadded("") == "");
    CHECK(base64_unpadded("f") == "Zg");
    CHECK(base64_unpadded("fo") == "Zm8");
    CHECK(base64_unpadded("foo") == "Zm9v");
    CHECK(base64_unpadded("foobar") == "Zm9vYmFy");
    CHECK(base64_decode("Zm9vYg") == "foob");
    CHECK(base64_decode("Zm9vYg==") == "foob");
}

TEST_CASE("REST: COMMAND-wF94r is grpc-gateway's google.rpc.Status JSON, byte for byte, with HTTP 400") {
    const auto answer = not_changed(protocol::rest).raw;
    CHECK(answer.status == 400);
    CHECK(header_or_none(answer, "content-type") == "application/json");
    CHECK(answer.body ==
          R"j({"code":9,"message":"Phone not changed (COMMAND-wF94r)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"COMMAND-wF94r","message":"Phone not changed"}]})j");
}

TEST_CASE("Connect: COMMAND-wF94r is the Connect JSON error, byte for byte, with HTTP 400, for JSON and binary calls") {
    const std::string expected =
        R"j({"code":"failed_precondition","message":"Phone not changed (COMMAND-wF94r)","details":[{"type":"zitadel.v1.ErrorDetail","value":")j" +
        base64_unpadded(binary_error_detail("COMMAND-wF94r", "Phone not changed")) + R"j("}]})j";
    for (const auto p : {protocol::connect_json, protocol::connect_proto}) {
        INFO(name_of(p));
        const auto answer = not_changed(p).raw;
        CHECK(answer.status == 400);
        // Connect errors are JSON whatever the request's codec.
        CHECK(header_or_none(answer, "content-type") == "application/json");
        CHECK(answer.body == expected);
    }
}

TEST_CASE("Connect: the ErrorDetail's base64 drops the padding") {
    // 40 bytes: standard base64 would end in "==".
    const auto detail = binary_error_detail("COMMAND-3M0fs", "User could not be found");
    REQUIRE(detail.size() % 3 == 1);
    api_fixture f;  // no user u1
    const auto answer = f.send(protocol::connect_json, update_human_phone, seed_update_request(), admin_token).raw;
    CHECK(answer.status == 400);
    CHECK(answer.body ==
          R"j({"code":"failed_precondition","message":"User could not be found (COMMAND-3M0fs)","details":[{"type":"zitadel.v1.ErrorDetail","value":")j" +
              base64_unpadded(detail) + R"j("}]})j");
    CHECK(answer.body.find('=') == std::string::npos);
}

TEST_CASE("gRPC-Web: COMMAND-wF94r is a trailers-only answer with HTTP 200 and the status in grpc-* headers") {
    const auto answer = not_changed(protocol::grpc_web).raw;
    CHECK(answer.status == 200);
    CHECK(header_or_none(answer, "content-type") == "application/grpc-web+proto");
    CHECK(answer.body.empty());
    CHECK(header_or_none(answer, "grpc-status") == "9");
    // gRPC's percent-encoding keeps space and printable ASCII except '%': this message goes as it is.
    CHECK(header_or_none(answer, "grpc-message") == "Phone not changed (COMMAND-wF94r)");

    const auto details = answer.header("grpc-status-details-bin");
    REQUIRE(details);
    google::rpc::Status status;
    REQUIRE(status.ParseFromString(base64_decode(*details)));
    CHECK(status.code() == 9);
    CHECK(status.message() == "Phone not changed (COMMAND-wF94r)");
    REQUIRE(status.details_size() == 1);
    CHECK(status.details(0).type_url() == "type.googleapis.com/zitadel.v1.ErrorDetail");
    CHECK(status.details(0).value() == binary_error_detail("COMMAND-wF94r", "Phone not changed"));

    google::rpc::Status expected;
    expected.set_code(9);
    expected.set_message("Phone not changed (COMMAND-wF94r)");
    auto* any = expected.add_details();
    any->set_type_url("type.googleapis.com/zitadel.v1.ErrorDetail");
    any->set_value(binary_error_detail("COMMAND-wF94r", "Phone not changed"));
    CHECK(base64_decode(*details) == expected.SerializeAsString());
}

TEST_CASE("A validation failure carries no details in any protocol") {
    const std::string message = R"j(invalid UpdateHumanPhoneRequest.Phone: value does not have prefix "+")j";

    const auto rest = without_plus(protocol::rest).raw;
    CHECK(rest.status == 400);
    CHECK(rest.body == R"j({"code":3,"message":"invalid UpdateHumanPhoneRequest.Phone: value does not have prefix \"+\""})j");

    for (const auto p : {protocol::connect_json, protocol::connect_proto}) {
        INFO(name_of(p));
        const auto connect = without_plus(p).raw;
        CHECK(connect.status == 400);
        CHECK(connect.body ==
              R"j({"code":"invalid_argument","message":"invalid UpdateHumanPhoneRequest.Phone: value does not have prefix \"+\""})j");
    }

    const auto web = without_plus(protocol::grpc_web).raw;
    CHECK(web.status == 200);
    CHECK(header_or_none(web, "grpc-status") == "3");
    CHECK(header_or_none(web, "grpc-message") == message);  // quotes and '+' are printable ASCII: not encoded
    CHECK_FALSE(web.header("grpc-status-details-bin"));
}

TEST_CASE("REST: an unauthenticated call is 401 with the API layer's ErrorDetail") {
    api_fixture f;
    f.given_human("u1", "o1");
    const auto answer = f.send(protocol::rest, update_human_phone, seed_update_request(), "").raw;
    CHECK(answer.status == 401);
    CHECK(answer.body ==
          R"j({"code":16,"message":"Authorization header missing or not a bearer token (US-API-token-missing)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"US-API-token-missing","message":"Authorization header missing or not a bearer token"}]})j");
}
