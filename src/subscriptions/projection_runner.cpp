#include "userstream/projections/projection_runner.hpp"

#include <algorithm>
#include <exception>

namespace userstream::projections {

using eventstore::global_position;

projection_runner::projection_runner(const eventstore::event_store& store, projection& target, runner_options options)
    : store_(store), target_(target), filter_(target.filter()), options_(options) {
    if (options_.page_size == 0) options_.page_size = 1;
}

projection_runner::~projection_runner() { stop(); }

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
        // Another runner on the same tables moved the checkpoint: take its word and read on from there.
        const auto moved_to = target_.checkpoint();
        {
            std::lock_guard state(state_mutex_);
            checkpoint_.store(moved_to.value);
        }
        progress_cv_.notify_all();
        return true;
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
    return applied_.load() - before;
}

void projection_runner::start() {
    std::lock_guard state(state_mutex_);
    if (thread_.joinable()) return;
    stop_requested_ = false;
    running_.store(true);
    thread_ = std::thread([this] { run(); });
}

void projection_runner::stop() {
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

void projection_runner::run() {
    auto pause = options_.poll_interval;
    for (;;) {
        bool moved = false;
        try {
            moved = step();
            std::lock_guard state(state_mutex_);
            last_error_.reset();
            pause = options_.poll_interval;
        } catch (const std::exception& e) {
            // Keep the page: the next attempt reads from the same checkpoint, so nothing is skipped.
            std::lock_guard state(state_mutex_);
            last_error_ = e.what();
            pause = std::min(std::max(pause * 2, options_.poll_interval), options_.max_backoff);
            checkpoint_known_.store(false);
        }
        std::unique_lock state(state_mutex_);
        if (stop_requested_) return;
        if (moved && !last_error_) continue;  // more pages may be waiting: no pause while catching up
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
            const auto slice = std::min(deadline, std::chrono::steady_clock::now() + options_.poll_interval);
            if (progress_cv_.wait_until(state, slice, reached)) return true;
        } else {
            const bool moved = step();
            if (reached()) return true;
            if (!moved) {
                const auto slice = std::min(deadline, std::chrono::steady_clock::now() + options_.poll_interval);
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

runner_status projection_runner::status() const {
    runner_status s;
    s.checkpoint = checkpoint_known_.load() ? global_position{checkpoint_.load()} : target_.checkpoint();
    s.head = store_.head();
    s.behind = s.head > s.checkpoint ? s.head.value - s.checkpoint.value : 0;
    s.applied = applied_.load();
    s.running = running();
    std::lock_guard state(state_mutex_);
    s.last_error = last_error_;
    return s;
}

}  // namespace userstream::projections
