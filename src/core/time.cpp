#include "userstream/core/time.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <limits>

namespace userstream {

namespace {

using std::chrono::microseconds;

// a + b, pinned to the int64 range instead of overflowing.
std::int64_t saturating_sum(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t sum = 0;
    if (__builtin_add_overflow(a, b, &sum)) {
        return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
    }
    return sum;
}

bool read_digits(std::string_view text, std::size_t& at, std::size_t count, int& out) {
    if (at + count > text.size()) return false;
    out = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const char c = text[at + i];
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
        out = out * 10 + (c - '0');
    }
    at += count;
    return true;
}

bool expect(std::string_view text, std::size_t& at, char c) {
    if (at >= text.size() || text[at] != c) return false;
    ++at;
    return true;
}

}  // namespace

timestamp saturating_add(timestamp t, microseconds by) noexcept {
    const timestamp moved{microseconds(saturating_sum(t.time_since_epoch().count(), by.count()))};
    return std::clamp(moved, earliest_rfc3339, latest_rfc3339);
}

std::string format_rfc3339(timestamp t) {
    // Four-digit years only: clamping keeps the output valid RFC 3339 (and the civil-date arithmetic in range).
    t = std::clamp(t, earliest_rfc3339, latest_rfc3339);
    const auto day = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd{day};
    const std::int64_t rest = (t - day).count();  // microseconds since midnight
    const std::int64_t secs = rest / 1'000'000;
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), secs / 3600,
                       (secs / 60) % 60, secs % 60, rest % 1'000'000);
}

std::optional<timestamp> parse_rfc3339(std::string_view text) {
    std::size_t at = 0;
    int year, month, day, hour, minute, second;
    if (!read_digits(text, at, 4, year) || !expect(text, at, '-') || !read_digits(text, at, 2, month) ||
        !expect(text, at, '-') || !read_digits(text, at, 2, day)) {
        return std::nullopt;
    }
    if (at >= text.size() || (text[at] != 'T' && text[at] != 't' && text[at] != ' ')) return std::nullopt;
    ++at;
    if (!read_digits(text, at, 2, hour) || !expect(text, at, ':') || !read_digits(text, at, 2, minute) ||
        !expect(text, at, ':') || !read_digits(text, at, 2, second)) {
        return std::nullopt;
    }
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
    std::int64_t fraction_us = 0;
    if (at < text.size() && text[at] == '.') {
        ++at;
        int digits = 0;
        while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) {
            if (digits < 6) fraction_us = fraction_us * 10 + (text[at] - '0');
            ++digits;
            ++at;
        }
        if (digits == 0 || digits > 9) return std::nullopt;
        for (int i = digits; i < 6; ++i) fraction_us *= 10;
    }
    std::int64_t offset_seconds = 0;
    if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
        ++at;
    } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
        const int sign = text[at] == '-' ? -1 : 1;
        ++at;
        int oh, om;
        if (!read_digits(text, at, 2, oh) || !expect(text, at, ':') || !read_digits(text, at, 2, om)) {
            return std::nullopt;
        }
        offset_seconds = sign * (oh * 3600 + om * 60);
    } else {
        return std::nullopt;
    }
    if (at != text.size()) return std::nullopt;
    const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                           std::chrono::day{static_cast<unsigned>(day)}};
    if (!date.ok()) return std::nullopt;  // day or month out of range
    const std::int64_t days = std::chrono::sys_days{date}.time_since_epoch().count();
    const std::int64_t seconds = days * 86'400 + hour * 3600 + minute * 60 + second - offset_seconds;
    return timestamp(microseconds(seconds * 1'000'000 + fraction_us));
}

timestamp system_clock::now() const {
    return std::chrono::time_point_cast<microseconds>(std::chrono::system_clock::now());
}

timestamp offset_clock::now() const {
    return saturating_add(std::chrono::time_point_cast<microseconds>(std::chrono::system_clock::now()),
                          microseconds(offset_us_.load()));
}

void offset_clock::advance(microseconds by) noexcept {
    auto offset = offset_us_.load();
    while (!offset_us_.compare_exchange_weak(offset, saturating_sum(offset, by.count()))) {
    }
}

void manual_clock::advance(microseconds by) noexcept {
    auto now = now_us_.load();
    while (!now_us_.compare_exchange_weak(
        now, saturating_add(timestamp(microseconds(now)), by).time_since_epoch().count())) {
    }
}

}  // namespace userstream
