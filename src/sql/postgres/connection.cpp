#include "postgres/connection.hpp"

#include <libpq-fe.h>

#include <stdexcept>

#include "postgres/conninfo.hpp"
#include "sql_errors.hpp"

namespace userstream::sql::postgres {

result_set& result_set::operator=(result_set&& other) noexcept {
    if (this != &other) {
        PQclear(res_);
        res_ = std::exchange(other.res_, nullptr);
    }
    return *this;
}

result_set::~result_set() { PQclear(res_); }

int result_set::rows() const noexcept { return PQntuples(res_); }

bool result_set::is_null(int row, int column) const noexcept { return PQgetisnull(res_, row, column) != 0; }

std::string_view result_set::value(int row, int column) const noexcept {
    return {PQgetvalue(res_, row, column), static_cast<std::size_t>(PQgetlength(res_, row, column))};
}

namespace {

void ignore_notice(void*, const char*) {}

std::string first_line(const char* text) {
    std::string line = text ? text : "";
    if (const auto end = line.find('\n'); end != std::string::npos) line.resize(end);
    return line;
}

bool ok_status(ExecStatusType status) {
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
}

std::vector<const char*> raw_values(const parameters& params, std::string_view sql) {
    check_parameters(params, sql);
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    return values;
}

}  // namespace

void check_parameters(const parameters& params, std::string_view sql) {
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (params[i] && params[i]->find('\0') != std::string::npos) {
            throw std::invalid_argument("PostgreSQL: parameter $" + std::to_string(i + 1) + " of \"" +
                                        std::string(sql.substr(0, 80)) +
                                        "\" holds a NUL character, which PostgreSQL text cannot hold; refused rather "
                                        "than cut short");
        }
    }
}

connection::connection(const std::string& conninfo) {
    // The conninfo may hold a password, so no message quotes it or libpq's parse errors about it.
    if (const auto problem = conninfo_problem(conninfo)) throw infrastructure_error("PostgreSQL: " + *problem);
    conn_ = PQconnectdb(conninfo.c_str());
    if (conn_ == nullptr) throw store_unavailable("PostgreSQL: out of memory while connecting");
    if (PQstatus(conn_) != CONNECTION_OK) {
        const std::string message = "PostgreSQL: cannot connect (" + describe_connection(conn_) +
                                    "): " + connection_failure_reason(conn_, conninfo);
        PQfinish(conn_);
        conn_ = nullptr;
        throw store_unavailable(message);
    }
    where_ = describe_connection(conn_);
    PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
    try {
        // Autocommit statements run at this level too, so no statement of ours depends on the server's default.
        exec("SET default_transaction_isolation = 'read committed'");
    } catch (...) {
        PQfinish(conn_);
        conn_ = nullptr;
        throw;
    }
}

connection::~connection() { PQfinish(conn_); }

void connection::fail(const pg_result* res, std::string_view what) {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    // Only the primary message: DETAIL lines may quote row values, which can be personal data.
    const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string message = "PostgreSQL (" + where_ + "): " + std::string(what.substr(0, 80)) + ": " +
                          (primary ? std::string(primary) : first_line(PQerrorMessage(conn_)));
    if (state) message += std::string(" [SQLSTATE ") + state + "]";
    const std::string_view code = state ? state : "";
    if (code == "23505") throw unique_violation(message);
    if (PQstatus(conn_) != CONNECTION_OK || code.starts_with("08") || code.starts_with("57P") || !res) {
        throw store_unavailable(message);
    }
    throw infrastructure_error(message);
}

void connection::check_sent(int ok, std::string_view what) {
    if (!ok) fail(nullptr, what);
}

result_set connection::exec(const std::string& sql) {
    result_set res(PQexec(conn_, sql.c_str()));
    if (!res || !ok_status(PQresultStatus(res.get()))) fail(res.get(), sql);
    return res;
}

void connection::prepare(const std::string& sql) {
    if (prepared_.contains(sql)) return;
    const std::string name = "us" + std::to_string(prepared_.size() + 1);
    result_set res(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr));
    if (!res || !ok_status(PQresultStatus(res.get()))) fail(res.get(), sql);
    prepared_.emplace(sql, name);
}

result_set connection::exec_prepared(const std::string& sql, const parameters& params, bool binary) {
    send_query(sql, params, binary);
    return await_result(sql);
}

void connection::send_query(const std::string& sql, const parameters& params, bool binary) {
    prepare(sql);
    send_statement(sql, params, binary);
}

