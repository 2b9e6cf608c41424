// The SQLite and PostgreSQL read models: the same rows as the memory ones, and exactly-once across restarts and
// between competing runners, because each page commits with its checkpoint.
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "support/backends.hpp"
#include "support/world.hpp"
#include "userstream/backends/postgres_event_store.hpp"
#include "userstream/projections/memory_read_models.hpp"
#include "userstream/projections/postgres_read_models.hpp"
#include "userstream/projections/user_queries.hpp"
#include "userstream/subscriptions/projection_runner.hpp"

using namespace userstream;
using namespace userstream::testing;
using namespace userstream::projections;
using namespace userstream::subscriptions;
using namespace std::chrono_literals;

namespace {

projection_backend make_backend(const std::string& name) {
    return name == "sqlite" ? make_sqlite_backend() : make_postgres_backend();
}

// Forwards to a read model and logs the positions of every page the read model accepted.
class logging_projection final : public projection {
public:
    logging_projection(projection& inner, std::mutex& mutex, std::vector<std::uint64_t>& log)
        : inner_(inner), mutex_(mutex), log_(log) {}
    std::string name() const override { return inner_.name(); }
    eventstore::global_filter filter() const override { return inner_.filter(); }
    delivery guarantee() const noexcept override { return inner_.guarantee(); }
    eventstore::global_position checkpoint() const override { return inner_.checkpoint(); }
    bool apply(eventstore::global_position from, std::span<const eventstore::stored_event> events,
               eventstore::global_position through) override {
        std::lock_guard lock(mutex_);  // so that the log's order is the commit order
        if (!inner_.apply(from, events, through)) return false;
        for (const auto& e : events) log_.push_back(e.position.value);
        return true;
    }
    void reset() override { inner_.reset(); }

private:
    projection& inner_;
    std::mutex& mutex_;
    std::vector<std::uint64_t>& log_;
};

// A read model that records the positions of the pages it accepted and counts its failed transactions (a runner
// retries those, so they would otherwise go unseen). Unlike logging_projection it holds no lock around `apply`, so
// runners on two connections really overlap in the database.
class recording_projection final : public projection {
public:
    recording_projection(projection& inner, std::mutex& mutex, std::vector<std::uint64_t>& log,
                         std::atomic<int>& failures)
        : inner_(inner), mutex_(mutex), log_(log), failures_(failures) {}
    std::string name() const override { return inner_.name(); }
    eventstore::global_filter filter() const override { return inner_.filter(); }
    delivery guarantee() const noexcept override { return inner_.guarantee(); }
    eventstore::global_position checkpoint() const override { return counted([&] { return inner_.checkpoint(); }); }
    bool apply(eventstore::global_position from, std::span<const eventstore::stored_event> events,
               eventstore::global_position through) override {
        if (!counted([&] { return inner_.apply(from, events, through); })) return false;
        std::lock_guard lock(mutex_);
        for (const auto& e : events) log_.push_back(e.position.value);
        return true;
    }
    void reset() override { inner_.reset(); }

private:
    template <class F>
    auto counted(F&& f) const -> decltype(f()) {
        try {
            return f();
        } catch (...) {
            ++failures_;
            throw;
        }
    }
    projection& inner_;
    std::mutex& mutex_;
    std::vector<std::uint64_t>& log_;
    std::atomic<int>& failures_;
};

// Runs one statement on the PostgreSQL test server (or a database on it) and returns the first value.
std::string run_on(const std::string& conninfo, const std::string& sql) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo.c_str()), &PQfinish);
    if (PQstatus(conn.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn.get()));
    std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
    const auto status = PQresultStatus(res.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw std::runtime_error(PQerrorMessage(conn.get()));
    return PQntuples(res.get()) > 0 ? PQgetvalue(res.get(), 0, 0) : "";
}

