// A thin RAII layer over libpq, shared by the PostgreSQL event store and the PostgreSQL read models: a connection that
// keeps named prepared statements, a result handle, and pipeline helpers. Errors become infrastructure_error
// (sql::unique_violation for SQLSTATE 23505, sql::store_unavailable when the connection itself is gone). Messages name
// host, port and database, never a password (conninfo.hpp). `<libpq-fe.h>` stays inside src/sql/postgres.
//
// Every connection runs its transactions at READ COMMITTED whatever the server's default: the writers' lock and the
// read models' row lock rely on each statement seeing what committed before it, which a transaction-wide snapshot
// (REPEATABLE READ, SERIALIZABLE) taken before the lock was granted would not. Text parameters with a NUL byte are
// refused (std::invalid_argument): libpq would end them at the NUL, and "victim\0x" would read "victim".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

struct pg_conn;
struct pg_result;

namespace userstream::sql::postgres {

// One PGresult, freed on destruction.
class result_set {
public:
    result_set() = default;
    explicit result_set(pg_result* res) noexcept : res_(res) {}
    result_set(result_set&& other) noexcept : res_(std::exchange(other.res_, nullptr)) {}
    result_set& operator=(result_set&& other) noexcept;
    ~result_set();

    explicit operator bool() const noexcept { return res_ != nullptr; }
    pg_result* get() const noexcept { return res_; }
    int rows() const noexcept;
    bool is_null(int row, int column) const noexcept;
    std::string_view value(int row, int column) const noexcept;  // raw bytes (text or binary format)

private:
    pg_result* res_ = nullptr;
};

// Parameters for one statement, in text format; nullopt is SQL NULL.
using parameters = std::vector<std::optional<std::string>>;

// Throws std::invalid_argument if a parameter holds a NUL byte, naming its number and the statement, never its value.
void check_parameters(const parameters& params, std::string_view sql);

// Starts a transaction at the isolation level this code is written for, whatever the server's default.
inline constexpr const char* begin_transaction = "BEGIN ISOLATION LEVEL READ COMMITTED";

class connection {
public:
    // Connects with a libpq conninfo string or URI. Throws infrastructure_error naming the field of a malformed
    // conninfo, and store_unavailable naming where it tried to connect when the server cannot be reached; neither
    // quotes the conninfo.
    explicit connection(const std::string& conninfo);
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    ~connection();

    // Runs a statement (or several, without parameters) and returns the last result; throws on error.
    result_set exec(const std::string& sql);
    // Runs one parameterised statement, prepared once per connection. `binary` asks for binary-format results.
    result_set exec_prepared(const std::string& sql, const parameters& params, bool binary);
    // Prepares a statement now; `send_prepared` in pipeline mode needs its statements prepared beforehand.
    void prepare(const std::string& sql);
    // Sends one parameterised statement without waiting for its result (not in pipeline mode), so the caller can work
    // while the server runs it; `await_result` then collects the result. Between the two, `read_available` takes in
    // whatever has arrived without waiting, which keeps a large result flowing (the server stops sending once the
    // socket's buffers are full) and leaves less to do once the result is awaited. `discard_result` reads the result
    // and drops it.
    void send_query(const std::string& sql, const parameters& params, bool binary);
    result_set await_result(std::string_view what);
    void read_available() noexcept;
    void discard_result() noexcept;

    // Pipeline mode: queue statements, then `sync` and read each result in order with `next_result`. `exec` and
    // `exec_prepared` are not available while in pipeline mode.
    void enter_pipeline();
    void send(const std::string& sql);  // a parameterless statement (simple syntax, extended protocol)
    void send_prepared(const std::string& sql, const parameters& params, bool binary);
    void sync();
    // The next statement's result; throws (after draining the pipeline to its sync point) if it failed.
    result_set next_result();
    // Reads the sync point that ends the current pipeline batch; throws if something else comes.
    void end_sync();
    // Reads and drops everything up to and including the next sync point; never throws.
    void drain_to_sync() noexcept;
    bool in_pipeline() const noexcept;
    // True when a transaction is open (possibly failed) once the pipeline is drained.
    bool in_transaction() const noexcept;
    // False when the connection is known to be broken; first reads whatever the server sent while it sat idle, so a
    // server that restarted (and closed its end) is noticed before a statement is sent. Only call between
    // statements, never with results pending.
    bool healthy() noexcept;
    // True when the connection is up, no pipeline batch is pending and no transaction is open: ready for the next one.
    bool idle() const noexcept;

    // A description of the server for messages: host, port, database, user.
    const std::string& where() const noexcept { return where_; }

    // Throws the error of `res` (or of the connection when `res` is null).
    [[noreturn]] void fail(const pg_result* res, std::string_view what);

private:
    void check_sent(int ok, std::string_view what);
    // Sends the prepared statement `sql` with its parameters, in or out of pipeline mode.
    void send_statement(const std::string& sql, const parameters& params, bool binary);

    pg_conn* conn_ = nullptr;
    std::string where_;
    std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
    int syncs_pending_ = 0;
    int queued_ = 0;  // statements sent in pipeline mode since the last sync
};

}  // namespace userstream::sql::postgres
