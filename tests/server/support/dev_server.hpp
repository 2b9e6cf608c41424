// The common start of a server test: `userstream-server --dev` on a SQLite file in a scratch directory, listening on
// an ephemeral loopback port, and the requests most tests begin with.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace server_test {

class dev_server {
public:
    // Starts and waits for the listening line; throws std::runtime_error (with the server's stderr) when it does not
    // come. `extra` flags follow the standard ones. `store_url` replaces the SQLite file (database()).
    explicit dev_server(std::vector<std::string> extra = {}, std::string store_url = {});

    server_process& process() { return *process_; }
    unsigned short port() const { return process_->port(); }
    const std::string& token() const { return process_->dev_token(); }
    const std::filesystem::path& directory() const { return dir_.path; }
    std::filesystem::path database() const { return dir_.path / "users.db"; }

    // SIGTERM; returns the exit status (nullopt when it did not exit within the bound).
    std::optional<int> stop();
    // Starts again on the same file and flags (after stop()).
    void start();

private:
    scratch_dir dir_;
    std::vector<std::string> arguments_;
    std::unique_ptr<server_process> process_;
};

// USERSTREAM_TEST_POSTGRES (a libpq conninfo, set by `./dev test`) with a schema of its own for one test. Throws when
// the variable is missing: a PostgreSQL test fails rather than skips.
std::string postgres_store_url();

// Whether `condition` holds within `timeout`, asked every 20 ms (for what the server does in the background).
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 5s);

// v2 AddHumanUser of `user_id` in organisation `dev`, with a profile and an email.
http_response add_user(unsigned short port, const std::string& token, const std::string& user_id);

}  // namespace server_test
