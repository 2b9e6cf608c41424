// Verifying a phone: v1 VerifyHumanPhone, v2 VerifyPhone, expiry, the attempt limit and external verifiers.
#include "support/fake_external_verifier.hpp"
#include "support/forwarding_store.hpp"
#include "support/user_fixture.hpp"

using namespace userstream;
using namespace userstream::testing;
namespace et = userstream::user::event_types;

namespace {

// Given a user with an unverified phone and a code returned to us, the plain code.
std::string given_pending_code(user_fixture& f, const std::string& user = "u1") {
    f.given(user, "o1", {human_added{}});
    auto out = f.service.set_phone(admin, {user, "+41710000000", return_code{}});
    REQUIRE(out.ok());
    return *out->verification_code;
}

std::string wrong(const std::string& code) { return code == "AAAAAA" ? "BBBBBB" : "AAAAAA"; }

verify_human_phone_request v1(std::string code) { return {"u1", "o1", std::move(code)}; }

}  // namespace

TEST_CASE("verify: the right code pushes verified", "[verify]") {
    user_fixture f;
    const auto code = given_pending_code(f);
    SECTION("v1") {
        auto out = f.service.verify_human_phone(admin, v1(code));
        REQUIRE(out.ok());
        CHECK(types_of(out->events) == types({et::phone_verified}));
    }
    SECTION("v2") {
        auto out = f.service.verify_phone(admin, {"u1", code});
        REQUIRE(out.ok());
        CHECK(types_of(out->events) == types({et::phone_verified}));
    }
    CHECK(f.service.load("u1").is_phone_verified());
}

TEST_CASE("verify: a wrong code stores verification.failed and returns Code.Invalid", "[verify]") {
    user_fixture f;
    const auto code = given_pending_code(f);
    then_rejected(f.service.verify_human_phone(admin, v1(wrong(code))), errors::verify_code_invalid_v1);
    then_rejected(f.service.verify_phone(admin, {"u1", wrong(code)}), errors::verify_code_invalid_v2);
    const auto stream = f.stream("u1");
    CHECK(types_of(stream) == types({et::human_added, et::phone_changed, et::phone_code_added,
                                     et::phone_verification_failed, et::phone_verification_failed}));
    CHECK(f.service.verify_phone(admin, {"u1", code}).ok());  // two failures are below the limit
}

TEST_CASE("verify: the code expires after created_at + expiry, to the microsecond", "[verify][expiry]") {
    user_fixture f;
    const auto code = given_pending_code(f);
    const auto issued_at = f.stream("u1").back().created_at;
    const auto deadline = issued_at + std::chrono::hours(1);
    SECTION("one microsecond before the deadline") {
        f.clock.set(deadline - std::chrono::microseconds(1));
        CHECK(f.service.verify_phone(admin, {"u1", code}).ok());
    }
    SECTION("at the deadline") {
        f.clock.set(deadline);
        CHECK(f.service.verify_phone(admin, {"u1", code}).ok());
    }
    SECTION("one microsecond after the deadline") {
        f.clock.set(deadline + std::chrono::microseconds(1));
        then_rejected(f.service.verify_phone(admin, {"u1", code}), errors::verify_code_invalid_v2);
        CHECK(f.stream("u1").back().event_type == et::phone_verification_failed);
    }
}

TEST_CASE("verify: an expiry of zero never expires", "[verify][expiry]") {
    user_service_config config;
    config.phone_code.expiry = std::chrono::nanoseconds(0);
    user_fixture f(config);
    const auto code = given_pending_code(f);
    f.clock.advance(std::chrono::hours(24 * 365));
    CHECK(f.service.verify_phone(admin, {"u1", code}).ok());
}

TEST_CASE("verify: after N failures the right code fails too, until a new code is issued", "[verify][limit]") {
    user_service_config config;
    config.max_failed_verifications = GENERATE(1u, 3u, 5u);
    user_fixture f(config);
    const auto code = given_pending_code(f);
    for (unsigned i = 0; i < config.max_failed_verifications; ++i) {
        then_rejected(f.service.verify_phone(admin, {"u1", wrong(code)}), errors::verify_code_invalid_v2);
    }
    then_rejected(f.service.verify_phone(admin, {"u1", code}), errors::verify_code_invalid_v2);
    then_rejected(f.service.verify_human_phone(admin, v1(code)), errors::verify_code_invalid_v1);
    CHECK_FALSE(f.service.load("u1").is_phone_verified());

    // A new code starts a new count (and the old code is gone; see the resend specifications).
    auto resent = f.service.resend_phone_code(admin, {"u1", return_code{}});
    REQUIRE(resent.ok());
    CHECK(f.service.load("u1").code().failed_attempts == 0);
    CHECK(f.service.verify_phone(admin, {"u1", *resent->verification_code}).ok());
}

