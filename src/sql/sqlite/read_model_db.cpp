#include "sqlite/read_model_db.hpp"

#include "sqlite/component_schema.hpp"
#include "sqlite/transaction.hpp"
#include "userstream/core/error.hpp"
#include "userstream/core/time.hpp"

namespace userstream::sql::sqlite {

namespace {

constexpr const char* checkpoint_table = R"sql(
CREATE TABLE IF NOT EXISTS projection_checkpoints (
    projection TEXT    PRIMARY KEY,
    "position" INTEGER NOT NULL,
    updated_at TEXT    NOT NULL
);
)sql";

timestamp time_column(const statement& row, int column) {
    const auto parsed = parse_rfc3339(row.column_text(column));
    if (!parsed) {
        throw decode_error("SQLite read model: unreadable timestamp '" + std::string(row.column_text(column)) + "'");
    }
    return *parsed;
}

}  // namespace

read_model_db::read_model_db(const std::string& path, std::chrono::milliseconds busy_timeout,
                             std::string_view component, int version, const std::string& ddl)
    : db(path, database::mode::read_write_create, static_cast<int>(busy_timeout.count())) {
    if (path != ":memory:") {
        db.exec("PRAGMA journal_mode=WAL");
        // Losing the last page on power loss is harmless: its checkpoint goes with it and the runner applies it again.
        db.exec("PRAGMA synchronous=NORMAL");
    }
    ensure_component_schema(db, component, version, (checkpoint_table + ddl).c_str());
}

eventstore::global_position read_model_db::checkpoint(const std::string& projection) {
    auto read = db.prepare("SELECT \"position\" FROM projection_checkpoints WHERE projection = ?1");
    read.bind(1, projection);
    if (!read.step()) return {};
    return eventstore::global_position{static_cast<std::uint64_t>(read.column_int(0))};
}

bool read_model_db::apply(const std::string& projection, eventstore::global_position from,
                          eventstore::global_position through, const std::function<void()>& body) {
    // The write lock comes before the checkpoint is read, so no other runner can move it in between.
    transaction tx(db);
    if (checkpoint(projection) != from) return false;
    body();
    auto save = db.prepare(
        "INSERT INTO projection_checkpoints (projection, \"position\", updated_at) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (projection) DO UPDATE SET \"position\" = excluded.\"position\", "
        "updated_at = excluded.updated_at");
    save.bind(1, projection);
    save.bind(2, static_cast<std::int64_t>(through.value));
    save.bind(3, format_rfc3339(system_clock().now()));
    save.step();
    tx.commit();
    return true;
}

void read_model_db::reset(const std::string& projection, const char* delete_sql) {
    transaction tx(db);
    db.exec(delete_sql);
    auto drop = db.prepare("DELETE FROM projection_checkpoints WHERE projection = ?1");
    drop.bind(1, projection);
    drop.step();
    tx.commit();
}

eventstore::object_details read_details(const statement& row, int first) {
    eventstore::object_details d;
    d.sequence.value = static_cast<std::uint64_t>(row.column_int(first));
    d.creation_date = time_column(row, first + 1);
    d.change_date = time_column(row, first + 2);
    d.resource_owner = std::string(row.column_text(first + 3));
    return d;
}

void bind_details(statement& s, int first, const eventstore::object_details& d) {
    s.bind(first, static_cast<std::int64_t>(d.sequence.value));
    s.bind(first + 1, format_rfc3339(d.creation_date));
    s.bind(first + 2, format_rfc3339(d.change_date));
    s.bind(first + 3, d.resource_owner);
}

std::optional<std::string> optional_text(const statement& row, int column) {
    if (row.is_null(column)) return std::nullopt;
    return std::string(row.column_text(column));
}

void bind_optional(statement& s, int index, const std::optional<std::string>& value) {
    if (value) {
        s.bind(index, *value);
    } else {
        s.bind_null(index);
    }
}

}  // namespace userstream::sql::sqlite
