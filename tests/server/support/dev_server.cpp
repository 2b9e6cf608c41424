#include "support/dev_server.hpp"

#include <signal.h>

#include <cstdlib>
#include <random>
#include <stdexcept>
#include <thread>

namespace server_test {

dev_server::dev_server(std::vector<std::string> extra, std::string store_url) {
    if (store_url.empty()) store_url = "sqlite:" + database().string();
    arguments_ = {"--dev", "--listen", "127.0.0.1:0", "--store", store_url};
    arguments_.insert(arguments_.end(), extra.begin(), extra.end());
    start();
}

void dev_server::start() {
    process_ = std::make_unique<server_process>(arguments_, dir_.path);
    if (!process_->wait_until_listening()) {
        throw std::runtime_error("userstream-server did not start:\n" + process_->stderr_text());
    }
}

std::optional<int> dev_server::stop() {
    process_->send_signal(SIGTERM);
    return process_->wait_exit(15s);
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (condition()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(20ms);
    }
}

std::string postgres_store_url() {
    const char* conninfo = std::getenv("USERSTREAM_TEST_POSTGRES");
    if (conninfo == nullptr || *conninfo == '\0') {
        throw std::runtime_error("USERSTREAM_TEST_POSTGRES is not set: run the tests through `./dev test`, or export a "
                                 "libpq conninfo for a PostgreSQL server the tests may create schemas in");
    }
    std::random_device entropy;
    return std::string(conninfo) + " schema=server_test_" + std::to_string(entropy() % 1'000'000'000u);
}

http_response add_user(unsigned short port, const std::string& token, const std::string& user_id) {
    return http_request(port, "POST", "/v2/users/human", json_headers(token),
                        R"({"userId":")" + user_id +
                            R"(","organization":{"orgId":"dev"},"profile":{"givenName":"Ada","familyName":"Lovelace"},)"
                            R"("email":{"email":")" + user_id + R"(@example.com"}})");
}

}  // namespace server_test
