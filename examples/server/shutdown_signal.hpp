// SIGINT and SIGTERM as an event the main thread can wait for. Construct it first, before any other thread starts:
// it blocks both signals in the calling thread, so every thread created afterwards inherits the mask, and a thread of
// its own takes them with sigwait. A second signal while the server drains ends the process at once (exit 1), for an
// operator who does not want to wait.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace server {

class shutdown_signal {
public:
    shutdown_signal();
    ~shutdown_signal();
    shutdown_signal(const shutdown_signal&) = delete;
    shutdown_signal& operator=(const shutdown_signal&) = delete;

    bool requested() const;
    // Waits until a signal came or `timeout` passed; returns requested().
    bool wait_for(std::chrono::milliseconds timeout) const;
    void wait() const;
    // Arms the "second signal exits at once" behaviour (call when draining begins).
    void draining();

private:
    void run();
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    bool requested_ = false;
    bool draining_ = false;
    bool exiting_ = false;
    std::thread waiter_;
};

}  // namespace server
