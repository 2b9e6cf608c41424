// userstream/testing/error_checks.hpp
//
// Checks on any `result<T>` the library returns (a command outcome, a query's answer): that it is a rejection with
// exactly a given error id, key and kind. `user_fixture::then_rejected` builds on it and also checks that the command
// stored nothing; use this one directly for queries and for commands run outside the fixture.
//
//     CHECK(check_error(get_human_phone(read_models, instance, "nobody"), errors::phone_user_not_found));
//
// For tests only (userstream::testing).
#pragma once

#include <string>

#include "userstream/core/error.hpp"
#include "userstream/core/result.hpp"
#include "userstream/testing/check_result.hpp"

namespace userstream::testing {

// Whether `found` is `expected`: same id, key and kind. The explanation names both.
check_result check_error(const error& found, const error_code& expected);

// Whether `outcome` failed with exactly `expected`.
template <class T>
check_result check_error(const result<T>& outcome, const error_code& expected) {
    if (outcome.ok()) {
        return check_result::failed("expected the error " + std::string(expected.id) + " " +
                                    std::string(expected.key) + ", but the call succeeded");
    }
    return check_error(outcome.err(), expected);
}

}  // namespace userstream::testing
