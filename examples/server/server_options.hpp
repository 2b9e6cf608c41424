// userstream-server's command line: the flags docs/server.md lists, parsed into one value. Parsing only reads the
// arguments (no file is opened here); a flag that is unknown, lacks its value, or has a bad one is an error that names
// the flag, so the operator sees which one to fix.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "userstream/user/phone_number.hpp"

namespace server {

struct server_options {
    std::string host = "127.0.0.1";
    unsigned short port = 8080;  // 0: an ephemeral port, reported in the listening line
    // --grpc-listen: the native gRPC listener's address, when it is wanted (port 0: ephemeral, as above).
    std::optional<std::string> grpc_host;
    unsigned short grpc_port = 0;
    std::string store_url = "sqlite:userstream.db";
    std::optional<std::string> tokens_file;
    std::optional<std::string> keys_file;
    userstream::user::phone_rules phone;
    std::size_t worker_threads = 4;
    std::size_t max_connections = 1024;
    bool dev = false;
    // Hidden (for tests): how long a connection may stay silent before it is closed.
    std::chrono::milliseconds idle_timeout{10'000};
    // Hidden (a fault injector for soak runs, --dev only): the fraction of SMS sends that fail (flaky_sms_sender).
    std::optional<double> dev_sms_failure_rate;
    bool help = false;
};

// A command line that cannot be used; what() names the flag and what is wrong. The program exits 2.
struct usage_error : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

// Parses argv[1..]. Throws usage_error. The checks that need the flags together (--tokens and --keys outside --dev)
// are `check_required`'s, so `--help` alone always works.
server_options parse_server_options(const std::vector<std::string>& arguments);

// Throws usage_error naming --tokens or --keys when one is missing outside --dev, or --dev-sms-failure-rate when it
// is given without --dev.
void check_required(const server_options& options);

// The usage text for --help.
std::string usage_text();

}  // namespace server
