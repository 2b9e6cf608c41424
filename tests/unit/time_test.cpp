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
