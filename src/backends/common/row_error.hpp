// The error for a stored row this layer cannot turn into a `stored_event` (a NULL or mistyped column, a timestamp or
// payload that does not parse). It names the row's coordinates so an operator can find it; it never carries the
// payload, which may hold personal data.
#pragma once

#include <string>
#include <string_view>

#include "userstream/core/error.hpp"

namespace userstream::backends::detail {

inline decode_error row_error(std::string_view backend, std::string_view instance, std::string_view aggregate_type,
                              std::string_view aggregate_id, std::string_view sequence, std::string_view problem) {
    std::string text(backend);
    text += ": unreadable event row (instance '";
    text += instance;
    text += "', aggregate ";
    text += aggregate_type;
    text += " '";
    text += aggregate_id;
    text += "', sequence ";
    text += sequence;
    text += "): ";
    text += problem;
    return decode_error(text);
}

}  // namespace userstream::backends::detail
