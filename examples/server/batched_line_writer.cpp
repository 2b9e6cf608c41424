#include "batched_line_writer.hpp"

namespace server {

batched_line_writer::batched_line_writer(sink out, limits bounds) : out_(std::move(out)), bounds_(bounds) {
    held_.reserve(bounds_.max_bytes);
    flusher_ = std::thread([this] { run(); });
}

batched_line_writer::~batched_line_writer() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    flusher_.join();
    flush();
}

void batched_line_writer::write_line(std::string_view line) {
    bool full = false;
    {
        const std::lock_guard lock(mutex_);
        const bool was_empty = held_.empty();
        held_.append(line);
        held_.push_back('\n');
        full = held_.size() >= bounds_.max_bytes;
        // The flusher sleeps until there is something to write; it is woken once per batch, not per line.
        if (was_empty && !full) wake_.notify_one();
    }
    if (full) flush();
}

void batched_line_writer::flush() {
    const std::lock_guard writing(write_mutex_);
    {
        const std::lock_guard lock(mutex_);
        if (held_.empty()) return;
        spare_.clear();
        held_.swap(spare_);
    }
    // spare_ is touched only under write_mutex_, so the sink reads it while other threads add lines to held_.
    out_(spare_);
}

void batched_line_writer::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait(lock, [this] { return stopping_ || !held_.empty(); });
        if (stopping_) break;
        // Lines arrived: write them once the interval has passed (or sooner, when stopping).
        wake_.wait_for(lock, bounds_.interval, [this] { return stopping_; });
        lock.unlock();
        flush();
        lock.lock();
    }
}

}  // namespace server
