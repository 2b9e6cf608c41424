// Header lookup for api_request and api_response.
#include "userstream/api/api_message.hpp"

namespace userstream::api {

namespace {
char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::optional<std::string_view> find_header(const header_list& headers, std::string_view name) {
    for (const auto& [key, value] : headers) {
        if (header_name_equals(key, name)) return std::string_view(value);
    }
    return std::nullopt;
}
}  // namespace

bool header_name_equals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::optional<std::string_view> api_request::header(std::string_view name) const { return find_header(headers, name); }
std::optional<std::string_view> api_response::header(std::string_view name) const { return find_header(headers, name); }

}  // namespace userstream::api
