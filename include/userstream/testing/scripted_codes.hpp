// userstream/testing/scripted_codes.hpp
//
// Predictable verification codes for tests: `user::code_source` implementations to put in
// `user_service_config::phone_code_source`, so that a test knows the code a user would receive and can type it.
// `user_fixture` uses `numbered_codes` unless its configuration names another source.
//
//     testing::numbered_codes codes;                   // "CODE01", "CODE02", ...
//     config.phone_code_source = &codes;
//     testing::scripted_codes codes({"123456", "654321"});  // these, in turn, then from the start again
//
// FOR TESTS ONLY. A predictable code is no secret: a service with one of these in its configuration issues codes
// anyone can guess. Production services leave `phone_code_source` null, which draws from OpenSSL's CSPRNG.
//
// Both ignore the configuration's length and alphabet (nothing checks a code's shape, only its equality) and are
// safe to share between threads and services.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

#include "userstream/user/verification_code.hpp"

namespace userstream::testing {

// "CODE01", "CODE02", ... "CODE99", "CODE100", ...: `prefix` and a counter written with at least `digits` digits.
class numbered_codes final : public user::code_source {
public:
    explicit numbered_codes(std::string prefix = "CODE", std::size_t digits = 2);

    user::secret_string next_code(const user::code_generator_config& config) override;

    // The code the n-th draw returns (n from 1), e.g. `code(1)` is "CODE01": for a test that names it.
    std::string code(std::size_t n) const;
    // How many codes were drawn so far.
    std::size_t drawn() const noexcept { return drawn_.load(); }

private:
    std::string prefix_;
    std::size_t digits_;
    std::atomic<std::size_t> drawn_{0};
};

// The given codes in order, starting again from the first after the last. Throws std::invalid_argument when the
// list is empty.
class scripted_codes final : public user::code_source {
public:
    explicit scripted_codes(std::vector<std::string> codes);

    user::secret_string next_code(const user::code_generator_config& config) override;

    std::size_t drawn() const noexcept { return drawn_.load(); }

private:
    std::vector<std::string> codes_;
    std::atomic<std::size_t> drawn_{0};
};

}  // namespace userstream::testing