// A database of its own on the test server whose sessions default to SERIALIZABLE, as a DBA might configure.
struct serializable_database {
    serializable_database() {
        const char* value = std::getenv("USERSTREAM_TEST_POSTGRES");
        if (value == nullptr || *value == '\0') throw std::runtime_error("USERSTREAM_TEST_POSTGRES is not set");
        server = value;
        static std::atomic<int> counter{0};
        name = "rm_serializable_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
        run_on(server, "CREATE DATABASE " + name);
        run_on(server, "ALTER DATABASE " + name + " SET default_transaction_isolation = 'serializable'");
        // A later keyword wins in the key=value form; a URI takes it as a query parameter.
        conninfo = server.starts_with("postgres")
                       ? server + (server.find('?') == std::string::npos ? "?" : "&") + "dbname=" + name
                       : server + " dbname=" + name;
    }
    ~serializable_database() {
        try {
            run_on(server, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (...) {
        }
    }
    std::string server, name, conninfo;
};

void some_history(world& w, int users) {
    for (int i = 0; i < users; ++i) {
        const auto id = "u" + std::to_string(i);
        w.clock.advance(std::chrono::milliseconds(7));
        REQUIRE(w.service.add_human(admin, {id, i % 2 ? "o1" : "o2", "+41 71 000 00 0" + std::to_string(i % 10), i % 3 == 0}).ok());
        if (i % 4 == 0) w.given(id, "o1", {phone_removed{}});
        if (i % 5 == 0) (void)w.service.remove_user(admin, {id, std::nullopt});
    }
    w.given_raw("m0", "o1", {{"user.machine.added", R"({"name":"m"})"}});
}

}  // namespace

TEST_CASE("SQL read models hold exactly the rows of the memory read models", "[sql]") {
    const auto which = GENERATE(as<std::string>{}, "sqlite", "postgres");
    auto b = make_backend(which);
    INFO(which);
    world w(*b.store);
    some_history(w, 30);
    memory_object_details memory_details;
    memory_user_phones memory_phones;
    projection_runner(*b.store, memory_details).catch_up();
    projection_runner(*b.store, memory_phones).catch_up();
    projection_runner(*b.store, *b.details, {.page_size = 9}).catch_up();
    projection_runner(*b.store, *b.phones, {.page_size = 9}).catch_up();

    CHECK(b.details->rows() == memory_details.rows());
    CHECK(b.phones->rows() == memory_phones.rows());
    CHECK(b.phones->rows().size() == 31);
    CHECK(b.phones->find(w.instance(), "u1") == memory_phones.find(w.instance(), "u1"));
    CHECK_FALSE(b.phones->find(w.instance(), "nobody"));
    CHECK(b.details->find({w.instance(), "user", "u7"}) == memory_details.find({w.instance(), "user", "u7"}));
}

TEST_CASE("a restarted host resumes from the stored checkpoint: no event missed, none applied twice", "[sql]") {
    const auto which = GENERATE(as<std::string>{}, "sqlite", "postgres");
    auto b = make_backend(which);
    INFO(which);
    world w(*b.store);
    some_history(w, 20);
    std::mutex mutex;
    std::vector<std::uint64_t> log;
    {
        logging_projection logged(*b.phones, mutex, log);
        projection_runner runner(*b.store, logged, {.page_size = 5});
        REQUIRE(runner.step());
        REQUIRE(runner.step());
    }  // the host stops (or dies) here; the pages it committed are durable with their checkpoint
    REQUIRE(log.size() == 10);
    some_history(w, 0);  // more events arrive while it is down
    w.given("late", "o1", {human_added{}});

    b.reopen();
    CHECK(b.phones->checkpoint().value == log.back());
    logging_projection logged(*b.phones, mutex, log);
    projection_runner runner(*b.store, logged, {.page_size = 5});
    runner.catch_up();
    CHECK(log == positions_in(*b.store, user_phone_filter()));
    CHECK(b.phones->find(w.instance(), "late"));
}

TEST_CASE("runners on two connections to the same tables apply every page once", "[sql]") {
    const auto which = GENERATE(as<std::string>{}, "sqlite", "postgres");
    auto b = make_backend(which);
    INFO(which);
    world w(*b.store);
    some_history(w, 40);
    auto second_connection = b.open_details();
    std::mutex mutex;
    std::vector<std::uint64_t> log;
    logging_projection first(*b.details, mutex, log);
    logging_projection second(*second_connection, mutex, log);
    projection_runner a(*b.store, first, {.page_size = 3, .poll_interval = 1ms});
    projection_runner c(*b.store, second, {.page_size = 3, .poll_interval = 1ms});
    a.start();
    c.start();
    REQUIRE(a.wait_for(b.store->head(), 20s));
    REQUIRE(c.wait_for(b.store->head(), 20s));
    a.stop();
    c.stop();
    CHECK(log == positions_in(*b.store, {}));
    CHECK(std::set<std::uint64_t>(log.begin(), log.end()).size() == log.size());
}

TEST_CASE("a page that fails rolls back with its checkpoint", "[sql]") {
    const auto which = GENERATE(as<std::string>{}, "sqlite", "postgres");
    auto b = make_backend(which);
    INFO(which);
    world w(*b.store);
    w.given("u1", "o1", {human_added{}});
    projection_runner runner(*b.store, *b.phones, {.page_size = 10});
    runner.catch_up();
    const auto before = b.phones->rows();
    w.given("u2", "o1", {human_added{}});
    w.given_raw("u1", "o1", {{"user.human.phone.changed", R"({"phone":17})"}});
    CHECK_THROWS_AS(runner.catch_up(), decode_error);
    CHECK(b.phones->rows() == before);
    CHECK(b.phones->checkpoint().value == 1);
}

TEST_CASE("defect 8.2: on a database whose default isolation is SERIALIZABLE, PostgreSQL read models are created at "
          "once and competing runners apply every page once, without a failed transaction",
          "[sql][issue8]") {
    serializable_database db;
    REQUIRE(run_on(db.conninfo, "SHOW default_transaction_isolation") == "serializable");
    backends::postgres_event_store store({.conninfo = db.conninfo, .schema = "rm"});
    world w(store);
    some_history(w, 40);
    const postgres_read_model_options options{.conninfo = db.conninfo, .schema = "rm"};

    // Given two hosts opening the read models at once on a schema without them (both queue on the creation lock,
    // held here until both wait, so each has begun its transaction before the other creates the tables),
    std::unique_ptr<PGconn, decltype(&PQfinish)> holder(PQconnectdb(db.conninfo.c_str()), &PQfinish);
    PQclear(PQexec(holder.get(), "BEGIN; SELECT pg_advisory_xact_lock(hashtext('userstream.schema'), hashtext('rm'))"));
    REQUIRE(PQtransactionStatus(holder.get()) == PQTRANS_INTRANS);
    auto first = std::async(std::launch::async, [&] { return std::make_unique<postgres_object_details>(options); });
    auto second = std::async(std::launch::async, [&] { return std::make_unique<postgres_object_details>(options); });
    const auto waiting = [&] {
        return run_on(db.conninfo, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND "
                                   "database = (SELECT oid FROM pg_database WHERE datname = current_database())");
    };
    for (int tries = 0; waiting() != "2" && tries < 500; ++tries) std::this_thread::sleep_for(10ms);
    REQUIRE(waiting() == "2");
    PQclear(PQexec(holder.get(), "COMMIT"));
    std::unique_ptr<postgres_object_details> details_a, details_b;
    REQUIRE_NOTHROW(details_a = first.get());
    REQUIRE_NOTHROW(details_b = second.get());

    // when a runner on each applies the same projection concurrently, in small pages,
    std::atomic<int> failures{0};
    std::mutex mutex;
    std::vector<std::uint64_t> log;
    recording_projection recorded_a(*details_a, mutex, log, failures), recorded_b(*details_b, mutex, log, failures);
    projection_runner a(store, recorded_a, {.page_size = 3, .poll_interval = 1ms});
    projection_runner c(store, recorded_b, {.page_size = 3, .poll_interval = 1ms});
    a.start();
    c.start();
    REQUIRE(a.wait_for(store.head(), 20s));
    REQUIRE(c.wait_for(store.head(), 20s));
    a.stop();
    c.stop();

    // then every page is applied exactly once, and no transaction failed (a runner losing the race sees the moved
    // checkpoint and reads on; it never gets a serialization failure).
    CHECK(failures == 0);
    std::sort(log.begin(), log.end());
    CHECK(log == positions_in(store, {}));
}

TEST_CASE("defect 8.9: PostgreSQL read models refuse an id with NUL instead of reading its prefix", "[sql][issue8]") {
    auto b = make_postgres_backend();
    world w(*b.store);
    w.given("victim", "o1", {human_added{}});
    projection_runner(*b.store, *b.details).catch_up();
    projection_runner(*b.store, *b.phones).catch_up();
    REQUIRE(b.phones->find(w.instance(), "victim"));

    const std::string nul_id("victim\0anything", 15);
    CHECK_THROWS_AS(b.phones->find(w.instance(), nul_id), std::invalid_argument);
    CHECK_THROWS_AS(b.details->find({w.instance(), "user", nul_id}), std::invalid_argument);
    CHECK_THROWS_AS(b.phones->find(std::string("i\0x", 3), "victim"), std::invalid_argument);
    // The refusal costs nothing else: the read models answer as before.
    CHECK(b.phones->find(w.instance(), "victim"));
    CHECK(b.details->find({w.instance(), "user", "victim"}));
}

TEST_CASE("each SQL read model records its own schema version, and one newer than the library is refused on open",
          "[sql]") {
    const auto which = GENERATE(as<std::string>{}, "sqlite", "postgres");
    auto b = make_backend(which);
    INFO(which);
    CHECK(b.run_sql("SELECT version FROM schema_version WHERE component = 'object_details'") == "1");
    CHECK(b.run_sql("SELECT version FROM schema_version WHERE component = 'user_phones_v2'") == "1");
    b.run_sql("UPDATE schema_version SET version = 99 WHERE component = 'user_phones_v2'");
    CHECK_THROWS_WITH(b.open_phones(), Catch::Contains("user_phones_v2") && Catch::Contains("version 99"));
    CHECK_NOTHROW(b.open_details());  // its own version is still one this library knows
}

TEST_CASE("read-model tables of the earlier layout (one schema_version row 'projections' for all of them) open as "
          "they are, with their rows and checkpoints",
          "[sql]") {
    const auto which = GENERATE(as<std::string>{}, "sqlite", "postgres");
    auto b = make_backend(which);
    INFO(which);
    world w(*b.store);
    w.given("u1", "o1", {human_added{stored_phone("+41710000000")}});
    projection_runner(*b.store, *b.details).catch_up();
    projection_runner(*b.store, *b.phones).catch_up();
    const auto details = b.details->rows();
    const auto phones = b.phones->rows();
    // What the earlier layout recorded: the same tables, under one component row.
    b.run_sql("DELETE FROM schema_version WHERE component IN ('object_details', 'user_phones_v2'); "
              "INSERT INTO schema_version (component, version) VALUES ('projections', 1)");

    b.reopen();
    CHECK(b.details->rows() == details);
    CHECK(b.phones->rows() == phones);
    CHECK(b.phones->checkpoint() == b.store->head());
    CHECK(b.run_sql("SELECT version FROM schema_version WHERE component = 'user_phones_v2'") == "1");
}

TEST_CASE("SQL read models store username, profile, email and machine fields as the memory one does", "[sql]") {
    const auto which = GENERATE(as<std::string>{}, "sqlite", "postgres");
    auto b = make_backend(which);
    INFO(which);
    world w(*b.store);
    add_human_request human{"u1", "o1", "+41 71 000 00 00", true};
    human.username = "minnie";
    // Quotes, commas, braces and backslashes go through PostgreSQL's array literals unharmed.
    human.profile = {"Min\"nie", "Mo,use", "{Min}", "Minnie \\ Mouse", "de-CH", 3};
    human.email = "minnie@example.com";
    human.is_email_verified = true;
    REQUIRE(w.service.add_human(admin, human).ok());
    REQUIRE(w.service.add_human(admin, {"u2", "o1", "", false}).ok());
    REQUIRE(w.service.add_machine(admin, {"m1", "o1", "robot", "Robot", "Builds things"}).ok());
    w.given("u3", "o1", {human_added{{}, "neg", {"", "", "", "", "", -7}, ""}});  // any int32 gender
    memory_user_phones memory;
    projection_runner(*b.store, memory).catch_up();
    projection_runner(*b.store, *b.phones, {.page_size = 2}).catch_up();

    CHECK(b.phones->rows() == memory.rows());
    const auto u1 = b.phones->find(w.instance(), "u1");
    REQUIRE(u1);
    CHECK(u1->username == "minnie");
    CHECK(u1->profile == human.profile);
    CHECK(u1->email == "minnie@example.com");
    CHECK(u1->is_email_verified);
    CHECK(b.phones->find(w.instance(), "u2")->username == "u2");
    CHECK(b.phones->find(w.instance(), "u3")->profile.gender == -7);
    const auto m1 = b.phones->find(w.instance(), "m1");
    REQUIRE(m1);
    CHECK(m1->machine_name == "Robot");
    CHECK(m1->machine_description == "Builds things");

    auto user = get_user_by_id(*b.phones, w.instance(), "u1");
    REQUIRE(user.ok());
    CHECK(user.value() == get_user_by_id(memory, w.instance(), "u1").value());
    b.reopen();
    CHECK(b.phones->rows() == memory.rows());
}

TEST_CASE("a database with the earlier user_phones table (no profile columns) keeps it, and the read model fills "
          "user_phones_v2 from position 0",
          "[sql]") {
    const auto which = GENERATE(as<std::string>{}, "sqlite", "postgres");
    auto b = make_backend(which);
    INFO(which);
    world w(*b.store);
    REQUIRE(w.service.add_human(admin, {"u1", "o1", "+41 71 000 00 00", true}).ok());
    // What the earlier version left: its table with one row, its component row, and its checkpoint at the head.
    b.phones.reset();
    b.run_sql("DROP TABLE user_phones_v2; DELETE FROM schema_version WHERE component = 'user_phones_v2'; "
              "DELETE FROM projection_checkpoints WHERE projection = 'user_phone_v2'; "
              "CREATE TABLE user_phones (instance_id TEXT NOT NULL, user_id TEXT NOT NULL, kind TEXT NOT NULL, "
              "state TEXT NOT NULL, phone TEXT, is_phone_verified BOOLEAN, last_phone TEXT, verified_phone TEXT, "
              "\"sequence\" BIGINT NOT NULL, creation_date TEXT NOT NULL, change_date TEXT NOT NULL, "
              "resource_owner TEXT NOT NULL, PRIMARY KEY (instance_id, user_id)); "
              "INSERT INTO user_phones VALUES ('" + w.instance() + "', 'u1', 'human', 'active', '+41710000000', "
              "true, '+41710000000', '+41710000000', 2, '2026', '2026', 'o1'); "
              "INSERT INTO schema_version (component, version) VALUES ('user_phones', 1); "
              "INSERT INTO projection_checkpoints (projection, \"position\", updated_at) VALUES ('user_phone', " +
              std::to_string(b.store->head().value) + ", '2026-07-10T09:00:00Z')");

    b.reopen();
    CHECK(b.phones->checkpoint().value == 0);
    projection_runner(*b.store, *b.phones).catch_up();
    const auto row = b.phones->find(w.instance(), "u1");
    REQUIRE(row);
    CHECK(row->phone == "+41710000000");
    CHECK(row->username == "u1");
    // The earlier table and its checkpoint are left for the host to drop once no older version runs.
    CHECK(b.run_sql("SELECT count(*) FROM user_phones") == "1");
    CHECK(b.run_sql("SELECT version FROM schema_version WHERE component = 'user_phones'") == "1");
}