TEST_CASE("verify: the default limit is five", "[verify][limit]") {
    user_fixture f;
    const auto code = given_pending_code(f);
    for (int i = 0; i < 4; ++i) REQUIRE_FALSE(f.service.verify_phone(admin, {"u1", wrong(code)}).ok());
    CHECK(f.service.load("u1").code().failed_attempts == 4);
    SECTION("the fifth failure kills the code") {
        REQUIRE_FALSE(f.service.verify_phone(admin, {"u1", wrong(code)}).ok());
        CHECK_FALSE(f.service.verify_phone(admin, {"u1", code}).ok());
    }
    SECTION("the right code still works after four") { CHECK(f.service.verify_phone(admin, {"u1", code}).ok()); }
}

TEST_CASE("verify v1: request and state errors", "[verify][v1]") {
    user_fixture f;
    then_rejected(f.service.verify_human_phone(admin, {"", "o1", "X"}), errors::verify_user_id_missing_v1);
    then_rejected(f.service.verify_human_phone(admin, {"u1", "o1", ""}), errors::verify_code_empty_v1);
    then_rejected(f.service.verify_human_phone(admin, v1("ABC")), errors::verify_user_not_found_v1);
    f.given("u1", "o2", {human_added{}});
    then_rejected(f.service.verify_human_phone(admin, v1("ABC")), errors::verify_user_not_found_v1);  // other org
    f.given("u2", "o1", {human_added{}});
    then_rejected(f.service.verify_human_phone(admin, {"u2", "o1", "ABC"}), errors::verify_code_not_found_v1);
    f.given("u3", "o1", {human_added{stored_phone("+41710000000")}, phone_verified{}});
    then_rejected(f.service.verify_human_phone(admin, {"u3", "o1", "ABC"}), errors::verify_code_not_found_v1);
    // None of these stored anything.
    CHECK(f.store.head().value == 4);
}

TEST_CASE("verify v2: request and state errors, no code pending is Code.Invalid and recorded", "[verify][v2]") {
    user_fixture f;
    then_rejected(f.service.verify_phone(admin, {"", "X"}), errors::user_id_missing_v2);
    then_rejected(f.service.verify_phone(admin, {"u1", "X"}), errors::phone_user_not_found_v2);
    f.given("u1", "o1", {human_added{}});
    then_rejected(f.service.verify_phone(admin, {"u1", ""}), errors::verify_code_empty_v2);
    then_rejected(f.service.verify_phone(admin, {"u1", "ABCDEF"}), errors::verify_code_invalid_v2);
    CHECK(f.stream("u1").back().event_type == et::phone_verification_failed);
    f.given("u2", "o1", {human_added{}, human_initial_code_added{}});
    then_rejected(f.service.verify_phone(admin, {"u2", "X"}), errors::user_not_initialised);
}

TEST_CASE("verify v2: a removed phone does not verify, even with the code that was still pending", "[verify][v2]") {
    // Given a pending code and then phone.removed (which leaves the code in the stream), when VerifyPhone gets that
    // very code, then it is Code.Invalid, recorded as a failed verification, and the phone stays unverified.
    user_fixture f;
    const auto code = given_pending_code(f);
    REQUIRE(f.service.remove_phone(admin, {"u1"}).ok());
    f.when(admin, verify_phone_request{"u1", code});
    REQUIRE(f.then_failed(errors::verify_code_invalid_v2, {{et::phone_verification_failed}}));
    CHECK_FALSE(f.service.load("u1").is_phone_verified());
}

TEST_CASE("verify v2: the caller must be the user or hold user.write, unless switched off", "[verify][permissions]") {
    SECTION("checked by default") {
        user_fixture f;
        const auto code = given_pending_code(f);
        then_rejected(f.service.verify_phone({"stranger", "o1"}, {"u1", code}), errors::permission_denied_v2);
        CHECK(f.stream("u1").back().event_type == et::phone_code_added);  // a denied call stores nothing
        CHECK(f.service.verify_phone({"u1", "o1"}, {"u1", code}).ok());
    }
    SECTION("ZITADEL's behaviour on request") {
        user_service_config config;
        config.verify_phone_v2_requires_permission = false;
        user_fixture f(config);
        const auto code = given_pending_code(f);
        CHECK(f.service.verify_phone({"stranger", "o1"}, {"u1", code}).ok());
    }
}

