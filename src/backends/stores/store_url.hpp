// Parsing a store URL (see open_store.hpp) into the options of one backend, without opening anything, so the
// parsing is testable on its own. Errors name the offending part and never echo the URL, which may hold a password.
#pragma once

#include <string_view>
#include <variant>

#include "userstream/backends/postgres_event_store.hpp"
#include "userstream/backends/sqlite_event_store.hpp"

namespace userstream::backends::detail {

struct memory_url {};

using store_url = std::variant<memory_url, sqlite_options, postgres_options>;

// Throws infrastructure_error for an unknown scheme or option.
store_url parse_store_url(std::string_view url);

}  // namespace userstream::backends::detail
