#include "postgres/array_literal.hpp"

#include <utility>

namespace userstream::sql::postgres {

void array_literal::separate() {
    if (text_.size() > 1) text_ += ',';
}

void array_literal::add_text(std::string_view value) {
    separate();
    text_ += '"';
    for (const char c : value) {
        if (c == '"' || c == '\\') text_ += '\\';
        text_ += c;
    }
    text_ += '"';
}

void array_literal::add_nullable(const std::optional<std::string>& value) {
    if (value) {
        add_text(*value);
    } else {
        add_null();
    }
}

void array_literal::add_number(std::uint64_t value) {
    separate();
    text_ += std::to_string(value);
}

void array_literal::add_null() {
    separate();
    text_ += "NULL";
}

std::string array_literal::finish() {
    text_.push_back('}');
    std::string out = std::move(text_);
    text_.assign(1, '{');
    return out;
}

}  // namespace userstream::sql::postgres
