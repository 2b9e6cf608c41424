// The write-model cache: a command reads only the events after the cached sequence, and still sees other writers.
#include "support/forwarding_store.hpp"
#include "support/user_fixture.hpp"

using namespace userstream;
using namespace userstream::testing;

namespace {
class counting_store final : public forwarding_store {
public:
    using forwarding_store::forwarding_store;
    std::vector<eventstore::stored_event> read_aggregate(const eventstore::aggregate_key& key,
                                                         eventstore::sequence_number after) const override {
        auto events = inner_.read_aggregate(key, after);
        ++reads;
        events_read += events.size();
        last_after = after;
        return events;
    }
    mutable std::size_t reads = 0;
    mutable std::size_t events_read = 0;
    mutable eventstore::sequence_number last_after;
};
}  // namespace

TEST_CASE("with a cached write model a command reads only the tail, or nothing", "[cache]") {
    user_fixture f;
    std::vector<user_event> history;
    for (int i = 0; i < 50; ++i) history.emplace_back(phone_verification_failed{});
    f.given("u1", "o1", {human_added{}});
    f.given("u1", "o1", history);
    counting_store store(f.store);
    user_service service(store, f.auth, f.keys, f.clock, f.ids, f.config);

    REQUIRE(service.set_phone(admin, {"u1", "+41710000000", mark_verified{}}).ok());
    CHECK(store.events_read == 51);  // the first command folds everything
    store.events_read = 0;
    store.reads = 0;
    SECTION("deciding on the cache: an uncontended success reads nothing") {
        REQUIRE(service.set_phone(admin, {"u1", "+41710000001", mark_verified{}}).ok());
        CHECK(store.reads == 0);
        // A rejection is confirmed on fresh state: one tail read, of nothing new.
        then_rejected(service.set_phone(admin, {"u1", "+41710000001", mark_verified{}}), errors::phone_not_changed_v2);
        CHECK(store.reads == 1);
        CHECK(store.last_after.value == 55);
        CHECK(store.events_read == 0);
    }
    SECTION("reading first: only what follows the cached sequence") {
        user_service_config config = f.config;
        config.decide_on_cached_state = false;
        user_service reading(store, f.auth, f.keys, f.clock, f.ids, config);
        REQUIRE(reading.set_phone(admin, {"u1", "+41710000002", mark_verified{}}).ok());  // fills its own cache
        store.reads = 0;
        store.events_read = 0;
        REQUIRE(reading.set_phone(admin, {"u1", "+41710000003", mark_verified{}}).ok());
        CHECK(store.reads == 1);
        CHECK(store.last_after.value == 55);
        CHECK(store.events_read == 0);
    }
}

TEST_CASE("a stale cache never decides: the conditional append or a fresh read corrects it", "[cache]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", return_code{}}).ok());
    // Another process issues a new code and changes nothing else; the cached model still holds the old code.
    auto other = user_service(f.store, f.auth, f.keys, f.clock, f.ids, f.config);
    auto fresh = other.resend_phone_code(admin, {"u1", return_code{}});
    REQUIRE(fresh.ok());
    // Verifying with the new code: the cache would call it wrong and store a failure, but that append conflicts,
    // so the service reads again and verifies.
    auto out = f.service.verify_phone(admin, {"u1", *fresh->verification_code});
    REQUIRE(out.ok());
    CHECK(types_of(out->events) == types({user::event_types::phone_verified}));
    CHECK(f.stream("u1").size() == 5);  // added, changed, code, code, verified: no stray verification.failed
}

TEST_CASE("a cached write model still sees events written by others", "[cache]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", mark_verified{}}).ok());
    // Another process changes the number behind this service's back.
    f.given("u1", "o1", {phone_changed{stored_phone("+41710000001")}});
    then_rejected(f.service.set_phone(admin, {"u1", "+41710000001", mark_verified{}}), errors::phone_not_changed_v2);
    CHECK(f.service.load("u1").sequence().value == 4);
    CHECK(f.service.set_phone(admin, {"u1", "+41710000000", mark_verified{}}).ok());
}

TEST_CASE("a cached model equals a full fold", "[cache]") {
    user_fixture f;
    f.given("u1", "o1", {human_added{stored_phone("+41711234567")}});
    REQUIRE(f.service.set_phone(admin, {"u1", "+41710000000", return_code{}}).ok());
    f.given("u1", "o1", {phone_verification_failed{}});
    const auto cached = f.service.load("u1");
    user_service fresh(f.store, f.auth, f.keys, f.clock, f.ids, f.config);
    const auto full = fresh.load("u1");
    CHECK(cached.sequence() == full.sequence());
    CHECK(cached.phone() == full.phone());
    CHECK(cached.code().failed_attempts == full.code().failed_attempts);
    CHECK(cached.code().code == full.code().code);
    CHECK(cached.details() == full.details());
}
