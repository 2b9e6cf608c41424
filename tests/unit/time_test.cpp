#include <catch2/catch.hpp>

#include "userstream/core/time.hpp"

using namespace userstream;

TEST_CASE("timestamps format as RFC 3339 UTC with microseconds and Z", "[time]") {
    const timestamp t{std::chrono::microseconds(1'783'675'069'123'456)};
    CHECK(format_rfc3339(t) == "2026-07-10T09:17:49.123456Z");
    CHECK(format_rfc3339(timestamp{}) == "1970-01-01T00:00:00.000000Z");
    CHECK(format_rfc3339(timestamp{std::chrono::microseconds(-1)}) == "1969-12-31T23:59:59.999999Z");
}

TEST_CASE("RFC 3339 parsing accepts Z, offsets and 0 to 9 fraction digits", "[time]") {
    const auto base = parse_rfc3339("2026-07-10T03:17:49Z");
    REQUIRE(base);
    CHECK(format_rfc3339(*base) == "2026-07-10T03:17:49.000000Z");
    CHECK(parse_rfc3339("2026-07-10T03:17:49.123456789Z") == *base + std::chrono::microseconds(123456));
    CHECK(parse_rfc3339("2026-07-10T05:17:49+02:00") == base);
    CHECK(parse_rfc3339("2026-07-10T03:17:49.5Z") == *base + std::chrono::milliseconds(500));
    CHECK_FALSE(parse_rfc3339("2026-07-10T03:17:49"));
    CHECK_FALSE(parse_rfc3339("2026-02-30T00:00:00Z"));
    CHECK_FALSE(parse_rfc3339("2026-07-10T03:17:49.Z"));
    CHECK_FALSE(parse_rfc3339("yesterday"));
}

TEST_CASE("formatting and parsing round-trip", "[time]") {
    const auto n = GENERATE(take(50, random<std::int64_t>(0, 4'102'444'800'000'000)));
    const timestamp t{std::chrono::microseconds(n)};
    CHECK(parse_rfc3339(format_rfc3339(t)) == t);
}

TEST_CASE("RFC 3339 covers the years 0000 to 9999", "[time]") {
    CHECK(format_rfc3339(earliest_rfc3339) == "0000-01-01T00:00:00.000000Z");
    CHECK(format_rfc3339(latest_rfc3339) == "9999-12-31T23:59:59.999999Z");
    CHECK(parse_rfc3339("0000-01-01T00:00:00Z") == earliest_rfc3339);
    CHECK(parse_rfc3339("9999-12-31T23:59:59.999999Z") == latest_rfc3339);
    CHECK_FALSE(parse_rfc3339("1000-02-29T12:00:00Z"));  // 1000 is not a leap year
    CHECK(format_rfc3339(*parse_rfc3339("2000-02-29T12:00:00Z")) == "2000-02-29T12:00:00.000000Z");
    CHECK(format_rfc3339(*parse_rfc3339("0999-12-31T23:59:59.5Z")) == "0999-12-31T23:59:59.500000Z");
    const auto n = GENERATE(take(50, random<std::int64_t>(earliest_rfc3339.time_since_epoch().count(),
                                                          latest_rfc3339.time_since_epoch().count())));
    const timestamp t{std::chrono::microseconds(n)};
    CHECK(parse_rfc3339(format_rfc3339(t)) == t);
}

TEST_CASE("defect 8.3: timestamps outside RFC 3339's years format as the nearest bound instead of throwing", "[time][issue8]") {
    using std::chrono::microseconds;
    const timestamp last{microseconds(253'402'300'799'999'999)};    // 9999-12-31T23:59:59.999999Z
    const timestamp first{microseconds(-62'167'219'200'000'000)};  // 0000-01-01T00:00:00Z
    CHECK(format_rfc3339(last) == "9999-12-31T23:59:59.999999Z");
    CHECK(format_rfc3339(first) == "0000-01-01T00:00:00.000000Z");
    CHECK(format_rfc3339(timestamp::max()) == "9999-12-31T23:59:59.999999Z");
    CHECK(format_rfc3339(last + microseconds(1)) == "9999-12-31T23:59:59.999999Z");
    CHECK(format_rfc3339(timestamp::min()) == "0000-01-01T00:00:00.000000Z");
    CHECK(format_rfc3339(first - microseconds(1)) == "0000-01-01T00:00:00.000000Z");
}

TEST_CASE("defect 8.3: clocks saturate at the bounds of RFC 3339 instead of overflowing", "[time][issue8]") {
    using std::chrono::microseconds;
    const timestamp last{microseconds(253'402'300'799'999'999)};  // 9999-12-31T23:59:59.999999Z
    const timestamp first{microseconds(-62'167'219'200'000'000)};
    offset_clock moved;
    const auto before = moved.now();
    moved.advance(std::chrono::hours(24));
    CHECK(moved.now() >= before + std::chrono::hours(24));
    // 9223372036854 s, the scenario line that overflowed, in microseconds; then as far as the type goes, twice.
    moved.advance(microseconds(9'223'372'036'854'000'000));
    CHECK(moved.now() == last);
    moved.advance(microseconds::max());
    moved.advance(microseconds::max());
    CHECK(moved.now() == last);

    manual_clock still{last - microseconds(10)};
    still.advance(microseconds(5));
    CHECK(still.now() == last - microseconds(5));
    still.advance(microseconds::max());
    still.advance(microseconds::max());
    CHECK(still.now() == last);
    still.set(timestamp{});
    still.advance(microseconds::min());
    still.advance(microseconds::min());
    CHECK(still.now() == first);
}
