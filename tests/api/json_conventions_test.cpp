// The JSON conventions of REST and Connect JSON, which are protobuf's JSON mapping as grpc-gateway and connect-go use
// it in ZITADEL: lowerCamelCase names, uint64 sequences as strings, RFC 3339 UTC timestamps, unpopulated fields
// omitted on output; proto names and unknown fields accepted on input; on REST the path's user id wins over the
// body's. And a request gives the same stored events whether a client sends it as binary protobuf or as JSON.
#include <algorithm>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/api_fixture.hpp"
#include "zitadel/management.pb.h"
#include "zitadel/user/v2/user_service.pb.h"

using namespace userstream;
using namespace userstream::api_tests;
using nlohmann::json;
namespace mgmt = zitadel::management::v1;
namespace v2 = zitadel::user::v2;

namespace {

constexpr std::string_view get_human_phone = "zitadel.management.v1.ManagementService/GetHumanPhone";
constexpr std::string_view update_human_phone = "zitadel.management.v1.ManagementService/UpdateHumanPhone";
constexpr std::string_view resend_human_phone = "zitadel.management.v1.ManagementService/ResendHumanPhoneVerification";
constexpr std::string_view set_phone = "zitadel.user.v2.UserService/SetPhone";
constexpr std::string_view resend_phone_code = "zitadel.user.v2.UserService/ResendPhoneCode";
constexpr std::string_view add_human_user = "zitadel.user.v2.UserService/AddHumanUser";

constexpr protocol json_protocols[] = {protocol::rest, protocol::connect_json};

api::api_request with_token(api::api_request request, std::string_view token) {
    request.headers.emplace_back("Authorization", "Bearer " + std::string(token));
    return request;
}

api::api_request rest(std::string verb, std::string path, std::string body, std::string_view token = admin_token) {
    api::api_request out{std::move(verb), std::move(path), {}, std::move(body)};
    if (!out.body.empty()) out.headers.emplace_back("Content-Type", "application/json");
    return with_token(std::move(out), token);
}

api::api_request connect_json(std::string_view method, std::string body, std::string_view token = admin_token) {
    api::api_request out{"POST", "/" + std::string(method), {}, std::move(body)};
    out.headers.emplace_back("Content-Type", "application/json");
    out.headers.emplace_back("Connect-Protocol-Version", "1");
    return with_token(std::move(out), token);
}

json body_of(const reply& r) {
    INFO(r.raw.body);
    auto out = json::parse(r.raw.body, nullptr, false);
    REQUIRE(out.is_object());
    return out;
}

json body_of(const api::api_response& r) {
    INFO(r.status << " " << r.body);
    REQUIRE(r.status == 200);
    auto out = json::parse(r.body, nullptr, false);
    REQUIRE(out.is_object());
    return out;
}

std::vector<std::string> keys_of(const json& object) {
    std::vector<std::string> out;
    for (const auto& [key, value] : object.items()) out.push_back(key);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> new_event_types(const api_fixture& f, std::size_t before) {
    std::vector<std::string> out;
    const auto all = f.events();
    for (std::size_t i = before; i < all.size(); ++i) out.push_back(all[i].event_type);
    return out;
}

std::size_t stream_length(const api_fixture& f, std::string_view user_id) {
    const auto all = f.events();
    return static_cast<std::size_t>(
        std::count_if(all.begin(), all.end(), [&](const auto& e) { return e.aggregate.aggregate_id == user_id; }));
}

mgmt::UpdateHumanPhoneRequest update(std::string user_id, std::string phone, bool verified) {
    mgmt::UpdateHumanPhoneRequest r;
    r.set_user_id(std::move(user_id));
    r.set_phone(std::move(phone));
    r.set_is_phone_verified(verified);
    return r;
}

template <class M>
M with_user(std::string user_id) {
    M r;
    r.set_user_id(std::move(user_id));
    return r;
}

}  // namespace

TEST_CASE("Sequences are JSON strings and dates RFC 3339 in UTC with Z, in REST and Connect JSON") {
    for (const auto p : json_protocols) {
        INFO(name_of(p));
        api_fixture f;
        f.given_human("u1", "o1");  // at the fixture's epoch, 2026-07-10T09:00:00Z
        f.clock.advance(std::chrono::microseconds(1'500'000));
        const auto changed = f.send(p, update_human_phone, update("u1", "+41 71 000 00 00", true));
        REQUIRE(changed.ok());
        CHECK(changed.raw.body.find(R"("sequence":"3")") != std::string::npos);
        const auto details = body_of(changed)["details"];
        CHECK(details["sequence"] == "3");
        CHECK(details["changeDate"] == "2026-07-10T09:00:01.500Z");
        CHECK(details["resourceOwner"] == "o1");

        f.clock.advance(std::chrono::microseconds(123'456));
        REQUIRE(f.send(p, update_human_phone, update("u1", "+41 79 123 45 67", true)).ok());
        const auto read = body_of(f.send(p, get_human_phone, with_user<mgmt::GetHumanPhoneRequest>("u1"), reader_token));
        CHECK(read["details"]["sequence"] == "5");
        CHECK(read["details"]["creationDate"] == "2026-07-10T09:00:00Z");
        CHECK(read["details"]["changeDate"] == "2026-07-10T09:00:01.623456Z");
    }
}

TEST_CASE("v1 change responses carry no creationDate, v1 reads do") {
    for (const auto p : json_protocols) {
        INFO(name_of(p));
        api_fixture f;
        f.given_human("u1", "o1", "+41 71 000 00 00", false);
        const std::vector<std::string> change_keys{"changeDate", "resourceOwner", "sequence"};

        const auto resent = f.send(p, resend_human_phone, with_user<mgmt::ResendHumanPhoneVerificationRequest>("u1"));
        CHECK(keys_of(body_of(resent)) == std::vector<std::string>{"details"});
        CHECK(keys_of(body_of(resent)["details"]) == change_keys);

        const auto changed = f.send(p, update_human_phone, update("u1", "+41 71 000 00 00", true));
        CHECK(keys_of(body_of(changed)["details"]) == change_keys);

        const auto read = body_of(f.send(p, get_human_phone, with_user<mgmt::GetHumanPhoneRequest>("u1")));
        CHECK(keys_of(read["details"]) == std::vector<std::string>{"changeDate", "creationDate", "resourceOwner", "sequence"});
        CHECK(read["phone"] == json{{"phone", "+41710000000"}, {"isPhoneVerified", true}});
    }
}

TEST_CASE("Unpopulated fields are omitted: an unverified phone has no isPhoneVerified") {
    for (const auto p : json_protocols) {
        INFO(name_of(p));
        api_fixture f;
        f.given_human("u1", "o1", "+41 71 000 00 00", false);
        const auto read = body_of(f.send(p, get_human_phone, with_user<mgmt::GetHumanPhoneRequest>("u1")));
        CHECK(read["phone"] == json{{"phone", "+41710000000"}});
    }
}

TEST_CASE("verificationCode appears only when the code was asked back (returnCode)") {
    for (const auto p : json_protocols) {
        INFO(name_of(p));
        {
            api_fixture f;
            f.given_human("u1", "o1");
            v2::SetPhoneRequest set;
            set.set_user_id("u1");
            set.set_phone("+41 79 123 45 67");
            set.mutable_return_code();
            const auto returned = body_of(f.send(p, set_phone, set));
            CHECK(keys_of(returned) == std::vector<std::string>{"details", "verificationCode"});
            CHECK(returned["verificationCode"] == "CODE01");
            CHECK_FALSE(returned["details"].contains("creationDate"));
        }
        for (const int mode : {0, 1, 2}) {  // no verification given, sendCode, isVerified
            INFO("mode " << mode);
            api_fixture f;
            f.given_human("u1", "o1");
            v2::SetPhoneRequest set;
            set.set_user_id("u1");
            set.set_phone("+41 79 123 45 67");
            if (mode == 1) set.mutable_send_code();
            if (mode == 2) set.set_is_verified(true);
            CHECK(keys_of(body_of(f.send(p, set_phone, set))) == std::vector<std::string>{"details"});
        }
        {
            api_fixture f;
            f.given_human("u1", "o1", "+41 71 000 00 00", false);
            v2::ResendPhoneCodeRequest resend;
            resend.set_user_id("u1");
            resend.mutable_send_code();
            CHECK(keys_of(body_of(f.send(p, resend_phone_code, resend))) == std::vector<std::string>{"details"});
            resend.mutable_return_code();
            const auto returned = body_of(f.send(p, resend_phone_code, resend));
            CHECK(returned["verificationCode"] == "CODE03");  // CODE01 at creation, CODE02 sent just now
        }
    }
}

TEST_CASE("Proto field names are accepted on input like their JSON names") {
    SECTION("REST") {
        api_fixture f;
        f.given_human("u1", "o1");
        const auto before = f.events().size();
        const auto answer = f.raw(rest("PUT", "/management/v1/users/u1/phone",
                                       R"({"phone": "+41 71 000 00 00", "is_phone_verified": true})"));
        INFO(answer.body);
        CHECK(answer.status == 200);
        CHECK(new_event_types(f, before) ==
              std::vector<std::string>{"user.human.phone.changed", "user.human.phone.verified"});
    }
    SECTION("Connect JSON") {
        api_fixture f;
        f.given_human("u1", "o1");
        const auto before = f.events().size();
        const auto answer = f.raw(connect_json(update_human_phone,
                                               R"({"user_id": "u1", "phone": "+41 71 000 00 00", "is_phone_verified": true})"));
        INFO(answer.body);
        CHECK(answer.status == 200);
        CHECK(new_event_types(f, before) ==
              std::vector<std::string>{"user.human.phone.changed", "user.human.phone.verified"});
    }
    SECTION("a oneof member by its proto name") {
        api_fixture f;
        f.given_human("u1", "o1");
        const auto answer =
            f.raw(connect_json(set_phone, R"({"user_id": "u1", "phone": "+41 79 123 45 67", "return_code": {}})"));
        CHECK(body_of(answer)["verificationCode"] == "CODE01");
    }
}

TEST_CASE("Unknown fields in a JSON request are ignored") {
    const std::string body = R"({"phone":"+41 71 000 00 00","isPhoneVerified":true,"foo":1})";
    SECTION("REST") {
        api_fixture f;
        f.given_human("u1", "o1");
        const auto before = f.events().size();
        const auto answer = f.raw(rest("PUT", "/management/v1/users/u1/phone", body));
        INFO(answer.body);
        CHECK(answer.status == 200);
        CHECK(new_event_types(f, before) ==
              std::vector<std::string>{"user.human.phone.changed", "user.human.phone.verified"});
    }
    SECTION("Connect JSON, with nested unknown values too") {
        api_fixture f;
        f.given_human("u1", "o1");
        const auto before = f.events().size();
        const auto answer = f.raw(connect_json(
            update_human_phone,
            R"({"userId":"u1","phone":"+41 71 000 00 00","isPhoneVerified":true,"foo":1,"bar":{"baz":[1,"two",null]}})"));
        INFO(answer.body);
        CHECK(answer.status == 200);
        CHECK(new_event_types(f, before) ==
              std::vector<std::string>{"user.human.phone.changed", "user.human.phone.verified"});
    }
}

TEST_CASE("What Go's protojson takes is taken: null leaves a field unset, beside another member of its oneof too") {
    for (const auto p : json_protocols) {
        INFO(name_of(p));
        api_fixture f;
        f.given_human("u1", "o1");
        const bool connect = p == protocol::connect_json;
        const auto send = [&](std::string verb, std::string path, std::string_view method, const std::string& body) {
            return f.raw(connect ? connect_json(method, R"({"userId":"u1",)" + body.substr(1))
                                 : rest(std::move(verb), std::move(path), body));
        };
        auto before = f.events().size();
        // An unknown field twice, a proto name.
        CHECK(body_of(send("PUT", "/management/v1/users/u1/phone", update_human_phone,
                           R"({"phone":"+41 71 000 00 00","foo":1,"foo":[2],"is_phone_verified":true})"))
                  .contains("details"));
        CHECK(new_event_types(f, before) ==
              std::vector<std::string>{"user.human.phone.changed", "user.human.phone.verified"});
        // null for a message and a bool field, beside the member of their oneof that is set.
        before = f.events().size();
        const auto set = body_of(send("POST", "/v2/users/u1/phone", set_phone,
                                      R"({"phone":"+41 79 123 45 67","sendCode":null,"returnCode":{},"isVerified":null})"));
        CHECK(set["verificationCode"] == "CODE01");
        CHECK(new_event_types(f, before) ==
              std::vector<std::string>{"user.human.phone.changed", "user.human.phone.code.added"});
    }
}

TEST_CASE("An enum given as a number in a string is a name Go's protojson does not know: AddHumanUser stores no gender") {
    // protobuf's C++ parser alone would take "1" as GENDER_FEMALE; Go looks it up as a name and discards it, as it
    // discards unknown enum names under DiscardUnknown.
    for (const auto p : json_protocols) {
        INFO(name_of(p));
        api_fixture f;
        const std::string body = R"({"userId":"u9","organization":{"orgId":"o1"},)"
                                 R"("profile":{"givenName":"Minnie","familyName":"Mouse","gender":"1"},)"
                                 R"("email":{"email":"minnie@example.com"}})";
        const auto answer = p == protocol::rest ? f.raw(rest("POST", "/v2/users/human", body))
                                                : f.raw(connect_json(add_human_user, body));
        CHECK(body_of(answer)["userId"] == "u9");
        const auto events = f.events();
        REQUIRE(events.size() == 1);
        CHECK(events[0].event_type == "user.human.added");
        INFO(events[0].payload);
        CHECK(json::parse(events[0].payload).contains("gender") == false);
    }
}

TEST_CASE("On REST the path's user id wins over a user id in the body") {
    SECTION("v1 UpdateHumanPhone") {
        api_fixture f;
        f.given_human("u1", "o1");
        f.given_human("u2", "o1");
        const auto answer = f.raw(rest("PUT", "/management/v1/users/u1/phone",
                                       R"({"userId":"u2","phone":"+41 71 000 00 00","isPhoneVerified":true})"));
        INFO(answer.body);
        CHECK(answer.status == 200);
        CHECK(stream_length(f, "u1") == 3);
        CHECK(stream_length(f, "u2") == 1);
    }
    SECTION("v2 SetPhone") {
        api_fixture f;
        f.given_human("u1", "o1");
        f.given_human("u2", "o1");
        const auto answer =
            f.raw(rest("POST", "/v2/users/u1/phone", R"({"userId":"u2","phone":"+41 79 123 45 67","isVerified":true})"));
        INFO(answer.body);
        CHECK(answer.status == 200);
        CHECK(stream_length(f, "u1") == 3);
        CHECK(stream_length(f, "u2") == 1);
    }
}

namespace {
// What a stored event says, but for the ciphertext of a code, which is drawn fresh (random nonce) on every run.
struct event_view {
    std::string aggregate_id, owner, creator, type;
    std::uint64_t sequence;
    timestamp created_at;
    json payload;

    friend bool operator==(const event_view&, const event_view&) = default;
};

std::vector<event_view> stored_after(const api_fixture& f, std::size_t before) {
    std::vector<event_view> out;
    const auto all = f.events();
    for (std::size_t i = before; i < all.size(); ++i) {
        const auto& e = all[i];
        json payload = e.payload.empty() ? json() : json::parse(e.payload);
        if (payload.is_object() && payload.contains("code")) payload["code"]["Crypted"] = "<ciphertext>";
        out.push_back({e.aggregate.aggregate_id, e.owner, e.creator, e.event_type, e.sequence.value, e.created_at,
                       std::move(payload)});
    }
    return out;
}

// Runs `given`, then the request once as binary protobuf (Connect and gRPC-Web, from the generated class) and once
// as the hand-written JSON (Connect and REST); all four must store the same events.
template <class Given>
void same_events_from_binary_and_json(Given given, std::string_view method, const google::protobuf::Message& binary,
                                      const std::string& json_body, const api::api_request& rest_request) {
    std::vector<std::vector<event_view>> runs;
    for (int form = 0; form < 4; ++form) {
        api_fixture f;
        given(f);
        const auto before = f.events().size();
        if (form == 0) REQUIRE(f.send(protocol::connect_proto, method, binary).ok());
        if (form == 1) REQUIRE(f.send(protocol::grpc_web, method, binary).ok());
        if (form == 2) REQUIRE(body_of(f.raw(connect_json(method, json_body))).is_object());
        if (form == 3) REQUIRE(body_of(f.raw(rest_request)).is_object());
        runs.push_back(stored_after(f, before));
    }
    REQUIRE_FALSE(runs[0].empty());
    for (std::size_t i = 1; i < runs.size(); ++i) {
        INFO("form " << i);
        CHECK(runs[i] == runs[0]);
    }
}
}  // namespace

TEST_CASE("A binary protobuf request and the same request as JSON store the same events") {
    SECTION("v1 UpdateHumanPhone") {
        same_events_from_binary_and_json(
            [](api_fixture& f) { f.given_human("u1", "o1"); }, update_human_phone,
            update("u1", "+41 71 000 00 00", true), R"({"userId":"u1","phone":"+41 71 000 00 00","isPhoneVerified":true})",
            rest("PUT", "/management/v1/users/u1/phone", R"({"phone":"+41 71 000 00 00","isPhoneVerified":true})"));
    }
    SECTION("v2 SetPhone with a code sent") {
        v2::SetPhoneRequest set;
        set.set_user_id("u1");
        set.set_phone("+41 79 123 45 67");
        set.mutable_send_code();
        same_events_from_binary_and_json(
            [](api_fixture& f) { f.given_human("u1", "o1"); }, set_phone, set,
            R"({"userId":"u1","phone":"+41 79 123 45 67","sendCode":{}})",
            rest("POST", "/v2/users/u1/phone", R"({"phone":"+41 79 123 45 67","sendCode":{}})"));
    }
    SECTION("v2 AddHumanUser, with the gender as a name in JSON and a number in binary") {
        v2::AddHumanUserRequest add;
        add.set_user_id("u9");
        add.set_username("minnie");
        add.mutable_organization()->set_org_id("o1");
        add.mutable_profile()->set_given_name("Minnie");
        add.mutable_profile()->set_family_name("Mouse");
        add.mutable_profile()->set_gender(v2::GENDER_FEMALE);
        add.mutable_email()->set_email("minnie@example.com");
        add.mutable_email()->set_is_verified(true);
        add.mutable_phone()->set_phone("+41 79 123 45 67");
        add.mutable_phone()->set_is_verified(true);
        const std::string body =
            R"({"userId":"u9","username":"minnie","organization":{"orgId":"o1"},)"
            R"("profile":{"givenName":"Minnie","familyName":"Mouse","gender":"GENDER_FEMALE"},)"
            R"("email":{"email":"minnie@example.com","isVerified":true},)"
            R"("phone":{"phone":"+41 79 123 45 67","isVerified":true}})";
        same_events_from_binary_and_json([](api_fixture&) {}, add_human_user, add, body,
                                         rest("POST", "/v2/users/human", body));
    }
}
