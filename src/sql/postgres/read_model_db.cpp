#include "postgres/read_model_db.hpp"

#include <charconv>
#include <unordered_set>

#include "postgres/component_schema.hpp"
#include "postgres/transaction.hpp"
#include "userstream/core/error.hpp"

namespace userstream::sql::postgres {

namespace {

std::string checkpoint_table(const std::string& schema) {
    return "CREATE TABLE IF NOT EXISTS " + schema + R"sql(.projection_checkpoints (
        projection TEXT        PRIMARY KEY,
        "position" BIGINT      NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
)sql";
}

// Timestamps come back as microseconds since the epoch: exact, and independent of the session's time zone.
std::string epoch_us(const char* column) {
    return std::string("(extract(epoch from ") + column + ") * 1000000)::bigint";
}

timestamp from_epoch_us(std::string_view text) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        throw decode_error("PostgreSQL read model: unreadable timestamp '" + std::string(text) + "'");
    }
    return timestamp(std::chrono::microseconds(value));
}

}  // namespace

read_model_db::read_model_db(std::string conninfo, std::string schema, std::string component, int version,
                             std::string ddl)
    : conninfo_(std::move(conninfo)),
      schema_(std::move(schema)),
      component_(std::move(component)),
      version_(version),
      ddl_(std::move(ddl)) {
    check_schema_name(schema_);
    db();
}

connection& read_model_db::db() {
    // A connection the server closed (a restart), or one a failed rollback left in a transaction, is replaced before
    // it fails a call.
    if (connection_ && (!connection_->healthy() || connection_->in_transaction())) connection_.reset();
    if (!connection_) {
        auto fresh = std::make_unique<connection>(conninfo_);
        ensure_component_schema(*fresh, schema_, component_, version_, checkpoint_table(schema_) + ddl_);
        connection_ = std::move(fresh);
    }
    return *connection_;
}

eventstore::global_position read_model_db::checkpoint(const std::string& projection) {
    try {
        const auto found = db().exec_prepared(
            "SELECT \"position\" FROM " + table("projection_checkpoints") + " WHERE projection = $1", {projection},
            false);
        if (found.rows() == 0) return {};
        return eventstore::global_position{to_u64(found.value(0, 0))};
    } catch (...) {
        connection_.reset();
        throw;
    }
}

void read_model_db::save_checkpoint(const std::string& reader, eventstore::global_position position) {
    try {
        db().exec_prepared("INSERT INTO " + table("projection_checkpoints") +
                               " (projection, \"position\") VALUES ($1, $2) ON CONFLICT (projection) DO UPDATE SET "
                               "\"position\" = EXCLUDED.\"position\", updated_at = now()",
                           {reader, std::to_string(position.value)}, false);
    } catch (...) {
        connection_.reset();
        throw;
    }
}

bool read_model_db::apply(const std::string& projection, eventstore::global_position from,
                          eventstore::global_position through, const std::function<void(connection&)>& body) {
    auto& c = db();
    transaction tx(c);
    // The row must exist to be locked; a concurrent first insert waits on the key and then does nothing.
    c.exec_prepared("INSERT INTO " + table("projection_checkpoints") +
                        " (projection, \"position\") VALUES ($1, 0) ON CONFLICT (projection) DO NOTHING",
                    {projection}, false);
    const auto locked = c.exec_prepared(
        "SELECT \"position\" FROM " + table("projection_checkpoints") + " WHERE projection = $1 FOR UPDATE",
        {projection}, false);
    if (to_u64(locked.value(0, 0)) != from.value) return false;
    body(c);
    c.exec_prepared("UPDATE " + table("projection_checkpoints") +
                        " SET \"position\" = $2, updated_at = now() WHERE projection = $1",
                    {projection, std::to_string(through.value)}, false);
    tx.commit();
    return true;
}

void read_model_db::reset(const std::string& projection, std::string_view table_name) {
    auto& c = db();
    transaction tx(c);
    c.exec("DELETE FROM " + table(table_name));
    c.exec_prepared("DELETE FROM " + table("projection_checkpoints") + " WHERE projection = $1", {projection}, false);
    tx.commit();
}

const std::string& details_select() {
    static const std::string columns = "\"sequence\", " + epoch_us("creation_date") + ", " +
                                       epoch_us("change_date") + ", resource_owner";
    return columns;
}

eventstore::object_details read_details(const result_set& rows, int row, int first) {
    eventstore::object_details d;
    d.sequence.value = to_u64(rows.value(row, first));
    d.creation_date = from_epoch_us(rows.value(row, first + 1));
    d.change_date = from_epoch_us(rows.value(row, first + 2));
    d.resource_owner = std::string(rows.value(row, first + 3));
    return d;
}

void details_arrays::add(const eventstore::object_details& d) {
    sequences.add_number(d.sequence.value);
    creation_dates.add_text(format_rfc3339(d.creation_date));
    change_dates.add_text(format_rfc3339(d.change_date));
    owners.add_text(d.resource_owner);
}

page_keys::page_keys(std::span<const eventstore::stored_event> events) {
    std::unordered_set<eventstore::aggregate_key, eventstore::aggregate_key_hash> seen;
    for (const auto& e : events) {
        if (!seen.insert(e.aggregate).second) continue;
        instances.add_text(e.aggregate.instance_id);
        types.add_text(e.aggregate.aggregate_type);
        ids.add_text(e.aggregate.aggregate_id);
    }
}

std::optional<std::string> optional_text(const result_set& rows, int row, int column) {
    if (rows.is_null(row, column)) return std::nullopt;
    return std::string(rows.value(row, column));
}

std::uint64_t to_u64(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        throw decode_error("PostgreSQL read model: not a non-negative integer: '" + std::string(text) + "'");
    }
    return value;
}

}  // namespace userstream::sql::postgres
