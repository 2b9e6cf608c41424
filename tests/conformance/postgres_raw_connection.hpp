// A raw libpq connection to the PostgreSQL test server, standing in for another writer or a tool: it writes what the
// store itself never would, holds locks and transactions open, and reads the server's own views. A failed statement
// fails the test, naming the statement.
#pragma once

#include <catch2/catch.hpp>
#include <libpq-fe.h>

#include <memory>
#include <string>

#include "postgres_test_server.hpp"

namespace conformance {

class raw_connection {
public:
    explicit raw_connection(const std::string& conninfo = postgres_conninfo())
        : conn_(PQconnectdb(conninfo.c_str()), &PQfinish) {
        if (PQstatus(conn_.get()) != CONNECTION_OK) FAIL("PostgreSQL test server unreachable: " << PQerrorMessage(conn_.get()));
    }
    // Runs `sql` and returns the first row's first value ("" when there is no row).
    std::string run(const std::string& sql) {
        std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn_.get(), sql.c_str()), &PQclear);
        const auto status = PQresultStatus(res.get());
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) FAIL(sql << ": " << PQerrorMessage(conn_.get()));
        return PQntuples(res.get()) > 0 ? PQgetvalue(res.get(), 0, 0) : "";
    }

private:
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

}  // namespace conformance
