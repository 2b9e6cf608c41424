// The scenario runner's wire format, operation by operation. Other components script `scenario`, so field names,
// string sequences, RFC 3339 timestamps and failure lines are part of its contract.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "key_file.hpp"
#include "runner.hpp"
#include "userstream/eventstore/memory_event_store.hpp"
#ifdef USERSTREAM_SCENARIO_SQLITE
#include "userstream/backends/sqlite_event_store.hpp"
#endif

using scenario::json;

namespace {

// Runs a script and parses every answer line.
std::vector<json> run_on(scenario::runner& runner, const std::string& script) {
    std::istringstream in(script);
    std::ostringstream out;
    runner.run(in, out);
    std::vector<json> lines;
    std::istringstream answers(out.str());
    for (std::string line; std::getline(answers, line);) lines.push_back(json::parse(line));
    return lines;
}

struct harness {
    userstream::eventstore::memory_event_store store;
    scenario::runner runner{store, {}};

    std::vector<json> run(const std::string& script) { return run_on(runner, script); }
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

TEST_CASE("scenario: v2 return_code returns the code, at most one verification option", "[scenario]") {
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

// --- issue 8: one line must never end the run; input size is capped; a restarted runner sees what is stored ---

namespace {

// A memory store whose append throws for one user id, as a store whose database failed mid-operation would.
class failing_store final : public userstream::eventstore::event_store {
public:
    std::string failing_user;
    bool throw_infrastructure = true;

    userstream::result<userstream::eventstore::append_result> append(
        std::vector<userstream::eventstore::aggregate_append> batch) override {
        for (const auto& part : batch) {
            if (part.aggregate.aggregate_id != failing_user) continue;
            if (throw_infrastructure) throw userstream::infrastructure_error("database went away");
            throw std::logic_error("an unexpected failure with password=hunter2 in its text");
        }
        return inner_.append(std::move(batch));
    }
    std::vector<userstream::eventstore::stored_event> read_aggregate(
        const userstream::eventstore::aggregate_key& aggregate, userstream::eventstore::sequence_number after) const override {
        return inner_.read_aggregate(aggregate, after);
    }
    std::vector<userstream::eventstore::stored_event> read_global(userstream::eventstore::global_position after,
                                                                  const userstream::eventstore::global_filter& filter,
                                                                  std::size_t limit) const override {
        return inner_.read_global(after, filter, limit);
    }
    userstream::eventstore::global_position head() const override { return inner_.head(); }

private:
    userstream::eventstore::memory_event_store inner_;
};

void check_input_error(const json& line) {
    CHECK(line["ok"] == false);
    CHECK(line["error"]["id"] == "SCENARIO-input");
    CHECK(line["error"]["kind"] == "InvalidArgument");
}

void check_too_large(const json& line) {
    CHECK(line["ok"] == false);
    CHECK(line["error"]["id"] == "SCENARIO-toolarge");
    CHECK(line["error"]["kind"] == "InvalidArgument");
}

// An add_human line padded with `members` extra object members in total.
std::string add_human_with_members(const std::string& user, std::size_t members) {
    std::string line = R"({"op":"add_human","userId":")" + user + R"(","orgId":"o1")";
    for (std::size_t i = 3; i < members; ++i) line += ",\"k" + std::to_string(i) + "\":0";
    return line + "}";
}

// An add_machine line with a "list" field of `elements` array elements.
std::string add_machine_with_elements(const std::string& user, std::size_t elements) {
    std::string line = R"({"op":"add_machine","userId":")" + user + R"(","orgId":"o1","list":[0)";
    for (std::size_t i = 1; i < elements; ++i) line += ",0";
    return line + "]}";
}

// An add_human line whose "pad" field makes it exactly `bytes` long.
std::string add_human_of_length(const std::string& user, std::size_t bytes) {
    const std::string head = R"({"op":"add_human","userId":")" + user + R"(","orgId":"o1","pad":")";
    return head + std::string(bytes - head.size() - 2, 'x') + "\"}";
}

// An add_human line with `levels` levels of nesting, counting the line's own object as level 1.
std::string add_human_nested(const std::string& user, std::size_t levels) {
    return R"({"op":"add_human","userId":")" + user + R"(","orgId":"o1","deep":)" + std::string(levels - 1, '[') +
           std::string(levels - 1, ']') + "}";
}

}  // namespace

TEST_CASE("defect 8.3: an advance_clock out of bounds answers SCENARIO-input and the run goes on", "[scenario][issue8]") {
    harness h;
    const auto out = h.run(R"({"op":"advance_clock","seconds":1e12}
{"op":"advance_clock","seconds":3e11}
{"op":"advance_clock","seconds":1e20}
{"op":"advance_clock","seconds":1e400}
{"op":"advance_clock","seconds":18446744073709551615}
{"op":"advance_clock","seconds":9223372036854}
{"op":"advance_clock","seconds":3155760001}
{"op":"advance_clock","seconds":-1}
{"op":"advance_clock","seconds":-1e20}
{"op":"advance_clock","seconds":"60"}
{"op":"advance_clock","seconds":0.5}
{"op":"advance_clock","seconds":3155760000}
{"op":"add_human","userId":"u1","orgId":"o1"})");
    REQUIRE(out.size() == 13);
    for (std::size_t i = 0; i < 10; ++i) {
        INFO(i);
        check_input_error(out[i]);
    }
    CHECK(out[0]["error"]["message"].get<std::string>().find("3155760000") != std::string::npos);
    CHECK(out[10]["ok"] == true);  // fractions of a second stay allowed
    REQUIRE(out[11]["ok"] == true);  // the largest single step: 100 years
    CHECK(out[11]["now"].get<std::string>() > out[10]["now"].get<std::string>());
    CHECK(is_rfc3339_utc(out[11]["now"]));
    CHECK(out[12]["ok"] == true);
}

TEST_CASE("defect 8.3: advance_clock stops before the clock passes the last time RFC 3339 can write", "[scenario][issue8]") {
    harness h;
    std::string script;
    for (int i = 0; i < 100; ++i) script += "{\"op\":\"advance_clock\",\"seconds\":3155760000}\n";  // 100 x 100 years
    script += R"({"op":"advance_clock","seconds":0}
{"op":"add_human","userId":"u1","orgId":"o1"}
{"op":"details","userId":"u1"})";
    const auto out = h.run(script);
    REQUIRE(out.size() == 103);
    std::size_t accepted = 0;
    while (accepted < 100 && out[accepted]["ok"] == true) ++accepted;
    CHECK(accepted > 70);  // from today to 9999 is about 80 steps
    CHECK(accepted < 100);
    for (std::size_t i = accepted; i < 100; ++i) {
        INFO(i);
        check_input_error(out[i]);
    }
    const auto last_now = out[accepted - 1]["now"].get<std::string>();
    CHECK(last_now.rfind("99", 0) == 0);  // within the last century RFC 3339 can write
    CHECK(is_rfc3339_utc(out[accepted - 1]["now"]));
    // The refused steps left the clock where it was.
    REQUIRE(out[100]["ok"] == true);
    CHECK(out[100]["now"].get<std::string>().substr(0, 7) == last_now.substr(0, 7));
    REQUIRE(out[101]["ok"] == true);
    CHECK(out[101]["details"]["changeDate"].get<std::string>().rfind("99", 0) == 0);
    CHECK(out[102]["details"] == out[101]["details"]);
}

TEST_CASE("defect 8.3: an exception while answering a line becomes an Internal failure line and the run goes on",
          "[scenario][issue8]") {
    failing_store store;
    store.failing_user = "doomed";
    scenario::runner runner{store, {}};
    store.throw_infrastructure = GENERATE(true, false);
    const auto out = run_on(runner, R"({"op":"add_human","userId":"doomed","orgId":"o1"}
{"op":"add_human","userId":"u1","orgId":"o1"}
{"op":"get_phone","userId":"u1"})");
    REQUIRE(out.size() == 3);
    CHECK(out[0]["ok"] == false);
    CHECK(out[0]["error"]["id"] == "SCENARIO-internal");
    CHECK(out[0]["error"]["kind"] == "Internal");
    CHECK(out[0]["error"]["key"] == "Errors.Scenario.Internal");
    // Only the library's infrastructure errors, which never carry secrets, are quoted.
    const auto message = out[0]["error"]["message"].get<std::string>();
    CHECK((message.find("database went away") != std::string::npos) == store.throw_infrastructure);
    CHECK(message.find("hunter2") == std::string::npos);
    CHECK(out[1]["ok"] == true);
    CHECK(out[2]["error"]["id"] == "EVENT-pos9e");
}

TEST_CASE("defect 8.4: a line with too many members is refused quickly, one at the cap still works", "[scenario][issue8]") {
    harness h;
    const auto out = h.run(add_human_with_members("u1", 200'000) + "\n" +   // 2.3 MB: also over the length cap
                           add_human_with_members("u2", 10'001) + "\n" +    // under the length cap
                           add_human_with_members("u3", 10'000) + "\n" +
                           add_machine_with_elements("m1", 9'997) + "\n" +  // 4 members + 9,997 elements
                           R"({"op":"events","userId":"u3"})");
    REQUIRE(out.size() == 5);
    check_too_large(out[0]);
    check_too_large(out[1]);
    CHECK(out[1]["error"]["message"].get<std::string>().find("10000") != std::string::npos);
    CHECK(out[2]["ok"] == true);
    check_too_large(out[3]);
    CHECK(out[4]["events"].size() == 1);
}

TEST_CASE("defect 8.4: a line longer than 1 MiB or nested deeper than 32 levels is refused, one at the caps works",
          "[scenario][issue8]") {
    harness h;
    constexpr std::size_t max_line = 1'048'576;
    const auto out = h.run(add_human_of_length("u1", max_line + 1) + "\n" + add_human_of_length("u2", max_line) + "\n" +
                           "#" + std::string(max_line + 10, '#') + "\n" +  // an over-long comment is still a comment
                           add_human_nested("u3", 33) + "\n" + add_human_nested("u4", 32) + "\n" +
                           R"({"op":"events","userId":"u1"})" + "\n" + R"({"op":"events","userId":"u2"})");
    REQUIRE(out.size() == 6);
    check_too_large(out[0]);
    CHECK(out[0]["error"]["message"].get<std::string>().find("1048576") != std::string::npos);
    CHECK(out[1]["ok"] == true);
    check_too_large(out[2]);
    CHECK(out[3]["ok"] == true);
    CHECK(out[4]["events"].empty());
    CHECK(out[5]["events"].size() == 1);
}

namespace {

// A fresh directory under the system's temporary one, removed with everything in it at the end of the test.
struct scratch_dir {
    std::filesystem::path path;
    scratch_dir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "scenario-test-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~scratch_dir() { std::filesystem::remove_all(path); }
};

std::string read_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("defect 8.3: a key file of the wrong size is refused with a clear error and left as it was",
          "[scenario][issue8]") {
    scratch_dir dir;
    const auto path = dir.path / "store.db.key";
    const auto size = GENERATE(std::size_t{0}, std::size_t{31}, std::size_t{33}, std::size_t{4096});
    INFO(size);
    const std::string content(size, '\x5a');
    std::ofstream(path, std::ios::binary) << content;
    userstream::user::key_ring keys;
    CHECK_THROWS_WITH(scenario::use_key_file(keys, path),
                      Catch::Contains(std::to_string(size) + " bytes") && Catch::Contains("exactly 32 bytes") &&
                          Catch::Contains(path.string()));
    CHECK(read_bytes(path) == content);
}

TEST_CASE("scenario: a key file is created on first use and read back by the next run", "[scenario]") {
    scratch_dir dir;
    const auto path = dir.path / "store.db.key";
    userstream::user::key_ring first;
    scenario::use_key_file(first, path);
    const auto key = read_bytes(path);
    CHECK(key.size() == 32);
    CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    userstream::user::key_ring second;
    scenario::use_key_file(second, path);
    CHECK(read_bytes(path) == key);
}

#ifdef USERSTREAM_SCENARIO_SQLITE
TEST_CASE("defect 8.7: after a restart on a SQLite file, the runner's first queries see what earlier runs stored",
          "[scenario][issue8]") {
    scratch_dir dir;
    json stored_details;
    const userstream::backends::sqlite_options file{.path = (dir.path / "t.db").string(),
                                                    .synchronous = userstream::backends::sqlite_synchronous::off};
    {
        userstream::backends::sqlite_event_store store(file);
        scenario::runner first{store, {}};
        const auto out = run_on(first, R"({"op":"add_human","userId":"u1","orgId":"o1","phone":"+41710000000","isPhoneVerified":true}
{"op":"add_human","userId":"u2","orgId":"o1"})");
        REQUIRE(out.size() == 2);
        REQUIRE(out[1]["ok"] == true);
        stored_details = out[0]["details"];
    }
    userstream::backends::sqlite_event_store store(file);
    scenario::runner second{store, {}};
    const std::string query = GENERATE(std::string("get_phone"), std::string("details"));
    INFO(query);
    const auto out = run_on(second, R"({"op":")" + query + R"(","userId":"u1"})" + "\n" + R"({"op":"get_phone","userId":"u2"})");
    REQUIRE(out.size() == 2);
    if (query == "get_phone") {
        CHECK(out[0] == json::parse(R"({"ok":true,"phone":"+41710000000","isPhoneVerified":true})"));
    } else {
        CHECK(out[0] == json{{"ok", true}, {"details", stored_details}});
    }
    CHECK(out[1]["error"]["id"] == "EVENT-pos9e");  // a human without phone, not a missing user
}
#endif