void connection::send_statement(const std::string& sql, const parameters& params, bool binary) {
    const auto values = raw_values(params, sql);
    check_sent(PQsendQueryPrepared(conn_, prepared_.at(sql).c_str(), static_cast<int>(values.size()), values.data(),
                                   nullptr, nullptr, binary ? 1 : 0),
               sql);
}

result_set connection::await_result(std::string_view what) {
    // Every result of the statement is read before returning or throwing, so the connection is ready for the next.
    result_set kept;
    result_set failure;
    while (result_set res{PQgetResult(conn_)}) {
        if (!ok_status(PQresultStatus(res.get()))) {
            if (!failure) failure = std::move(res);
        } else if (!kept) {
            kept = std::move(res);
        }
    }
    if (failure || !kept) fail(failure.get(), what);
    return kept;
}

void connection::read_available() noexcept {
    // PQisBusy parses what PQconsumeInput read into the pending result, so the rows are taken in as they come, and
    // `await_result` finds them ready instead of parsing the whole result while the server waits for the next query.
    if (PQconsumeInput(conn_)) PQisBusy(conn_);
}

void connection::discard_result() noexcept {
    while (PGresult* res = PQgetResult(conn_)) PQclear(res);
}

void connection::enter_pipeline() { check_sent(PQenterPipelineMode(conn_), "enter pipeline mode"); }

bool connection::in_pipeline() const noexcept { return PQpipelineStatus(conn_) != PQ_PIPELINE_OFF; }

void connection::send(const std::string& sql) {
    check_sent(PQsendQueryParams(conn_, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0), sql);
    ++queued_;
}

void connection::send_prepared(const std::string& sql, const parameters& params, bool binary) {
    send_statement(sql, params, binary);
    ++queued_;
}

void connection::sync() {
    check_sent(PQpipelineSync(conn_), "pipeline sync");
    queued_ = 0;
    ++syncs_pending_;
}

result_set connection::next_result() {
    result_set res(PQgetResult(conn_));
    if (!res) fail(nullptr, "reading a pipeline result");
    const auto status = PQresultStatus(res.get());
    if (status == PGRES_PIPELINE_SYNC) {
        --syncs_pending_;
        throw infrastructure_error("PostgreSQL (" + where_ + "): pipeline out of step");
    }
    // Each statement's result is followed by a null separator.
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
    if (!ok_status(status)) {
        try {
            fail(res.get(), status == PGRES_PIPELINE_ABORTED ? "statement skipped after an earlier error"
                                                             : "pipelined statement");
        } catch (...) {
            drain_to_sync();
            throw;
        }
    }
    return res;
}

void connection::end_sync() {
    result_set res(PQgetResult(conn_));
    if (res && PQresultStatus(res.get()) == PGRES_PIPELINE_SYNC) {
        --syncs_pending_;
        return;
    }
    try {
        fail(res.get(), "expected the end of a pipeline batch");
    } catch (...) {
        drain_to_sync();
        throw;
    }
}

bool connection::in_transaction() const noexcept {
    const auto status = PQtransactionStatus(conn_);
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

bool connection::healthy() noexcept {
    // The first read takes what the server sent (say, "terminating connection due to administrator command"); the
    // second finds the end of the stream if it closed. Neither blocks.
    for (int reads = 0; reads < 2 && PQstatus(conn_) == CONNECTION_OK; ++reads) {
        if (PQconsumeInput(conn_) == 0) break;
    }
    return PQstatus(conn_) == CONNECTION_OK;
}

bool connection::idle() const noexcept {
    return PQstatus(conn_) == CONNECTION_OK && syncs_pending_ == 0 && queued_ == 0 &&
           PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

void connection::drain_to_sync() noexcept {
    // Statements queued without a sync (a push that failed between sending them) are closed off by one, so the
    // server ends the batch and the next one starts clean.
    if (queued_ > 0 && in_pipeline() && PQstatus(conn_) == CONNECTION_OK && PQpipelineSync(conn_) == 1) {
        ++syncs_pending_;
    }
    queued_ = 0;
    int empty_in_a_row = 0;
    while (syncs_pending_ > 0 && empty_in_a_row < 2) {
        PGresult* res = PQgetResult(conn_);
        if (res == nullptr) {
            ++empty_in_a_row;
            if (PQstatus(conn_) != CONNECTION_OK) break;
            continue;
        }
        empty_in_a_row = 0;
        if (PQresultStatus(res) == PGRES_PIPELINE_SYNC) --syncs_pending_;
        PQclear(res);
    }
    if (PQstatus(conn_) != CONNECTION_OK) syncs_pending_ = 0;
}

}  // namespace userstream::sql::postgres
