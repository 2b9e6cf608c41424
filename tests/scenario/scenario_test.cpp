// The scenario runner's wire format, operation by operation. Other components script `scenario`, so field names,
// string sequences, RFC 3339 timestamps and failure lines are part of its contract.
#include <catch2/catch.hpp>

#include <sstream>

#include "runner.hpp"
#include "userstream/eventstore/memory_event_store.hpp"

using scenario::json;

namespace {

struct harness {
    userstream::eventstore::memory_event_store store;
    scenario::runner runner{store, {}};

    std::vector<json> run(const std::string& script) {
        std::istringstream in(script);
        std::ostringstream out;
        runner.run(in, out);
        std::vector<json> lines;
        std::istringstream answers(out.str());
        for (std::string line; std::getline(answers, line);) lines.push_back(json::parse(line));
        return lines;
    }
};

bool is_rfc3339_utc(const json& v) {
    const auto s = v.get<std::string>();
    return s.size() == 27 && s[10] == 'T' && s.back() == 'Z' && userstream::parse_rfc3339(s).has_value();
}

}  // namespace

TEST_CASE("scenario: a v1 set answers with details and the pushed events", "[scenario]") {
    harness h;
    const auto out = h.run(R"(
# comments and blank lines are skipped
{"op":"add_human","userId":"u1","orgId":"o1"}

{"op":"set_phone_v1","userId":"u1","orgId":"o1","phone":"+41 71 000 00 00","isPhoneVerified":true}
)");
    REQUIRE(out.size() == 2);
    const auto& set = out[1];
    CHECK(set["ok"] == true);
    CHECK(set["details"]["sequence"] == "3");
    CHECK(set["details"]["resourceOwner"] == "o1");
    CHECK(is_rfc3339_utc(set["details"]["creationDate"]));
    CHECK(is_rfc3339_utc(set["details"]["changeDate"]));
    REQUIRE(set["events"].size() == 2);
    CHECK(set["events"][0] ==
          json::parse(R"({"type":"user.human.phone.changed","sequence":"2","payload":{"phone":"+41710000000"}})"));
    CHECK(set["events"][1] == json::parse(R"({"type":"user.human.phone.verified","sequence":"3"})"));
    CHECK_FALSE(set.contains("verificationCode"));
    // Field order is part of the format: ok, details, events.
    CHECK(set.begin().key() == "ok");
}

TEST_CASE("scenario: failure lines carry id, key, kind and message, and push nothing", "[scenario]") {
    harness h;
    const auto out = h.run(R"({"op":"add_human","userId":"u1","orgId":"o1","phone":"+41710000000","isPhoneVerified":true}
{"op":"set_phone_v1","userId":"u1","orgId":"o1","phone":"+41 71 000 00 00","isPhoneVerified":true}
{"op":"events","userId":"u1"})");
    REQUIRE(out.size() == 3);
    CHECK(out[1] == json::parse(R"({"ok":false,"error":{"id":"COMMAND-wF94r","key":"Errors.User.Phone.NotChanged","kind":"FailedPrecondition","message":"Phone not changed"}})"));
    CHECK(out[2]["events"].size() == 2);
}

TEST_CASE("scenario: v2 return_code returns the code; at most one verification option", "[scenario]") {
    harness h;
    const auto out = h.run(R"({"op":"add_human","userId":"u1","orgId":"o1"}
{"op":"set_phone_v2","userId":"u1","phone":"079 123 45 67","returnCode":{}}
{"op":"set_phone_v2","userId":"u1","phone":"079 123 45 68","returnCode":{},"sendCode":{}}
{"op":"set_phone_v2","userId":"u1","phone":"079 123 45 68","isVerified":false}
{"op":"set_phone_v2","userId":"u1","phone":"079 123 45 68","isVerified":true}
{"op":"set_phone_v2","userId":"u1","phone":"079 123 45 69"})");
    REQUIRE(out.size() == 6);
    CHECK(out[1]["verificationCode"].get<std::string>().size() == 6);
    CHECK(out[1]["events"][1]["payload"]["code_returned"] == true);
    CHECK(out[2]["error"]["kind"] == "InvalidArgument");
    CHECK(out[3]["error"]["id"] == "US-PHONE-isverified");
    CHECK(out[4]["events"][1]["type"] == "user.human.phone.verified");
    CHECK(out[5]["events"][1]["type"] == "user.human.phone.code.added");
    CHECK_FALSE(out[5].contains("verificationCode"));
}

