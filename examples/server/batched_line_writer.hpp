// Lines written in batches: the access log's writer. Each request adds one line; writing each at once cost a write()
// system call and a flush per request, a few per cent of the server's time under load. The writer keeps the lines in
// memory and hands them to its sink together: when `interval` has passed since the first line it holds (a thread of
// its own wakes for that), when it holds `max_bytes` or more (the thread that added the last line writes), on flush(),
// and when it is destroyed. So a line reaches the sink within about `interval`, lines keep their order, and nothing
// added before flush() or destruction is lost.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace server {

struct line_batch_limits {
    std::chrono::milliseconds interval{100};
    std::size_t max_bytes = 64 * 1024;
};

class batched_line_writer {
public:
    // Gets whole lines, each ending in '\n'. Called by one thread at a time, in the order the lines were added.
    using sink = std::function<void(std::string_view lines)>;

    using limits = line_batch_limits;

    explicit batched_line_writer(sink out, limits bounds = {});
    // Writes what it holds.
    ~batched_line_writer();
    batched_line_writer(const batched_line_writer&) = delete;
    batched_line_writer& operator=(const batched_line_writer&) = delete;

    // Adds `line` (without its '\n'). Thread-safe. Writes only when the buffer is full.
    void write_line(std::string_view line);
    // Hands every line added so far to the sink before it returns. Thread-safe.
    void flush();

private:
    void run();

    sink out_;
    limits bounds_;
    std::mutex write_mutex_;  // held while the sink runs: batches leave in order
    std::mutex mutex_;        // guards what follows
    std::condition_variable wake_;
    std::string held_;
    std::string spare_;  // the last batch's memory, reused
    bool stopping_ = false;
    std::thread flusher_;
};

}  // namespace server
