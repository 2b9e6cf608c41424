// A host program built against userstream from outside its source tree: against the installed package
// (tests/consumer/CMakeLists.txt) and, compiled again, with add_subdirectory (tests/add_subdirectory). It uses every
// public target the package has; USERSTREAM_CONSUMER_HAS_<TARGET> says which ones this build of the package has
// (a package built with USERSTREAM_WITH_POSTGRES=OFF has no userstream::postgres). Exits non-zero when a use fails.
#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>

#include <userstream/core/error.hpp>
#include <userstream/eventstore/memory_event_store.hpp>
#include <userstream/user/user_service.hpp>
#ifdef USERSTREAM_CONSUMER_HAS_SUBSCRIPTIONS
#include <userstream/subscriptions/handler_projection.hpp>
#include <userstream/subscriptions/memory_object_details.hpp>
#include <userstream/subscriptions/projection_runner.hpp>
#endif
#ifdef USERSTREAM_CONSUMER_HAS_SUBSCRIPTIONS_SQLITE
#include <userstream/subscriptions/sqlite_object_details.hpp>
#endif
#ifdef USERSTREAM_CONSUMER_HAS_SUBSCRIPTIONS_POSTGRES
#include <userstream/subscriptions/postgres_object_details.hpp>
#endif
#ifdef USERSTREAM_CONSUMER_HAS_PROJECTIONS
#include <userstream/projections/user_projections.hpp>
#endif
#ifdef USERSTREAM_CONSUMER_HAS_SQLITE
#include <userstream/backends/sqlite_event_store.hpp>
#endif
#ifdef USERSTREAM_CONSUMER_HAS_POSTGRES
#include <userstream/backends/postgres_event_store.hpp>
#endif
#ifdef USERSTREAM_CONSUMER_HAS_STORES
#include <userstream/backends/open_store.hpp>
#endif
#ifdef USERSTREAM_CONSUMER_HAS_PROJECTIONS_SQLITE
#include <userstream/projections/sqlite_read_models.hpp>
#endif
#ifdef USERSTREAM_CONSUMER_HAS_PROJECTIONS_POSTGRES
#include <userstream/projections/postgres_read_models.hpp>
#endif
#ifdef USERSTREAM_CONSUMER_HAS_TESTING
#include <userstream/testing/user_fixture.hpp>
#endif
#ifdef USERSTREAM_CONSUMER_HAS_API
#include <userstream/api/api_handler.hpp>
#endif

using namespace userstream;

namespace {

int failures = 0;

void check(bool ok, const char* what) {
    std::printf("%s: %s\n", ok ? "ok" : "FAILED", what);
    if (!ok) ++failures;
}

// The user domain on `store`: add a user, set the phone, and read back the normalised number as stored.
user::command_outcome set_phone_on(eventstore::event_store& store, const char* which) {
    auto keys = user::key_ring::with_random_key();
    user::grant_table_authorizer auth;
    auth.grant("admin", "o1", user::permissions::user_write);
    user::user_service users(store, auth, keys);
    const user::caller admin{"admin", "o1"};
    const auto added = users.add_human(admin, {"u1", "o1", "", false});
    auto changed = users.update_human_phone(admin, {"u1", "o1", "+41 71 000 00 00", true});
    check(added && changed && changed->events.front().payload == R"({"phone":"+41710000000"})",
          (std::string("userstream::user sets a phone on ") + which).c_str());
    return changed ? std::move(changed).value() : user::command_outcome{};
}

// A store or read model that must reach a server: with none listening, construction throws the library's error.
template <class Construct>
void check_unreachable(Construct construct, const char* what) {
    bool threw = false;
    try {
        construct();
    } catch (const infrastructure_error&) {
        threw = true;
    }
    check(threw, what);
}

#ifdef USERSTREAM_CONSUMER_HAS_STORES
// open_store on a URL of a store this build left out (USERSTREAM_WITH_...=OFF) throws, naming the option.
[[maybe_unused]] void check_left_out(const char* url, const char* option, const char* what) {
    bool named = false;
    try {
        (void)backends::open_store(url);
    } catch (const infrastructure_error& e) {
        named = std::string(e.what()).find(option) != std::string::npos;
    }
    check(named, what);
}
#endif

[[maybe_unused]] constexpr const char* no_server = "host=127.0.0.1 port=1 connect_timeout=2";

}  // namespace

