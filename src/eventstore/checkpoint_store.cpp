#include "userstream/eventstore/checkpoint_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "userstream/core/error.hpp"

namespace userstream::eventstore {

global_position memory_checkpoint_store::load(std::string_view reader) const {
    std::lock_guard lock(mutex_);
    const auto it = positions_.find(reader);
    return it == positions_.end() ? global_position{} : it->second;
}

void memory_checkpoint_store::save(std::string_view reader, global_position position) {
    std::lock_guard lock(mutex_);
    positions_[std::string(reader)] = position;
}

file_checkpoint_store::file_checkpoint_store(std::filesystem::path directory) : directory_(std::move(directory)) {
    std::error_code ec;
    std::filesystem::create_directories(directory_, ec);
    if (ec) throw infrastructure_error("checkpoint store: cannot create " + directory_.string() + ": " + ec.message());
}

std::filesystem::path file_checkpoint_store::file_of(std::string_view reader) const {
    if (reader.empty() || reader.find('/') != std::string_view::npos || reader.front() == '.') {
        throw std::invalid_argument("checkpoint store: reader names must be plain file names");
    }
    return directory_ / (std::string(reader) + ".checkpoint");
}

global_position file_checkpoint_store::load(std::string_view reader) const {
    std::lock_guard lock(mutex_);
    std::ifstream in(file_of(reader));
    std::uint64_t value = 0;
    if (in && !(in >> value)) {
        throw infrastructure_error("checkpoint store: " + file_of(reader).string() + " does not hold a position");
    }
    return global_position{value};
}

void file_checkpoint_store::save(std::string_view reader, global_position position) {
    std::lock_guard lock(mutex_);
    const auto target = file_of(reader);
    const auto temporary = target.string() + ".tmp";
    const std::string text = std::to_string(position.value) + "\n";
    const auto fail = [&](const char* step) {
        throw infrastructure_error("checkpoint store: cannot " + std::string(step) + " " + temporary + ": " +
                                   std::strerror(errno));
    };
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail("create");
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written) fail("write");
    if (::rename(temporary.c_str(), target.c_str()) != 0) fail("rename");
    // Make the rename itself durable.
    const int dir = ::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

}  // namespace userstream::eventstore
