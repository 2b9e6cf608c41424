// userstream/core/time.hpp
//
// Timestamps and clocks. Event times are UTC with microsecond precision (what PostgreSQL's TIMESTAMPTZ keeps), so a
// timestamp survives every store unchanged. The clock is an interface so tests and the scenario runner can move time
// forward to script code expiry.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace userstream {

using timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// RFC 3339 in UTC with a `Z` and exactly six fractional digits: 2026-07-10T09:17:49.123456Z.
std::string format_rfc3339(timestamp t);

// Parses RFC 3339 with 0 to 9 fractional digits and `Z` or a numeric offset; nullopt when malformed.
// Digits past microseconds are truncated.
std::optional<timestamp> parse_rfc3339(std::string_view text);

class clock {
public:
    virtual ~clock() = default;
    virtual timestamp now() const = 0;
};

// The wall clock, truncated to microseconds.
class system_clock final : public clock {
public:
    timestamp now() const override;
};

// The wall clock plus an offset that only grows; `advance` lets a scenario script expiry without sleeping.
// Thread-safe.
class offset_clock final : public clock {
public:
    timestamp now() const override;
    void advance(std::chrono::microseconds by) noexcept { offset_us_.fetch_add(by.count()); }

private:
    std::atomic<std::int64_t> offset_us_{0};
};

// A clock that stands still until moved; for tests. Thread-safe.
class manual_clock final : public clock {
public:
    explicit manual_clock(timestamp start) : now_us_(start.time_since_epoch().count()) {}
    timestamp now() const override { return timestamp(std::chrono::microseconds(now_us_.load())); }
    void set(timestamp t) noexcept { now_us_.store(t.time_since_epoch().count()); }
    void advance(std::chrono::microseconds by) noexcept { now_us_.fetch_add(by.count()); }

private:
    std::atomic<std::int64_t> now_us_;
};

}  // namespace userstream
