#include "protocols/rest_routes.hpp"

#include <optional>
#include <vector>

namespace userstream::api::detail {

namespace {
std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    if (path.starts_with('/')) path.remove_prefix(1);
    while (true) {
        const auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return out;
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out.push_back(text[i]);
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;
        const int high = hex_value(text[i + 1]);
        const int low = hex_value(text[i + 2]);
        if (high < 0 || low < 0) return std::nullopt;
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
    }
    return out;
}

// Every rule's path split once (the table is fixed), in the table's order, instead of on every request.
const std::vector<std::vector<std::string_view>>& rule_segments() {
    static const auto split = [] {
        std::vector<std::vector<std::string_view>> out;
        for (const auto& m : all_methods()) out.push_back(segments(m.rest.path));
        return out;
    }();
    return split;
}

// Whether `parts` fit the rule's segments; the {user_id} segment is returned raw.
bool fits(const std::vector<std::string_view>& rule, const std::vector<std::string_view>& parts,
          std::string_view& variable) {
    if (rule.size() != parts.size()) return false;
    for (std::size_t i = 0; i < rule.size(); ++i) {
        if (rule[i] == "{user_id}") {
            if (parts[i].empty()) return false;
            variable = parts[i];
        } else if (rule[i] != parts[i]) {
            return false;
        }
    }
    return true;
}
}  // namespace

route_match match_route(std::string_view verb, std::string_view path) {
    route_match out;
    const auto parts = segments(path);
    const auto table = all_methods();
    const auto& rules = rule_segments();
    for (std::size_t i = 0; i < table.size(); ++i) {
        const method& m = table[i];
        std::string_view variable;
        if (!fits(rules[i], parts, variable)) continue;
        out.path_known = true;
        if (m.rest.verb != verb) continue;
        // A literal rule wins over one with a variable ("/v2/users/human" is AddHumanUser, not a user id "human").
        if (out.found && out.found->rest.path.find('{') == std::string_view::npos) continue;
        auto decoded = percent_decode(variable);
        if (!decoded) {
            out.bad_escape = true;
            return out;
        }
        out.found = &m;
        out.user_id = std::move(*decoded);
    }
    return out;
}

}  // namespace userstream::api::detail
