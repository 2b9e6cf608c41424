#include "wire/timeouts.hpp"

#include <algorithm>
#include <cstdint>

namespace userstream::api::detail {

namespace {
constexpr std::int64_t ns_per_year = std::int64_t{365} * 24 * 3600 * 1'000'000'000;

// The value of 1..`max_digits` ASCII digits, or -1. At most 10 digits, so it fits in 64 bits with room to scale.
std::int64_t digits_value(std::string_view digits, std::size_t max_digits) noexcept {
    if (digits.empty() || digits.size() > max_digits) return -1;
    std::int64_t value = 0;
    for (const char c : digits) {
        if (c < '0' || c > '9') return -1;
        value = value * 10 + (c - '0');
    }
    return value;
}

std::chrono::nanoseconds capped(std::int64_t count, std::int64_t ns_per_unit) noexcept {
    // count < 10^10 and ns_per_unit <= 3.6 * 10^12: compare before multiplying.
    if (count > ns_per_year / ns_per_unit) return std::chrono::nanoseconds(ns_per_year);
    return std::chrono::nanoseconds(count * ns_per_unit);
}
}  // namespace

std::optional<std::chrono::nanoseconds> parse_timeout(timeout_form form, std::string_view value) noexcept {
    if (form == timeout_form::connect) {
        const auto ms = digits_value(value, 10);
        if (ms < 0) return std::nullopt;
        return capped(ms, 1'000'000);
    }
    if (value.size() < 2) return std::nullopt;
    const auto count = digits_value(value.substr(0, value.size() - 1), 8);
    if (count < 0) return std::nullopt;
    switch (value.back()) {
        case 'H': return capped(count, std::int64_t{3600} * 1'000'000'000);
        case 'M': return capped(count, std::int64_t{60} * 1'000'000'000);
        case 'S': return capped(count, 1'000'000'000);
        case 'm': return capped(count, 1'000'000);
        case 'u': return capped(count, 1'000);
        case 'n': return capped(count, 1);
        default: return std::nullopt;
    }
}

}  // namespace userstream::api::detail
