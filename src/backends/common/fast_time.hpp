// Reading the canonical timestamp text this library writes (2026-07-10T09:17:49.123456Z) without the general RFC
// 3339 parser, because replay parses one per event. Anything else falls back to `parse_rfc3339`.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "userstream/core/time.hpp"

namespace userstream::backends::detail {

inline std::optional<timestamp> parse_stored_time(std::string_view text) {
    constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd.ddddddZ";
    if (text.size() != shape.size()) return parse_rfc3339(text);
    int numbers[7] = {};
    int field = 0;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        const char c = text[i];
        if (shape[i] == 'd') {
            if (c < '0' || c > '9') return parse_rfc3339(text);
            numbers[field] = numbers[field] * 10 + (c - '0');
        } else if (c != shape[i]) {
            return parse_rfc3339(text);
        } else if (c != 'Z') {
            ++field;
        }
    }
    using namespace std::chrono;
    const year_month_day date{year{numbers[0]}, month{static_cast<unsigned>(numbers[1])},
                              day{static_cast<unsigned>(numbers[2])}};
    if (!date.ok() || numbers[3] > 23 || numbers[4] > 59 || numbers[5] > 60) return std::nullopt;
    return timestamp(sys_days(date).time_since_epoch() + hours(numbers[3]) + minutes(numbers[4]) +
                     seconds(numbers[5]) + microseconds(numbers[6]));
}

}  // namespace userstream::backends::detail
