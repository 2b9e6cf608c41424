#include <libpq-fe.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <stdexcept>

#include "backends.hpp"
#include "userstream/backends/postgres_event_store.hpp"
#include "userstream/projections/postgres_read_models.hpp"

namespace userstream::testing {

namespace {

// USERSTREAM_TEST_POSTGRES, set by `./dev test`. Missing is a failure, never a skip.
std::string conninfo() {
    const char* value = std::getenv("USERSTREAM_TEST_POSTGRES");
    if (value == nullptr || *value == '\0') {
        throw std::runtime_error(
            "USERSTREAM_TEST_POSTGRES is not set: run the tests through `./dev test`, or export a libpq conninfo for "
            "a PostgreSQL server the tests may create schemas in");
    }
    return value;
}

std::string unique_schema() {
    static std::atomic<int> counter{0};
    std::random_device entropy;
    return "proj_test_" + std::to_string(entropy() % 1'000'000'000u) + "_" + std::to_string(counter++);
}

std::string run_in_schema(const std::string& info, const std::string& schema, const std::string& sql) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(info.c_str()), &PQfinish);
    if (PQstatus(conn.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn.get()));
    std::unique_ptr<PGresult, decltype(&PQclear)> res(
        PQexec(conn.get(), ("SET search_path TO " + schema + "; " + sql).c_str()), &PQclear);
    const auto status = PQresultStatus(res.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw std::runtime_error(PQerrorMessage(conn.get()));
    return PQntuples(res.get()) > 0 ? PQgetvalue(res.get(), 0, 0) : "";
}

void drop_schema(const std::string& info, const std::string& schema) noexcept {
    PGconn* conn = PQconnectdb(info.c_str());
    if (PQstatus(conn) == CONNECTION_OK) PQclear(PQexec(conn, ("SET client_min_messages = warning; DROP SCHEMA IF EXISTS " + schema + " CASCADE").c_str()));
    PQfinish(conn);
}

}  // namespace

// The events and the read models share one schema of one database, as a host would run them.
projection_backend make_postgres_backend() {
    const auto info = conninfo();
    const auto schema = unique_schema();
    projection_backend b;
    b.name = "postgres";
    b.cleanup = [info, schema] { drop_schema(info, schema); };
    b.run_sql = [info, schema](const std::string& sql) { return run_in_schema(info, schema, sql); };
    b.store = std::make_unique<backends::postgres_event_store>(backends::postgres_options{.conninfo = info, .schema = schema});
    b.open_details = [info, schema] {
        return std::make_unique<subscriptions::postgres_object_details>(
            subscriptions::postgres_read_model_options{.conninfo = info, .schema = schema});
    };
    b.open_phones = [info, schema] {
        return std::make_unique<projections::postgres_user_phones>(
            subscriptions::postgres_read_model_options{.conninfo = info, .schema = schema});
    };
    b.reopen();
    return b;
}

}  // namespace userstream::testing
