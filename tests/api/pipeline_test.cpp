// What every method shares: authentication before anything runs, read-your-writes for reads after writes through the
// handler, internal failures hidden from the client, and `call`, the binary entry a gRPC listener uses.
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>

#include "google/rpc/status.pb.h"
#include "support/api_fixture.hpp"
#include "support/seed_request.hpp"
#include "support/freezable_store.hpp"
#include "unit/support/forwarding_store.hpp"
#include "zitadel/management.pb.h"
#include "zitadel/message.pb.h"
#include "zitadel/user/v2/user_service.pb.h"

using namespace userstream;
using namespace userstream::api_tests;
namespace mgmt = zitadel::management::v1;
namespace v2 = zitadel::user::v2;

TEST_CASE("Without a bearer token, or with an unknown one, a method is Unauthenticated and runs nothing") {
    for (const auto p : all_protocols) {
        INFO(name_of(p));
        api_fixture f;
        f.given_human("u1", "o1");
        const auto before = f.events().size();
        const auto missing = f.send(p, "zitadel.management.v1.ManagementService/UpdateHumanPhone", seed_update_request(), "");
        CHECK(missing.code == 16);
        CHECK(missing.error_id == "US-API-token-missing");
        CHECK(missing.http_status == expected_http_status(p, 16));
        const auto unknown =
            f.send(p, "zitadel.management.v1.ManagementService/UpdateHumanPhone", seed_update_request(), "guess");
        CHECK(unknown.code == 16);
        CHECK(unknown.error_id == "US-API-token-invalid");
        CHECK(f.events().size() == before);
    }
}

TEST_CASE("The Authorization scheme is case-insensitive and other schemes are not bearer tokens") {
    api_fixture f;
    f.given_human("u1", "o1");
    const std::string body = R"({"phone":"+41 71 000 00 00","isPhoneVerified":true})";
    auto put = [&](std::string authorization) {
        return f.raw({"PUT", "/management/v1/users/u1/phone", {{"authorization", std::move(authorization)}}, body});
    };
    CHECK(put("Basic YWRtaW4=").status == 401);
    CHECK(put("Bearer").status == 401);
    CHECK(put("bearer admin-token").status == 200);
}

TEST_CASE("A read right after a write through the handler sees the write") {
    api_fixture f;
    f.given_human("u1", "o1");
    for (int i = 0; i < 20; ++i) {
        mgmt::UpdateHumanPhoneRequest change;
        change.set_user_id("u1");
        change.set_phone("+41 71 000 00 " + std::to_string(10 + i));
        change.set_is_phone_verified(i % 2 == 0);
        REQUIRE(f.send(protocol::connect_proto, "zitadel.management.v1.ManagementService/UpdateHumanPhone", change).ok());
        mgmt::GetHumanPhoneRequest get;
        get.set_user_id("u1");
        const auto read = f.send(protocol::connect_proto, "zitadel.management.v1.ManagementService/GetHumanPhone", get);
        REQUIRE(read.ok());
        CHECK(read.as<mgmt::GetHumanPhoneResponse>().phone().phone() == "+417100000" + std::to_string(10 + i));
        CHECK(read.as<mgmt::GetHumanPhoneResponse>().phone().is_phone_verified() == (i % 2 == 0));
    }
}


TEST_CASE("A read whose read model cannot catch up within the bound answers Unavailable, which is retryable") {
    api_fixture f;
    f.given_human("u1", "o1");
    freezable_store view(f.store);
    projections::user_projections lagging(view);
    api::api_options options;
    options.read_your_writes_timeout = std::chrono::milliseconds(50);
    api::api_handler handler(*f.users, lagging, f.tokens, f.tokens, options);
    const api::header_list admin{{"Authorization", "Bearer admin-token"}};

    view.freeze();
    REQUIRE(handler.handle({"PUT", "/management/v1/users/u1/phone", admin, R"({"phone":"+41 71 000 00 00"})"}).status ==
            200);
    const auto behind = handler.handle({"GET", "/management/v1/users/u1/phone", admin, ""});
    CHECK(behind.status == 503);
    CHECK(behind.body.find("US-QUERY-behind") != std::string::npos);

    view.thaw();
    const auto caught_up = handler.handle({"GET", "/management/v1/users/u1/phone", admin, ""});
    CHECK(caught_up.status == 200);
    CHECK(caught_up.body.find("+41710000000") != std::string::npos);
}

namespace {
// A store that has become unreachable, as PostgreSQL is while it restarts: every read throws what the SQL layer throws.
class unreachable_store final : public userstream::testing::forwarding_store {
public:
    using forwarding_store::forwarding_store;
    void go_down() { down_ = true; }

    std::vector<eventstore::stored_event> read_aggregate(const eventstore::aggregate_key& key,
                                                         eventstore::sequence_number after) const override {
        if (down_) throw unavailable_error("PostgreSQL: connection to 10.0.0.7 lost");
        return inner_.read_aggregate(key, after);
    }
    std::vector<eventstore::stored_event> read_global(eventstore::global_position after,
                                                      const eventstore::global_filter& filter,
                                                      std::size_t limit) const override {
        if (down_) throw unavailable_error("PostgreSQL: connection to 10.0.0.7 lost");
        return inner_.read_global(after, filter, limit);
    }

private:
    std::atomic<bool> down_{false};
};
}  // namespace

