#include "server_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace server_test {

scratch_dir::scratch_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "userstream-server-test.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = pattern;
}

scratch_dir::~scratch_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
}

std::string server_binary() {
    if (const char* chosen = std::getenv("USERSTREAM_SERVER"); chosen != nullptr && *chosen != '\0') return chosen;
    return USERSTREAM_SERVER_BINARY;
}

std::function<bool(const std::string&)> starts_with(std::string prefix) {
    return [prefix = std::move(prefix)](const std::string& line) { return line.rfind(prefix, 0) == 0; };
}

server_process::server_process(std::vector<std::string> arguments, std::filesystem::path working_directory) {
    int out_pipe[2];
    int err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
    if (!working_directory.empty()) posix_spawn_file_actions_addchdir_np(&actions, working_directory.c_str());
    // The child starts with no blocked signals, whatever the test runner's threads block.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);

    const std::string binary = server_binary();
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (auto& argument : arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);
    const int failed = ::posix_spawn(&pid_, binary.c_str(), &actions, &attributes, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (failed != 0) {
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        throw std::runtime_error("cannot start " + binary + ": " + std::strerror(failed));
    }
    out_reader_ = std::thread([this, fd = out_pipe[0]] { read_lines(fd, out_); });
    err_reader_ = std::thread([this, fd = err_pipe[0]] { read_lines(fd, err_); });
}

server_process::~server_process() {
    if (running()) {
        ::kill(pid_, SIGKILL);
        wait_exit(10s);
    }
    if (out_reader_.joinable()) out_reader_.join();
    if (err_reader_.joinable()) err_reader_.join();
}

void server_process::read_lines(int fd, stream& into) {
    std::string pending;
    char buffer[4096];
    for (;;) {
        const auto n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        pending.append(buffer, static_cast<std::size_t>(n));
        std::size_t newline;
        while ((newline = pending.find('\n')) != std::string::npos) {
            {
                const std::lock_guard lock(mutex_);
                into.lines.push_back(pending.substr(0, newline));
            }
            changed_.notify_all();
            pending.erase(0, newline + 1);
        }
    }
    ::close(fd);
    {
        const std::lock_guard lock(mutex_);
        if (!pending.empty()) into.lines.push_back(pending);
        into.closed = true;
    }
    changed_.notify_all();
}

std::optional<std::string> server_process::wait_for(const stream& in,
                                                    const std::function<bool(const std::string&)>& match,
                                                    std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    std::optional<std::string> found;
    changed_.wait_for(lock, timeout, [&] {
        for (const auto& line : in.lines) {
            if (match(line)) {
                found = line;
                return true;
            }
        }
        return in.closed;
    });
    return found;
}

std::optional<std::string> server_process::wait_for_stdout(const std::function<bool(const std::string&)>& match,
                                                           std::chrono::milliseconds timeout) {
    return wait_for(out_, match, timeout);
}

std::optional<std::string> server_process::wait_for_stderr(const std::function<bool(const std::string&)>& match,
                                                           std::chrono::milliseconds timeout) {
    return wait_for(err_, match, timeout);
}

bool server_process::wait_until_listening(std::chrono::milliseconds timeout) {
    const std::string prefix = "userstream-server listening on http://";
    const auto line = wait_for_stdout(starts_with(prefix), timeout);
    if (!line) return false;
    port_ = static_cast<unsigned short>(std::stoi(line->substr(line->rfind(':') + 1)));
    const std::string token_prefix = "dev admin token: ";
    if (const auto token = wait_for_stdout(starts_with(token_prefix), 0ms)) dev_token_ = token->substr(token_prefix.size());
    return true;
}

std::vector<std::string> server_process::stdout_lines() const {
    const std::lock_guard lock(mutex_);
    return out_.lines;
}

std::vector<std::string> server_process::stderr_lines() const {
    const std::lock_guard lock(mutex_);
    return err_.lines;
}

std::string server_process::stderr_text() const {
    std::string text;
    for (const auto& line : stderr_lines()) text += line + "\n";
    return text;
}

void server_process::send_signal(int number) const { ::kill(pid_, number); }

bool server_process::running() {
    if (exit_status_) return false;
    return !wait_exit(0ms).has_value();
}

std::optional<int> server_process::wait_exit(std::chrono::milliseconds timeout) {
    if (exit_status_) return exit_status_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        const pid_t done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_) {
            exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return exit_status_;
        }
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(10ms);
    }
}

}  // namespace server_test
