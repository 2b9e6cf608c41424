#include "console.hpp"

#include <cstdio>
#include <mutex>

namespace server {

namespace {
std::mutex& console_mutex() {
    static std::mutex mutex;
    return mutex;
}

void print(std::FILE* stream, std::string_view text, bool add_newline) {
    const std::lock_guard lock(console_mutex());
    std::fwrite(text.data(), 1, text.size(), stream);
    if (add_newline) std::fputc('\n', stream);
    std::fflush(stream);
}
}  // namespace

void print_stdout_line(std::string_view line) { print(stdout, line, true); }
void print_stderr_line(std::string_view line) { print(stderr, line, true); }
void print_stderr_lines(std::string_view lines) { print(stderr, lines, false); }

}  // namespace server
