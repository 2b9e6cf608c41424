// userstream-server as a child process, for tests over real sockets: started with the given flags in a scratch
// directory, its standard output and error captured line by line, its port and dev token read from the lines it
// prints (the contract docs/server.md states), and signals and exit observed. The destructor kills a server still
// running, so a failing test leaves no process behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace server_test {

using namespace std::chrono_literals;

// A fresh directory under the system's temporary directory, removed with its contents at the end.
struct scratch_dir {
    std::filesystem::path path;
    scratch_dir();
    ~scratch_dir();
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
};

// The binary under test: $USERSTREAM_SERVER if set, else the one this build made.
std::string server_binary();

class server_process {
public:
    // Starts the binary with `arguments` (argv[1..]) in `working_directory` (the test's own when empty).
    explicit server_process(std::vector<std::string> arguments, std::filesystem::path working_directory = {});
    ~server_process();
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;

    // Waits for `userstream-server listening on http://HOST:PORT` and reads the port (and the dev token, which is
    // printed before it). False when the process ended first or `timeout` passed.
    bool wait_until_listening(std::chrono::milliseconds timeout = 15s);
    unsigned short port() const noexcept { return port_; }
    // The token of `dev admin token: <token>`; empty when none was printed.
    const std::string& dev_token() const noexcept { return dev_token_; }

    // The first standard output line, from the start, that `match` accepts; nullopt after `timeout`.
    std::optional<std::string> wait_for_stdout(const std::function<bool(const std::string&)>& match,
                                               std::chrono::milliseconds timeout = 10s);
    std::optional<std::string> wait_for_stderr(const std::function<bool(const std::string&)>& match,
                                               std::chrono::milliseconds timeout = 10s);
    std::vector<std::string> stdout_lines() const;
    std::vector<std::string> stderr_lines() const;
    std::string stderr_text() const;  // all of it, for failure messages

    void send_signal(int number) const;
    // The exit status (128 + signal when killed by one) once the process ended, or nullopt after `timeout`.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout = 15s);
    bool running();

private:
    struct stream {
        std::vector<std::string> lines;
        bool closed = false;
    };
    void read_lines(int fd, stream& into);
    std::optional<std::string> wait_for(const stream& in, const std::function<bool(const std::string&)>& match,
                                        std::chrono::milliseconds timeout);

    pid_t pid_ = -1;
    std::optional<int> exit_status_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    stream out_;
    stream err_;
    std::thread out_reader_;
    std::thread err_reader_;
    unsigned short port_ = 0;
    std::string dev_token_;
};

// Whether `line` starts with `prefix`, as a matcher.
std::function<bool(const std::string&)> starts_with(std::string prefix);

}  // namespace server_test
