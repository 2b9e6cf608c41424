#include "userstream/core/text.hpp"

#include <cstdint>
#include <cstring>

namespace userstream {

std::optional<std::size_t> count_characters(std::string_view text) noexcept {
    // The well-formed byte sequences of Unicode 15, table 3-7: the second byte's range depends on the lead byte,
    // which is what excludes overlong forms, surrogates and code points past U+10FFFF.
    std::size_t characters = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* const end = p + text.size();
    while (p < end) {
        // Ids, numbers and payloads are mostly ASCII: take eight bytes at once while none is NUL or above 0x7F.
        if (end - p >= 8) {
            std::uint64_t word = 0;
            std::memcpy(&word, p, sizeof word);
            constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
            const bool any_high = (word & highs) != 0;
            const bool any_nul = ((word - ones) & ~word & highs) != 0;
            if (!any_high && !any_nul) {
                p += 8;
                characters += 8;
                continue;
            }
        }
        const unsigned char lead = *p;
        if (lead < 0x80) {
            if (lead == 0) return std::nullopt;
            ++p;
            ++characters;
            continue;
        }
        std::size_t length = 0;
        unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0) low = 0xA0;
            if (lead == 0xED) high = 0x9F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0) low = 0x90;
            if (lead == 0xF4) high = 0x8F;
        } else {
            return std::nullopt;  // a continuation byte without a lead, or C0, C1, F5..FF
        }
        if (static_cast<std::size_t>(end - p) < length) return std::nullopt;
        if (p[1] < low || p[1] > high) return std::nullopt;
        for (std::size_t i = 2; i < length; ++i) {
            if (p[i] < 0x80 || p[i] > 0xBF) return std::nullopt;
        }
        p += length;
        ++characters;
    }
    return characters;
}

bool is_valid_text(std::string_view text) noexcept { return count_characters(text).has_value(); }

}  // namespace userstream
