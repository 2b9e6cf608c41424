// Protocol errors and hostile input. Given a user, when a client sends what no ZITADEL client sends (unknown paths,
// wrong verbs, other content types, malformed or oversized bodies, broken gRPC-Web frames, random bytes), then the
// handler answers in that protocol's form with the documented status (docs/api.md, "Protocol errors"), never 5xx,
// never crashes, stores nothing, logs nothing, and never echoes a token or a verification code.
#include <map>
#include <random>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/api_fixture.hpp"
#include "support/seed_request.hpp"
#include "zitadel/management.pb.h"
#include "zitadel/user/v2/user_service.pb.h"

using namespace userstream;
using namespace userstream::api_tests;
namespace mgmt = zitadel::management::v1;
namespace v2 = zitadel::user::v2;

namespace {

constexpr std::string_view update_path = "/zitadel.management.v1.ManagementService/UpdateHumanPhone";
constexpr std::string_view set_phone_path = "/zitadel.user.v2.UserService/SetPhone";
constexpr std::string_view seed_body = R"({"phone":"+41 71 000 00 00","isPhoneVerified":true})";

// The form an answer must have.
enum class form { rest, connect, grpc_web };

api::header_list bearer(std::string_view token = admin_token) {
    return {{"Authorization", "Bearer " + std::string(token)}};
}

api::api_request rest(std::string verb, std::string target, std::string body = "",
                      std::optional<std::string> content_type = "application/json") {
    auto headers = bearer();
    if (content_type) headers.emplace_back("Content-Type", *content_type);
    return {std::move(verb), std::move(target), std::move(headers), std::move(body)};
}

api::api_request connect(std::string_view path, std::string content_type, std::string body) {
    auto headers = bearer();
    headers.emplace_back("Content-Type", std::move(content_type));
    headers.emplace_back("Connect-Protocol-Version", "1");
    return {"POST", std::string(path), std::move(headers), std::move(body)};
}

api::api_request grpc_web(std::string_view path, std::string body) {
    auto headers = bearer();
    headers.emplace_back("Content-Type", "application/grpc-web+proto");
    headers.emplace_back("X-Grpc-Web", "1");
    return {"POST", std::string(path), std::move(headers), std::move(body)};
}

std::string frame(unsigned char flag, std::string_view bytes, std::optional<std::uint32_t> claimed = std::nullopt) {
    const std::uint32_t size = claimed.value_or(static_cast<std::uint32_t>(bytes.size()));
    std::string out(1, static_cast<char>(flag));
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((size >> shift) & 0xFFu));
    out.append(bytes);
    return out;
}

// The gRPC code an answer carries in its protocol's form, or -1 when it carries none in that form.
int code_in(form f, const api::api_response& r) {
    if (f == form::grpc_web) {
        const auto status = r.header("grpc-status");
        return status ? std::stoi(std::string(*status)) : -1;
    }
    const auto body = nlohmann::json::parse(r.body, nullptr, false);
    if (!body.is_object() || !body.contains("code")) return -1;
    if (f == form::rest) return body["code"].is_number_integer() ? body["code"].get<int>() : -1;
    static const std::map<std::string, int> names{
        {"invalid_argument", 3}, {"not_found", 5}, {"permission_denied", 7}, {"resource_exhausted", 8},
        {"failed_precondition", 9}, {"unimplemented", 12}, {"internal", 13}, {"unauthenticated", 16}};
    const auto it = body["code"].is_string() ? names.find(body["code"].get<std::string>()) : names.end();
    return it == names.end() ? -1 : it->second;
}

std::string everything_in(const api::api_response& r) {
    std::string out = std::to_string(r.status) + "\n";
    for (const auto& [name, value] : r.headers) out += name + ": " + value + "\n";
    return out + r.body;
}

bool same_events(const std::vector<eventstore::stored_event>& a, const std::vector<eventstore::stored_event>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].position != b[i].position || a[i].payload != b[i].payload) return false;
    }
    return true;
}

