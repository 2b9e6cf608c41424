// userstream/testing/check_result.hpp
//
// What every check of userstream's test fixture returns: whether it held and, when it did not, what differed, in
// words. It is a plain value, so any test framework can assert on it; none is included here.
//
//     const check_result checked = fixture.then_rejected(user::errors::phone_not_changed_v2);
//     REQUIRE(checked);                               // Catch2: prints the explanation through operator<<
//     EXPECT_TRUE(checked.ok) << checked.explanation;  // GoogleTest
//     assert(checked.ok);                             // anything else
//
// For tests only (userstream::testing).
#pragma once

#include <iosfwd>
#include <string>

namespace userstream::testing {

struct check_result {
    bool ok = true;
    std::string explanation;  // empty when `ok`; otherwise what was expected and what was found

    explicit operator bool() const noexcept { return ok; }

    static check_result passed() { return {}; }
    static check_result failed(std::string explanation) { return {false, std::move(explanation)}; }
};

// Writes "ok" or the explanation, so that a framework that prints the checked expression shows why it failed.
std::ostream& operator<<(std::ostream& out, const check_result& checked);

}  // namespace userstream::testing
