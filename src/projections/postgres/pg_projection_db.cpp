#include "pg_projection_db.hpp"

#include <charconv>

#include "postgres/pg_schema.hpp"

namespace userstream::projections::pg_detail {

namespace {

constexpr int schema_version = 1;

void ensure_projection_tables(connection& db, const std::string& schema) {
    backends::pg_detail::check_schema_name(schema);
    // Several host instances may start at once; creators queue on the same lock the event store uses for its schema.
    db.exec(std::string(backends::pg_detail::begin_transaction) +
            "; SELECT pg_advisory_xact_lock(hashtext('userstream.schema'), hashtext('" + schema + "'))");
    try {
        db.exec("CREATE SCHEMA IF NOT EXISTS " + schema);
        db.exec("CREATE TABLE IF NOT EXISTS " + schema +
                ".schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)");
        const auto found = db.exec("SELECT version FROM " + schema + ".schema_version WHERE component = 'projections'");
        const int version = found.rows() ? std::stoi(std::string(found.value(0, 0))) : 0;
        if (version > schema_version) {
            throw infrastructure_error("PostgreSQL (" + db.where() + "): projections in schema " + schema +
                                       " have version " + std::to_string(version) +
                                       ", newer than this library supports (" + std::to_string(schema_version) + ")");
        }
        if (version < 1) {
            db.exec("CREATE TABLE IF NOT EXISTS " + schema + R"sql(.projection_checkpoints (
                projection TEXT        PRIMARY KEY,
                "position" BIGINT      NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
            ))sql");
            db.exec("CREATE TABLE IF NOT EXISTS " + schema + R"sql(.object_details (
                instance_id    TEXT        NOT NULL,
                aggregate_type TEXT        NOT NULL,
                aggregate_id   TEXT        NOT NULL,
                "sequence"     BIGINT      NOT NULL,
                creation_date  TIMESTAMPTZ NOT NULL,
                change_date    TIMESTAMPTZ NOT NULL,
                resource_owner TEXT        NOT NULL,
                PRIMARY KEY (instance_id, aggregate_type, aggregate_id)
            ))sql");
            db.exec("CREATE TABLE IF NOT EXISTS " + schema + R"sql(.user_phones (
                instance_id       TEXT        NOT NULL,
                user_id           TEXT        NOT NULL,
                kind              TEXT        NOT NULL,
                state             TEXT        NOT NULL,
                phone             TEXT,
                is_phone_verified BOOLEAN,
                last_phone        TEXT,
                verified_phone    TEXT,
                "sequence"        BIGINT      NOT NULL,
                creation_date     TIMESTAMPTZ NOT NULL,
                change_date       TIMESTAMPTZ NOT NULL,
                resource_owner    TEXT        NOT NULL,
                PRIMARY KEY (instance_id, user_id)
            ))sql");
            db.exec("INSERT INTO " + schema +
                    ".schema_version (component, version) VALUES ('projections', 1) "
                    "ON CONFLICT (component) DO UPDATE SET version = 1");
        }
        db.exec("COMMIT");
    } catch (...) {
        try {
            db.exec("ROLLBACK");
        } catch (...) {
        }
        throw;
    }
}

}  // namespace

projection_db::projection_db(postgres_read_model_options options) : options_(std::move(options)) {
    backends::pg_detail::check_schema_name(options_.schema);
    db();
}

connection& projection_db::db() {
    // A connection the server closed (a restart) is replaced before it fails a call.
    if (connection_ && !connection_->healthy()) connection_.reset();
    if (!connection_) {
        auto fresh = std::make_unique<connection>(options_.conninfo);
        ensure_projection_tables(*fresh, options_.schema);
        connection_ = std::move(fresh);
    }
    return *connection_;
}

template <class F>
auto projection_db::in_transaction(F&& body) {
    auto& c = db();
    c.exec(backends::pg_detail::begin_transaction);
    try {
        return body(c);
    } catch (...) {
        try {
            c.exec("ROLLBACK");
        } catch (...) {
            connection_.reset();  // the connection is gone: the next call opens a new one
        }
        throw;
    }
}

eventstore::global_position projection_db::checkpoint(const std::string& projection) {
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

bool projection_db::apply(const std::string& projection, eventstore::global_position from,
                          eventstore::global_position through, const std::function<void(connection&)>& body) {
    return in_transaction([&](connection& c) {
        // The row must exist to be locked; a concurrent first insert waits on the key and then does nothing.
        c.exec_prepared("INSERT INTO " + table("projection_checkpoints") +
                            " (projection, \"position\") VALUES ($1, 0) ON CONFLICT (projection) DO NOTHING",
                        {projection}, false);
        const auto locked = c.exec_prepared("SELECT \"position\" FROM " + table("projection_checkpoints") +
                                                " WHERE projection = $1 FOR UPDATE",
                                            {projection}, false);
        if (to_u64(locked.value(0, 0)) != from.value) {
            c.exec("ROLLBACK");
            return false;
        }
        body(c);
        c.exec_prepared("UPDATE " + table("projection_checkpoints") +
                            " SET \"position\" = $2, updated_at = now() WHERE projection = $1",
                        {projection, std::to_string(through.value)}, false);
        c.exec("COMMIT");
        return true;
    });
}

void projection_db::reset(const std::string& projection, const char* table_name) {
    in_transaction([&](connection& c) {
        c.exec("DELETE FROM " + table(table_name));
        c.exec_prepared("DELETE FROM " + table("projection_checkpoints") + " WHERE projection = $1", {projection},
                        false);
        c.exec("COMMIT");
    });
}

void text_array::add(std::string_view value) {
    if (!body_.empty()) body_ += ',';
    backends::pg_detail::append_array_element(body_, value);
}

void text_array::add(const std::optional<std::string>& value) {
    if (value) add(std::string_view(*value));
    else add_null();
}

void text_array::add_null() {
    if (!body_.empty()) body_ += ',';
    body_ += "NULL";
}

std::uint64_t to_u64(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        throw decode_error("PostgreSQL read model: not a non-negative integer: '" + std::string(text) + "'");
    }
    return value;
}

timestamp from_epoch_us(std::string_view text) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        throw decode_error("PostgreSQL read model: unreadable timestamp '" + std::string(text) + "'");
    }
    return timestamp(std::chrono::microseconds(value));
}

std::string to_timestamptz_text(timestamp t) { return format_rfc3339(t); }

}  // namespace userstream::projections::pg_detail
