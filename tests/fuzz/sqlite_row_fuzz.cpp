// The SQLite store's row decoder (src/backends/sqlite/sqlite_rows.hpp) on any rows a damaged or hand-edited `events2`
// could give it: twelve columns, each NULL, an integer, text, a real or a blob. A row comes from a SELECT of bound
// values on an in-memory database, so the decoder reads it through SQLite as it reads a stored row. Input: two rows,
// for each column one type byte (0 NULL, 1 integer, 2 text, 3 real, 4 blob), then 8 big-endian bytes for an integer
// or one length byte and that many bytes otherwise. Properties: decoding throws nothing but decode_error, whose
// message never quotes the payload; a decoded event has a positive sequence and position; the second row decoded into
// the event the first was decoded into (as replay does) gives what decoding it afresh gives (row_checks.hpp).
#include <array>
#include <optional>
#include <string>

#include "row_checks.hpp"
#include "sqlite/database.hpp"
#include "sqlite_rows.hpp"

using namespace userstream;

namespace {

constexpr int column_count = 12;  // sql::event_columns

struct column_value {
    int type = 0;
    std::int64_t integer = 0;
    std::string text;
};
using row_values = std::array<column_value, column_count>;

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

row_values read_row(fuzz::input_reader& in) {
    row_values row;
    for (auto& column : row) {
        column.type = in.byte() % 5;
        if (column.type == 1) {
            std::uint64_t bits = 0;
            for (int i = 0; i < 8; ++i) bits = (bits << 8) | in.byte();
            column.integer = static_cast<std::int64_t>(bits);
        } else if (column.type != 0) {
            column.text = std::string(in.take(in.byte()));
        }
    }
    return row;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string sql = select_row();
    fuzz::input_reader in(data, size);
    const std::array<row_values, 2> rows{read_row(in), read_row(in)};
    auto statement = memory_database().prepare(sql);

    // Selects `row` and decodes it into `event`.
    const auto decode_values = [&](const row_values& row, eventstore::stored_event& event) {
        statement.reset();
        for (int c = 0; c < column_count; ++c) {
            const auto& column = row[c];
            statement.bind(3 * c + 1, static_cast<std::int64_t>(column.type));
            statement.bind(3 * c + 2, column.integer);
            statement.bind(3 * c + 3, column.text);
        }
        fuzz::check(statement.step(), "the SELECT gave no row");
        backends::sqlite_detail::decode_row_into(statement, event);
    };
    const auto decode = [&](int r, eventstore::stored_event& event) {
        decode_values(rows[static_cast<std::size_t>(r)], event);
    };

    for (int r = 0; r < 2; ++r) {
        try {
            eventstore::stored_event event;
            decode(r, event);
            fuzz::check(event.sequence.value >= 1 && event.position.value >= 1,
                        "a decoded row has a sequence or position 0");
        } catch (const decode_error& e) {
            auto other = rows[static_cast<std::size_t>(r)];
            for (auto& c : other[7].text) c = c == 'x' ? 'y' : 'x';
            fuzz::check_message_ignores_payload(e.what(), [&] {
                eventstore::stored_event event;
                decode_values(other, event);
            });
        }
    }
    fuzz::check_reuse(decode);
    return 0;
}
