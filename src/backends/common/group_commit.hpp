// Group commit for durable stores: pushes from concurrent threads queue up, and whichever thread finds no commit in
// progress becomes the leader, takes the queue (up to `max_group` pushes) and commits it as one transaction, so N
// waiting pushes cost one fsync instead of N. There is no background thread: the leader is a caller.
//
// Commit delay: without one, groups alternate between one push (the last leader's next command, which arrives just
// after the next group left) and the rest, halving the pushes per fsync. So a new leader that finds fewer pushes
// queued than the recent groups held waits a little for them: at most a quarter of the last commit's duration,
// never more than 2 ms, and not at all when pushes come one at a time.
//
// The queue's lock is held only to queue a push, take a group and hand the lead on: the leader commits without it,
// so the next group forms and its commands decide during the commit, and it wakes the finished pushes without it
// too, each through the push's own lock, so that pushes arriving meanwhile do not wait behind the wake-ups.
//
// The commit function decides each push's outcome on its own (a conflicting push does not fail its neighbours); it
// sets `outcome` or `failure` of every pending push it is given. With grouping disabled, every push commits alone,
// still serialised, which is the "one transaction per command" baseline.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
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
    // Its thread waits on `wake` under `signal_mutex` (its own lock, not the queue's) until `signalled`: either its
    // group has committed (`done`), or it is the queue's front and may lead. A leader sets both under `signal_mutex`,
    // so the push cannot return (and take them off its stack) while it is being woken.
    std::mutex signal_mutex;
    std::condition_variable wake;
    bool signalled = false;
    bool done = false;
    bool taken = false;  // under group_commit's lock: in a group that a leader is committing
};

class group_commit {
public:
    using commit_fn = std::function<void(std::span<pending_push* const>)>;

    group_commit(bool enabled, std::size_t max_group, commit_fn commit)
        : enabled_(enabled), max_group_(enabled ? std::max<std::size_t>(max_group, 1) : 1), commit_(std::move(commit)) {}

    result<eventstore::append_result> submit(std::vector<eventstore::aggregate_append> batch) {
        if (auto rejected = eventstore::check_append(batch)) return std::move(*rejected);
        pending_push mine;
        mine.batch = std::move(batch);
        std::unique_lock lock(mutex_);
        queue_.push_back(&mine);
        // A leader waiting out the commit delay is woken once its group is complete, not by every arrival.
        if (leader_waiting_ && queue_.size() >= waiting_for_) arrived_.notify_one();
        for (;;) {
            if (!leader_active_ && !mine.taken) {
                lead(lock, mine);
                if (mine.done) break;
                lock.lock();  // the group it committed did not reach its own push (more than max_group were queued)
                continue;
            }
            lock.unlock();
            {
                std::unique_lock own(mine.signal_mutex);
                mine.wake.wait(own, [&] { return mine.signalled; });
                mine.signalled = false;
                if (mine.done) break;
            }
            lock.lock();
        }
        if (mine.failure) std::rethrow_exception(mine.failure);
        return std::move(*mine.outcome);
    }

    bool enabled() const noexcept { return enabled_; }

private:
    // Called with the queue's lock held and no leader active; returns with it released. Takes up to max_group pushes from
    // the queue's front (after the commit delay), commits them without the lock, so that the next group forms and
    // its commands decide meanwhile, then hands the lead to the queue's new front and wakes the group's pushes.
    void lead(std::unique_lock<std::mutex>& lock, pending_push& mine) {
        leader_active_ = true;
        const std::size_t expected = std::min(max_group_, *std::max_element(recent_.begin(), recent_.end()));
        if (queue_.size() < expected) {
            leader_waiting_ = true;
            waiting_for_ = expected;
            arrived_.wait_for(lock, delay_, [&] { return queue_.size() >= expected; });
            leader_waiting_ = false;
        }
        std::vector<pending_push*> group;
        group.reserve(std::min(queue_.size(), max_group_));
        while (!queue_.empty() && group.size() < max_group_) {
            group.push_back(queue_.front());
            group.back()->taken = true;
            queue_.pop_front();
        }
        lock.unlock();
        const auto started = std::chrono::steady_clock::now();
        run(group);
        const auto took = std::chrono::steady_clock::now() - started;
        lock.lock();
        recent_[next_recent_++ % recent_.size()] = group.size();
        delay_ = std::clamp(std::chrono::duration_cast<std::chrono::microseconds>(took / 4),
                            std::chrono::microseconds(0), std::chrono::microseconds(2000));
        leader_active_ = false;
        // The next leader is signalled under the queue's lock: until a leader takes it, it cannot return.
        if (!queue_.empty() && queue_.front() != &mine) signal(*queue_.front(), false);
        // The finished pushes are woken without the queue's lock, so that arriving pushes need not wait for it.
        lock.unlock();
        for (auto* p : group) {
            if (p == &mine) {
                mine.done = true;
            } else {
                signal(*p, true);
            }
        }
    }

    static void signal(pending_push& push, bool done) {
        std::lock_guard own(push.signal_mutex);
        if (done) push.done = true;
        push.signalled = true;
        push.wake.notify_one();
    }

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
    std::condition_variable arrived_;  // a push was queued while the leader waits out the commit delay
    std::deque<pending_push*> queue_;
    bool leader_active_ = false;
    bool leader_waiting_ = false;
    std::size_t waiting_for_ = 0;  // the queue length the waiting leader waits for
    std::array<std::size_t, 4> recent_{1, 1, 1, 1};  // sizes of the last groups
    std::size_t next_recent_ = 0;
    std::chrono::microseconds delay_{0};
};

}  // namespace userstream::backends::detail
