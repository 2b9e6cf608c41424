// A user domain over any event store, for the projection specifications: the real user_service with a manual clock,
// plus `given` (append past events, as earlier commands or other processes would have) and `given_raw` (any type name,
// e.g. ZITADEL's legacy v1 names).
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "support/user_fixture.hpp"  // tests/unit: admin, stored_phone, then_rejected
#include "userstream/eventstore/event_store.hpp"
#include "userstream/user/event_codec.hpp"
#include "userstream/user/user_service.hpp"

namespace userstream::testing {

using namespace userstream::user;

struct world {
    eventstore::event_store& store;
    manual_clock clock{test_epoch()};
    sequential_id_generator ids{"gen-"};
    grant_table_authorizer auth;
    key_ring keys;
    user_service service;

    explicit world(eventstore::event_store& s, user_service_config config = {})
        : store(s), service(s, auth, keys, clock, ids, std::move(config)) {
        keys.add_random_key("key-1");
        keys.activate("key-1");
        auth.grant(admin.user_id, grant_table_authorizer::any_org, permissions::user_write);
    }

    const std::string& instance() const { return service.config().instance_id; }

    // Appends events of one user in one push; returns the push's position.
    eventstore::global_position given(const std::string& user_id, const std::string& org,
                                      const std::vector<user_event>& events) {
        std::vector<std::pair<std::string, std::string>> raw;
        for (const auto& e : events) {
            auto encoded = encode(e);
            raw.emplace_back(std::string(encoded.type), encoded.payload);
        }
        return given_raw(user_id, org, raw);
    }

    eventstore::global_position given_raw(const std::string& user_id, const std::string& org,
                                          const std::vector<std::pair<std::string, std::string>>& events) {
        eventstore::aggregate_append append{{instance(), std::string(aggregate_type), user_id}, org, std::nullopt, {}};
        for (const auto& [type, payload] : events) {
            append.events.push_back({type, payload, aggregate_revision, "seed", clock.now()});
        }
        std::vector<eventstore::aggregate_append> batch{std::move(append)};
        auto pushed = store.append(std::move(batch));
        REQUIRE(pushed.ok());
        clock.advance(std::chrono::microseconds(1));
        return pushed->last_position;
    }
};

// Every position in the store matching `filter`, in order: what a projection must have seen exactly once.
inline std::vector<std::uint64_t> positions_in(const eventstore::event_store& store,
                                               const eventstore::global_filter& filter) {
    std::vector<std::uint64_t> out;
    store.for_each_global({}, filter, [&](const eventstore::stored_event& e) {
        out.push_back(e.position.value);
        return true;
    });
    return out;
}

}  // namespace userstream::testing
