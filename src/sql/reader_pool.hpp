// A pool of reader connections, so that concurrent reads of a store run on connections of their own beside its
// writer, and a read does not pay for opening one. A read leases a connection for its duration:
//
//     reader_pool<connection> pool([&] { return std::make_unique<connection>(conninfo); },
//                                  [](connection& c) { return c.healthy(); });
//     auto reader = pool.acquire();    // a pooled connection that is still usable, or a new one
//     reader->exec_prepared(...);      // back into the pool when `reader` goes out of scope
//
// A connection whose read failed (the lease is destroyed while an exception is in flight) is dropped, not pooled: it
// may be broken or in a state the next read does not expect. `reusable` is asked before a pooled connection is used
// again (e.g. whether the server closed it meanwhile); one that is not reusable is dropped and the next is tried.
//
// Thread-safe. Leases must not outlive the pool.
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace userstream::sql {

template <class Connection>
class reader_pool {
public:
    using opener = std::function<std::unique_ptr<Connection>()>;
    using check = std::function<bool(Connection&)>;

    explicit reader_pool(opener open, check reusable = {}) : open_(std::move(open)), reusable_(std::move(reusable)) {}
    reader_pool(const reader_pool&) = delete;
    reader_pool& operator=(const reader_pool&) = delete;

    class lease {
    public:
        lease(lease&& other) noexcept
            : pool_(other.pool_), connection_(std::move(other.connection_)), exceptions_(other.exceptions_) {}
        lease& operator=(lease&&) = delete;
        ~lease() {
            if (!connection_) return;                                   // moved from
            if (std::uncaught_exceptions() > exceptions_) return;       // a failed read: do not reuse the connection
            pool_->give_back(std::move(connection_));
        }
        Connection& operator*() const noexcept { return *connection_; }
        Connection* operator->() const noexcept { return connection_.get(); }

    private:
        friend class reader_pool;
        lease(reader_pool& pool, std::unique_ptr<Connection> connection)
            : pool_(&pool), connection_(std::move(connection)) {}
        reader_pool* pool_;
        std::unique_ptr<Connection> connection_;
        int exceptions_ = std::uncaught_exceptions();
    };

    // A pooled connection that passes `reusable`, or a new one. Throws what opening a connection throws.
    lease acquire() {
        for (;;) {
            std::unique_ptr<Connection> pooled;
            {
                std::lock_guard lock(mutex_);
                if (idle_.empty()) break;
                pooled = std::move(idle_.back());
                idle_.pop_back();
            }
            if (!reusable_ || reusable_(*pooled)) return lease(*this, std::move(pooled));
        }
        return lease(*this, open_());
    }

private:
    void give_back(std::unique_ptr<Connection> connection) {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(connection));
    }

    const opener open_;
    const check reusable_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace userstream::sql
