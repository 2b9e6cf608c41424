#include "sqlite/database.hpp"

#include <sqlite3.h>

#include <string>

#include "sql_errors.hpp"

namespace userstream::sql::sqlite {

namespace {
// Busy, locked and I/O failures are about the database, not about one statement: retrying the pushes of a group one
// by one would fail the same way.
bool store_level(int code) noexcept {
    switch (code & 0xff) {
        case SQLITE_BUSY: case SQLITE_LOCKED: case SQLITE_IOERR: case SQLITE_FULL: case SQLITE_CANTOPEN:
        case SQLITE_CORRUPT: case SQLITE_NOTADB: case SQLITE_READONLY:
            return true;
        default:
            return false;
    }
}
}  // namespace

statement::~statement() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

void statement::reset() noexcept { sqlite3_reset(stmt_); }

void statement::bind(int index, std::string_view text) {
    const int rc = sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) db_->fail("bind", rc);
}

void statement::bind_in_place(int index, std::string_view text) {
    const int rc = sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
    if (rc != SQLITE_OK) db_->fail("bind", rc);
}

void statement::bind(int index, std::int64_t value) {
    const int rc = sqlite3_bind_int64(stmt_, index, value);
    if (rc != SQLITE_OK) db_->fail("bind", rc);
}

void statement::bind_null(int index) {
    const int rc = sqlite3_bind_null(stmt_, index);
    if (rc != SQLITE_OK) db_->fail("bind", rc);
}

bool statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    const int extended = sqlite3_extended_errcode(db_->handle());
    if (extended == SQLITE_CONSTRAINT_PRIMARYKEY || extended == SQLITE_CONSTRAINT_UNIQUE) {
        throw unique_violation("SQLite " + db_->path() + ": " + sqlite3_errmsg(db_->handle()));
    }
    db_->fail(sqlite3_sql(stmt_), extended);
}

namespace {
column_type type_of(int sqlite_type) noexcept {
    switch (sqlite_type) {
        case SQLITE_INTEGER: return column_type::integer;
        case SQLITE_FLOAT: return column_type::real;
        case SQLITE_TEXT: return column_type::text;
        case SQLITE_BLOB: return column_type::blob;
        default: return column_type::null;
    }
}
}  // namespace

column_type statement::type(int column) const noexcept { return type_of(sqlite3_column_type(stmt_, column)); }

bool statement::text_at(int column, std::string_view& text) const noexcept {
    sqlite3_value* value = sqlite3_column_value(stmt_, column);
    if (sqlite3_value_type(value) != SQLITE_TEXT) return false;
    const auto* chars = reinterpret_cast<const char*>(sqlite3_value_text(value));
    text = chars == nullptr ? std::string_view()
                            : std::string_view(chars, static_cast<std::size_t>(sqlite3_value_bytes(value)));
    return true;
}

bool statement::integer_at(int column, std::int64_t& value) const noexcept {
    sqlite3_value* stored = sqlite3_column_value(stmt_, column);
    if (sqlite3_value_type(stored) != SQLITE_INTEGER) return false;
    value = sqlite3_value_int64(stored);
    return true;
}

// sqlite3_column_value hands out the column's own (unprotected) value, which the sqlite3_value_* calls may read
// because a connection is only ever used by one thread at a time (NOMUTEX, see the constructor).
statement::cell statement::column(int column) const noexcept {
    sqlite3_value* value = sqlite3_column_value(stmt_, column);
    cell out{type_of(sqlite3_value_type(value)), {}, 0};
    if (out.type == column_type::text) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(value));
        if (text != nullptr) out.text = {text, static_cast<std::size_t>(sqlite3_value_bytes(value))};
    } else if (out.type == column_type::integer) {
        out.integer = sqlite3_value_int64(value);
    }
    return out;
}

std::int64_t statement::column_int(int column) const noexcept { return sqlite3_column_int64(stmt_, column); }

std::string_view statement::column_text(int column) const noexcept {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    if (text == nullptr) return {};
    return {text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

database::database(const std::string& path, mode how, int busy_timeout_ms) : path_(path) {
    // NOMUTEX: a connection is never shared between threads at the same time.
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
    if (how == mode::read_write_create) flags |= SQLITE_OPEN_CREATE;
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw infrastructure_error("SQLite " + path + ": cannot open: " + message);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, busy_timeout_ms);
}

database::~database() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
}

void database::exec(const char* sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        const std::string text = message ? message : sqlite3_errstr(rc);
        sqlite3_free(message);
        const std::string full = "SQLite " + path_ + ": " + std::string(sql).substr(0, 60) + ": " + text;
        if (store_level(sqlite3_extended_errcode(db_))) throw store_unavailable(full);
        throw infrastructure_error(full);
    }
}

bool database::try_exec(const char* sql) noexcept {
    return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

statement database::prepare(const std::string& sql) {
    auto [it, inserted] = cache_.try_emplace(sql, nullptr);
    if (inserted) {
        const int rc = sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &it->second, nullptr);
        if (rc != SQLITE_OK) {
            cache_.erase(it);
            fail(sql, rc);
        }
    }
    return statement(*this, it->second);
}

bool database::in_transaction() const noexcept { return sqlite3_get_autocommit(db_) == 0; }

void database::fail(std::string_view what, int code) const {
    std::string message = "SQLite " + path_ + ": " + std::string(what.substr(0, 60)) + ": " + sqlite3_errmsg(db_) +
                          " (" + sqlite3_errstr(code) + ")";
    if (store_level(code)) throw store_unavailable(message);
    throw infrastructure_error(message);
}

}  // namespace userstream::sql::sqlite
