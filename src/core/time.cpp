#include "userstream/core/time.hpp"

#include <boost/date_time/gregorian/gregorian_types.hpp>
#include <cctype>
#include <fmt/format.h>

namespace userstream {

namespace {

using std::chrono::microseconds;

const boost::gregorian::date epoch(1970, 1, 1);

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

std::string format_rfc3339(timestamp t) {
    const std::int64_t us = t.time_since_epoch().count();
    constexpr std::int64_t us_per_day = 86'400'000'000;
    std::int64_t days = us / us_per_day;
    std::int64_t rest = us % us_per_day;
    if (rest < 0) {
        rest += us_per_day;
        --days;
    }
    const auto date = epoch + boost::gregorian::days(static_cast<long>(days));
    const auto ymd = date.year_month_day();
    const std::int64_t secs = rest / 1'000'000;
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", static_cast<int>(ymd.year),
                       static_cast<int>(ymd.month), static_cast<int>(ymd.day), secs / 3600, (secs / 60) % 60,
                       secs % 60, rest % 1'000'000);
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
    std::int64_t days;
    try {
        days = (boost::gregorian::date(static_cast<unsigned short>(year), static_cast<unsigned short>(month),
                                       static_cast<unsigned short>(day)) -
                epoch)
                   .days();
    } catch (const std::exception&) {
        return std::nullopt;  // day or month out of range
    }
    const std::int64_t seconds = days * 86'400 + hour * 3600 + minute * 60 + second - offset_seconds;
    return timestamp(microseconds(seconds * 1'000'000 + fraction_us));
}

timestamp system_clock::now() const {
    return std::chrono::time_point_cast<microseconds>(std::chrono::system_clock::now());
}

timestamp offset_clock::now() const {
    return std::chrono::time_point_cast<microseconds>(std::chrono::system_clock::now()) +
           microseconds(offset_us_.load());
}

}  // namespace userstream
