#include <catch2/catch.hpp>

#include "userstream/core/text.hpp"
#include "userstream/user/errors.hpp"
#include "userstream/user/phone_number.hpp"

using namespace userstream;
using namespace userstream::user;

namespace {
std::string e164_or_error(const result<phone_number>& r) { return r ? r->e164() : std::string(r.err().id); }
}  // namespace

TEST_CASE("phone numbers normalise to E.164 with the default region CH", "[phone]") {
    // ZITADEL's normalisation is the parse policy; the stricter policies only reject, they never format differently.
    const phone_rules rules{"CH", phone_policy::parse};
    const auto [input, expected] = GENERATE(table<std::string, std::string>({
        {"0711234567", "+41711234567"},
        {"0041711234567", "+41711234567"},
        {"071 123 45 67", "+41711234567"},
        {"+4171 123 45 67", "+41711234567"},
        {"004371 123 45 67", "+43711234567"},
        {"+41 71 000 00 00", "+41710000000"},
        {"tel:+41-71-000-00-00", "+41710000000"},
    }));
    INFO(input);
    CHECK(e164_or_error(normalize_phone(input, rules)) == expected);
}

TEST_CASE("under the default valid policy Swiss numbers pass and a number unassigned in its plan fails", "[phone]") {
    const phone_rules rules;  // CH, valid
    CHECK(e164_or_error(normalize_phone("071 123 45 67", rules)) == "+41711234567");
    CHECK(e164_or_error(normalize_phone("+41 71 000 00 00", rules)) == "+41710000000");
    CHECK(e164_or_error(normalize_phone("tel:+41-71-000-00-00", rules)) == "+41710000000");
    // +43 711 234567 parses (ZITADEL stores it) but is no valid Austrian number.
    CHECK(e164_or_error(normalize_phone("004371 123 45 67", rules)) == errors::phone_not_valid.id);
    CHECK(e164_or_error(normalize_phone("004371 123 45 67", {"CH", phone_policy::possible})) == "+43711234567");
}

TEST_CASE("phone normalisation errors have stable ids", "[phone]") {
    const phone_rules rules;
    CHECK(e164_or_error(normalize_phone("", rules)) == errors::phone_empty.id);
    CHECK(e164_or_error(normalize_phone("PhoneNumber", rules)) == errors::phone_invalid.id);
    CHECK(e164_or_error(normalize_phone("   ", rules)) == errors::phone_invalid.id);
    CHECK(e164_or_error(normalize_phone("+999 1234", rules)) == errors::phone_invalid.id);
    const auto empty = normalize_phone("", rules);
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.err().kind == error_kind::invalid_argument);
    CHECK(empty.err().key == "Errors.User.Phone.Empty");
}

TEST_CASE("the validation policy decides whether +4112 is accepted", "[phone]") {
    CHECK(e164_or_error(normalize_phone("+4112", {"CH", phone_policy::parse})) == "+4112");
    CHECK(e164_or_error(normalize_phone("+4112", {"CH", phone_policy::possible})) == errors::phone_not_possible.id);
    CHECK(e164_or_error(normalize_phone("+4112", {"CH", phone_policy::valid})) == errors::phone_not_valid.id);
    CHECK(e164_or_error(normalize_phone("+4112", {})) == errors::phone_not_valid.id);  // valid is the default
}

TEST_CASE("the default region decides how national numbers are read", "[phone]") {
    CHECK(e164_or_error(normalize_phone("0711234567", {"DE", phone_policy::parse})) == "+49711234567");
    CHECK(e164_or_error(normalize_phone("0711234567", {"CH", phone_policy::parse})) == "+41711234567");
}

