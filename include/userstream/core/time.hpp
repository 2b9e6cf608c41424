// userstream/core/time.hpp
//
// Timestamps and clocks. Event times are UTC with microsecond precision (what PostgreSQL's TIMESTAMPTZ keeps), so a
// timestamp survives every store unchanged. The clock is an interface so tests and the scenario runner can move time
// forward to script code expiry.
//
// The times this library writes lie within RFC 3339's four-digit years, [earliest_rfc3339, latest_rfc3339]. Clocks
// saturate at those bounds rather than overflow, however far they are moved, and formatting clamps a timestamp
// outside them to the nearer bound rather than throw: a script that moves a clock by 10^12 seconds gets year 9999,
// not undefined behaviour or an exception.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace userstream {

using timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// The first and last instants RFC 3339 can write: 0000-01-01T00:00:00.000000Z and 9999-12-31T23:59:59.999999Z.
inline constexpr timestamp earliest_rfc3339{std::chrono::sys_days{std::chrono::year{0} / 1 / 1}};
inline constexpr timestamp latest_rfc3339{std::chrono::sys_days{std::chrono::year{10000} / 1 / 1} -
                                          std::chrono::microseconds(1)};

// `t` moved by `by`, saturating at earliest_rfc3339 and latest_rfc3339 instead of overflowing.
timestamp saturating_add(timestamp t, std::chrono::microseconds by) noexcept;

// RFC 3339 in UTC with a `Z` and exactly six fractional digits: 2026-07-10T09:17:49.123456Z. A timestamp outside
// [earliest_rfc3339, latest_rfc3339] is written as the nearer bound.
std::string format_rfc3339(timestamp t);

// Parses RFC 3339 (years 0000 to 9999) with 0 to 9 fractional digits and `Z` or a numeric offset; nullopt when
// malformed. Digits past microseconds are truncated.
std::optional<timestamp> parse_rfc3339(std::string_view text);

class clock {
public:
    virtual ~clock() = default;
    virtual timestamp now() const = 0;
};

// The wall clock, truncated to microseconds. What user_service uses when the host passes no clock.
class system_clock final : public clock {
public:
    timestamp now() const override;
};

// The wall clock plus an offset; `advance` lets a scenario script expiry without sleeping. The offset saturates
// instead of overflowing, and `now()` saturates at latest_rfc3339 (and earliest_rfc3339). Thread-safe.
class offset_clock final : public clock {
public:
    timestamp now() const override;
    void advance(std::chrono::microseconds by) noexcept;

private:
    std::atomic<std::int64_t> offset_us_{0};
};

// A clock that stands still until moved; for tests. `advance` saturates at earliest_rfc3339 and latest_rfc3339
// instead of overflowing. Thread-safe.
class manual_clock final : public clock {
public:
    explicit manual_clock(timestamp start) : now_us_(start.time_since_epoch().count()) {}
    timestamp now() const override { return timestamp(std::chrono::microseconds(now_us_.load())); }
    void set(timestamp t) noexcept { now_us_.store(t.time_since_epoch().count()); }
    void advance(std::chrono::microseconds by) noexcept;

private:
    std::atomic<std::int64_t> now_us_;
};

}  // namespace userstream
