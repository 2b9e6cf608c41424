// A given/when/then harness for the user aggregate: a real in-memory store, a real key ring and authorizer, and a
// manual clock. `given` appends past events for a user as if earlier commands had stored them.
#pragma once

#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <vector>

#include "userstream/eventstore/errors.hpp"
#include "userstream/eventstore/memory_event_store.hpp"
#include "userstream/user/errors.hpp"
#include "userstream/user/event_codec.hpp"
#include "userstream/user/user_service.hpp"

namespace userstream::testing {

using namespace userstream::user;
using eventstore::stored_event;

inline timestamp test_epoch() { return *parse_rfc3339("2026-07-10T09:00:00Z"); }

inline const caller admin{"admin", "admin-org"};

struct user_fixture {
    eventstore::memory_event_store store;
    manual_clock clock{test_epoch()};
    sequential_id_generator ids{"gen-"};
    grant_table_authorizer auth;
    key_ring keys;
    user_service_config config;
    user_service service{store, auth, keys, clock, ids, config};

    explicit user_fixture(user_service_config cfg = {}) : config(std::move(cfg)), service(store, auth, keys, clock, ids, config) {
        keys.add_random_key("key-1");
        keys.activate("key-1");
        auth.grant(admin.user_id, grant_table_authorizer::any_org, permissions::user_write);
    }

    // Appends past events of `user_id` owned by `org`, one push, one microsecond after the previous push.
    void given(const std::string& user_id, const std::string& org, std::vector<user_event> events) {
        eventstore::aggregate_append append{{config.instance_id, "user", user_id}, org, std::nullopt, {}};
        for (const auto& e : events) {
            auto encoded = encode(e);
            append.events.push_back({std::string(encoded.type), encoded.payload, aggregate_revision, "seed", clock.now()});
        }
        std::vector<eventstore::aggregate_append> batch{std::move(append)};
        REQUIRE(store.append(std::move(batch)).ok());
        clock.advance(std::chrono::microseconds(1));
    }

    std::vector<stored_event> stream(const std::string& user_id) const {
        return store.read_aggregate({config.instance_id, "user", user_id}, {});
    }
};

inline phone_number stored_phone(const char* e164) { return phone_number::from_stored(e164); }

inline std::vector<std::string> types_of(const std::vector<stored_event>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.event_type);
    return out;
}

inline std::vector<std::string> types(std::initializer_list<std::string_view> names) {
    return {names.begin(), names.end()};
}

// Then: the command failed with exactly `code`, and pushed nothing.
template <class Result>
void then_rejected(const Result& outcome, const error_code& code) {
    REQUIRE_FALSE(outcome.ok());
    INFO("got " << outcome.err().id << " " << outcome.err().key);
    CHECK(outcome.err().id == code.id);
    CHECK(outcome.err().key == code.key);
    CHECK(outcome.err().kind == code.kind);
}

}  // namespace userstream::testing
