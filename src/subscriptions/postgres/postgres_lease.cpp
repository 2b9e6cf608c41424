#include "userstream/subscriptions/postgres_lease.hpp"

#include <mutex>

#include "postgres/connection.hpp"

namespace userstream::subscriptions {

struct postgres_lease::impl {
    impl(std::string c, std::string n) : conninfo(std::move(c)), name(std::move(n)) {}

    bool hold() {
        if (connection && !connection->healthy()) drop();
        if (!connection) connection = std::make_unique<sql::postgres::connection>(conninfo);
        if (held) {
            // A session-level advisory lock lasts as long as its session: a round trip that succeeds shows both are
            // still there.
            connection->exec("SELECT 1");
            return true;
        }
        // Two int4 keys: the first names the library's leases, the second this one, so no other advisory lock of the
        // library (they use other first keys) can collide with it.
        const auto taken = connection->exec_prepared(
            "SELECT pg_try_advisory_lock(hashtext('userstream.lease'), hashtext($1))", {name}, false);
        held = taken.value(0, 0) == "t";
        return held;
    }

    void drop() noexcept {
        connection.reset();  // closing the session frees its lock, if the server still had it
        held = false;
    }

    const std::string conninfo;
    const std::string name;
    std::mutex mutex;
    std::unique_ptr<sql::postgres::connection> connection;  // guarded by mutex
    bool held = false;                                       // guarded by mutex
};

postgres_lease::postgres_lease(std::string conninfo, std::string name)
    : impl_(std::make_unique<impl>(std::move(conninfo), std::move(name))) {}

postgres_lease::~postgres_lease() = default;

bool postgres_lease::hold() noexcept {
    std::lock_guard lock(impl_->mutex);
    try {
        return impl_->hold();
    } catch (...) {
        // Unreachable, or the session went away: whether the lock is still ours cannot be known, so it is not.
        impl_->drop();
        return false;
    }
}

}  // namespace userstream::subscriptions
