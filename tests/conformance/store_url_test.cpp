// open_store's URL parsing: every documented form, options, and errors that name the problem without echoing a
// password.
#include <catch2/catch.hpp>

#include "store_url.hpp"
#include "userstream/backends/open_store.hpp"

using namespace userstream::backends;
using detail::parse_store_url;

TEST_CASE("memory and sqlite URLs", "[store_url]") {
    CHECK(std::holds_alternative<detail::memory_url>(parse_store_url("memory:")));

    const auto file = std::get<sqlite_options>(parse_store_url("sqlite:data/users.db"));
    CHECK(file.path == "data/users.db");
    CHECK(file.synchronous == sqlite_synchronous::full);
    CHECK(file.group_commit);

    CHECK(std::get<sqlite_options>(parse_store_url("sqlite:///var/lib/users.db")).path == "/var/lib/users.db");
    CHECK(std::get<sqlite_options>(parse_store_url("sqlite::memory:")).path == ":memory:");

    const auto tuned = std::get<sqlite_options>(
        parse_store_url("sqlite:x.db?synchronous=normal&group_commit=off&busy_timeout_ms=250&max_group=8"));
    CHECK(tuned.synchronous == sqlite_synchronous::normal);
    CHECK_FALSE(tuned.group_commit);
    CHECK(tuned.busy_timeout.count() == 250);
    CHECK(tuned.max_group == 8);

    CHECK_THROWS_WITH(parse_store_url("sqlite:x.db?fsync=yes"), Catch::Contains("unknown sqlite option 'fsync'"));
    CHECK_THROWS_WITH(parse_store_url("sqlite:"), Catch::Contains("names no file"));
}

TEST_CASE("postgres URIs and conninfo strings keep libpq's parameters and take out ours", "[store_url]") {
    const auto uri = std::get<postgres_options>(
        parse_store_url("postgresql://app:pw@db:5432/users?sslmode=disable&schema=tenant_a&group_commit=off"));
    CHECK(uri.conninfo == "postgresql://app:pw@db:5432/users?sslmode=disable");
    CHECK(uri.schema == "tenant_a");
    CHECK_FALSE(uri.group_commit);
    CHECK(std::get<postgres_options>(parse_store_url("postgres://db/users")).schema == "eventstore");

    const auto kv = std::get<postgres_options>(
        parse_store_url("host=127.0.0.1 port=5433 schema=s1 password='a b\\'c' max_group=4 dbname=postgres"));
    CHECK(kv.conninfo == "host=127.0.0.1 port=5433 password='a b\\'c' dbname=postgres");
    CHECK(kv.schema == "s1");
    CHECK(kv.max_group == 4);
}

TEST_CASE("bad URLs name the problem and never echo the URL", "[store_url]") {
    CHECK_THROWS_WITH(parse_store_url("mysql://root:hunter2@db/x"),
                      Catch::Contains("unknown store URL scheme 'mysql'") && !Catch::Contains("hunter2"));
    CHECK_THROWS_WITH(parse_store_url("users.db"), Catch::Contains("no scheme"));
    CHECK_THROWS_AS(open_store("redis://x"), userstream::infrastructure_error);
}

TEST_CASE("an unreachable PostgreSQL server is named, without the password", "[store_url]") {
    try {
        (void)open_store("postgresql://app:s3cret-pw@127.0.0.1:1/users?connect_timeout=2");
        FAIL("opened a store on port 1");
    } catch (const userstream::infrastructure_error& e) {
        const std::string message = e.what();
        CHECK_THAT(message, Catch::Contains("cannot connect") && Catch::Contains("127.0.0.1") &&
                                Catch::Contains("port 1") && Catch::Contains("users"));
        CHECK_THAT(message, !Catch::Contains("s3cret"));
    }
}
