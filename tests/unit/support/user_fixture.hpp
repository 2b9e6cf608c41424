// Catch2 glue for the public test fixture (userstream/testing/user_fixture.hpp), which the specifications use for
// given/when/then: a real user_service over an in-memory store, a manual clock, sequential ids and predictable codes.
// The fixture's checks return values (`REQUIRE(f.then_events(...))` prints why one failed); this header adds the
// helpers the specifications share, in Catch2 terms.
#pragma once

#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "userstream/eventstore/errors.hpp"
#include "userstream/testing/user_fixture.hpp"
#include "userstream/user/errors.hpp"
#include "userstream/user/event_codec.hpp"

namespace userstream::testing {

// The specifications name the domain's types unqualified.
using namespace userstream::user;
using eventstore::stored_event;

inline phone_number stored_phone(const char* e164) { return phone_number::from_stored(e164); }

inline std::vector<std::string> types_of(const std::vector<stored_event>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.event_type);
    return out;
}

inline std::vector<std::string> types(std::initializer_list<std::string_view> names) {
    return {names.begin(), names.end()};
}

// Then: the call failed with exactly `code` (id, key and kind). For calls made on the service or a query directly,
// some of which record an event and then fail; `user_fixture::then_rejected` also checks that nothing was stored.
template <class Result>
void then_rejected(const Result& outcome, const error_code& code) {
    REQUIRE_FALSE(outcome.ok());
    CHECK(check_error(outcome, code));
}

}  // namespace userstream::testing