TEST_CASE("A store that cannot be reached while a method reads it answers Unavailable (retryable), not Internal, the "
          "detail goes only to the log hook") {
    api_fixture f;
    f.given_human("u1", "o1");
    f.given_human("u2", "o1");
    unreachable_store store(f.store);
    user::user_service users(store, f.tokens, f.keys, f.clock, f.ids, {});
    projections::user_projections read_side(store);
    std::vector<std::string> lines;
    api::api_options options;
    options.log = [&](std::string_view line) { lines.emplace_back(line); };
    api::api_handler handler(users, read_side, f.tokens, f.tokens, options);
    const api::header_list admin{{"Authorization", "Bearer admin-token"}};
    REQUIRE(handler.handle({"PUT", "/management/v1/users/u1/phone", admin, R"({"phone":"+41 79 123 45 67"})"}).status ==
            200);

    // u2's stream was never loaded by this service, so the command must read it, as any command after a restart must.
    const auto stored_before = f.events().size();
    store.go_down();
    const auto answer =
        handler.handle({"PUT", "/management/v1/users/u2/phone", admin, R"({"phone":"+41 71 000 00 00"})"});
    CHECK(answer.status == 503);
    CHECK(answer.body.find(R"("code":14)") != std::string::npos);
    CHECK(answer.body.find("EVENTSTORE-Unavailable") != std::string::npos);
    CHECK(answer.body.find("10.0.0.7") == std::string::npos);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("10.0.0.7") != std::string::npos);
    CHECK(f.events().size() == stored_before);
}

namespace {
// An authenticator whose lookup fails, as a host's identity provider might.
struct failing_authenticator final : api::authenticator {
    std::optional<user::caller> authenticate(std::string_view) const override {
        throw std::runtime_error("identity provider down at 10.0.0.7");
    }
};
}  // namespace

TEST_CASE("An internal failure answers a generic Internal error, the detail goes only to the log hook") {
    api_fixture f;
    failing_authenticator failing;
    std::vector<std::string> lines;
    api::api_options options;
    options.log = [&](std::string_view line) { lines.emplace_back(line); };
    api::api_handler handler(*f.users, *f.read_side, failing, f.tokens, options);
    const auto answer = handler.handle({"PUT", "/management/v1/users/u1/phone", {{"Authorization", "Bearer admin-token"}},
                                        R"({"phone":"+41 71 000 00 00"})"});
    CHECK(answer.status == 500);
    CHECK(answer.body ==
          R"js({"code":13,"message":"Internal error (US-API-internal)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"US-API-internal","message":"Internal error"}]})js");
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("identity provider down") != std::string::npos);
    CHECK(lines[0].find("admin-token") == std::string::npos);
}

TEST_CASE("call() runs a method on binary protobuf with metadata, as a gRPC listener would") {
    api_fixture f;
    f.given_human("u1", "o1");
    const auto ok = f.api->call("/zitadel.management.v1.ManagementService/UpdateHumanPhone",
                                seed_update_request().SerializeAsString(), {"Bearer admin-token", "o1"});
    REQUIRE(ok.status.ok());
    mgmt::UpdateHumanPhoneResponse response;
    REQUIRE(response.ParseFromString(ok.response));
    CHECK(response.details().sequence() == 3);
    CHECK(ok.status_details().empty());

    const auto again = f.api->call("zitadel.management.v1.ManagementService/UpdateHumanPhone",
                                   seed_update_request().SerializeAsString(), {"Bearer admin-token", "o1"});
    CHECK(again.status.code == 9);
    CHECK(again.status.message == "Phone not changed (COMMAND-wF94r)");
    google::rpc::Status details;
    REQUIRE(details.ParseFromString(again.status_details()));
    zitadel::v1::ErrorDetail detail;
    REQUIRE(details.details_size() == 1);
    REQUIRE(details.details(0).UnpackTo(&detail));
    CHECK(detail.id() == "COMMAND-wF94r");

    CHECK(f.api->call("/zitadel.management.v1.ManagementService/Nope", "", {}).status.code == 12);
    CHECK(f.api->call("/zitadel.user.v2.UserService/SetPhone", "\xff\xff\xff", {"Bearer admin-token", {}}).status.code ==
          3);
    CHECK(f.api->call("/zitadel.user.v2.UserService/SetPhone", "", {}).status.code == 16);
}

TEST_CASE("methods() lists every served method once") {
    api_fixture f;
    const auto methods = f.api->methods();
    CHECK(methods.size() == 16);
    for (const auto& m : methods) {
        CHECK(std::count(methods.begin(), methods.end(), m) == 1);
        CHECK_NOTHROW(rest_rule_of(std::string_view(m).substr(1)));
    }
}
