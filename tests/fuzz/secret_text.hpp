// What the token_file and key_ring_file targets share to check that an error never quotes a secret of the input:
// the secret strings of a parsed file and the file with them replaced one-to-one, the string literals of a text that
// need not be JSON and the same text with their letters and digits changed, and the check that the two inputs were
// answered alike.
// Changing only the ASCII letters and digits of a literal's unescaped bytes keeps every byte's lexical class, so a
// JSON parser accepts or refuses the changed text as it did the original (at the same byte): whatever an error says
// about text that does not parse, it says again about the changed text, unless it quotes a literal.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz_check.hpp"

namespace userstream::fuzz {

// The `field` strings of the objects in `document`'s `list` array, in order (a repeated one repeated): the secrets of
// a token file ("tokens", "token") or a key ring file ("keys", "key").
inline std::vector<std::string> secrets_of(const nlohmann::json& document, const char* list, const char* field) {
    std::vector<std::string> out;
    if (!document.is_object()) return out;
    const auto items = document.find(list);
    if (items == document.end() || !items->is_array()) return out;
    for (const auto& item : *items) {
        if (!item.is_object()) continue;
        const auto secret = item.find(field);
        if (secret != item.end() && secret->is_string()) out.push_back(secret->get<std::string>());
    }
    return out;
}

// `document` with each of those strings replaced one-to-one: the first time a string is met, by `other(string, n)`,
// n counting the distinct strings met before it; every later time by the same replacement.
inline nlohmann::json with_secrets_replaced(nlohmann::json document, const char* list, const char* field,
                                            const std::function<std::string(const std::string&, std::size_t)>& other) {
    std::map<std::string, std::string> replacement;
    for (auto& item : document[list]) {
        if (!item.is_object()) continue;
        const auto secret = item.find(field);
        if (secret == item.end() || !secret->is_string()) continue;
        auto& text = secret->get_ref<std::string&>();
        auto found = replacement.find(text);
        if (found == replacement.end()) found = replacement.emplace(text, other(text, replacement.size())).first;
        text = found->second;
    }
    return document;
}

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

// An input and the same input with only its secrets changed must be answered alike: both accepted, or both refused
// with the same message; and no secret of 8 bytes or more may appear in the first message unless it appears in the
// second too (as part of an id, say). `kind` and `secret` name them in a failure ("token-file", "token").
inline void check_secrets_kept(bool accepted, const std::string& error, bool changed_accepted,
                               const std::string& changed_error, const std::vector<std::string>& secrets,
                               std::string_view kind, std::string_view secret) {
    const auto failed = [&](std::string_view before, std::string_view between, std::string_view after) {
        property_failed(std::string(before) + std::string(between) + std::string(after));
    };
    if (accepted != changed_accepted) failed("changing only the ", secret, "s changed whether the file is accepted");
    for (const auto& text : secrets) {
        if (text.size() >= 8 && error.find(text) != std::string::npos && changed_error.find(text) == std::string::npos) {
            failed("a ", kind, std::string(" error quotes a ") + std::string(secret));
        }
    }
    if (error != changed_error) failed("a ", kind, std::string(" error depends on a ") + std::string(secret));
}

// The string literals of `text` of at least 8 bytes, as secrets for check_secrets_kept.
inline std::vector<std::string> literal_secrets(std::string_view text) {
    std::vector<std::string> out;
    for (const auto literal : string_literals(text, 8)) out.emplace_back(literal);
    return out;
}

}  // namespace userstream::fuzz
