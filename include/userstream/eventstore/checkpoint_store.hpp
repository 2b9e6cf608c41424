// userstream/eventstore/checkpoint_store.hpp
//
// Where a reader of the global stream (the SMS outbox, a projection) remembers the last position it has finished,
// so that it resumes there after a restart. A checkpoint only moves forward.
//
// `memory_checkpoint_store` forgets on exit; `file_checkpoint_store` keeps one small file per reader and replaces it
// atomically (write, fsync, rename), so a crash leaves either the old or the new position, never a torn one.
// Both are thread-safe.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "userstream/eventstore/stored_event.hpp"

namespace userstream::eventstore {

class checkpoint_store {
public:
    virtual ~checkpoint_store() = default;
    // The saved position of `reader`, or 0 when it has none.
    virtual global_position load(std::string_view reader) const = 0;
    // Saves `position` for `reader`. Throws infrastructure_error if it cannot be made durable.
    virtual void save(std::string_view reader, global_position position) = 0;
};

class memory_checkpoint_store final : public checkpoint_store {
public:
    global_position load(std::string_view reader) const override;
    void save(std::string_view reader, global_position position) override;

private:
    mutable std::mutex mutex_;
    std::map<std::string, global_position, std::less<>> positions_;
};

// One file `<directory>/<reader>.checkpoint` per reader; reader names must be plain file names.
class file_checkpoint_store final : public checkpoint_store {
public:
    explicit file_checkpoint_store(std::filesystem::path directory);
    global_position load(std::string_view reader) const override;
    void save(std::string_view reader, global_position position) override;

private:
    std::filesystem::path file_of(std::string_view reader) const;
    std::filesystem::path directory_;
    mutable std::mutex mutex_;
};

}  // namespace userstream::eventstore
