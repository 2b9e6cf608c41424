// Specifications of the defaults that make a first call short (README, examples/first_call): a user_service built
// without a clock or id generator uses the system clock and random UUIDs, and key_ring::with_random_key() gives a
// development ring with one active key.
#include <catch2/catch.hpp>

#include <regex>
#include <string>

#include "userstream/core/error.hpp"
#include "userstream/eventstore/memory_event_store.hpp"
#include "userstream/user/events.hpp"
#include "userstream/user/key_ring.hpp"
#include "userstream/user/user_service.hpp"

using namespace userstream;
using namespace userstream::user;

namespace {

struct defaults_world {
    eventstore::memory_event_store store;
    key_ring keys = key_ring::with_random_key();
    grant_table_authorizer auth;
    caller admin{"admin", "o1"};

    defaults_world() { auth.grant("admin", "o1", permissions::user_write); }
};

}  // namespace

TEST_CASE("a service built without a clock stamps its events with the system clock", "[defaults]") {
    defaults_world w;
    user_service users(w.store, w.auth, w.keys);
    const auto before = system_clock().now();
    const auto out = users.add_human(w.admin, {"u1", "o1", "+41 71 000 00 00", true});
    const auto after = system_clock().now();
    REQUIRE(out);
    for (const auto& event : out->events) {
        CHECK(event.created_at >= before);
        CHECK(event.created_at <= after);
    }
    CHECK(out->details.change_date >= before);
    CHECK(out->details.change_date <= after);
}

TEST_CASE("a service built without an id generator gives each new user a random version-4 UUID", "[defaults]") {
    defaults_world w;
    user_service users(w.store, w.auth, w.keys);
    const std::regex uuid_v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    const auto first = users.add_human(w.admin, {"", "o1", "", false});
    const auto second = users.add_human(w.admin, {"", "o1", "", false});
    REQUIRE(first);
    REQUIRE(second);
    const auto& first_id = first->events.front().aggregate.aggregate_id;
    const auto& second_id = second->events.front().aggregate.aggregate_id;
    CHECK(std::regex_match(first_id, uuid_v4));
    CHECK(std::regex_match(second_id, uuid_v4));
    CHECK(first_id != second_id);
}

TEST_CASE("a service built with the default clock and ids still takes its configuration", "[defaults]") {
    defaults_world w;
    user_service_config config;
    config.instance_id = "instance-7";
    user_service users(w.store, w.auth, w.keys, config);
    const auto out = users.add_human(w.admin, {"u1", "o1", "", false});
    REQUIRE(out);
    CHECK(out->events.front().aggregate.instance_id == "instance-7");
    CHECK(users.config().instance_id == "instance-7");
}

TEST_CASE("key_ring::with_random_key has one active key of its own", "[defaults][keys]") {
    const auto keys = key_ring::with_random_key();
    const auto other = key_ring::with_random_key();
    const secret_binding binding{"instance-1", "u1", event_types::phone_code_added};

    REQUIRE_FALSE(keys.active_key_id().empty());
    const auto sealed = keys.encrypt("ABC123", binding);
    CHECK(sealed.key_id == keys.active_key_id());
    CHECK(keys.decrypt(sealed, binding).view() == "ABC123");
    // Same key id, another random key: the other ring cannot open it.
    REQUIRE(other.active_key_id() == keys.active_key_id());
    CHECK_THROWS_AS(other.decrypt(sealed, binding), infrastructure_error);
}
