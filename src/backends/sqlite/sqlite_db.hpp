// A thin RAII layer over the SQLite C API for this backend: a connection with a cache of prepared statements, and a
// statement handle that resets itself when it goes out of scope so a cached statement is always ready for reuse.
// Every failure becomes an infrastructure_error naming the database file and the operation.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace userstream::backends::sqlite_detail {

class database;

// A borrowed, cached statement; resets and clears its bindings on destruction.
class statement {
public:
    statement(database& db, sqlite3_stmt* stmt) noexcept : db_(&db), stmt_(stmt) {}
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;
    ~statement();

    void bind(int index, std::string_view text);
    void bind(int index, std::int64_t value);
    void bind_null(int index);

    // Advances to the next row; false when done. Throws on error (unique_violation for a primary-key collision).
    bool step();
    // Makes the statement ready to run again (bindings stay until rebound).
    void reset() noexcept;

    int column_type(int column) const noexcept;  // SQLITE_INTEGER, SQLITE_TEXT, SQLITE_NULL, ...
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

    // Throws the error of the last failed call, naming `what`.
    [[noreturn]] void fail(std::string_view what, int code) const;

    const std::string& path() const noexcept { return path_; }
    sqlite3* handle() const noexcept { return db_; }

private:
    std::string path_;
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace userstream::backends::sqlite_detail
