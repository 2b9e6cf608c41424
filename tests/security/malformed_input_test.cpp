// Oversized and malformed input at every boundary the API has behind the real server: bodies (JSON, protobuf,
// gRPC-Web frames) for every method in every protocol, ids with NUL or of every length, phone numbers around each
// version's length limit, headers (x-zitadel-orgid, Authorization, content types) and paths. Each is answered with a
// 4xx in its protocol's stable error shape (gRPC-Web: HTTP 200 or 4xx with a grpc-status that blames the request),
// never 5xx, nothing is stored, and the server keeps serving.
//
// What tests/server already covers at the HTTP layer (unparsable requests, 413, 431, slow clients) and tests/api
// covers in process (each protocol error, random bytes, nesting) is not repeated here: this suite sends the
// API-level boundaries through Beast and the worker pool of a running server.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "support/secure_server.hpp"

using namespace security_test;
using namespace std::string_literals;

namespace {

enum class protocol { rest, connect_json, connect_proto, grpc_web };

struct method {
    std::string rpc;        // "/zitadel.user.v2.UserService/SetPhone"
    std::string verb;       // REST
    std::string rest_path;  // with u1 as the user
    bool rest_body;         // whether the REST rule takes a body ("*")
};

const std::vector<method>& methods() {
    static const std::vector<method> all{
        {"/zitadel.management.v1.ManagementService/UpdateHumanPhone", "PUT", "/management/v1/users/u1/phone", true},
        {"/zitadel.management.v1.ManagementService/GetHumanPhone", "GET", "/management/v1/users/u1/phone", false},
        {"/zitadel.management.v1.ManagementService/RemoveHumanPhone", "DELETE", "/management/v1/users/u1/phone", false},
        {"/zitadel.management.v1.ManagementService/ResendHumanPhoneVerification", "POST",
         "/management/v1/users/u1/phone/_resend_verification", true},
        {"/zitadel.auth.v1.AuthService/GetMyPhone", "GET", "/auth/v1/users/me/phone", false},
        {"/zitadel.auth.v1.AuthService/SetMyPhone", "PUT", "/auth/v1/users/me/phone", true},
        {"/zitadel.auth.v1.AuthService/RemoveMyPhone", "DELETE", "/auth/v1/users/me/phone", false},
        {"/zitadel.auth.v1.AuthService/VerifyMyPhone", "POST", "/auth/v1/users/me/phone/_verify", true},
        {"/zitadel.auth.v1.AuthService/ResendMyPhoneVerification", "POST", "/auth/v1/users/me/phone/_resend_verification",
         true},
        {"/zitadel.user.v2.UserService/SetPhone", "POST", "/v2/users/u1/phone", true},
        {"/zitadel.user.v2.UserService/VerifyPhone", "POST", "/v2/users/u1/phone/verify", true},
        {"/zitadel.user.v2.UserService/ResendPhoneCode", "POST", "/v2/users/u1/phone/resend", true},
        {"/zitadel.user.v2.UserService/RemovePhone", "DELETE", "/v2/users/u1/phone", true},
        {"/zitadel.user.v2.UserService/AddHumanUser", "POST", "/v2/users/human", true},
        {"/zitadel.user.v2.UserService/GetUserByID", "GET", "/v2/users/u1", false},
        {"/zitadel.user.v2.UserService/DeleteUser", "DELETE", "/v2/users/u1", false},
    };
    return all;
}

std::string varint(std::size_t n) {
    std::string out;
    do {
        unsigned char b = n & 0x7Fu;
        n >>= 7;
        if (n != 0) b |= 0x80u;
        out.push_back(static_cast<char>(b));
    } while (n != 0);
    return out;
}

// A length-delimited protobuf field (strings: every request's field 1 is its user id, or the phone or code of "me").
std::string proto_string(int field, std::string_view value) {
    return std::string(1, static_cast<char>(field << 3 | 2)) + varint(value.size()) + std::string(value);
}

std::string frame(unsigned char flag, std::string_view bytes, std::optional<std::uint32_t> claimed = std::nullopt) {
    const std::uint32_t size = claimed.value_or(static_cast<std::uint32_t>(bytes.size()));
    std::string out(1, static_cast<char>(flag));
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((size >> shift) & 0xFFu));
    return out.append(bytes);
}

