// Where a service's verification codes come from: OpenSSL's CSPRNG unless a test injects a code source
// (user_service_config::phone_code_source), and then that source, asked once per command.
#include <set>

#include "support/forwarding_store.hpp"
#include "support/user_fixture.hpp"

using namespace userstream;
using namespace userstream::testing;
namespace et = userstream::user::event_types;

namespace {

// A test double: hands out "TEST01", "TEST02", ... and counts how often it was asked.
class counting_code_source final : public code_source {
public:
    secret_string next_code(const code_generator_config&) override {
        ++asked;
        return secret_string(std::string("TEST0") + std::to_string(asked));
    }
    int asked = 0;
};

// A test double around a real store: before each of the first `conflicts` appends a rival writer changes the same
// user's phone, so the service must read again and decide again.
class rival_store final : public forwarding_store {
public:
    rival_store(eventstore::event_store& inner, int conflicts) : forwarding_store(inner), remaining_(conflicts) {}

    result<eventstore::append_result> append(std::vector<eventstore::aggregate_append> batch) override {
        ++attempts;
        if (remaining_ > 0) {
            --remaining_;
            eventstore::aggregate_append rival{batch.front().aggregate, batch.front().owner, std::nullopt, {}};
            auto encoded = encode(phone_changed{phone_number::from_stored("+4179000000" + std::to_string(remaining_))});
            rival.events.push_back({std::string(encoded.type), encoded.payload, aggregate_revision, "rival", {}});
            REQUIRE(inner_.append({rival}).ok());
        }
        return inner_.append(std::move(batch));
    }
    int attempts = 0;

private:
    int remaining_;
};

// The plain code of the last code.added of `user_id`, decrypted with the fixture's keys.
std::string stored_code(const user_fixture& f, const std::string& user_id) {
    const auto stream = f.stream(user_id);
    REQUIRE(!stream.empty());
    REQUIRE(stream.back().event_type == et::phone_code_added);
    const auto added = std::get<phone_code_added>(*decode(stream.back()));
    return std::string(f.keys.decrypt(*added.code, code_binding(stream.back())).view());
}

}  // namespace

TEST_CASE("codes: a configured code source supplies the code a command issues, returned and stored",
          "[code][code_source]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    counting_code_source codes;
    user_service_config config = f.config;
    config.phone_code_source = &codes;
    user_service service(f.store, f.auth, f.keys, f.clock, f.ids, config);

    auto out = service.set_phone(admin, {"u1", "+41710000000", return_code{}});
    REQUIRE(out.ok());
    CHECK(codes.asked == 1);
    CHECK(out->verification_code == "TEST01");
    CHECK(stored_code(f, "u1") == "TEST01");

    auto resent = service.resend_phone_code(admin, {"u1", send_code{}});
    REQUIRE(resent.ok());
    CHECK(codes.asked == 2);
    CHECK(stored_code(f, "u1") == "TEST02");
}

TEST_CASE("codes: a command re-decided after conflicts asks the code source once", "[code][code_source][concurrency]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    counting_code_source codes;
    user_service_config config = f.config;
    config.phone_code_source = &codes;
    rival_store store(f.store, 2);
    user_service service(store, f.auth, f.keys, f.clock, f.ids, config);

    auto out = service.set_phone(admin, {"u1", "+41 71 000 00 00", return_code{}});
    REQUIRE(out.ok());
    CHECK(store.attempts == 3);
    CHECK(codes.asked == 1);
    CHECK(stored_code(f, "u1") == "TEST01");
}

TEST_CASE("codes: without a code source, the default, codes are drawn from the CSPRNG", "[code][code_source]") {
    CHECK(user_service_config{}.phone_code_source == nullptr);
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    user_service_config config = f.config;
    config.phone_code_source = nullptr;
    config.phone_code = {8, "0123456789", std::chrono::hours(1)};
    user_service service(f.store, f.auth, f.keys, f.clock, f.ids, config);

    std::set<std::string> drawn;
    for (int i = 0; i < 20; ++i) {
        auto out = i == 0 ? service.set_phone(admin, {"u1", "+41710000000", return_code{}})
                          : service.resend_phone_code(admin, {"u1", return_code{}});
        REQUIRE(out.ok());
        REQUIRE(out->verification_code);
        CHECK(out->verification_code->size() == 8);
        CHECK(out->verification_code->find_first_not_of("0123456789") == std::string::npos);
        CHECK(stored_code(f, "u1") == *out->verification_code);
        drawn.insert(*out->verification_code);
    }
    // Twenty random 8-digit codes: a repeat has a probability of about 2e-6.
    CHECK(drawn.size() == 20);
}
