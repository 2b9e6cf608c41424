// userstream/subscriptions/postgres_lease.hpp
//
// An exclusive lease among host processes that share a PostgreSQL database: a session-level advisory lock, keyed by
// the lease's name, held on a connection of the lease's own. It ends with that connection: a process that exits,
// crashes or loses the server frees it, and another process takes it at its next `hold()`. While held, each `hold()`
// confirms with one round trip that the session (and so the lock) is still there, and reports false the moment it is
// not, so a process cut off from the database stops before its next code rather than after a timeout.
//
//     subscriptions::postgres_lease lease(url, "sms_outbox");
//     user::sms_outbox outbox(store, users, keys, clock, sender, checkpoints, {.lease = &lease});
//
// Link `userstream::subscriptions_postgres`. Thread-safe. `<libpq-fe.h>` is not included here.
#pragma once

#include <memory>
#include <string>

#include "userstream/subscriptions/exclusive_lease.hpp"

namespace userstream::subscriptions {

class postgres_lease final : public exclusive_lease {
public:
    // Connects lazily, at the first `hold()`: the constructor does no I/O and never throws for an unreachable server.
    postgres_lease(std::string conninfo, std::string name);
    ~postgres_lease() override;

    bool hold() noexcept override;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace userstream::subscriptions
