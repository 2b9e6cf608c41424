// userstream/subscriptions/exclusive_lease.hpp
//
// Lets one of several host processes run a reader that must not run in two places at once. The SMS outbox is one:
// projections may apply a page in any process (their transactions decide who wins), but an SMS that has left cannot
// be taken back, so with several servers on one store exactly one of them may send. Before each code the outbox asks
// `hold()`; while another process holds the lease it stands by and sends nothing.
//
// `subscriptions::postgres_lease` is the lease for hosts sharing a PostgreSQL database (postgres_lease.hpp). A host
// whose store one process owns (SQLite, memory) needs none.
#pragma once

namespace userstream::subscriptions {

class exclusive_lease {
public:
    virtual ~exclusive_lease() = default;
    // True while this process holds the lease: takes it when nobody holds it, and confirms it is still held when this
    // process took it before. False while another process holds it, or when holding cannot be confirmed (a lost
    // connection): a reader must then stand by. Never throws; thread-safe.
    virtual bool hold() noexcept = 0;
};

}  // namespace userstream::subscriptions
