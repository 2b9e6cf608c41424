// userstream/user/phone_number.hpp
//
// A normalised phone number. The only ways to get one are normalisation with libphonenumber (for input) and
// `from_stored` (for values read back from events, which were normalised when written), so a `phone_number` in memory
// is always E.164 (`+41710000000`) and replaying events never calls libphonenumber again.
//
//     phone_rules rules;                                   // region CH, policy valid
//     auto phone = normalize_phone_v1("+41 71 000 00 00", rules);
//     if (phone) use(phone->e164());                       // "+41710000000"
//     else report(phone.err());                            // e.g. PHONE-so0wa
#pragma once

#include <string>
#include <string_view>

#include "userstream/core/result.hpp"

namespace userstream::user {

// How strict normalisation is. ZITADEL only parses, and so stores `+4112`; userstream checks validity by default.
enum class phone_policy {
    parse,     // anything libphonenumber parses (ZITADEL-compatible)
    possible,  // plus PhoneNumberUtil::IsPossibleNumber
    valid,     // plus PhoneNumberUtil::IsValidNumber (the default)
};

std::string_view to_string(phone_policy policy) noexcept;
// "parse" | "possible" | "valid"; false for anything else.
bool parse_phone_policy(std::string_view text, phone_policy& out) noexcept;

struct phone_rules {
    std::string default_region = "CH";  // ISO 3166 region for national numbers; ZITADEL's default
    phone_policy policy = phone_policy::valid;
};

class phone_number {
public:
    phone_number() = default;  // the empty number: no phone

    // For values read back from events. Trusted: they were normalised before they were stored.
    static phone_number from_stored(std::string e164) { return phone_number(std::move(e164)); }

    const std::string& e164() const noexcept { return e164_; }
    bool empty() const noexcept { return e164_.empty(); }

    friend bool operator==(const phone_number&, const phone_number&) = default;

private:
    friend result<phone_number> normalize_phone(std::string_view, const phone_rules&);
    explicit phone_number(std::string e164) : e164_(std::move(e164)) {}
    std::string e164_;
};

// Parses `input` (national, international, `00` IDD or RFC 3966 `tel:` form) and formats it as E.164, then applies
// the policy. Errors: PHONE-Zt0NV (exactly ""), PHONE-so0wa (unparsable, also whitespace only; and a number whose
// E.164 form would read back as another number, such as +49030123456, so that a stored number always normalises to
// itself), US-PHONE-possible, US-PHONE-valid. Thread-safe.
result<phone_number> normalize_phone(std::string_view input, const phone_rules& rules);

// Both API variants first reject input that is not valid text (US-INPUT-text, userstream/core/text.hpp), whose
// characters could not be counted.
// The v1 API's rules before parsing: at most 50 characters and a leading `+` (ZITADEL checks these in its API layer).
result<phone_number> normalize_phone_v1(std::string_view input, const phone_rules& rules);

// The v2 API's rule before parsing: at most 200 characters.
result<phone_number> normalize_phone_v2(std::string_view input, const phone_rules& rules);

}  // namespace userstream::user
