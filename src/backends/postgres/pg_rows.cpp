#include "pg_rows.hpp"

#include <cstring>
#include <limits>
#include <string>

#include "../common/row_error.hpp"

namespace userstream::backends::pg_detail {

namespace {

template <class T>
T read_big_endian(std::string_view bytes) {
    std::uint64_t value = 0;
    for (const char c : bytes) value = (value << 8) | static_cast<unsigned char>(c);
    return static_cast<T>(value);
}

// PostgreSQL's binary timestamps count microseconds from 2000-01-01T00:00:00Z.
constexpr std::int64_t postgres_epoch_us = 946'684'800LL * 1'000'000;

}  // namespace

std::uint64_t position_of(const sql::postgres::result_set& rows, int row) noexcept {
    const auto bytes = rows.value(row, 10);
    if (bytes.size() != 8) return 0;
    const auto position = read_big_endian<std::int64_t>(bytes);
    return position < 1 ? 0 : static_cast<std::uint64_t>(position);
}

eventstore::stored_event decode_row(const sql::postgres::result_set& rows, int row) {
    eventstore::stored_event event;
    decode_row_into(rows, row, event);
    return event;
}

void decode_row_into(const sql::postgres::result_set& rows, int row, eventstore::stored_event& event) {
    const auto sequence_text = [&] {
        const auto bytes = rows.value(row, 4);
        return bytes.size() == 8 && !rows.is_null(row, 4) ? std::to_string(read_big_endian<std::int64_t>(bytes))
                                                          : std::string("?");
    };
    const auto fail = [&](std::string_view problem) {
        return detail::row_error("PostgreSQL", rows.value(row, 0), rows.value(row, 1), rows.value(row, 2),
                                 sequence_text(), problem);
    };
    // A NULL reads as zero bytes, so the NULL test is needed only for a value that is empty: replay decodes millions
    // of rows, and each libpq accessor is a call with its own bounds checks.
    const auto fixed = [&](int column, std::size_t size, const char* name) {
        const auto bytes = rows.value(row, column);
        if (bytes.size() != size) throw fail(std::string(name) + " is NULL or mistyped");
        return bytes;
    };
    // Assigned in place: a reused event keeps its strings' capacity, so replay allocates only for a longer value.
    const auto text = [&](int column, const char* name, std::string& into) {
        const auto bytes = rows.value(row, column);
        if (bytes.empty() && rows.is_null(row, column)) throw fail(std::string(name) + " is NULL");
        into.assign(bytes);
    };

    text(0, "instance_id", event.aggregate.instance_id);
    text(1, "aggregate_type", event.aggregate.aggregate_type);
    text(2, "aggregate_id", event.aggregate.aggregate_id);
    text(3, "event_type", event.event_type);
    const auto sequence = read_big_endian<std::int64_t>(fixed(4, 8, "sequence"));
    if (sequence < 1) throw fail("sequence is not positive");
    event.sequence.value = static_cast<std::uint64_t>(sequence);
    const auto revision = read_big_endian<std::int16_t>(fixed(5, 2, "revision"));
    if (revision < 0) throw fail("revision is negative");
    event.revision = static_cast<std::uint16_t>(revision);
    // PostgreSQL stores 'infinity' and '-infinity' as the int64 extremes; neither, nor anything past the end of our
    // clock's range once moved to the Unix epoch, is a time an event was created at.
    const auto created_us = read_big_endian<std::int64_t>(fixed(6, 8, "created_at"));
    if (created_us == std::numeric_limits<std::int64_t>::min() ||
        created_us > std::numeric_limits<std::int64_t>::max() - postgres_epoch_us) {
        throw fail("created_at is infinite or out of range");
    }
    event.created_at = timestamp(std::chrono::microseconds(created_us + postgres_epoch_us));
    if (const auto jsonb = rows.value(row, 7); !jsonb.empty() || !rows.is_null(row, 7)) {
        if (jsonb.empty() || jsonb.front() != 1) throw fail("payload is not JSONB version 1");
        event.payload.assign(jsonb.substr(1));
    } else {
        event.payload.clear();
    }
    text(8, "creator", event.creator);
    text(9, "owner", event.owner);
    const auto position = read_big_endian<std::int64_t>(fixed(10, 8, "position"));
    if (position < 1) throw fail("position is not positive");
    event.position.value = static_cast<std::uint64_t>(position);
    const auto in_tx_order = read_big_endian<std::int32_t>(fixed(11, 4, "in_tx_order"));
    if (in_tx_order < 0) throw fail("in_tx_order is negative");
    event.in_tx_order = static_cast<std::uint32_t>(in_tx_order);
}

}  // namespace userstream::backends::pg_detail