struct malformed {
    std::string what;
    std::string body;
    // Whether REST must refuse it too. REST takes the id from the path and ignores body fields a method does not have,
    // so a body whose only fault is in the values of such fields is a valid REST request (ids in REST paths and phone
    // values have cases of their own below).
    bool rest = true;
};

// JSON bodies no method may accept.
std::vector<malformed> bad_json() {
    return {
        {"JSON cut short", R"({"userId":"u1")"},
        {"an array", "[]"},
        // Each field has one: REST takes the id from the path, so the phone must be refused there.
        {"a NUL in each field, escaped", R"({"userId":"u1\u0000x","phone":"+41 79 123 45 67\u0000","code":"A\u0000"})",
         false},
        {"a NUL in the id alone, escaped", R"({"userId":"u1\u0000x"})", false},
        {"a raw NUL byte", "{\"userId\":\"u1\0\"}"s},
        {"invalid UTF-8", "{\"userId\":\"\xc3\x28\"}"},
        {"an overlong UTF-8 slash", "{\"userId\":\"\xc0\xaf\"}"},
        {"an id and a phone of 30 KiB each", R"({"userId":")" + std::string(30 * 1024, 'a') + R"(","phone":"+)" +
                                                 std::string(30 * 1024, '9') + R"(","code":")" + std::string(100, 'c') +
                                                 R"("})",
         false},
        {"nesting 30,000 deep", R"({"x":)" + std::string(30'000, '[')},
        {"a number beyond double", R"({"userId":1e999999})"},
        {"fields of the wrong type", R"({"userId":{"id":"u1"},"phone":["+41"],"code":1,"verificationCode":true})"},
    };
}

// Protobuf bodies (Connect binary, and in a gRPC-Web frame) no method may accept.
std::vector<malformed> bad_proto() {
    return {
        {"an invalid tag", "\xff\xff\xff\xff"},
        {"a length beyond the end", "\x0a\x10u1"},
        {"a string that is not UTF-8", proto_string(1, "\xc3\x28")},
        {"a NUL in field 1", proto_string(1, "u1\0x"s)},
        {"60 KiB in field 1", proto_string(1, std::string(60 * 1024, 'a'))},
        {"a varint cut short", "\x0a\x02u1\x80"s},
        {"200,000 nested groups", std::string(200'000 / 4, '\x7B')},  // under the 64 KiB body limit
    };
}

// gRPC-Web framings of a well-formed message that no method may accept.
std::vector<malformed> bad_frames() {
    const auto message = proto_string(1, "u1");
    return {
        {"no frame at all", ""},
        {"a partial prefix", std::string("\0\0\0", 3)},
        {"a frame cut short", frame(0, message).substr(0, 7)},
        {"a 4 GiB claim", frame(0, message, 0xFFFFFFFFu)},
        {"two frames", frame(0, message) + frame(0, message)},
        {"trailing bytes", frame(0, message) + "x"},
        {"a trailer frame", frame(0x80, "grpc-status:0\r\n")},
        {"the compressed flag", frame(0x01, message)},
    };
}

// Checks one answer: a 4xx (or gRPC-Web's 200) in the protocol's error shape, never 5xx.
void check_refused(protocol p, const http_response& r) {
    INFO("HTTP " << r.status << " " << r.body.substr(0, 300));
    CHECK(r.status < 500);
    if (p == protocol::grpc_web) {
        if (r.status == 200) {
            const auto status = r.header("grpc-status");
            REQUIRE(status);
            const int code = std::stoi(*status);
            // The request's fault: InvalidArgument, NotFound, PermissionDenied, ResourceExhausted, FailedPrecondition,
            // Unimplemented, Unauthenticated. Never Unknown, Internal or Unavailable.
            CHECK((code == 3 || code == 5 || code == 7 || code == 8 || code == 9 || code == 12 || code == 16));
            CHECK(r.header("grpc-message"));
        } else {
            CHECK(r.status >= 400);
        }
        return;
    }
    CHECK(r.status >= 400);
    const auto body = nlohmann::json::parse(r.body, nullptr, false);
    REQUIRE(body.is_object());
    REQUIRE(body.contains("message"));
    CHECK(body["message"].is_string());
    REQUIRE(body.contains("code"));
    // A REST error has a gRPC code number (protocol errors of the server itself too); a Connect error a code name.
    if (p == protocol::rest) {
        CHECK(body["code"].is_number_integer());
    } else if (body["code"].is_number_integer()) {
        // Refused by the HTTP server before any protocol was looked at: its own shape, REST's.
        CHECK((body["message"] == "Malformed HTTP request" || body["message"] == "Request body too large" ||
               body["message"] == "Request header fields too large"));
    } else {
        CHECK(body["code"].is_string());
        CHECK(body["code"] != "internal");
        CHECK(body["code"] != "unknown");
    }
}

struct fixture {
    secure_server server;
    std::string before;  // u1 as GetUserByID answered before the hostile requests

    fixture() {
        REQUIRE(server.add_user("u1", "o1", server.admin_token, R"({"phone":"+41 79 600 00 01","isVerified":true})")
                    .status == 200);
        before = user_now();
    }
    std::string user_now() {
        const auto& r = server.call("GET", "/v2/users/u1", server.admin_token);
        REQUIRE(r.status == 200);
        return r.body;
    }
    // The number of store appends so far (the commit histogram's count in the metrics).
    std::string appends() {
        const auto& r = server.send("GET", "/debug/metrics", {}, "");
        REQUIRE(r.status == 200);
        const std::string name = "userstream_store_commit_duration_seconds_count ";
        const auto at = r.body.find(name);
        REQUIRE(at != std::string::npos);
        return r.body.substr(at + name.size(), r.body.find('\n', at) - at - name.size());
    }
    const http_response& send(protocol p, const method& m, const std::string& body, header_list extra = {},
                              std::optional<std::string> target = std::nullopt) {
        header_list headers{{"Authorization", "Bearer " + server.admin_token}, {"x-zitadel-orgid", "o1"}};
        std::string verb = "POST";
        std::string path = m.rpc;
        switch (p) {
            case protocol::rest:
                verb = m.verb;
                path = m.rest_path;
                headers.emplace_back("Content-Type", "application/json");
                break;
            case protocol::connect_json:
                headers.emplace_back("Content-Type", "application/json");
                headers.emplace_back("Connect-Protocol-Version", "1");
                break;
            case protocol::connect_proto:
                headers.emplace_back("Content-Type", "application/proto");
                headers.emplace_back("Connect-Protocol-Version", "1");
                break;
            case protocol::grpc_web:
                headers.emplace_back("Content-Type", "application/grpc-web+proto");
                headers.emplace_back("X-Grpc-Web", "1");
                break;
        }
        headers.insert(headers.end(), extra.begin(), extra.end());
        return server.send(verb, target.value_or(path), headers, body);
    }
    // Nothing was stored, u1 is as before, and the server still answers.
    void unchanged(const std::string& appends_before) {
        CHECK(server.process().running());
        CHECK(server.send("GET", "/debug/healthz", {}, "").status == 200);
        CHECK(appends() == appends_before);
        CHECK(user_now() == before);
    }
};

}  // namespace

TEST_CASE("malformed JSON, protobuf and gRPC-Web bodies for every method in every protocol are a 4xx in the "
          "protocol's error shape over HTTP, store nothing, and leave the server serving",
          "[security][malformed]") {
    fixture f;
    const auto appends = f.appends();
    for (const auto& m : methods()) {
        INFO(m.rpc);
        for (const auto& bad : bad_json()) {
            INFO(bad.what);
            if (m.rest_body && bad.rest) check_refused(protocol::rest, f.send(protocol::rest, m, bad.body));
            check_refused(protocol::connect_json, f.send(protocol::connect_json, m, bad.body));
        }
        for (const auto& bad : bad_proto()) {
            INFO(bad.what);
            check_refused(protocol::connect_proto, f.send(protocol::connect_proto, m, bad.body));
            check_refused(protocol::grpc_web, f.send(protocol::grpc_web, m, frame(0, bad.body)));
        }
        for (const auto& bad : bad_frames()) {
            INFO(bad.what);
            check_refused(protocol::grpc_web, f.send(protocol::grpc_web, m, bad.body));
        }
    }
    f.unchanged(appends);
}

TEST_CASE("ids with NUL, escapes or beyond 200 characters in REST paths, and odd targets, are a 4xx over HTTP",
          "[security][malformed]") {
    fixture f;
    const auto appends = f.appends();
    const std::vector<std::string> ids{"u1%00",      "%00",         "u1%00x",        std::string(201, 'a'),
                                       "%zz",        "u1%",         "%C0%AF",        "%2e%2e",
                                       "u1%2Fphone", "%FF%FE",      "u1%0D%0Ax:y",   std::string(4000, 'a'),
                                       "u1%09",      "%E2%80%AEu1", "%F4%90%80%80"};
    for (const auto& m : methods()) {
        if (m.rest_path.find("/u1") == std::string::npos) continue;
        for (const auto& id : ids) {
            auto target = m.rest_path;
            target.replace(target.find("/u1"), 3, "/" + id);
            INFO(m.verb << " " << target.substr(0, 120));
            const std::string body = m.rest_body ? R"({"phone":"+41 79 123 45 67","verificationCode":"ABC123"})" : "";
            check_refused(protocol::rest, f.send(protocol::rest, m, body, {}, target));
        }
    }
    // Targets that are not paths of the API at all.
    const method get_user = methods()[14];
    for (const std::string& target : std::vector<std::string>{"*", "http://elsewhere.example/v2/users/u1", "/v2/users/u1#frag", "//v2/users/u1",
                                     "/v2/users/u1?" + std::string(6000, 'q'), "/v2/users/./u1", "/v2/../v2/users/u1",
                                     "/" + std::string(7000, '%')}) {
        INFO(target.substr(0, 120));
        const auto& r = f.send(protocol::rest, get_user, "", {}, target);
        CHECK(r.status < 500);
        // The one that names u1 as it is may be served; every other target is refused in REST's shape.
        if (r.status != 200) check_refused(protocol::rest, r);
    }
    f.unchanged(appends);
}

TEST_CASE("phone numbers at and beyond each version's length limit, with NUL or other scripts, are refused with a 4xx "
          "and change nothing",
          "[security][malformed]") {
    fixture f;
    const auto appends = f.appends();
    const auto digits = [](std::size_t n) { return "+" + std::string(n - 1, '9'); };
    struct attempt {
        std::string what;
        std::string verb, target, body;
    };
    std::vector<attempt> attempts;
    for (const auto& phone : {digits(50), digits(51), digits(1000), "+"s, ""s, "+41 79\\u0000123 45 67"s,
                              "+41 79 123 45 67\\u0000"s, "\\u0000"s}) {
        attempts.push_back({"v1 UpdateHumanPhone " + phone.substr(0, 40), "PUT", "/management/v1/users/u1/phone",
                            R"({"phone":")" + phone + R"(","isPhoneVerified":true})"});
        attempts.push_back({"v1 SetMyPhone " + phone.substr(0, 40), "PUT", "/auth/v1/users/me/phone",
                            R"({"phone":")" + phone + R"("})"});
    }
    for (const auto& phone : {digits(200), digits(201), digits(60'000), ""s, "+41 79\\u0000123 45 67"s,
                              "\\ud800"s, std::string(200, ' ')}) {
        attempts.push_back({"v2 SetPhone " + phone.substr(0, 40), "POST", "/v2/users/u1/phone",
                            R"({"phone":")" + phone + R"(","isVerified":true})"});
        // An empty phone in AddHumanUser means no phone, as in ZITADEL.
        if (phone.empty()) continue;
        attempts.push_back({"v2 AddHumanUser " + phone.substr(0, 40), "POST", "/v2/users/human",
                            R"({"userId":"u2","organization":{"orgId":"o1"},"profile":{"givenName":"A","familyName":"B"},)"
                            R"("email":{"email":"u2@example.com"},"phone":{"phone":")" +
                                phone + R"(","isVerified":true}})"});
    }
    for (const auto& a : attempts) {
        INFO(a.what);
        const auto& r = f.server.call(a.verb, a.target, f.server.admin_token, a.body, "o1");
        check_refused(protocol::rest, r);
    }
    f.unchanged(appends);
}

TEST_CASE("hostile header values (x-zitadel-orgid, Authorization, content types, protocol versions) are a 4xx, never "
          "5xx",
          "[security][malformed]") {
    fixture f;
    const auto appends = f.appends();
    const method& update = methods()[0];
    // u1's number as it is: should a header leave the request valid, it is answered "not changed" and stores nothing.
    const std::string body = R"({"userId":"u1","phone":"+41 79 600 00 01","isPhoneVerified":true})";
    // Each replaces the header of that name (the fixture's own come first, so these are the last of their name).
    const std::vector<std::pair<std::string, header_list>> cases{
        {"an organisation of 7 KiB", {{"x-zitadel-orgid", std::string(7 * 1024, 'o')}}},
        {"an organisation with a control character", {{"x-zitadel-orgid", "o1\x01"}}},
        {"an organisation that is not UTF-8", {{"x-zitadel-orgid", "o\xff"}}},
        {"an empty organisation", {{"x-zitadel-orgid", ""}}},
        {"a bearer token of 7 KiB", {{"Authorization", "Bearer " + std::string(7 * 1024, 't')}}},
        {"a bearer token with a control character", {{"Authorization", "Bearer \x01\x02"}}},
        {"a bearer token that is not UTF-8", {{"Authorization", "Bearer \xff\xfe"}}},
        {"a JSON body declared UTF-16", {{"Content-Type", "application/json; charset=utf-16"}}},
        {"a content type of 7 KiB", {{"Content-Type", "application/json; x=" + std::string(7 * 1024, 'x')}}},
        {"a Connect protocol version from the future", {{"Connect-Protocol-Version", "99"}}},
        {"a Connect timeout that is not a number", {{"Connect-Timeout-Ms", "soon"}}},
        {"a gRPC timeout beyond any clock", {{"Grpc-Timeout", "99999999H"}}},
        {"an encoding no one negotiated", {{"Content-Encoding", "br"}}},
    };
    for (const auto& [what, headers] : cases) {
        INFO(what);
        for (const auto p : {protocol::rest, protocol::connect_json}) {
            // A compressed Connect request is unimplemented, HTTP 501 by the Connect specification's table: the one
            // documented 5xx for client input (docs/api.md, "Protocol errors").
            const bool compressed_connect = p == protocol::connect_json && what.find("encoding") != std::string::npos;
            // Replace, rather than add, the header of the same name.
            auto& r = [&]() -> const http_response& {
                header_list all{{"Authorization", "Bearer " + f.server.admin_token}, {"x-zitadel-orgid", "o1"},
                                {"Content-Type", "application/json"}};
                if (p == protocol::connect_json) all.emplace_back("Connect-Protocol-Version", "1");
                for (const auto& [name, value] : headers) {
                    std::erase_if(all, [&](const auto& h) {
                        return std::equal(h.first.begin(), h.first.end(), name.begin(), name.end(),
                                          [](char a, char b) { return std::tolower(a) == std::tolower(b); });
                    });
                    all.emplace_back(name, value);
                }
                return p == protocol::rest ? f.server.send("PUT", update.rest_path, all, body)
                                           : f.server.send("POST", update.rpc, all, body);
            }();
            INFO((p == protocol::rest ? "REST" : "Connect"));
            if (compressed_connect) {
                CHECK(r.status == 501);
                CHECK(nlohmann::json::parse(r.body, nullptr, false).value("code", "") == "unimplemented");
                continue;
            }
            check_refused(p, r);
        }
    }
    f.unchanged(appends);
}