TEST_CASE("scenario: callers and their permissions", "[scenario]") {
    harness h;
    const auto out = h.run(R"({"op":"add_human","userId":"u1","orgId":"o1"}
{"op":"set_phone_v2","userId":"u1","phone":"+41710000000","isVerified":true,"caller":{"userId":"u1","orgId":"o1"}}
{"op":"set_phone_v2","userId":"u1","phone":"+41710000000","sendCode":{},"caller":{"userId":"u1","orgId":"o1"}}
{"op":"set_phone_v1","userId":"u1","phone":"+41710000001","isPhoneVerified":true,"caller":{"userId":"a","orgId":"o1","permissions":{"o1":["user.write"]}}}
{"op":"set_phone_v1","userId":"u1","orgId":"o1","phone":"+41710000002","isPhoneVerified":true,"caller":{"userId":"b","orgId":"o2","permissions":{"o2":["user.write"]}}}
{"op":"set_phone_v1","userId":"u1","phone":"+41710000003","isPhoneVerified":true})");
    REQUIRE(out.size() == 6);
    CHECK(out[1]["error"]["id"] == "AUTH-AWfge");
    CHECK(out[2]["ok"] == true);
    CHECK(out[3]["ok"] == true);  // no header: the caller's own org o1
    CHECK(out[4]["error"]["id"] == "AUTH-5mWD2");
    CHECK(out[5]["ok"] == true);  // the default administrator
}

TEST_CASE("scenario: configure changes region and policy", "[scenario]") {
    harness h;
    const auto out = h.run(R"({"op":"configure","defaultRegion":"DE","phonePolicy":"parse"}
{"op":"add_human","userId":"u1","orgId":"o1"}
{"op":"set_phone_v2","userId":"u1","phone":"0711234567","isVerified":true}
{"op":"set_phone_v2","userId":"u1","phone":"+4112","isVerified":true}
{"op":"configure","phonePolicy":"strict"})");
    REQUIRE(out.size() == 5);
    CHECK(out[0] == json::parse(R"({"ok":true})"));
    CHECK(out[2]["events"][0]["payload"]["phone"] == "+49711234567");
    CHECK(out[3]["events"][0]["payload"]["phone"] == "+4112");
    CHECK(out[4]["error"]["kind"] == "InvalidArgument");
}

TEST_CASE("scenario: machines, removal, details and malformed lines", "[scenario]") {
    harness h;
    const auto out = h.run(R"({"op":"add_machine","userId":"m1","orgId":"o1"}
{"op":"set_phone_v1","userId":"m1","orgId":"o1","phone":"+41710000000","isPhoneVerified":true}
{"op":"remove_user","userId":"m1","orgId":"o1"}
{"op":"details","userId":"m1"}
{"op":"details","userId":"nobody"}
not json
{"op":"fly"}
{"op":"set_phone_v1","userId":"m1"}
[1,2])");
    REQUIRE(out.size() == 9);
    CHECK(out[1]["error"]["id"] == "COMMAND-3M0fs");
    CHECK(out[2]["events"][0]["type"] == "user.removed");
    CHECK(out[3]["details"]["sequence"] == "2");
    CHECK(out[4]["error"]["kind"] == "NotFound");
    for (std::size_t i = 5; i < 9; ++i) {
        INFO(i);
        CHECK(out[i]["ok"] == false);
        CHECK(out[i]["error"]["kind"] == "InvalidArgument");
    }
}

