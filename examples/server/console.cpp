#include "console.hpp"

#include <cstdio>
#include <mutex>

namespace server {

namespace {
std::mutex& console_mutex() {
    static std::mutex mutex;
    return mutex;
}

void print_line(std::FILE* stream, std::string_view line) {
    const std::lock_guard lock(console_mutex());
    std::fwrite(line.data(), 1, line.size(), stream);
    std::fputc('\n', stream);
    std::fflush(stream);
}
}  // namespace

void print_stdout_line(std::string_view line) { print_line(stdout, line); }
void print_stderr_line(std::string_view line) { print_line(stderr, line); }

}  // namespace server
