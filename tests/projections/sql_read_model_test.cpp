// The SQLite and PostgreSQL read models: the same rows as the memory ones, and exactly-once across restarts and
// between competing runners, because each page commits with its checkpoint.
#include <mutex>
#include <set>

#include "support/backends.hpp"
#include "support/world.hpp"
#include "userstream/projections/memory_read_models.hpp"
#include "userstream/projections/projection_runner.hpp"

using namespace userstream;
using namespace userstream::testing;
using namespace userstream::projections;
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
