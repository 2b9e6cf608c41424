// What the token_file and key_ring_file targets share to check that an error never quotes a secret of the input:
// the string literals of a text that need not be JSON, and the same text with their letters and digits changed.
// Changing only the ASCII letters and digits of a literal's unescaped bytes keeps every byte's lexical class, so a
// JSON parser accepts or refuses the changed text as it did the original (at the same byte): whatever an error says
// about text that does not parse, it says again about the changed text, unless it quotes a literal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace userstream::fuzz {

// The raw bytes between each pair of unescaped double quotes outside a literal, as a JSON lexer splits them, of at
// least `min_length` bytes. An unclosed literal at the end counts too.
inline std::vector<std::string_view> string_literals(std::string_view text, std::size_t min_length) {
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '"') continue;
        const std::size_t start = ++i;
        while (i < text.size() && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
        const auto end = i < text.size() ? i : text.size();
        if (end - start >= min_length) out.push_back(text.substr(start, end - start));
    }
    return out;
}

// `text` with each unescaped ASCII letter or digit inside a literal replaced by another of its kind (escape sequences,
// \uXXXX included, are kept as they are).
inline std::string mask_string_literals(std::string_view text) {
    std::string out(text);
    const auto shift = [](char& c) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>('a' + (c - 'a' + 7) % 26);
        else if (c >= 'A' && c <= 'Z') c = static_cast<char>('A' + (c - 'A' + 7) % 26);
        else if (c >= '0' && c <= '9') c = static_cast<char>('0' + (c - '0' + 3) % 10);
    };
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (out[i] != '"') continue;
        ++i;
        while (i < out.size() && out[i] != '"') {
            if (out[i] == '\\') {
                i += i + 1 < out.size() && out[i + 1] == 'u' ? 6 : 2;
                continue;
            }
            shift(out[i]);
            ++i;
        }
    }
    return out;
}

}  // namespace userstream::fuzz
