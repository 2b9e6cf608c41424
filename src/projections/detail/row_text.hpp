// How the SQL read models spell enum columns: as words, so the tables read well in a SQL console.
#pragma once

#include <string>
#include <string_view>

#include "userstream/core/error.hpp"
#include "userstream/projections/user_phone_projection.hpp"

namespace userstream::projections::detail {

inline std::string_view to_text(user_kind kind) noexcept {
    switch (kind) {
        case user_kind::human: return "human";
        case user_kind::machine: return "machine";
        default: return "unknown";
    }
}

inline std::string_view to_text(user::user_state state) noexcept {
    switch (state) {
        case user::user_state::active: return "active";
        case user::user_state::initial: return "initial";
        case user::user_state::deleted: return "deleted";
        default: return "unspecified";
    }
}

inline user_kind kind_from_text(std::string_view text) {
    if (text == "human") return user_kind::human;
    if (text == "machine") return user_kind::machine;
    if (text == "unknown") return user_kind::unknown;
    throw decode_error("user read model: unknown kind '" + std::string(text) + "'");
}

inline user::user_state state_from_text(std::string_view text) {
    if (text == "active") return user::user_state::active;
    if (text == "initial") return user::user_state::initial;
    if (text == "deleted") return user::user_state::deleted;
    if (text == "unspecified") return user::user_state::unspecified;
    throw decode_error("user read model: unknown state '" + std::string(text) + "'");
}

}  // namespace userstream::projections::detail
