// The command line: errors name the flag and exit 2; outside --dev the token and key files are required, and codes
// are never printed.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>

#include "support/dev_server.hpp"

using namespace server_test;

namespace {
// Runs the server with `arguments` until it exits; returns the status and its standard error.
std::pair<std::optional<int>, std::string> run_until_exit(std::vector<std::string> arguments,
                                                          const std::filesystem::path& directory) {
    server_process process(std::move(arguments), directory);
    const auto status = process.wait_exit(15s);
    process.wait_for_stderr([](const std::string&) { return false; }, 1s);  // until the pipe closes
    return {status, process.stderr_text()};
}

void write_file(const std::filesystem::path& path, const std::string& text, mode_t mode) {
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
}

const std::string key_ring_text = R"({"active":"k1","keys":[{"id":"k1","key":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}]})";
const std::string token_text =
    R"({"tokens":[{"token":"t-admin","userId":"admin","orgId":"o1","permissions":{"o1":["user.read","user.write"]}}]})";
}  // namespace

TEST_CASE("without --dev a missing --tokens or --keys is a start-up error naming the flag", "[server][cli]") {
    scratch_dir dir;
    write_file(dir.path / "keys.json", key_ring_text, 0600);
    write_file(dir.path / "tokens.json", token_text, 0600);
    const std::string store = "sqlite:" + (dir.path / "users.db").string();

    const auto [no_tokens, no_tokens_err] = run_until_exit({"--store", store, "--keys", "keys.json"}, dir.path);
    CHECK(no_tokens == 2);
    CHECK_THAT(no_tokens_err, Catch::Contains("--tokens"));

    const auto [no_keys, no_keys_err] = run_until_exit({"--store", store, "--tokens", "tokens.json"}, dir.path);
    CHECK(no_keys == 2);
    CHECK_THAT(no_keys_err, Catch::Contains("--keys"));
}

TEST_CASE("an unknown flag or a bad value is named on stderr with exit 2", "[server][cli]") {
    scratch_dir dir;
    const auto [unknown, unknown_err] = run_until_exit({"--dev", "--colour"}, dir.path);
    CHECK(unknown == 2);
    CHECK_THAT(unknown_err, Catch::Contains("--colour"));

    const auto [threads, threads_err] = run_until_exit({"--dev", "--threads", "many"}, dir.path);
    CHECK(threads == 2);
    CHECK_THAT(threads_err, Catch::Contains("--threads"));

    const auto [policy, policy_err] = run_until_exit({"--dev", "--phone-policy", "strict"}, dir.path);
    CHECK(policy == 2);
    CHECK_THAT(policy_err, Catch::Contains("--phone-policy"));

    const auto [listen, listen_err] = run_until_exit({"--dev", "--listen", "localhost"}, dir.path);
    CHECK(listen == 2);
    CHECK_THAT(listen_err, Catch::Contains("--listen"));

    const auto [missing, missing_err] = run_until_exit({"--dev", "--store"}, dir.path);
    CHECK(missing == 2);
    CHECK_THAT(missing_err, Catch::Contains("--store"));
}

TEST_CASE("the fault injector --dev-sms-failure-rate needs --dev and a rate from 0 to 1, else exit 2 naming it",
          "[server][cli]") {
    scratch_dir dir;
    write_file(dir.path / "keys.json", key_ring_text, 0600);
    write_file(dir.path / "tokens.json", token_text, 0600);
    const std::string store = "sqlite:" + (dir.path / "users.db").string();

    const auto [without_dev, without_dev_err] = run_until_exit(
        {"--store", store, "--tokens", "tokens.json", "--keys", "keys.json", "--dev-sms-failure-rate", "0.1"}, dir.path);
    CHECK(without_dev == 2);
    CHECK_THAT(without_dev_err, Catch::Contains("--dev-sms-failure-rate") && Catch::Contains("--dev"));

    for (const std::string bad : {"1.5", "-0.1", "often", "0.1x", ""}) {
        INFO("rate '" << bad << "'");
        const auto [status, err] = run_until_exit({"--dev", "--store", store, "--dev-sms-failure-rate=" + bad}, dir.path);
        CHECK(status == 2);
        CHECK_THAT(err, Catch::Contains("--dev-sms-failure-rate"));
    }
}

TEST_CASE("a key ring file that others may read is refused naming --keys", "[server][cli]") {
    scratch_dir dir;
    write_file(dir.path / "keys.json", key_ring_text, 0644);
    write_file(dir.path / "tokens.json", token_text, 0600);
    const auto [status, err] = run_until_exit({"--store", "memory:", "--tokens", "tokens.json", "--keys", "keys.json"},
                                              dir.path);
    CHECK(status == 2);
    CHECK_THAT(err, Catch::Contains("--keys") && Catch::Contains("0644") && !Catch::Contains("MDEy"));
}

TEST_CASE("without --dev the token and key files serve the API and no code is ever printed", "[server][cli]") {
    scratch_dir dir;
    write_file(dir.path / "keys.json", key_ring_text, 0600);
    write_file(dir.path / "tokens.json", token_text, 0600);
    server_process server({"--listen", "127.0.0.1:0", "--store", "sqlite:users.db", "--tokens", "tokens.json", "--keys",
                           "keys.json"},
                          dir.path);
    REQUIRE(server.wait_until_listening());
    CHECK(server.dev_token().empty());
    const auto headers = json_headers("t-admin");
    REQUIRE(http_request(server.port(), "POST", "/v2/users/human", headers,
                         R"({"userId":"u1","profile":{"givenName":"A","familyName":"B"},"email":{"email":"a@example.com"}})")
                .status == 200);
    REQUIRE(http_request(server.port(), "POST", "/v2/users/u1/phone", headers, R"({"phone":"+41 79 123 45 67"})").status ==
            200);

    CHECK(server.wait_for_stderr(starts_with("userstream-server: SMS to user u1 not sent: no SMS provider configured")));
    const auto lines = server.stdout_lines();
    REQUIRE(lines.size() == 1);
    CHECK_THAT(lines[0], Catch::StartsWith("userstream-server listening on http://127.0.0.1:"));
    CHECK_THAT(server.stderr_text(), !Catch::Contains("+4179"));
    // The outbox gave the code up rather than record it as sent.
    std::string metrics;
    CHECK(eventually([&] {
        metrics = http_request(server.port(), "GET", "/debug/metrics").body;
        return metrics.find("userstream_sms_outbox_given_up_total 1") != std::string::npos;
    }));
    CHECK_THAT(metrics, Catch::Contains("userstream_sms_outbox_sent_total 0"));
}
