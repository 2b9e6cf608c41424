// Phone normalisation (userstream/user/phone_number.hpp) on any text, under the v1 and v2 rules, every policy and a
// few default regions, all chosen by the first byte. Properties: normalisation never throws; a success is E.164 ("+"
// and digits), and that E.164 normalises to itself under both API variants (a stored number read back and sent again
// must not change).
#include <array>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "userstream/user/phone_number.hpp"

using namespace userstream;

namespace {

// CH is the default; "" and "ZZ" are the regions a misconfigured host could pass.
constexpr std::array<std::string_view, 8> regions{"CH", "US", "DE", "GB", "IT", "AR", "ZZ", ""};
constexpr std::array<user::phone_policy, 3> policies{user::phone_policy::parse, user::phone_policy::possible,
                                                     user::phone_policy::valid};

result<user::phone_number> normalize(bool v2, std::string_view text, const user::phone_rules& rules) {
    return v2 ? user::normalize_phone_v2(text, rules) : user::normalize_phone_v1(text, rules);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::input_reader in(data, size);
    const unsigned choice = in.byte();
    const bool v2 = (choice & 1) != 0;
    user::phone_rules rules;
    rules.policy = policies[(choice >> 1) % policies.size()];
    rules.default_region = std::string(regions[(choice >> 3) % regions.size()]);

    const auto first = normalize(v2, in.rest(), rules);
    if (!first) {
        fuzz::check(!first.err().id.empty(), "a rejected phone number names no error id");
        return 0;
    }
    const std::string e164 = first->e164();
    fuzz::check(e164.size() >= 2 && e164[0] == '+', "a normalised number is not +digits: " + e164);
    for (std::size_t i = 1; i < e164.size(); ++i) {
        fuzz::check(e164[i] >= '0' && e164[i] <= '9', "a normalised number is not +digits: " + e164);
    }
    for (const bool again_v2 : {false, true}) {
        const auto again = normalize(again_v2, e164, rules);
        fuzz::check(again.ok(), "a normalised number is rejected when normalised again: " + e164);
        fuzz::check(again->e164() == e164, "a normalised number changes when normalised again: " + e164 + " -> " +
                                               again->e164());
    }
    return 0;
}
