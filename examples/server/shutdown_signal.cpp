#include "shutdown_signal.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>

#include "console.hpp"

namespace server {

namespace {
sigset_t stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}
}  // namespace

shutdown_signal::shutdown_signal() {
    // A shell starts background jobs with SIGINT ignored, and an ignored signal is discarded even when blocked.
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    const sigset_t set = stop_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    waiter_ = std::thread([this] { run(); });
}

shutdown_signal::~shutdown_signal() {
    // Wakes the waiter with a signal of the set, marked as ours by `exiting_`.
    {
        const std::lock_guard lock(mutex_);
        draining_ = false;
        exiting_ = true;
    }
    pthread_kill(waiter_.native_handle(), SIGTERM);
    waiter_.join();
}

void shutdown_signal::run() {
    const sigset_t set = stop_signals();
    for (;;) {
        int number = 0;
        if (sigwait(&set, &number) != 0) continue;
        std::unique_lock lock(mutex_);
        if (exiting_) return;  // the destructor's wake-up
        if (draining_) {
            print_stderr_line("userstream-server: second signal, exiting without waiting for requests in flight");
            std::fflush(stdout);
            ::_exit(1);
        }
        if (requested_) continue;
        requested_ = true;
        lock.unlock();
        changed_.notify_all();
    }
}

bool shutdown_signal::requested() const {
    const std::lock_guard lock(mutex_);
    return requested_;
}

bool shutdown_signal::wait_for(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return requested_; });
}

void shutdown_signal::wait() const {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return requested_; });
}

void shutdown_signal::draining() {
    const std::lock_guard lock(mutex_);
    draining_ = true;
}

}  // namespace server
