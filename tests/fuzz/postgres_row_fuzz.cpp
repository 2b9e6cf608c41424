// The PostgreSQL store's row decoder (src/backends/postgres/pg_rows.hpp) on any rows a damaged or hand-edited
// `events2` could give it: twelve binary-format columns of any length, each possibly NULL. Two rows are built in a
// PGresult of libpq's own (PQmakeEmptyPGresult, PQsetvalue), so no server is needed. Input: for each row and column one
// length byte (255 = NULL), then that many bytes. Properties: decoding throws nothing but decode_error, whose message
// never quotes the payload; a decoded event has a positive sequence and position; the second row decoded into the
// event the first was decoded into (as replay does) gives what decoding it afresh gives (row_checks.hpp).
#include <libpq-fe.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "postgres/pg_rows.hpp"
#include "row_checks.hpp"

using namespace userstream;

namespace {

constexpr int column_count = 12;  // sql::event_columns
constexpr std::uint8_t null_length = 255;

using row_values = std::array<std::optional<std::string>, column_count>;

// A result of binary-format rows, as the store asks for them.
sql::postgres::result_set make_result(const std::vector<row_values>& rows) {
    PGresult* raw = PQmakeEmptyPGresult(nullptr, PGRES_TUPLES_OK);
    fuzz::check(raw != nullptr, "PQmakeEmptyPGresult failed");
    sql::postgres::result_set result(raw);
    std::array<PGresAttDesc, column_count> attributes{};
    std::array<std::string, column_count> names;
    for (int c = 0; c < column_count; ++c) {
        names[c] = "c" + std::to_string(c);
        attributes[c].name = names[c].data();
        attributes[c].format = 1;
    }
    fuzz::check(PQsetResultAttrs(raw, column_count, attributes.data()) != 0, "PQsetResultAttrs failed");
    for (std::size_t r = 0; r < rows.size(); ++r) {
        for (int c = 0; c < column_count; ++c) {
            const auto& value = rows[r][c];
            const int row = static_cast<int>(r);
            const int ok = value ? PQsetvalue(raw, row, c, const_cast<char*>(value->data()), static_cast<int>(value->size()))
                                 : PQsetvalue(raw, row, c, nullptr, -1);
            fuzz::check(ok != 0, "PQsetvalue failed");
        }
    }
    return result;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::input_reader in(data, size);
    std::vector<row_values> values(2);
    for (auto& row : values) {
        for (auto& value : row) {
            const std::uint8_t length = in.byte();
            if (length != null_length) value = std::string(in.take(length));
        }
    }
    const auto rows = make_result(values);

    for (int r = 0; r < 2; ++r) {
        try {
            const auto event = backends::pg_detail::decode_row(rows, r);
            fuzz::check(event.sequence.value >= 1 && event.position.value >= 1,
                        "a decoded row has a sequence or position 0");
        } catch (const decode_error& e) {
            auto other = values[static_cast<std::size_t>(r)];
            if (auto& payload = other[7]; payload && payload->size() > 1) {
                for (std::size_t i = 1; i < payload->size(); ++i) (*payload)[i] = (*payload)[i] == 'x' ? 'y' : 'x';
            }
            fuzz::check_message_ignores_payload(e.what(), [&] { (void)backends::pg_detail::decode_row(make_result({other}), 0); });
        }
    }
    fuzz::check_reuse([&](int r, eventstore::stored_event& event) {
        backends::pg_detail::decode_row_into(rows, r, event);
    });
    return 0;
}
