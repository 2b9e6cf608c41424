// userstream/testing/user_fixture.hpp
//
// A given/when/then fixture for the user aggregate, for the library's own tests and for hosts' tests of components
// that work with users (an SMS notifier, a read model, an API layer). Given past events, when a command runs, then
// these events were stored, or this error was returned and nothing was stored:
//
//     userstream::testing::user_fixture f;                 // its own in-memory store
//     f.given("u1", "o1", {user::human_added{}});
//     f.when(testing::admin, user::set_phone_request{"u1", "+41 71 000 00 00"});
//     REQUIRE(f.then_events({{"user.human.phone.changed", R"({"phone":"+41710000000"})"},
//                            {"user.human.phone.code.added", R"({"code":"<any>","code_returned":null})"}}));
//     // the code sent is f.codes.code(1), "CODE01"
//
// It wires a real `user_service` to a store (its own `memory_event_store`, or one the test passes, such as a
// SQLite or PostgreSQL store from `open_store`), a key ring with one random key, an authorizer that grants `admin`
// user.write everywhere, a manual clock starting at `test_epoch()`, sequential ids ("gen-1", ...) and predictable
// codes (`numbered_codes`: "CODE01", "CODE02", ...). All of them are public members, so a test can move the clock,
// grant permissions, or build a second service over the same store.
//
// Checks (`then_...`) return a `check_result` and never throw or abort, so any test framework can assert on them.
// `given` throws std::runtime_error when the store refuses the events, since a test cannot go on without them.
// The checks look at what the last `when` stored, read back from the store: the fixture assumes nobody else writes
// to the store while a `when` runs. Not thread-safe; use one fixture per test.
//
// FOR TESTS ONLY: predictable codes and a manual clock have no place in a service that real users reach.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "userstream/core/id_generator.hpp"
#include "userstream/core/result.hpp"
#include "userstream/core/time.hpp"
#include "userstream/eventstore/event_store.hpp"
#include "userstream/eventstore/memory_event_store.hpp"
#include "userstream/testing/check_result.hpp"
#include "userstream/testing/error_checks.hpp"
#include "userstream/testing/expected_event.hpp"
#include "userstream/testing/scripted_codes.hpp"
#include "userstream/user/authorizer.hpp"
#include "userstream/user/commands.hpp"
#include "userstream/user/events.hpp"
#include "userstream/user/key_ring.hpp"
#include "userstream/user/user_service.hpp"

namespace userstream::testing {

// 2026-07-10T09:00:00Z: where every fixture's clock starts, so that dates in a test are known.
timestamp test_epoch();

// A caller the fixture grants user.write on every organisation.
inline const user::caller admin{"admin", "admin-org"};

// The id of the key the fixture's key ring encrypts codes with.
inline constexpr std::string_view test_key_id = "key-1";

class user_fixture {
    std::unique_ptr<eventstore::memory_event_store> own_store_;  // only when the test passes no store

public:
    using outcome = result<user::command_outcome>;

    // Over its own in-memory store. `config.phone_code_source` defaults to `codes`.
    explicit user_fixture(user::user_service_config config = {});
    // Over `store`, which must outlive the fixture. The fixture adds events; it never clears the store.
    explicit user_fixture(eventstore::event_store& store, user::user_service_config config = {});
    user_fixture(const user_fixture&) = delete;
    user_fixture& operator=(const user_fixture&) = delete;

    eventstore::event_store& store;
    manual_clock clock{test_epoch()};
    sequential_id_generator ids{"gen-"};
    numbered_codes codes;
    user::grant_table_authorizer auth;
    user::key_ring keys;
    user::user_service_config config;  // as given, with `phone_code_source` = &codes unless it named another
    user::user_service service;

    const std::string& instance() const noexcept { return config.instance_id; }

    // Given: appends past events of `user_id`, owned by `org`, in one push without a concurrency check, as earlier
    // commands (or other processes) would have stored them; then moves the clock on by one microsecond. Returns the
    // push's last position.
    eventstore::global_position given(const std::string& user_id, const std::string& org,
                                      const std::vector<user::user_event>& events);
    // The same with type names and JSON payloads as stored, for what the codec would not write: ZITADEL's legacy v1
    // names, other aggregates' event types, malformed payloads.
    eventstore::global_position given_raw(const std::string& user_id, const std::string& org,
                                          const std::vector<std::pair<std::string, std::string>>& events);

    // When: runs one command as `who` and remembers its outcome and the events it stored, for the checks below.
    const outcome& when(const user::caller& who, const user::update_human_phone_request& request);
    const outcome& when(const user::caller& who, const user::set_phone_request& request);
    const outcome& when(const user::caller& who, const user::verify_human_phone_request& request);
    const outcome& when(const user::caller& who, const user::verify_phone_request& request);
    const outcome& when(const user::caller& who, const user::resend_human_phone_verification_request& request);
    const outcome& when(const user::caller& who, const user::resend_phone_code_request& request);
    const outcome& when(const user::caller& who, const user::remove_human_phone_request& request);
    const outcome& when(const user::caller& who, const user::remove_phone_request& request);
    const outcome& when(const user::caller& who, const user::phone_code_sent_request& request);
    const outcome& when(const user::caller& who, const user::add_human_request& request);
    const outcome& when(const user::caller& who, const user::add_machine_request& request);
    const outcome& when(const user::caller& who, const user::remove_user_request& request);
    // Any other call on the service, e.g. the "me" variants: `f.when([](auto& s) { return s.remove_my_phone(me); })`.
    const outcome& when(const std::function<outcome(user::user_service&)>& command);

    // Then: the last command succeeded and stored exactly `expected` (see expected_event.hpp for the matching).
    check_result then_events(const std::vector<expected_event>& expected) const;
    // Then: the last command failed with exactly `code` (id, key and kind) and stored nothing.
    check_result then_rejected(const error_code& code) const;
    // Then: the last command failed with exactly `code` after storing exactly `expected`, as a failed verification
    // does (it records `verification.failed`, then returns the error).
    check_result then_failed(const error_code& code, const std::vector<expected_event>& expected) const;

    // What the last `when` returned, and the events it stored (empty before the first `when`).
    const std::optional<outcome>& last_outcome() const noexcept { return last_; }
    const std::vector<eventstore::stored_event>& last_stored() const noexcept { return last_stored_; }

    // The user's stream as stored.
    std::vector<eventstore::stored_event> stream(const std::string& user_id) const;

private:
    const outcome& record(const std::function<outcome()>& command);
    check_result then_outcome(const error_code* code) const;

    std::optional<outcome> last_;
    std::vector<eventstore::stored_event> last_stored_;
};

}  // namespace userstream::testing
