// Standard base64 with padding (RFC 4648 §4), the encoding Go's encoding/json uses for []byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace userstream::user::detail {

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace userstream::user::detail
