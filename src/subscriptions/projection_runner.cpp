#include "userstream/subscriptions/projection_runner.hpp"

#include <algorithm>
#include <exception>

#include "userstream/core/error.hpp"

namespace userstream::subscriptions {

using eventstore::global_position;

projection_runner::projection_runner(const eventstore::event_store& store, projection& target, runner_options options)
    : store_(store),
      target_(target),
      filter_(target.filter()),
      options_(options),
      poll_interval_ms_(options.poll_interval.count()) {
    if (options_.page_size == 0) options_.page_size = 1;
}

projection_runner::~projection_runner() { stop(); }

std::chrono::milliseconds projection_runner::poll_interval() const noexcept {
    return std::chrono::milliseconds(poll_interval_ms_.load());
}

bool projection_runner::step() {
    std::lock_guard lock(apply_mutex_);
    return step_locked();
}

bool projection_runner::step_locked() {
    if (!checkpoint_known_.load()) {
        checkpoint_.store(target_.checkpoint().value);
        checkpoint_known_.store(true);
    }
    const global_position from{checkpoint_.load()};
    // The head is read before the page: every event at or below it is visible to the read that follows, so if the
    // page ends the stream, the checkpoint may move to the head even when the last events were not the projection's.
    const auto head = store_.head();
    if (head <= from) return false;
    const auto page = store_.read_global(from, filter_, options_.page_size);
    global_position through = page.empty() ? from : page.back().position;
    if (page.size() < options_.page_size) through = std::max(through, head);
    if (through <= from) return false;

    if (!target_.apply(from, page, through)) {
        // Another runner on the same tables moved the checkpoint: take its word and read on from there. A checkpoint
        // that did not move means the projection declined the page for now (the SMS outbox without its lease): no
        // progress, so a catch-up ends and the background thread waits for its next poll.
        const auto moved_to = target_.checkpoint();
        {
            std::lock_guard state(state_mutex_);
            checkpoint_.store(moved_to.value);
        }
        progress_cv_.notify_all();
        return moved_to != from;
    }
    applied_.fetch_add(page.size());
    {
        std::lock_guard state(state_mutex_);
        checkpoint_.store(through.value);
    }
    progress_cv_.notify_all();
    return true;
}

std::uint64_t projection_runner::catch_up() {
    std::lock_guard lock(apply_mutex_);
    const auto before = applied_.load();
    const auto target = store_.head();
    while (global_position{checkpoint_.load()} < target || !checkpoint_known_.load()) {
        if (!step_locked()) break;
    }
    rounds_.fetch_add(1);
    return applied_.load() - before;
}

void projection_runner::start() {
    std::lock_guard lifecycle(lifecycle_mutex_);
    start_locked();
}

void projection_runner::start(std::chrono::milliseconds poll_interval) {
    std::lock_guard lifecycle(lifecycle_mutex_);
    if (running()) return;
    poll_interval_ms_.store(poll_interval.count());
    start_locked();
}

void projection_runner::start_locked() {
    std::lock_guard state(state_mutex_);
    if (thread_.joinable()) return;
    stop_requested_ = false;
    running_.store(true);
    thread_ = std::thread([this] { run(); });
}

void projection_runner::stop() {
    // Held until the thread is joined: a start meanwhile would otherwise clear the stop request before the old thread
    // saw it, and that thread would run on unjoined.
    std::lock_guard lifecycle(lifecycle_mutex_);
    std::thread finished;
    {
        std::lock_guard state(state_mutex_);
        if (!thread_.joinable()) return;
        stop_requested_ = true;
        finished = std::move(thread_);
    }
    wake_cv_.notify_all();
    finished.join();
    running_.store(false);
    progress_cv_.notify_all();
}

bool projection_runner::running() const noexcept { return running_.load(); }

std::string projection_runner::describe_failure() const {
    try {
        throw;
    } catch (const infrastructure_error& e) {
        return e.what();
    } catch (const std::exception& e) {
        if (options_.quote_host_errors) return e.what();
        return "an exception from host code";
    } catch (...) {
        return "an exception from host code (not a std::exception)";
    }
}

void projection_runner::run() {
    auto pause = poll_interval();
    for (;;) {
        bool moved = false;
        bool failed = false;
        try {
            moved = step();
            if (!moved) rounds_.fetch_add(1);
            std::lock_guard state(state_mutex_);
            last_error_.reset();
            pause = poll_interval();
        } catch (...) {
            // Keep the page: the next attempt reads from the same checkpoint, so nothing is skipped.
            failed = true;
            failures_.fetch_add(1);
            auto text = describe_failure();
            std::lock_guard state(state_mutex_);
            last_error_ = std::move(text);
            pause = std::min(std::max(pause * 2, poll_interval()), options_.max_backoff);
            checkpoint_known_.store(false);
        }
        std::unique_lock state(state_mutex_);
        if (stop_requested_) return;
        if (moved && !failed) continue;  // more pages may be waiting: no pause while catching up
        wake_cv_.wait_for(state, pause, [this] { return stop_requested_ || wake_requested_; });
        wake_requested_ = false;
        if (stop_requested_) return;
    }
}

void projection_runner::wake() {
    {
        std::lock_guard state(state_mutex_);
        wake_requested_ = true;
    }
    wake_cv_.notify_all();
}

bool projection_runner::wait_for(global_position position, std::chrono::milliseconds timeout) {
    const auto reached = [&] { return checkpoint_known_.load() && global_position{checkpoint_.load()} >= position; };
    if (position.value == 0 || reached()) return true;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (running()) {
            wake();
            std::unique_lock state(state_mutex_);
            // Short slices: the thread may stop meanwhile, and then this caller applies pages itself.
            const auto slice = std::min(deadline, std::chrono::steady_clock::now() + poll_interval());
            if (progress_cv_.wait_until(state, slice, reached)) return true;
        } else {
            const bool moved = step();
            if (reached()) return true;
            if (!moved) {
                const auto slice = std::min(deadline, std::chrono::steady_clock::now() + poll_interval());
                std::this_thread::sleep_until(slice);
            }
        }
    }
    return reached();
}

std::uint64_t projection_runner::rebuild() {
    const bool was_running = running();
    stop();
    {
        std::lock_guard lock(apply_mutex_);
        target_.reset();
        std::lock_guard state(state_mutex_);
        checkpoint_.store(0);
        checkpoint_known_.store(true);
    }
    const auto applied = catch_up();
    if (was_running) start();
    return applied;
}

runner_activity projection_runner::activity() const {
    runner_activity a;
    a.running = running();
    a.applied = applied_.load();
    a.rounds = rounds_.load();
    a.failures = failures_.load();
    std::lock_guard state(state_mutex_);
    a.last_error = last_error_;
    return a;
}

runner_status projection_runner::status() const {
    runner_status s;
    s.checkpoint = checkpoint_known_.load() ? global_position{checkpoint_.load()} : target_.checkpoint();
    s.head = store_.head();
    s.behind = s.head > s.checkpoint ? s.head.value - s.checkpoint.value : 0;
    const auto a = activity();
    s.applied = a.applied;
    s.running = a.running;
    s.last_error = a.last_error;
    s.rounds = a.rounds;
    s.failures = a.failures;
    return s;
}

}  // namespace userstream::subscriptions
