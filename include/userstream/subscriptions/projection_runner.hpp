// userstream/subscriptions/projection_runner.hpp
//
// Drives one projection over any event store: it reads the global stream after the projection's checkpoint, filtered
// by the projection's declared types, a page at a time; hands each page to the projection, which stores the new
// checkpoint with its rows (or after acting on the events); and, once caught up, polls for new events. It never holds
// more than one page in memory, so catching up and rebuilding stream the log. It is the one poll, backoff and status
// loop of the library: the read models and the SMS outbox (user::sms_outbox) all run on it.
//
//     memory_object_details details;
//     projection_runner runner(store, details);
//     runner.start();                                   // background thread: catch up, then follow
//     auto out = users.set_phone(who, request);         // a command returns the position of its push
//     if (runner.wait_for(out->position, 2s)) ...       // read-your-writes: the read model now holds that push
//     runner.stop();                                    // also done by the destructor
//
// The checkpoint can move past events the projection does not read: after a page that ended the stream, it moves to
// the head the runner saw before reading, so `wait_for` the position of a push the projection ignores returns too.
// This relies on the store's guarantee that every event at or below `head()` is visible to `read_global`.
//
// Failures. If reading or applying throws, the background thread records it (see `status` and `activity`: the last
// error and a count of failed attempts), waits one poll interval (doubling up to `max_backoff`) and tries the same
// page again; nothing is skipped, and no exception is swallowed unreported. Direct calls (`step`, `catch_up`,
// `rebuild`) let the exception through.
//
// Thread-safe: all members may be called from any thread, `start` and `stop` also concurrently. Pages are applied by
// one thread at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "userstream/eventstore/event_store.hpp"
#include "userstream/subscriptions/projection.hpp"

namespace userstream::subscriptions {

struct runner_options {
    std::size_t page_size = 512;                           // events per read and per apply transaction
    std::chrono::milliseconds poll_interval{20};           // how often a caught-up runner looks for new events
    std::chrono::milliseconds max_backoff{2'000};          // the longest pause after a failure
    // How the background thread words a failure for `last_error`. true: the exception's what(). false: what() only
    // for the library's own exceptions (infrastructure_error and those derived from it); anything else, thrown by
    // host code (a handler, a store or checkpoint store of the host's), becomes "an exception from host code", for
    // projections whose host code may see secrets and quote them (the SMS outbox runs so).
    bool quote_host_errors = true;
};

// What the runner has done, from its own counters: no store call, so it never throws and never waits on I/O.
struct runner_activity {
    bool running = false;
    std::uint64_t applied = 0;   // events applied by this runner since it was constructed
    std::uint64_t rounds = 0;    // passes that ended caught up: `catch_up` calls, and background polls that found
                                 // nothing more to apply (it grows while the background thread is alive and current)
    std::uint64_t failures = 0;  // attempts of the background thread that threw
    std::optional<std::string> last_error;  // of the background thread's latest attempt; cleared by a success
};

// Where a projection stands: the last position it has applied against the store's head, and its activity.
struct runner_status {
    eventstore::global_position checkpoint;
    eventstore::global_position head;
    std::uint64_t behind = 0;   // head - checkpoint, in positions (0 when caught up)
    std::uint64_t applied = 0;  // events applied by this runner since it was constructed
    bool running = false;
    std::optional<std::string> last_error;  // of the background thread's latest attempt; cleared by a success
    std::uint64_t rounds = 0;    // as runner_activity::rounds
    std::uint64_t failures = 0;  // as runner_activity::failures
};

class projection_runner {
public:
    projection_runner(const eventstore::event_store& store, projection& target, runner_options options = {});
    ~projection_runner();
    projection_runner(const projection_runner&) = delete;
    projection_runner& operator=(const projection_runner&) = delete;

    // Reads and applies at most one page. Returns whether the checkpoint moved.
    bool step();
    // Applies pages until the checkpoint reaches the head seen when the call began. Returns the events applied.
    std::uint64_t catch_up();

    // Starts the background thread (no-op when running). It catches up, then polls every poll interval.
    void start();
    // The same, polling every `poll_interval` from now on (the interval is kept when the runner is already running).
    void start(std::chrono::milliseconds poll_interval);
    // Stops the background thread after its current page and joins it (no-op when stopped).
    void stop();
    bool running() const noexcept;

    // Blocks until the projection has applied everything up to `position`, or until `timeout`. When running, it
    // wakes the thread so the wait is one page, not one poll interval; when stopped, it applies pages on the calling
    // thread. Returns whether the position was reached. Position 0 returns true at once.
    bool wait_for(eventstore::global_position position, std::chrono::milliseconds timeout);

    // Drops the read model and its checkpoint and applies the stream again from the start, page by page. The runner
    // is stopped for the duration and restarted if it was running. Returns the events applied.
    std::uint64_t rebuild();

    // The checkpoint against the store's head (asks the store: throws infrastructure_error if that fails).
    runner_status status() const;
    // The runner's counters and last error only; never throws.
    runner_activity activity() const;
    eventstore::global_position checkpoint() const noexcept { return eventstore::global_position{checkpoint_.load()}; }
    const projection& target() const noexcept { return target_; }

private:
    bool step_locked();
    void start_locked();  // callers hold lifecycle_mutex_
    void run();
    void wake();
    std::chrono::milliseconds poll_interval() const noexcept;
    std::string describe_failure() const;

    const eventstore::event_store& store_;
    projection& target_;
    eventstore::global_filter filter_;
    runner_options options_;
    std::atomic<std::chrono::milliseconds::rep> poll_interval_ms_;

    std::mutex apply_mutex_;                // one page at a time
    std::atomic<std::uint64_t> checkpoint_{0};
    std::atomic<bool> checkpoint_known_{false};
    std::atomic<std::uint64_t> applied_{0};
    std::atomic<std::uint64_t> rounds_{0};
    std::atomic<std::uint64_t> failures_{0};

    std::mutex lifecycle_mutex_;            // serialises start and stop, so a stop never races a start's new thread
    mutable std::mutex state_mutex_;        // guards the fields below and both condition variables
    std::condition_variable progress_cv_;   // the checkpoint moved
    std::condition_variable wake_cv_;       // stop, or someone waits for a position
    bool stop_requested_ = false;
    bool wake_requested_ = false;
    std::optional<std::string> last_error_;
    std::thread thread_;
    std::atomic<bool> running_{false};
};

}  // namespace userstream::subscriptions
