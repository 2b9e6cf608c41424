// userstream/core/text.hpp
//
// What counts as text at the library's boundaries. Every id and text field a host passes in must be well-formed
// UTF-8 without NUL: protobuf strings (ZITADEL's API) are UTF-8 by definition, PostgreSQL cannot store NUL in text,
// and a character limit cannot be counted over bytes that are not characters. Checking once at the boundary keeps
// all stores answering alike: `"victim\0anything"` is its own (invalid) id everywhere, never a prefix of another.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace userstream {

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF) and holds no NUL.
bool is_valid_text(std::string_view text) noexcept;

// The number of Unicode characters of `text`, or nullopt when it is not valid text in the sense above.
std::optional<std::size_t> count_characters(std::string_view text) noexcept;

}  // namespace userstream
