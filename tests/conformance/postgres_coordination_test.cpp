// What several host processes on one PostgreSQL database use to share one reader (the SMS outbox): the lease that lets
// exactly one of them run it, and the checkpoint they all resume from. Against the real test server; each lease here
// holds its own connection, as each process would.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <thread>

#include "postgres_test_server.hpp"
#include "userstream/subscriptions/postgres_checkpoint_store.hpp"
#include "userstream/subscriptions/postgres_lease.hpp"

using namespace userstream;
using subscriptions::postgres_lease;

namespace {

// A lease name no other test run uses: leases are per database, not per schema.
std::string unique_lease_name() { return conformance::unique_schema_name("lease"); }

// Asks `lease` until it is held, for at most five seconds: a closed session's lock is freed once its server process
// has exited, a moment after the client let go.
bool held_within_seconds(postgres_lease& lease) {
    for (int i = 0; i < 500; ++i) {
        if (lease.hold()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

// Ends, from outside, the database session that holds the advisory lock of lease `name`, as a network failure or an
// administrator would.
void terminate_holder_of(const std::string& name) {
    conformance::run_sql("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 "
                         "AND classid::bigint = (hashtext('userstream.lease')::bigint & 4294967295) "
                         "AND objid::bigint = (hashtext('" + name + "')::bigint & 4294967295)");
}

}  // namespace

TEST_CASE("postgres lease: one process holds it at a time, the others stand by until its session ends, then one "
          "takes it") {
    const auto name = unique_lease_name();
    std::optional<postgres_lease> first(std::in_place, conformance::postgres_conninfo(), name);
    postgres_lease second(conformance::postgres_conninfo(), name);
    postgres_lease third(conformance::postgres_conninfo(), name);

    CHECK(first->hold());
    CHECK_FALSE(second.hold());
    CHECK_FALSE(third.hold());
    CHECK(first->hold());  // still its own, confirmed
    CHECK_FALSE(second.hold());

    first.reset();  // the holding process exits
    REQUIRE(held_within_seconds(second));
    CHECK_FALSE(third.hold());
    CHECK(second.hold());
}

TEST_CASE("postgres lease: leases of different names do not exclude each other") {
    postgres_lease outbox(conformance::postgres_conninfo(), unique_lease_name());
    postgres_lease other(conformance::postgres_conninfo(), unique_lease_name());
    CHECK(outbox.hold());
    CHECK(other.hold());
}

TEST_CASE("postgres lease: a holder whose session was ended from outside knows at its next hold, and the lease "
          "passes to a process that stood by") {
    const auto name = unique_lease_name();
    postgres_lease holder(conformance::postgres_conninfo(), name);
    postgres_lease waiting(conformance::postgres_conninfo(), name);
    REQUIRE(holder.hold());
    REQUIRE_FALSE(waiting.hold());

    terminate_holder_of(name);
    REQUIRE(held_within_seconds(waiting));
    // The holder has not asked since: its next hold must not take the old session's word for it.
    CHECK_FALSE(holder.hold());
    CHECK_FALSE(holder.hold());  // reconnected, it finds the lease taken
    CHECK(waiting.hold());
}

TEST_CASE("postgres lease: an unreachable server means not held, without an exception") {
    // Port 1 on loopback: nothing listens there.
    postgres_lease lease("host=127.0.0.1 port=1 user=postgres dbname=postgres connect_timeout=2", "sms_outbox");
    CHECK_FALSE(lease.hold());
    CHECK_FALSE(lease.hold());
}

TEST_CASE("postgres checkpoint store: positions per reader, shared by every process on the database, kept across "
          "connections") {
    const auto schema = conformance::unique_schema_name("ckpt");
    const subscriptions::postgres_read_model_options options{.conninfo = conformance::postgres_conninfo(),
                                                             .schema = schema};
    {
        subscriptions::postgres_checkpoint_store one(options);
        subscriptions::postgres_checkpoint_store other(options);  // another process
        CHECK(one.load("sms_outbox") == eventstore::global_position{});
        one.save("sms_outbox", eventstore::global_position{42});
        CHECK(other.load("sms_outbox") == eventstore::global_position{42});
        CHECK(other.load("another_reader") == eventstore::global_position{});
        other.save("sms_outbox", eventstore::global_position{57});
        CHECK(one.load("sms_outbox") == eventstore::global_position{57});
        one.save("sms_outbox", eventstore::global_position{});  // a rebuild starts over
        CHECK(other.load("sms_outbox") == eventstore::global_position{});
        one.save("sms_outbox", eventstore::global_position{60});
    }
    subscriptions::postgres_checkpoint_store reopened(options);
    CHECK(reopened.load("sms_outbox") == eventstore::global_position{60});
    conformance::drop_schema(schema);
}