// Sends `request` and checks what every hostile request must get: no 5xx, nothing stored, nothing logged, no token
// in the answer. Returns the answer for the checks of the case.
api::api_response harmless(api_fixture& f, const api::api_request& request) {
    const auto before = f.events();
    const auto log_before = f.log.size();
    const auto answer = f.raw(request);
    INFO(request.method << " " << request.target.substr(0, 120) << " -> " << everything_in(answer).substr(0, 400));
    CHECK(answer.status < 500);
    CHECK(same_events(f.events(), before));
    CHECK(f.log.size() == log_before);
    CHECK(everything_in(answer).find(admin_token) == std::string::npos);
    return answer;
}

// `harmless`, and the answer is `http` with gRPC code `code` in form `f`.
void refused(api_fixture& f, const api::api_request& request, form answer_form, int http, int code) {
    const auto answer = harmless(f, request);
    INFO(request.method << " " << request.target.substr(0, 120) << " -> " << everything_in(answer).substr(0, 400));
    CHECK(answer.status == http);
    CHECK(code_in(answer_form, answer) == code);
}

}  // namespace

TEST_CASE("An unknown path is 404 in each protocol's form") {
    api_fixture f;
    f.given_human("u1", "o1");
    const auto not_found = harmless(f, rest("GET", "/management/v1/users/u1/email"));
    CHECK(not_found.status == 404);
    CHECK(not_found.body == R"({"code":5,"message":"Not Found"})");
    refused(f, rest("GET", "/"), form::rest, 404, 5);
    refused(f, rest("GET", ""), form::rest, 404, 5);
    refused(f, rest("POST", "/v2/users/u1/phone/verify/again", "{}"), form::rest, 404, 5);
    refused(f, rest("PUT", "/management/v1/users/u1/phone/", seed_body.data()), form::rest, 404, 5);
    refused(f, rest("GET", "/management/v1/users//phone"), form::rest, 404, 5);
    refused(f, rest("GET", "/management/v1/users/" + std::string(100'000, 'a') + "/x"), form::rest, 404, 5);
    refused(f, rest("GET", std::string(20'000, '/')), form::rest, 404, 5);

    for (const auto* type : {"application/json", "application/proto"}) {
        INFO(type);
        refused(f, connect("/zitadel.user.v2.UserService/SetPhoneNumber", type, "{}"), form::connect, 404, 12);
        refused(f, connect("/zitadel.user.v9.UserService/SetPhone", type, "{}"), form::connect, 404, 12);
    }
    refused(f, grpc_web("/zitadel.user.v2.UserService/SetPhoneNumber", frame(0, "")), form::grpc_web, 200, 12);
}

TEST_CASE("A known path with the wrong HTTP method is 405") {
    api_fixture f;
    f.given_human("u1", "o1");
    const auto patch = harmless(f, rest("PATCH", "/management/v1/users/u1/phone", seed_body.data()));
    CHECK(patch.status == 405);
    CHECK(patch.body == R"({"code":12,"message":"Method Not Allowed"})");
    refused(f, rest("GET", "/v2/users/u1/phone/verify"), form::rest, 405, 12);
    refused(f, rest("POST", "/auth/v1/users/me/phone", "{}"), form::rest, 405, 12);

    auto connect_get = connect(set_phone_path, "application/json", "");
    connect_get.method = "GET";
    const auto get = harmless(f, connect_get);
    CHECK(get.status == 405);
    CHECK(get.header("allow") == std::optional<std::string_view>("POST"));

    auto web_get = grpc_web(set_phone_path, "");
    web_get.method = "GET";
    CHECK(harmless(f, web_get).status == 405);
}

TEST_CASE("A Connect GET, which carries no content type, is 405 on a known method, not 415") {
    // Connect's GET form puts the message in the query and sends no Content-Type. These methods are not
    // side-effect free, so the method is what is wrong, as connect-go answers.
    api_fixture f;
    f.given_human("u1", "o1");
    const api::api_request get{"GET", std::string(set_phone_path) + "?encoding=json&message=%7B%7D&connect=v1",
                               bearer(), ""};
    const auto answer = harmless(f, get);
    CHECK(answer.status == 405);
    CHECK(answer.header("allow") == std::optional<std::string_view>("POST"));
    const api::api_request unknown{"GET", "/zitadel.user.v2.UserService/Nope?encoding=json&message=%7B%7D", bearer(),
                                   ""};
    CHECK(harmless(f, unknown).status == 404);
}

TEST_CASE("An unsupported content type is 415") {
    api_fixture f;
    f.given_human("u1", "o1");
    for (const auto* type : {"text/plain", "application/grpc-web-text", "application/grpc-web+json",
                             "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
        INFO(type);
        CHECK(harmless(f, connect(update_path, type, R"({"userId":"u1"})")).status == 415);
    }
    CHECK(harmless(f, {"POST", std::string(update_path), bearer(), "{}"}).status == 415);  // no content type at all

    for (const auto* type : {"text/plain", "application/x-www-form-urlencoded", "application/proto"}) {
        INFO(type);
        refused(f, rest("PUT", "/management/v1/users/u1/phone", seed_body.data(), type), form::rest, 415, 3);
    }
    // Parameters and case do not make a type unsupported.
    const auto with_charset =
        f.raw(rest("PUT", "/management/v1/users/u1/phone", seed_body.data(), "Application/JSON; charset=utf-8"));
    CHECK(with_charset.status == 200);
}

TEST_CASE("Malformed JSON and JSON of the wrong type are InvalidArgument in REST and Connect JSON") {
    api_fixture f;
    f.given_human("u1", "o1");
    const std::vector<std::string> bodies{R"({"phone":)", R"({"phone": 12})", R"({"isPhoneVerified": "yes"})",
                                   R"({"phone": ["+41 71 000 00 00"]})", R"({"phone": {"number": 1}})", "[]",
                                   R"("+41 71 000 00 00")", "12", "{}{}", R"({"phone":"+41 71 000 00 00",})",
                                   "{\"phone\":\"+41 71 \xff\xfe 00 00\"}", std::string("{\"phone\":\"+41") + '\0' + "\"}",
                                   "\xef\xbb\xbf{}", std::string(10'000, '{')};
    for (const auto& body : bodies) {
        INFO(body.substr(0, 60));
        refused(f, rest("PUT", "/management/v1/users/u1/phone", body), form::rest, 400, 3);
        refused(f, connect(update_path, "application/json", body), form::connect, 400, 3);
    }
}

TEST_CASE("A body that is not JSON by RFC 8259 is InvalidArgument, though protobuf's C++ parser alone would take it") {
    // Go's protojson, which grpc-gateway and connect-go use in ZITADEL, refuses all of these.
    api_fixture f;
    f.given_human("u1", "o1");
    const std::vector<std::string> bodies{
        R"({"userId":"u1","phone":"+41 79 123 45 67",})",                  // a trailing comma
        R"({userId:"u1",phone:"+41 79 123 45 67"})",                       // unquoted keys
        R"({'userId':'u1','phone':'+41 79 123 45 67'})",                   // single quotes
        "{\"userId\":\"u1\",\"phone\":\"+41 79 123 45 67\",\"foo\":\"\x01\"}",  // a raw control character
    };
    for (const auto& body : bodies) {
        INFO(body);
        refused(f, rest("PUT", "/management/v1/users/u1/phone", body), form::rest, 400, 3);
        refused(f, connect(update_path, "application/json", body), form::connect, 400, 3);
    }
}

// Go's protojson, which grpc-gateway and connect-go use in ZITADEL, refuses these; protobuf's C++ parser alone takes
// them (a string bool as that bool, the last of two keys, two objects for one message merged).
TEST_CASE("A string for a bool field is InvalidArgument in REST and Connect JSON, and nothing is stored") {
    api_fixture f;
    f.given_human("u1", "o1");
    for (const std::string value : {R"("true")", R"("false")", R"("yes")", R"("1")", R"("T")"}) {
        INFO(value);
        const std::string v1 = R"({"phone":"+41 71 000 00 00","isPhoneVerified":)" + value + "}";
        const std::string v2 = R"({"phone":"+41 71 000 00 00","isVerified":)" + value + "}";
        refused(f, rest("PUT", "/management/v1/users/u1/phone", v1), form::rest, 400, 3);
        refused(f, connect(update_path, "application/json", R"({"userId":"u1",)" + v1.substr(1)), form::connect, 400, 3);
        refused(f, rest("POST", "/v2/users/u1/phone", v2), form::rest, 400, 3);
        refused(f, connect(set_phone_path, "application/json", R"({"userId":"u1",)" + v2.substr(1)), form::connect, 400, 3);
    }
    // The answer names no value: the phone number is not in it.
    const auto answer = harmless(f, rest("PUT", "/management/v1/users/u1/phone",
                                         R"({"phone":"+41 71 000 00 00","isPhoneVerified":"true"})"));
    CHECK(everything_in(answer).find("+41 71 000 00 00") == std::string::npos);
}

TEST_CASE("A field named twice is InvalidArgument in REST and Connect JSON, and nothing is stored") {
    api_fixture f;
    f.given_human("u1", "o1");
    const std::vector<std::string> v1_bodies{
        R"({"phone":"+41 71 000 00 00","phone":"+41 79 123 45 67","isPhoneVerified":true})",  // the same name twice
        R"({"phone":"+41 71 000 00 00","isPhoneVerified":true,"is_phone_verified":true})",    // JSON and proto name
        R"({"phone":"+41 71 000 00 00","phone":null,"isPhoneVerified":true})",                // once as null
        R"({"userId":"u1","user_id":"u1","phone":"+41 71 000 00 00","isPhoneVerified":true})",
    };
    for (const auto& body : v1_bodies) {
        INFO(body);
        refused(f, rest("PUT", "/management/v1/users/u1/phone", body), form::rest, 400, 3);
        refused(f, connect(update_path, "application/json", R"({"userId":"u1",)" + body.substr(1)), form::connect, 400, 3);
    }
    // Two members of one oneof, also by the same member's two names, or one of them null.
    const std::vector<std::string> v2_bodies{
        R"({"phone":"+41 79 123 45 67","sendCode":{},"returnCode":{}})",
        R"({"phone":"+41 79 123 45 67","returnCode":{},"isVerified":true})",
        R"({"phone":"+41 79 123 45 67","returnCode":{},"return_code":null})",
        R"({"phone":"+41 79 123 45 67","isVerified":true,"is_verified":true})",
    };
    for (const auto& body : v2_bodies) {
        INFO(body);
        refused(f, rest("POST", "/v2/users/u1/phone", body), form::rest, 400, 3);
        refused(f, connect(set_phone_path, "application/json", R"({"userId":"u1",)" + body.substr(1)), form::connect, 400, 3);
    }
    // A message field twice, which protobuf's C++ parser merges into one: here a phone both returning a code and
    // verified, and two organizations.
    const std::string add = R"({"userId":"u9","profile":{"givenName":"Minnie","familyName":"Mouse"},)"
                            R"("email":{"email":"minnie@example.com"},)";
    const std::vector<std::string> add_bodies{
        add + R"("organization":{"orgId":"o1"},"phone":{"phone":"+41 79 123 45 67","returnCode":{}},"phone":{"isVerified":true}})",
        add + R"("organization":{"orgId":"o2"},"organization":{"orgId":"o1"}})",
        add + R"("organization":{"orgId":"o1"},"profile":{"givenName":"Mickey","familyName":"Mouse"}})",
    };
    for (const auto& body : add_bodies) {
        INFO(body);
        refused(f, rest("POST", "/v2/users/human", body), form::rest, 400, 3);
        refused(f, connect("/zitadel.user.v2.UserService/AddHumanUser", "application/json", body), form::connect, 400, 3);
    }
}

TEST_CASE("Deeply nested input neither exhausts the stack nor reaches the store unless it is a valid request") {
    api_fixture f;
    f.given_human("u1", "o1");
    const std::string nested_json = R"({"foo":)" + std::string(200'000, '[');
    refused(f, rest("PUT", "/management/v1/users/u1/phone", nested_json), form::rest, 400, 3);
    refused(f, connect(update_path, "application/json", nested_json), form::connect, 400, 3);
    // Well-formed JSON nested 200,000 deep in an unknown field is skipped as any unknown field is (as Go's protojson
    // skips it), without recursion.
    const std::string balanced = R"({"phone":"+41 79 123 45 67","foo":)" + std::string(200'000, '[') +
                                 std::string(200'000, ']') + "}";
    CHECK(f.raw(rest("PUT", "/management/v1/users/u1/phone", balanced)).status == 200);
    // 0x7B is field 15 "start group": 200,000 nested unknown groups.
    const std::string nested_groups(200'000, '\x7B');
    refused(f, connect(update_path, "application/proto", nested_groups), form::connect, 400, 3);
    refused(f, grpc_web(update_path, frame(0, nested_groups)), form::grpc_web, 200, 3);
}

TEST_CASE("Malformed protobuf is InvalidArgument in Connect binary and gRPC-Web") {
    api_fixture f;
    f.given_human("u1", "o1");
    const std::vector<std::string> bodies{
        "\xff\xff\xff\xff",                        // an invalid tag
        "\x12\x10+41",                             // a length beyond the end
        std::string("\x12\x03\xff\xfe\xfd", 5),    // a proto3 string that is not UTF-8
        "\x12\xff\xff\xff\xff\x0f",                // a 4 GiB length
        "\x0f",                                    // wire type 7 does not exist
        std::string("\x0a\x02u1\x80", 5),          // a varint cut short
    };
    for (const auto& body : bodies) {
        INFO(nlohmann::json(std::string(body)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        refused(f, connect(update_path, "application/proto", body), form::connect, 400, 3);
        refused(f, grpc_web(update_path, frame(0, body)), form::grpc_web, 200, 3);
    }
}

TEST_CASE("Broken gRPC-Web framing is refused in gRPC-Web's form") {
    api_fixture f;
    f.given_human("u1", "o1");
    const auto message = seed_update_request().SerializeAsString();

    refused(f, grpc_web(update_path, frame(0, message).substr(0, 12)), form::grpc_web, 200, 3);  // truncated
    refused(f, grpc_web(update_path, std::string("\0\0\0", 3)), form::grpc_web, 200, 3);        // a partial prefix
    refused(f, grpc_web(update_path, frame(0, message, 0xFFFFFFFFu)), form::grpc_web, 200, 3);  // a 4 GiB claim
    refused(f, grpc_web(update_path, frame(0, message) + frame(0, message)), form::grpc_web, 200, 3);  // two
    refused(f, grpc_web(update_path, frame(0, message) + "x"), form::grpc_web, 200, 3);  // trailing bytes
    refused(f, grpc_web(update_path, frame(0x80, "grpc-status:0\r\n")), form::grpc_web, 200, 3);  // a trailer frame
    refused(f, grpc_web(update_path, frame(0, message) + frame(0x80, "grpc-status:0\r\n")), form::grpc_web, 200, 3);
    // The compressed flag: no compression is negotiated, so the message cannot be read.
    refused(f, grpc_web(update_path, frame(0x01, message)), form::grpc_web, 200, 12);
}

TEST_CASE("A compressed Connect request is unimplemented") {
    api_fixture f;
    f.given_human("u1", "o1");
    auto gzip = connect(update_path, "application/json", "\x1f\x8b\x08\x00");
    gzip.headers.emplace_back("Content-Encoding", "gzip");
    const auto before = f.events().size();
    const auto answer = f.raw(gzip);
    // gRPC's rule for an unsupported compression, under the Connect specification's HTTP status for it.
    CHECK(answer.status == 501);
    CHECK(code_in(form::connect, answer) == 12);
    CHECK(f.events().size() == before);
}

TEST_CASE("A request over max_request_bytes is refused before it is decoded, one of exactly that size is not") {
    api::api_options options;
    options.max_request_bytes = 64;
    api_fixture f({}, options);
    f.given_human("u1", "o1");

    std::string exact = R"({"userId":"u1","phone":"+41 71 000 00 00"})";
    REQUIRE(exact.size() <= 64);
    exact.insert(exact.size() - 1, std::string(64 - exact.size(), ' '));
    REQUIRE(exact.size() == 64);
    const std::string over = exact + " ";

    refused(f, rest("PUT", "/management/v1/users/u1/phone", over), form::rest, 413, 8);
    refused(f, connect(update_path, "application/json", over), form::connect, 429, 8);
    refused(f, connect(update_path, "application/proto", std::string(65, '\0')), form::connect, 429, 8);
    refused(f, grpc_web(update_path, frame(0, std::string(65, '\0'))), form::grpc_web, 200, 8);
    // A huge body is refused just as fast: nothing is decoded.
    refused(f, rest("PUT", "/management/v1/users/u1/phone", std::string(8 << 20, '{')), form::rest, 413, 8);

    const auto before = f.events().size();
    CHECK(f.raw(connect(update_path, "application/json", exact)).status == 200);
    CHECK(f.events().size() == before + 2);  // changed, code added
}

TEST_CASE("REST paths with bad escapes, NULs or odd ids are refused as input, not as failures") {
    api_fixture f;
    f.given_human("u1", "o1");
    refused(f, rest("PUT", "/management/v1/users/u%zz/phone", seed_body.data()), form::rest, 400, 3);
    refused(f, rest("PUT", "/management/v1/users/u1%/phone", seed_body.data()), form::rest, 400, 3);
    refused(f, rest("PUT", "/management/v1/users/u1%00/phone", seed_body.data()), form::rest, 400, 3);
    refused(f, rest("PUT", "/management/v1/users/%2e%2e/phone", seed_body.data()), form::rest, 400, 9);
    refused(f, rest("POST", "/v2/users/u1%2Fphone/phone", R"({"phone":"+41 79 123 45 67"})"), form::rest, 404, 5);
    auto nul_org = rest("PUT", "/management/v1/users/u1/phone", seed_body.data());
    nul_org.headers.emplace_back("x-zitadel-orgid", std::string("o1\0", 3));
    refused(f, nul_org, form::rest, 400, 3);
}

TEST_CASE("REST: a percent escape that is not two hex digits is a malformed path, whatever bytes it would make") {
    // "%1g" and "%g1" would decode to a valid control byte if the digits were not checked, and reach the command as a
    // user id; "%4" ends the segment before its second digit.
    api_fixture f;
    f.given_human("u1", "o1");
    const auto before = f.events().size();
    for (const auto* path :
         {"/management/v1/users/u%1g/phone", "/management/v1/users/u%g1/phone", "/management/v1/users/u%4/phone"}) {
        INFO(path);
        const auto answer = harmless(f, rest("PUT", path, seed_body.data()));
        CHECK(answer.status == 400);
        CHECK(answer.body == R"({"code":3,"message":"malformed path escape"})");
    }
    CHECK(f.events().size() == before);
}

TEST_CASE("64 KiB of random bytes in every protocol for several methods: no 5xx, no crash, nothing stored") {
    std::mt19937 random(20260710);  // fixed: a failure must reproduce
    std::uniform_int_distribution<int> byte(0, 255);
    auto noise = [&](std::size_t n) {
        std::string out(n, '\0');
        for (auto& c : out) c = static_cast<char>(byte(random));
        return out;
    };
    struct target {
        std::string_view rpc;
        std::string_view verb;
        std::string_view rest_path;
    };
    const target targets[] = {
        {update_path, "PUT", "/management/v1/users/u1/phone"},
        {"/zitadel.auth.v1.AuthService/VerifyMyPhone", "POST", "/auth/v1/users/me/phone/_verify"},
        {set_phone_path, "POST", "/v2/users/u1/phone"},
        {"/zitadel.user.v2.UserService/VerifyPhone", "POST", "/v2/users/u1/phone/verify"},
        {"/zitadel.user.v2.UserService/AddHumanUser", "POST", "/v2/users/human"},
        {"/zitadel.user.v2.UserService/RemovePhone", "DELETE", "/v2/users/u1/phone"},
    };
    api_fixture f;
    f.given_human("u1", "o1", "+41 71 000 00 00", false);
    for (const auto& t : targets) {
        for (int round = 0; round < 3; ++round) {
            INFO(t.rpc << " round " << round);
            const auto body = noise(64 * 1024);
            const auto rest_answer = harmless(f, rest(std::string(t.verb), std::string(t.rest_path), body));
            CHECK(code_in(form::rest, rest_answer) == 3);
            CHECK(code_in(form::connect, harmless(f, connect(t.rpc, "application/json", body))) == 3);
            CHECK(code_in(form::connect, harmless(f, connect(t.rpc, "application/proto", body))) == 3);
            const auto raw_web = harmless(f, grpc_web(t.rpc, body));
            CHECK(code_in(form::grpc_web, raw_web) > 0);
            const auto framed_web = harmless(f, grpc_web(t.rpc, frame(0, body)));
            CHECK(code_in(form::grpc_web, framed_web) == 3);
            // Noise that starts like the real thing gets further into the parsers.
            const auto json_like = std::string(R"({"userId":"u1","phone":")") + noise(64 * 1024) + "\"}";
            CHECK(code_in(form::rest, harmless(f, rest(std::string(t.verb), std::string(t.rest_path), json_like))) == 3);
            CHECK(code_in(form::connect, harmless(f, connect(t.rpc, "application/json", json_like))) == 3);
        }
    }
}

TEST_CASE("A token never appears in an answer or in the log") {
    const std::string token = "tok-7f3a9c0e51d2b8";  // unknown to the token file
    api_fixture f;
    f.given_human("u1", "o1", "+41 71 000 00 00", false);
    const auto with = [&](api::api_request request, std::string authorization) {
        for (auto& [name, value] : request.headers) {
            if (api::header_name_equals(name, "authorization")) value = authorization;
        }
        return request;
    };
    std::vector<api::api_request> requests;
    for (const auto& authorization : {"Bearer " + token, "Basic " + token, token, "Bearer  " + token + " ",
                                      "Bearer " + token + "\r\nX-Injected: 1"}) {
        requests.push_back(with(rest("PUT", "/management/v1/users/u1/phone", seed_body.data()), authorization));
        requests.push_back(with(rest("PUT", "/management/v1/users/u1/phone", "{"), authorization));
        requests.push_back(with(rest("GET", "/management/v1/users/u1/phone"), authorization));
        requests.push_back(with(connect(update_path, "application/json", R"({"userId":"u1"})"), authorization));
        requests.push_back(with(connect(update_path, "application/proto", "\xff"), authorization));
        requests.push_back(with(connect("/x.Y/Z", "application/json", "{}"), authorization));
        requests.push_back(with(grpc_web(update_path, frame(0, "")), authorization));
        requests.push_back(with(grpc_web(update_path, "\x80"), authorization));
    }
    for (const auto& request : requests) {
        const auto answer = harmless(f, request);
        CHECK(everything_in(answer).find(token) == std::string::npos);
    }
    // And through an internal failure, whose detail is logged: the code of u1 no longer decrypts.
    f.keys.add_random_key(std::string(testing::test_key_id));
    const auto failed = f.raw(rest("POST", "/v2/users/u1/phone/verify", R"({"verificationCode":"CODE01"})"));
    CHECK(failed.status == 500);
    REQUIRE_FALSE(f.log.empty());
    for (const auto& line : f.log) {
        CHECK(line.find(admin_token) == std::string::npos);
        CHECK(line.find("CODE01") == std::string::npos);
    }
}

TEST_CASE("A verification code in a malformed or rejected request is not echoed back") {
    const std::string code = "S3CR3T-C0DE";
    api_fixture f;
    f.given_human("u1", "o1", "+41 71 000 00 00", false);
    const std::vector<std::string> bodies{
        R"({"verificationCode":")" + code + R"(")",                      // cut short
        R"({"verificationCode":[")" + code + R"("]})",                   // wrong type
        R"({"verificationCode":")" + code + R"(","userId":5})",          // another field of the wrong type
        R"({"verificationCode":")" + code + std::string(30, 'X') + R"("})",  // too long for the rule
        R"({"verificationCode":")" + code + "\xff" + R"("})",            // not UTF-8
    };
    std::vector<api::api_request> requests;
    for (const auto& body : bodies) {
        requests.push_back(rest("POST", "/v2/users/u1/phone/verify", body));
        requests.push_back(connect("/zitadel.user.v2.UserService/VerifyPhone", "application/json", body));
        requests.push_back(rest("POST", "/auth/v1/users/me/phone/_verify", "{\"code\":\"" + code + "\",\"x\":}"));
    }
    v2::VerifyPhoneRequest binary;
    binary.set_user_id("u1");
    binary.set_verification_code(code);
    const auto message = binary.SerializeAsString();
    requests.push_back(connect("/zitadel.user.v2.UserService/VerifyPhone", "application/proto", message + "\xff"));
    requests.push_back(grpc_web("/zitadel.user.v2.UserService/VerifyPhone", frame(0, message).substr(0, 20)));
    requests.push_back(grpc_web("/zitadel.user.v2.UserService/VerifyPhone", frame(0x01, message)));
    for (const auto& request : requests) {
        const auto answer = harmless(f, request);
        const bool web = request.header("content-type") == std::optional<std::string_view>("application/grpc-web+proto");
        const int error = code_in(web ? form::grpc_web : request.target.starts_with("/zitadel.") ? form::connect : form::rest, answer);
        CHECK(error > 0);
        CHECK(everything_in(answer).find(code) == std::string::npos);
    }
    // A well-formed wrong code is recorded as a failure, and not echoed either.
    const auto wrong = f.raw(rest("POST", "/v2/users/u1/phone/verify", R"({"verificationCode":")" + code + R"("})"));
    CHECK(wrong.status == 400);
    CHECK(wrong.body.find("COMMAND-eis9R") != std::string::npos);
    CHECK(everything_in(wrong).find(code) == std::string::npos);
    CHECK(f.log.empty());
}

TEST_CASE("A JSON body that breaks a rule of Go's protojson is told which field, never a value, and other malformed JSON "
          "gets the plain message") {
    api_fixture f;
    f.given_human("u1", "o1");
    const auto twice = f.raw(rest("PUT", "/management/v1/users/u1/phone",
                                  R"({"phone":"+41 71 000 00 00","phone":"+41 79 123 45 67"})"));
    CHECK(twice.status == 400);
    CHECK(twice.body == R"({"code":3,"message":"malformed JSON request body: duplicate field \"phone\""})");

    const auto string_bool = f.raw(connect(update_path, "application/json",
                                           R"({"userId":"u1","phone":"+41 71 000 00 00","isPhoneVerified":"true"})"));
    CHECK(string_bool.status == 400);
    CHECK(string_bool.body ==
          R"({"code":"invalid_argument","message":"malformed JSON request message: invalid value for bool field isPhoneVerified"})");

    // protobuf's own parser refuses this one, with a message that quotes the body: not passed on.
    const auto wrong_type = f.raw(rest("PUT", "/management/v1/users/u1/phone", R"({"phone":{"secret-123456":1}})"));
    CHECK(wrong_type.status == 400);
    CHECK(wrong_type.body == R"({"code":3,"message":"malformed JSON request body"})");
}
