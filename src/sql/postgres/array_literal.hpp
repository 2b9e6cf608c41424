// PostgreSQL array literals ({"a","b",NULL,3}) built element by element, for the statements that pass a whole page
// or group as arrays and unnest() them: one round trip per page instead of one per row. One builder for the event
// store's pushes and reads and the read models' loads and upserts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace userstream::sql::postgres {

class array_literal {
public:
    void add_text(std::string_view value);                       // quoted: "a\"b"
    void add_nullable(const std::optional<std::string>& value);  // the text, or NULL
    void add_number(std::uint64_t value);
    void add_null();
    // The literal; the builder is empty afterwards.
    std::string finish();

private:
    void separate();
    std::string text_ = "{";
};

}  // namespace userstream::sql::postgres
