// The internal SQL layer (src/sql) tells a key collision apart from other failures: a write that hits a primary or
// unique key throws sql::unique_violation, which the stores turn into the retryable EVENTSTORE-Conflict
// (push_transaction.hpp). Specified on each database directly, because on the stores themselves a collision needs a
// writer that bypasses the writers' lock.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "postgres/connection.hpp"
#include "sql_errors.hpp"
#include "sqlite/database.hpp"

using namespace userstream;

TEST_CASE("SQLite: a primary-key or unique-key collision is a unique violation, other failures are not",
          "[sql][unique]") {
    sql::sqlite::database db(":memory:", sql::sqlite::database::mode::read_write_create, 1000);
    db.exec("CREATE TABLE events (aggregate_id TEXT NOT NULL, \"sequence\" INTEGER NOT NULL, \"position\" INTEGER, "
            "PRIMARY KEY (aggregate_id, \"sequence\"))");
    db.exec("CREATE UNIQUE INDEX events_position ON events (\"position\")");
    db.exec("INSERT INTO events VALUES ('u1', 1, 1)");
    // Given row (u1, 1) at position 1: the same key again, or another key at the same position, is a collision.
    CHECK_THROWS_AS(db.prepare("INSERT INTO events VALUES ('u1', 1, 2)").step(), sql::unique_violation);
    CHECK_THROWS_AS(db.prepare("INSERT INTO events VALUES ('u2', 1, 1)").step(), sql::unique_violation);
    // A NOT NULL violation is a failure of another kind.
    try {
        db.prepare("INSERT INTO events VALUES (NULL, 2, 3)").step();
        FAIL("a NOT NULL violation was accepted");
    } catch (const sql::unique_violation&) {
        FAIL("a NOT NULL violation was reported as a key collision");
    } catch (const infrastructure_error&) {
    }
}

TEST_CASE("PostgreSQL: a primary-key collision (SQLSTATE 23505) is a unique violation, other failures are not",
          "[sql][unique][postgres]") {
    const char* conninfo = std::getenv("USERSTREAM_TEST_POSTGRES");
    REQUIRE(conninfo != nullptr);  // the PostgreSQL cases need a server, as the other PostgreSQL suites do
    sql::postgres::connection db(conninfo);
    db.exec("CREATE TEMPORARY TABLE sql_errors_test (aggregate_id text, \"sequence\" bigint NOT NULL, "
            "PRIMARY KEY (aggregate_id, \"sequence\"))");
    db.exec("INSERT INTO sql_errors_test VALUES ('u1', 1)");
    CHECK_THROWS_AS(db.exec("INSERT INTO sql_errors_test VALUES ('u1', 1)"), sql::unique_violation);
    try {
        db.exec("INSERT INTO sql_errors_test VALUES ('u2', NULL)");
        FAIL("a NOT NULL violation was accepted");
    } catch (const sql::unique_violation&) {
        FAIL("a NOT NULL violation was reported as a key collision");
    } catch (const infrastructure_error&) {
    }
}