TEST_CASE("verify: a code encrypted before a key rotation still verifies", "[verify][keys]") {
    user_fixture f;
    const auto code = given_pending_code(f);
    f.keys.add_random_key("key-2");
    f.keys.activate("key-2");
    CHECK(f.service.verify_phone(admin, {"u1", code}).ok());
}

TEST_CASE("verify: a code whose key is gone is an Internal failure without the ciphertext", "[verify][keys]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{stored_phone("+41710000000")},
                         phone_code_added{encrypted_value{0, "aes-256-gcm", "retired-key", "0123456789abcdef0123456789"},
                                          std::chrono::hours(1), false, "", ""}});
    try {
        (void)f.service.verify_phone(admin, {"u1", "ABCDEF"});
        FAIL("expected an infrastructure error");
    } catch (const infrastructure_error& e) {
        CHECK_THAT(e.what(), Catch::Contains("retired-key"));
        CHECK_THAT(e.what(), !Catch::Contains("0123456789"));
    }
    CHECK(f.stream("u1").size() == 2);  // nothing half-written
}

TEST_CASE("verify: with an external verifier the provider decides", "[verify][external]") {
    fake_external_verifier verifier;
    user_service_config config;
    config.phone_verifier = &verifier;
    user_fixture f(config);
    f.given("u1", "o1", {human_added{}});
    REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", send_code{}}).ok());
    REQUIRE(f.service.phone_code_sent(admin, {"u1", std::nullopt, "fake-verify-1", "VE77"}).ok());
    then_rejected(f.service.verify_phone(admin, {"u1", "000000"}), errors::verify_code_invalid_v2);
    CHECK(verifier.last_checked_id == "VE77");
    verifier.forced = verifier_verdict::expired;
    then_rejected(f.service.verify_human_phone(admin, v1("424242")), errors::verify_code_invalid_v1);
    verifier.forced.reset();
    CHECK(f.service.verify_human_phone(admin, v1("424242")).ok());
    CHECK(verifier.checks == 3);
}

TEST_CASE("defect 8.12: an external verifier is asked once per verification, also when the cache is stale or a "
          "concurrent writer forces a retry", "[verify][external][issue8]") {
    fake_external_verifier verifier;
    user_service_config config;
    config.phone_verifier = &verifier;
    user_fixture f(config);
    f.given("u1", "o1", {human_added{}});
    REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", send_code{}}).ok());
    REQUIRE(f.service.phone_code_sent(admin, {"u1", std::nullopt, "fake-verify-1", "VE1"}).ok());

    SECTION("a stale cache: another process resent the code, so the pending verification changed") {
        user_service other(f.store, f.auth, f.keys, f.clock, f.ids, f.config);
        REQUIRE(other.resend_phone_code(admin, {"u1", send_code{}}).ok());
        REQUIRE(other.phone_code_sent(admin, {"u1", std::nullopt, "fake-verify-1", "VE2"}).ok());
        // The user types the code of the new SMS: one check, against the verification that is pending now.
        const auto out = f.service.verify_phone(admin, {"u1", "424242"});
        REQUIRE(out.ok());
        CHECK(verifier.checks == 1);
        CHECK(verifier.last_checked_id == "VE2");
    }
    SECTION("a concurrent writer changes the user between the read and the push") {
        // Every append of this service first lets another writer store an unrelated event, once.
        class interfering_store final : public forwarding_store {
        public:
            using forwarding_store::forwarding_store;
            result<eventstore::append_result> append(std::vector<eventstore::aggregate_append> batch) override {
                if (!interfered) {
                    interfered = true;
                    auto other = batch.front();
                    other.expected_sequence.reset();
                    other.events = {other.events.front()};
                    other.events.front().event_type = "user.human.other.feature";
                    other.events.front().payload = "{}";
                    REQUIRE(inner_.append({std::move(other)}).ok());
                }
                return inner_.append(std::move(batch));
            }
            bool interfered = false;
        };
        interfering_store store(f.store);
        user_service service(store, f.auth, f.keys, f.clock, f.ids, f.config);
        const auto out = service.verify_phone(admin, {"u1", "424242"});
        REQUIRE(out.ok());
        CHECK(store.interfered);
        // The provider's answer to the first check stands for the retry: a provider like Twilio Verify answers a
        // second check of an approved code differently.
        CHECK(verifier.checks == 1);
    }
}
