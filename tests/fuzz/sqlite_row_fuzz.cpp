// The SQLite store's row decoder (src/backends/sqlite/sqlite_rows.hpp) on any row a damaged or hand-edited `events2`
// could give it: twelve columns, each NULL, an integer, text, a real or a blob. The row comes from a SELECT of bound
// values on an in-memory database, so the decoder reads it through SQLite as it reads a stored row. Input: per
// column one type byte (0 NULL, 1 integer, 2 text, 3 real, 4 blob), then 8 big-endian bytes for an integer or one
// length byte and that many bytes otherwise. Properties: decoding throws nothing but decode_error, whose message
// never holds the payload; a decoded event has a positive sequence and position.
#include <memory>
#include <optional>
#include <string>

#include "fuzz_check.hpp"
#include "sqlite/database.hpp"
#include "sqlite_rows.hpp"
#include "userstream/core/error.hpp"

using namespace userstream;

namespace {

constexpr int column_count = 12;  // sql::event_columns

// Column c is CASE ?(3c+1) WHEN 1 THEN ?(3c+2) WHEN 2 THEN ?(3c+3) ... : the type, the integer and the text.
std::string select_row() {
    std::string sql = "SELECT ";
    for (int c = 0; c < column_count; ++c) {
        const auto p = [&](int k) { return "?" + std::to_string(3 * c + k); };
        if (c) sql += ", ";
        sql += "CASE " + p(1) + " WHEN 1 THEN " + p(2) + " WHEN 2 THEN " + p(3) + " WHEN 3 THEN CAST(" + p(3) +
               " AS REAL) WHEN 4 THEN CAST(" + p(3) + " AS BLOB) ELSE NULL END";
    }
    return sql;
}

sql::sqlite::database& memory_database() {
    static sql::sqlite::database db(":memory:", sql::sqlite::database::mode::read_write_create, 0);
    return db;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string sql = select_row();
    fuzz::input_reader in(data, size);
    auto row = memory_database().prepare(sql);
    std::optional<std::string> payload;  // column 7 as text, when it is text
    std::string coordinates;             // what the error may name on purpose
    for (int c = 0; c < column_count; ++c) {
        const int type = in.byte() % 5;
        row.bind(3 * c + 1, static_cast<std::int64_t>(type));
        std::string text;
        std::int64_t integer = 0;
        if (type == 1) {
            std::uint64_t bits = 0;
            for (int i = 0; i < 8; ++i) bits = (bits << 8) | in.byte();
            integer = static_cast<std::int64_t>(bits);
        } else if (type != 0) {
            text = std::string(in.take(in.byte()));
        }
        row.bind(3 * c + 2, integer);
        row.bind(3 * c + 3, text);
        if (c == 7 && type == 2) payload = text;
        if (c <= 4) coordinates += text + '\n';
    }
    fuzz::check(row.step(), "the SELECT gave no row");

    eventstore::stored_event event;
    try {
        backends::sqlite_detail::decode_row_into(row, event);
    } catch (const decode_error& e) {
        if (payload && payload->size() > 8 && payload->find_first_of("{\"") != std::string::npos &&
            coordinates.find(*payload) == std::string::npos) {
            fuzz::check(std::string_view(e.what()).find(*payload) == std::string_view::npos,
                        "a row error quotes the payload");
        }
        return 0;
    }
    fuzz::check(event.sequence.value >= 1 && event.position.value >= 1, "a decoded row has a sequence or position 0");
    return 0;
}