TEST_CASE("v1 rejects long or unprefixed input before parsing", "[phone][v1]") {
    const phone_rules rules;
    CHECK(e164_or_error(normalize_phone_v1("", rules)) == errors::phone_empty.id);
    CHECK(e164_or_error(normalize_phone_v1("071 123 45 67", rules)) == errors::phone_missing_plus.id);
    CHECK(e164_or_error(normalize_phone_v1("tel:+41-71-000-00-00", rules)) == errors::phone_missing_plus.id);
    CHECK(e164_or_error(normalize_phone_v1("+" + std::string(49, '1'), rules)) == errors::phone_invalid.id);
    CHECK(e164_or_error(normalize_phone_v1("+" + std::string(50, '1'), rules)) == errors::phone_too_long_v1.id);
    // Length counts characters, not bytes: 25 two-byte characters are 25, not 50.
    std::string wide = "+";
    for (int i = 0; i < 24; ++i) wide += "\xC2\xA0";  // NBSP, which libphonenumber strips
    wide += "41711234567";
    CHECK(count_characters(wide) == 36u);
    CHECK(e164_or_error(normalize_phone_v1(wide, rules)) != errors::phone_too_long_v1.id);
    CHECK(e164_or_error(normalize_phone_v1("+41 71 000 00 00", rules)) == "+41710000000");
}

TEST_CASE("v2 accepts national and RFC 3966 input up to 200 characters", "[phone][v2]") {
    const phone_rules rules;
    CHECK(e164_or_error(normalize_phone_v2("071 123 45 67", rules)) == "+41711234567");
    CHECK(e164_or_error(normalize_phone_v2("tel:+41-71-000-00-00", rules)) == "+41710000000");
    CHECK(e164_or_error(normalize_phone_v2(std::string(201, '1'), rules)) == errors::phone_too_long_v2.id);
    CHECK(e164_or_error(normalize_phone_v2(std::string(200, ' '), rules)) == errors::phone_invalid.id);
    CHECK(e164_or_error(normalize_phone_v2("", rules)) == errors::phone_empty.id);
}

TEST_CASE("phone policies parse from their names", "[phone]") {
    phone_policy p{};
    CHECK(parse_phone_policy("possible", p));
    CHECK(p == phone_policy::possible);
    CHECK_FALSE(parse_phone_policy("strict", p));
}

// Found by the phone fuzz target (tests/fuzz/regressions/phone/). "+490030123456" reads, in DE, as a number with
// leading zeros that its E.164 form keeps (+49030123456), and that form reads back as another number (+4930123456).
// Stored, it would normalise to something else on the next request, so it is refused like any unreadable number.
TEST_CASE("a number whose E.164 form reads back as another number is refused under every policy", "[phone]") {
    for (const auto policy : {phone_policy::parse, phone_policy::possible, phone_policy::valid}) {
        const phone_rules rules{"DE", policy};
        CHECK(e164_or_error(normalize_phone_v1("+490030123456", rules)) != "+49030123456");
        CHECK(e164_or_error(normalize_phone_v2("Stexl0-00-lUU0xS0741-", rules)) != "+49005880970741");
    }
    CHECK(e164_or_error(normalize_phone("+490030123456", {"DE", phone_policy::parse})) == errors::phone_invalid.id);
    CHECK(e164_or_error(normalize_phone("+490030123456", {"DE", phone_policy::possible})) == errors::phone_invalid.id);
    // Under the parse policy a North American number may start with the trunk prefix 1, which reads back as a prefix.
    CHECK(e164_or_error(normalize_phone_v2("+111784000 050031630", {"CH", phone_policy::parse})) ==
          errors::phone_invalid.id);
}

TEST_CASE("a number whose leading zero belongs to it keeps it, as Italian numbers do", "[phone]") {
    const phone_rules rules{"CH", phone_policy::valid};
    const auto phone = normalize_phone("+39 06 1234 5678", rules);
    REQUIRE(phone.ok());
    CHECK(phone->e164() == "+390612345678");
    CHECK(e164_or_error(normalize_phone(phone->e164(), rules)) == "+390612345678");
}