TEST_CASE("scenario: the phone lifecycle ops", "[scenario][lifecycle]") {
    harness h;
    const auto out = h.run(R"({"op":"add_human","userId":"u1","orgId":"o1"}
{"op":"set_phone_v1","userId":"u1","orgId":"o1","phone":"+41 71 000 00 00","isPhoneVerified":false}
{"op":"deliver_sms"}
{"op":"verify_phone_v1","userId":"u1","orgId":"o1","code":"WRONG1"}
{"op":"verify_phone_v2","userId":"u1","code":"@last_sms"}
{"op":"resend_code_v1","userId":"u1","orgId":"o1"}
{"op":"remove_phone_v1","userId":"u1","orgId":"o1"}
{"op":"remove_phone_v2","userId":"u1"}
{"op":"set_phone_v2","userId":"u1","phone":"+41710000000","sendCode":{}}
{"op":"resend_code_v2","userId":"u1","returnCode":{}}
{"op":"code_sent","userId":"u1","orgId":"o1","generatorInfo":{"id":"sms-1","verificationId":"VE1"}}
{"op":"verify_phone_v2","userId":"u1","code":"@nothing"})");
    REQUIRE(out.size() == 12);
    CHECK(out[2]["messages"].size() == 1);
    CHECK(out[2]["messages"][0]["phone"] == "+41710000000");
    CHECK(out[2]["messages"][0]["code"].get<std::string>().size() == 6);
    CHECK(out[3]["error"]["id"] == "COMMAND-sM0cs");
    CHECK(out[4]["events"][0]["type"] == "user.human.phone.verified");
    CHECK(out[5]["error"]["id"] == "COMMAND-2M9sf");
    CHECK(out[6]["events"][0]["type"] == "user.human.phone.removed");
    CHECK(out[7]["error"]["id"] == "COMMAND-ieJ2e");
    CHECK(out[7]["error"]["kind"] == "FailedPrecondition");
    CHECK(out[9]["verificationCode"].get<std::string>().size() == 6);
    CHECK(out[10]["events"][0] == json::parse(R"({"type":"user.human.phone.code.sent","sequence":"11","payload":{"generatorInfo":{"id":"sms-1","verificationId":"VE1"}}})"));
    CHECK(out[11]["error"]["id"] == "COMMAND-eis9R");
}

TEST_CASE("scenario: advance_clock scripts code expiry", "[scenario][lifecycle]") {
    harness h;
    const auto out = h.run(R"({"op":"add_human","userId":"u1","orgId":"o1"}
{"op":"set_phone_v2","userId":"u1","phone":"+41710000000","sendCode":{}}
{"op":"advance_clock","seconds":3601}
{"op":"deliver_sms"}
{"op":"advance_clock","seconds":-1})");
    REQUIRE(out.size() == 5);
    CHECK(out[2]["ok"] == true);
    CHECK(out[3]["messages"].empty());
    CHECK(out[3]["skipped"] == 1);
    CHECK(out[4]["error"]["kind"] == "InvalidArgument");
}

TEST_CASE("scenario: details and get_phone read the projections and see the runner's own writes", "[scenario][projections]") {
    harness h;
    const auto out = h.run(R"({"op":"get_phone","userId":"u1"}
{"op":"add_human","userId":"u1","orgId":"o1"}
{"op":"get_phone","userId":"u1"}
{"op":"set_phone_v1","userId":"u1","orgId":"o1","phone":"+41 71 000 00 00","isPhoneVerified":true}
{"op":"get_phone","userId":"u1"}
{"op":"set_phone_v2","userId":"u1","phone":"+41 79 123 45 67","returnCode":{}}
{"op":"details","userId":"u1"}
{"op":"get_phone","userId":"u1"}
{"op":"add_machine","userId":"m1","orgId":"o1"}
{"op":"get_phone","userId":"m1"})");
    REQUIRE(out.size() == 10);
    CHECK(out[0]["error"]["kind"] == "NotFound");
    CHECK(out[2]["error"]["id"] == "EVENT-pos9e");
    CHECK(out[4] == json::parse(R"({"ok":true,"phone":"+41710000000","isPhoneVerified":true})"));
    // The code event counts: the details' sequence is the aggregate's real last one.
    CHECK(out[6]["details"] == out[5]["details"]);
    CHECK(out[6]["details"]["sequence"] == "5");
    CHECK(out[7] == json::parse(R"({"ok":true,"phone":"+41791234567","isPhoneVerified":false})"));
    CHECK(out[9]["error"]["id"] == "QUERY-hliQl");
}
