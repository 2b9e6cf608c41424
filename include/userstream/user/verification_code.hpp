// userstream/user/verification_code.hpp
//
// Verification codes: how they are drawn, and how they are compared.
//
// Codes come from OpenSSL's CSPRNG with rejection sampling, so every character of the alphabet is equally likely.
// (ZITADEL reduces a random byte modulo `len(alphabet) - 1`, which is biased and never yields the last character.)
// Comparison runs in time independent of where the inputs differ.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace userstream::user {

struct code_generator_config {
    std::size_t length = 6;
    std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";  // ZITADEL's default: upper letters and digits
    std::chrono::nanoseconds expiry = std::chrono::hours(1);          // 0 = never expires
};

// Draws a code of `config.length` characters. Throws std::invalid_argument for an empty alphabet or one longer than
// 256 characters, and infrastructure_error if the CSPRNG fails.
std::string generate_code(const code_generator_config& config);

// Compares two secrets in time that depends only on their lengths.
bool constant_time_equals(std::string_view a, std::string_view b) noexcept;

}  // namespace userstream::user
