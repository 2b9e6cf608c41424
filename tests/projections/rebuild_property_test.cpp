// Rebuild equivalence, as a property over random command sequences on every backend: whatever the commands and however
// the incremental runs were sliced into pages, dropping the read models and running them again from the log yields
// exactly the same rows - and those rows agree with a replay of each user's stream.
#include <random>

#include "support/backends.hpp"
#include "support/world.hpp"
#include "userstream/subscriptions/projection_runner.hpp"
#include "userstream/user/stream_queries.hpp"

using namespace userstream;
using namespace userstream::testing;
using namespace userstream::projections;
using namespace userstream::subscriptions;

namespace {

constexpr std::size_t page_size = 7;
const std::vector<std::string> user_ids{"u0", "u1", "u2", "u3", "u4", "m0"};
const std::vector<std::string> numbers{"+41 71 000 00 00", "+41 71 000 00 01", "+41710000002", "+41 79 123 45 67"};

// One random command or past event. Rejections are part of the property: they push nothing.
void random_operation(world& w, std::mt19937& rng) {
    const auto pick = [&](const auto& from) { return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)]; };
    const auto coin = [&] { return std::bernoulli_distribution(0.5)(rng); };
    const auto user = pick(user_ids);
    const std::string org = coin() ? "o1" : "o2";
    w.clock.advance(std::chrono::milliseconds(std::uniform_int_distribution<int>(1, 1000)(rng)));
    switch (std::uniform_int_distribution<int>(0, 9)(rng)) {
        case 0: {
            add_human_request request{user, org, coin() ? pick(numbers) : "", coin()};
            if (coin()) {  // AddHumanUser's other fields, half of the time
                request.username = coin() ? "name-" + user : "";
                request.profile = {"Given", coin() ? "Family" : "", "", "Display", coin() ? "de-CH" : "", int(rng() % 4)};
                request.email = coin() ? user + "@example.com" : "";
                request.is_email_verified = coin();
                request.return_phone_code = coin();
            }
            (void)w.service.add_human(admin, request);
            break;
        }
        case 1:
            if (coin()) {
                (void)w.service.add_machine(admin, {user, org});
            } else {
                (void)w.service.add_machine(admin, {user, org, "robot-" + user, "Robot", coin() ? "Builds" : ""});
            }
            break;
        case 2:
        case 3: {
            phone_verification how = send_code{};
            switch (std::uniform_int_distribution<int>(0, 2)(rng)) {
                case 0: how = send_code{}; break;
                case 1: how = return_code{}; break;
                default: how = mark_verified{}; break;
            }
            (void)w.service.set_phone(admin, {user, pick(numbers), how});
            break;
        }
        case 4:
            (void)w.service.update_human_phone(admin, {user, std::nullopt, pick(numbers), coin()});
            break;
        case 5:
            if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) (void)w.service.remove_user(admin, {user, std::nullopt});
            break;
        case 6:
            switch (std::uniform_int_distribution<int>(0, 2)(rng)) {
                case 0: w.given(user, org, {phone_verified{}}); break;
                case 1: w.given(user, org, {phone_removed{}}); break;
                default: w.given(user, org, {email_verified{}}); break;
            }
            break;
        case 7:
            w.given(user, org, {phone_verification_failed{}});
            break;
        case 8:  // ZITADEL's legacy v1 name
            w.given_raw(user, org, {{"user.phone.changed", R"({"phone":"+41710000009"})"}});
            break;
        default:  // an event of another feature
            w.given_raw(user, org, {{"user.human.email.changed", R"({"email":"a@example.com"})"}});
            break;
    }
}

// The rows must agree with what a replay of each user's stream says.
void check_against_streams(const world& w, const projection_backend& b) {
    for (const auto& id : user_ids) {
        INFO("user " << id);
        const auto replayed = user::get_user_details(w.store, w.instance(), id);
        const auto projected = b.details->find({w.instance(), "user", id});
        REQUIRE(replayed.ok() == projected.has_value());
        if (!projected) continue;
        CHECK(*projected == replayed.value());

        const auto row = b.phones->find(w.instance(), id);
        REQUIRE(row);
        CHECK(row->details == replayed.value());
        const auto model = w.service.load(id);
        if (row->kind == user_kind::human && row->state != user_state::deleted) {
            CHECK(row->phone.value_or("") == model.phone().e164());
            CHECK(row->is_phone_verified.value_or(false) == model.is_phone_verified());
        }
    }
}

void check_rebuild_equivalence(projection_backend& b, unsigned seed, int operations) {
    INFO("backend " << b.name << ", seed " << seed);
    std::mt19937 rng(seed);
    world w(*b.store);
    page_watching_store watched(*b.store);
    {
        projection_runner details(watched, *b.details, {.page_size = page_size});
        projection_runner phones(watched, *b.phones, {.page_size = page_size});
        for (int i = 0; i < operations; ++i) {
            random_operation(w, rng);
            // Slice the incremental runs differently every time: one page, everything, or nothing yet.
            switch (std::uniform_int_distribution<int>(0, 5)(rng)) {
                case 0: details.step(); phones.step(); break;
                case 1: details.catch_up(); break;
                case 2: phones.catch_up(); break;
                default: break;
            }
        }
        details.catch_up();
        phones.catch_up();
    }
    REQUIRE(b.store->head().value > 0);
    const auto incremental_details = b.details->rows();
    const auto incremental_phones = b.phones->rows();
    check_against_streams(w, b);

    b.reopen();  // a restarted host finds the same rows and checkpoint
    CHECK(b.details->rows() == incremental_details);
    CHECK(b.phones->rows() == incremental_phones);
    CHECK(b.details->checkpoint() == b.store->head());

    watched.largest_page = 0;
    projection_runner details(watched, *b.details, {.page_size = page_size});
    projection_runner phones(watched, *b.phones, {.page_size = page_size});
    details.rebuild();
    phones.rebuild();
    CHECK(watched.largest_page <= page_size);
    CHECK(b.details->rows() == incremental_details);
    CHECK(b.phones->rows() == incremental_phones);
    CHECK(b.phones->checkpoint() == b.store->head());
}

}  // namespace

TEST_CASE("memory: rebuilt read models equal the incrementally built ones", "[rebuild][property][memory]") {
    for (unsigned seed = 1; seed <= 25; ++seed) {
        auto b = make_memory_backend();
        check_rebuild_equivalence(b, seed, 80);
    }
}

#ifdef USERSTREAM_PROJECTION_SQL_TESTS
TEST_CASE("sqlite: rebuilt read models equal the incrementally built ones", "[rebuild][property][sqlite]") {
    for (unsigned seed = 1; seed <= 8; ++seed) {
        auto b = make_sqlite_backend();
        check_rebuild_equivalence(b, seed, 60);
    }
}

TEST_CASE("postgres: rebuilt read models equal the incrementally built ones", "[rebuild][property][postgres]") {
    for (unsigned seed = 1; seed <= 4; ++seed) {
        auto b = make_postgres_backend();
        check_rebuild_equivalence(b, seed, 60);
    }
}
#endif
