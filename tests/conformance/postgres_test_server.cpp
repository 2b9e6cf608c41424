#include "postgres_test_server.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace conformance {

std::string postgres_conninfo() {
    const char* value = std::getenv("USERSTREAM_TEST_POSTGRES");
    if (value == nullptr || *value == '\0') {
        throw std::runtime_error(
            "USERSTREAM_TEST_POSTGRES is not set: the PostgreSQL tests need a server. Run them through `./dev test`, "
            "which starts a throwaway PostgreSQL 15 cluster, or set it to a libpq conninfo string.");
    }
    return value;
}

std::string store_url_for_schema(const std::string& schema) {
    const std::string base = postgres_conninfo();
    if (base.starts_with("postgres")) return base + (base.find('?') == std::string::npos ? "?" : "&") + "schema=" + schema;
    return base + " schema=" + schema;
}

std::string unique_schema_name(const std::string& prefix) {
    static std::atomic<int> counter{0};
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    return prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + "_" +
           std::to_string(now % 1000000);
}

void run_sql(const std::string& sql) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(postgres_conninfo().c_str()), &PQfinish);
    if (PQstatus(conn.get()) != CONNECTION_OK) {
        throw std::runtime_error(std::string("PostgreSQL test server unreachable: ") + PQerrorMessage(conn.get()));
    }
    PQsetNoticeProcessor(conn.get(), [](void*, const char*) {}, nullptr);  // DROP ... CASCADE notices are noise
    std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
    const auto status = PQresultStatus(res.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        throw std::runtime_error(std::string("PostgreSQL test SQL failed: ") + PQerrorMessage(conn.get()));
    }
}

void drop_schema(const std::string& schema) noexcept {
    try {
        run_sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (...) {
    }
}

}  // namespace conformance
