// A thin RAII layer over the SQLite C API, shared by the SQLite event store and the SQLite read models: a connection
// with a cache of prepared statements, and a statement handle that resets itself when it goes out of scope, so a
// cached statement is always ready for reuse. Every failure becomes an infrastructure_error naming the database file
// and the operation (sql::unique_violation for a key collision, sql::store_unavailable when the database itself
// failed: busy, locked, I/O, full, corrupt, read-only). `<sqlite3.h>` stays inside src/sql/sqlite.
//
// One connection is used by one thread at a time (its owner serialises access).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace userstream::sql::sqlite {

class database;

// SQLite's storage classes, for checking a column's type before reading it.
enum class column_type { integer, real, text, blob, null };

// A borrowed, cached statement; resets and clears its bindings on destruction.
class statement {
public:
    statement(database& db, sqlite3_stmt* stmt) noexcept : db_(&db), stmt_(stmt) {}
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;
    ~statement();

    void bind(int index, std::string_view text);
    // Binds text that SQLite reads where it is, without copying it: the caller keeps it alive and unchanged until the
    // index is bound again or the statement is destroyed (the write path binds 7 texts a row).
    void bind_in_place(int index, std::string_view text);
    void bind(int index, std::int64_t value);
    void bind_null(int index);

    // Advances to the next row; false when done. Throws on error (unique_violation for a key collision).
    bool step();
    // Makes the statement ready to run again (bindings stay until rebound).
    void reset() noexcept;

    // One column's storage class and, for text, its bytes, or for an integer its value: one call into the statement
    // for all of it, where type(), column_text() and column_int() make one each (a replay reads 12 columns a row).
    // The text stays valid until the next step, reset or read of the same column.
    struct cell {
        column_type type;
        std::string_view text;  // text only
        std::int64_t integer;   // integer only
    };
    cell column(int column) const noexcept;
    // The same for a column expected to hold text, or an integer: false when it holds anything else (NULL too).
    bool text_at(int column, std::string_view& text) const noexcept;
    bool integer_at(int column, std::int64_t& value) const noexcept;

    column_type type(int column) const noexcept;
    bool is_null(int column) const noexcept { return type(column) == column_type::null; }
    std::int64_t column_int(int column) const noexcept;
    std::string_view column_text(int column) const noexcept;

private:
    database* db_;
    sqlite3_stmt* stmt_;
};

class database {
public:
    enum class mode { read_write_create, read_write };

    database(const std::string& path, mode how, int busy_timeout_ms);
    database(const database&) = delete;
    database& operator=(const database&) = delete;
    ~database();

    // Runs SQL without results (pragmas, DDL, BEGIN/COMMIT). May hold several statements.
    void exec(const char* sql);
    // Like exec, but returns false instead of throwing; for ROLLBACK in cleanup paths.
    bool try_exec(const char* sql) noexcept;

    // A statement prepared once per connection and reused.
    statement prepare(const std::string& sql);

    // True while a transaction is open on this connection.
    bool in_transaction() const noexcept;

    // Throws the error of the last failed call, naming `what`.
    [[noreturn]] void fail(std::string_view what, int code) const;

    const std::string& path() const noexcept { return path_; }
    sqlite3* handle() const noexcept { return db_; }

private:
    std::string path_;
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace userstream::sql::sqlite