int main() {
    eventstore::memory_event_store memory;
    [[maybe_unused]] const auto outcome = set_phone_on(memory, "the memory store (userstream::eventstore)");

#ifdef USERSTREAM_CONSUMER_HAS_SUBSCRIPTIONS
    {
        // A host's own projection on the generic runner, and the object details in memory.
        eventstore::memory_checkpoint_store checkpoints;
        std::size_t seen = 0;
        subscriptions::handler_projection counting(
            "consumer", {}, checkpoints, {.on_event = [&](const eventstore::stored_event&) { ++seen; }, .on_reset = {}});
        subscriptions::projection_runner(memory, counting).catch_up();
        subscriptions::memory_object_details details;
        subscriptions::projection_runner(memory, details).catch_up();
        const auto user = details.find({"default", "user", "u1"});
        check(seen == outcome.position.value && user && user->sequence.value == 3,
              "userstream::subscriptions runs a host's projection and the object details");
    }
#endif
#ifdef USERSTREAM_CONSUMER_HAS_SUBSCRIPTIONS_SQLITE
    {
        subscriptions::sqlite_object_details details({.path = ":memory:"});
        subscriptions::projection_runner(memory, details).catch_up();
        const auto user = details.find({"default", "user", "u1"});
        check(user && user->sequence.value == 3, "userstream::subscriptions_sqlite holds the object details");
    }
#endif
#ifdef USERSTREAM_CONSUMER_HAS_SUBSCRIPTIONS_POSTGRES
    check_unreachable([] { subscriptions::postgres_object_details details({.conninfo = no_server}); },
                      "userstream::subscriptions_postgres reports an unreachable server");
#endif
#ifdef USERSTREAM_CONSUMER_HAS_PROJECTIONS
    {
        projections::user_projections read_side(memory);
        read_side.rebuild();
        const auto phone = read_side.get_human_phone("default", "u1", {outcome.position});
        check(phone && phone->phone == "+41710000000", "userstream::projections reads the phone");
    }
#endif
#ifdef USERSTREAM_CONSUMER_HAS_SQLITE
    {
        backends::sqlite_event_store store({.path = ":memory:"});
        set_phone_on(store, "SQLite (userstream::sqlite)");
    }
#endif
#ifdef USERSTREAM_CONSUMER_HAS_POSTGRES
    check_unreachable([] { backends::postgres_event_store store({.conninfo = no_server}); },
                      "userstream::postgres reports an unreachable server");
#endif
#ifdef USERSTREAM_CONSUMER_HAS_STORES
    {
        const auto store = backends::open_store("memory:");
        set_phone_on(*store, "open_store(\"memory:\") (userstream::stores)");
    }
#ifndef USERSTREAM_CONSUMER_HAS_SQLITE
    check_left_out("sqlite::memory:", "USERSTREAM_WITH_SQLITE", "open_store names the option a SQLite URL needs");
#endif
#ifndef USERSTREAM_CONSUMER_HAS_POSTGRES
    check_left_out("postgresql://u@127.0.0.1:1/db", "USERSTREAM_WITH_POSTGRES",
                   "open_store names the option a PostgreSQL URL needs");
#endif
#endif
#ifdef USERSTREAM_CONSUMER_HAS_PROJECTIONS_SQLITE
    {
        subscriptions::sqlite_object_details details({.path = ":memory:"});
        projections::sqlite_user_phones phones({.path = ":memory:"});
        projections::user_projections read_side(memory, details, phones);
        read_side.rebuild();
        const auto phone = read_side.get_human_phone("default", "u1", {outcome.position});
        check(phone && phone->phone == "+41710000000", "userstream::projections_sqlite reads the phone");
    }
#endif
#ifdef USERSTREAM_CONSUMER_HAS_PROJECTIONS_POSTGRES
    check_unreachable([] { projections::postgres_user_phones phones({.conninfo = no_server}); },
                      "userstream::projections_postgres reports an unreachable server");
#endif
#ifdef USERSTREAM_CONSUMER_HAS_TESTING
    {
        userstream::testing::user_fixture f;
        f.given("u1", "o1", {user::human_added{}});
        f.when(userstream::testing::admin, user::set_phone_request{"u1", "+41 71 000 00 00"});
        const auto stored = f.then_events({{"user.human.phone.changed", R"({"phone":"+41710000000"})"},
                                           {"user.human.phone.code.added", R"({"code":"<any>","code_returned":null})"}});
        if (!stored) std::printf("%s\n", stored.explanation.c_str());
        check(bool(stored), "userstream::testing checks the events a command stored");
    }
#endif
#ifdef USERSTREAM_CONSUMER_HAS_API
    {
        // The seed's request through ZITADEL's REST mapping.
        auto tokens = api::token_file::parse(
            R"({"tokens":[{"token":"t","userId":"admin","orgId":"o1","permissions":{"o1":["user.read","user.write"]}}]})");
        eventstore::memory_event_store store;
        auto keys = user::key_ring::with_random_key();
        user::user_service users(store, tokens, keys);
        (void)users.add_human({"admin", "o1"}, {"u1", "o1", "", false});
        projections::user_projections read_side(store);
        api::api_handler handler(users, read_side, tokens, tokens);
        const auto answer = handler.handle({"PUT", "/management/v1/users/u1/phone",
                                            {{"Authorization", "Bearer t"}, {"Content-Type", "application/json"}},
                                            R"({"phone": "+41 71 000 00 00", "isPhoneVerified": true})"});
        check(answer.status == 200 && answer.body.find(R"("resourceOwner":"o1")") != std::string::npos,
              "userstream::api answers the seed's REST request");
    }
#endif

    std::printf("consumer: %d failures\n", failures);
    return failures == 0 ? 0 : 1;
}
