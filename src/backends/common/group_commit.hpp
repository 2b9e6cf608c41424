// Group commit for durable stores: pushes from concurrent threads queue up, and whichever thread finds no commit in
// progress becomes the leader, takes the queue (up to `max_group` pushes) and commits it as one transaction, so N
// waiting pushes cost one fsync instead of N. There is no background thread: the leader is a caller.
//
// The commit function decides each push's outcome on its own (a conflicting push does not fail its neighbours); it
// sets `outcome` or `failure` of every pending push it is given. With grouping disabled, every push commits alone,
// still serialised, which is the "one transaction per command" baseline.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "userstream/eventstore/event_store.hpp"

namespace userstream::backends::detail {

struct pending_push {
    std::vector<eventstore::aggregate_append> batch;
    std::optional<result<eventstore::append_result>> outcome;
    std::exception_ptr failure;
    bool done = false;
};

class group_commit {
public:
    using commit_fn = std::function<void(std::span<pending_push* const>)>;

    group_commit(bool enabled, std::size_t max_group, commit_fn commit)
        : enabled_(enabled), max_group_(enabled ? std::max<std::size_t>(max_group, 1) : 1), commit_(std::move(commit)) {}

    result<eventstore::append_result> submit(std::vector<eventstore::aggregate_append> batch) {
        pending_push mine;
        mine.batch = std::move(batch);
        std::unique_lock lock(mutex_);
        queue_.push_back(&mine);
        while (!mine.done) {
            if (leader_active_) {
                changed_.wait(lock);
                continue;
            }
            leader_active_ = true;
            std::vector<pending_push*> group;
            while (!queue_.empty() && group.size() < max_group_) {
                group.push_back(queue_.front());
                queue_.pop_front();
            }
            lock.unlock();
            run(group);
            lock.lock();
            for (auto* p : group) p->done = true;
            leader_active_ = false;
            changed_.notify_all();
        }
        if (mine.failure) std::rethrow_exception(mine.failure);
        return std::move(*mine.outcome);
    }

    bool enabled() const noexcept { return enabled_; }

private:
    void run(const std::vector<pending_push*>& group) {
        try {
            commit_(group);
        } catch (...) {
            // The commit function should settle every push itself; this is the backstop so no caller waits forever.
            for (auto* p : group) {
                if (!p->outcome && !p->failure) p->failure = std::current_exception();
            }
        }
        for (auto* p : group) {
            if (!p->outcome && !p->failure) {
                p->failure = std::make_exception_ptr(infrastructure_error("event store: push left unsettled"));
            }
        }
    }

    const bool enabled_;
    const std::size_t max_group_;
    const commit_fn commit_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<pending_push*> queue_;
    bool leader_active_ = false;
};

}  // namespace userstream::backends::detail
