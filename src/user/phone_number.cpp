#include "userstream/user/phone_number.hpp"

#include <phonenumbers/phonenumberutil.h>

#include "userstream/core/text.hpp"
#include "userstream/user/errors.hpp"

namespace userstream::user {

namespace {
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

constexpr std::size_t v1_max_length = 50;
constexpr std::size_t v2_max_length = 200;
}  // namespace

std::string_view to_string(phone_policy policy) noexcept {
    switch (policy) {
        case phone_policy::parse: return "parse";
        case phone_policy::possible: return "possible";
        case phone_policy::valid: return "valid";
    }
    return "valid";
}

bool parse_phone_policy(std::string_view text, phone_policy& out) noexcept {
    for (auto p : {phone_policy::parse, phone_policy::possible, phone_policy::valid}) {
        if (text == to_string(p)) {
            out = p;
            return true;
        }
    }
    return false;
}

result<phone_number> normalize_phone(std::string_view input, const phone_rules& rules) {
    if (input.empty()) return errors::phone_empty;
    // GetInstance is a thread-safe singleton; its first call loads the metadata (tens of millions of instructions).
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    PhoneNumber parsed;
    if (util.Parse(std::string(input), rules.default_region, &parsed) != PhoneNumberUtil::NO_PARSING_ERROR) {
        return errors::phone_invalid;
    }
    if (rules.policy == phone_policy::possible && !util.IsPossibleNumber(parsed)) return errors::phone_not_possible;
    if (rules.policy == phone_policy::valid && !util.IsValidNumber(parsed)) return errors::phone_not_valid;
    std::string e164;
    util.Format(parsed, PhoneNumberUtil::E164, &e164);
    // A number must normalise to itself once stored, or the same number would be stored as two. Leading zeros the
    // E.164 form keeps (Italy's are part of the number) can instead read back as a national prefix: +49030123456
    // reads as +4930123456; and under the parse policy so can a leading trunk prefix: +11784000050031630 reads as
    // +1784000050031630. Such a number is refused like an unreadable one. A possible or valid number without leading
    // zeros has not been seen to change (fuzzing, tests/fuzz/phone_fuzz.cpp), so only those pay for a second parse.
    if (rules.policy == phone_policy::parse || parsed.italian_leading_zero()) {
        PhoneNumber again;
        std::string again_e164;
        if (util.Parse(e164, "ZZ", &again) != PhoneNumberUtil::NO_PARSING_ERROR) return errors::phone_invalid;
        util.Format(again, PhoneNumberUtil::E164, &again_e164);
        if (again_e164 != e164) return errors::phone_invalid;
    }
    return phone_number(std::move(e164));
}

result<phone_number> normalize_phone_v1(std::string_view input, const phone_rules& rules) {
    if (input.empty()) return errors::phone_empty;
    const auto characters = count_characters(input);
    if (!characters) return error(errors::text_invalid, "phone");
    if (*characters > v1_max_length) return errors::phone_too_long_v1;
    if (input.front() != '+') return errors::phone_missing_plus;
    return normalize_phone(input, rules);
}

result<phone_number> normalize_phone_v2(std::string_view input, const phone_rules& rules) {
    const auto characters = count_characters(input);
    if (!characters) return error(errors::text_invalid, "phone");
    if (*characters > v2_max_length) return errors::phone_too_long_v2;
    return normalize_phone(input, rules);
}

}  // namespace userstream::user
