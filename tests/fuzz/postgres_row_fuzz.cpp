// The PostgreSQL store's row decoder (src/backends/postgres/pg_rows.hpp) on any row a damaged or hand-edited
// `events2` could give it: twelve binary-format columns of any length, each possibly NULL. The row is built in a
// PGresult of libpq's own (PQmakeEmptyPGresult, PQsetvalue), so no server is needed. Input: per column one length
// byte (255 = NULL), then that many bytes. Properties: decoding throws nothing but decode_error, whose message
// never holds the payload; a decoded event has a positive sequence and position.
#include <libpq-fe.h>

#include <array>
#include <string>

#include "fuzz_check.hpp"
#include "postgres/pg_rows.hpp"
#include "userstream/core/error.hpp"

using namespace userstream;

namespace {

constexpr int column_count = 12;  // sql::event_columns
constexpr std::uint8_t null_length = 255;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::input_reader in(data, size);
    PGresult* raw = PQmakeEmptyPGresult(nullptr, PGRES_TUPLES_OK);
    fuzz::check(raw != nullptr, "PQmakeEmptyPGresult failed");
    sql::postgres::result_set rows(raw);
    std::array<PGresAttDesc, column_count> attributes{};
    std::array<std::string, column_count> names;
    for (int c = 0; c < column_count; ++c) {
        names[c] = "c" + std::to_string(c);
        attributes[c].name = names[c].data();
        attributes[c].format = 1;  // binary, as the store asks for
    }
    fuzz::check(PQsetResultAttrs(raw, column_count, attributes.data()) != 0, "PQsetResultAttrs failed");

    std::array<std::optional<std::string>, column_count> columns;
    for (int c = 0; c < column_count; ++c) {
        const std::uint8_t length = in.byte();
        if (length != null_length) columns[c] = std::string(in.take(length));
        auto& value = columns[c];
        const int ok = value ? PQsetvalue(raw, 0, c, value->data(), static_cast<int>(value->size()))
                             : PQsetvalue(raw, 0, c, nullptr, -1);
        fuzz::check(ok != 0, "PQsetvalue failed");
    }

    eventstore::stored_event event;
    try {
        event = backends::pg_detail::decode_row(rows, 0);
    } catch (const decode_error& e) {
        // The payload column (JSONB: a version byte, then the text) may hold personal data. Checked when it is
        // distinctive: long, JSON-looking, and not also one of the coordinates the message names on purpose.
        const auto& payload = columns[7];
        if (payload && payload->size() > 8 && payload->find_first_of("{\"") != std::string::npos) {
            const std::string text = payload->substr(1);
            bool named_elsewhere = false;
            for (const int c : {0, 1, 2, 4}) named_elsewhere |= columns[c] && columns[c]->find(text) != std::string::npos;
            fuzz::check(named_elsewhere || std::string_view(e.what()).find(text) == std::string_view::npos,
                        "a row error quotes the payload");
        }
        return 0;
    }
    fuzz::check(event.sequence.value >= 1 && event.position.value >= 1, "a decoded row has a sequence or position 0");
    return 0;
}
