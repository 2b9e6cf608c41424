#include "support/secure_server.hpp"

#include "support/dev_server.hpp"
#include "support/secret_scan.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <random>
#include <regex>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <openssl/rand.h>

namespace security_test {

namespace {
std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    return out;
}

void write_private_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
    ::chmod(path.c_str(), 0600);
}
}  // namespace

std::string exchange::text() const {
    std::string out = std::to_string(response.status) + "\n";
    for (const auto& [name, value] : response.headers) out += name + ": " + value + "\n";
    return out + response.body;
}

secure_server::secure_server(std::vector<std::string> extra) {
    admin_token = hex_of(random_bytes(32));
    alice_token = hex_of(random_bytes(32));
    other_token = hex_of(random_bytes(32));
    key_bytes = random_bytes(32);
    key_base64 = base64_of(key_bytes);

    const nlohmann::json tokens{
        {"tokens",
         {{{"token", admin_token}, {"userId", "admin"}, {"orgId", "o1"},
           {"permissions", {{"o1", {"user.read", "user.write"}}}}},
          {{"token", alice_token}, {"userId", "alice"}, {"orgId", "o1"}},
          {{"token", other_token}, {"userId", "other-admin"}, {"orgId", "o2"},
           {"permissions", {{"o2", {"user.read", "user.write"}}}}}}}};
    write_private_file(dir_.path / "tokens.json", tokens.dump());
    const nlohmann::json keys{{"active", "k1"}, {"keys", {{{"id", "k1"}, {"key", key_base64}}}}};
    write_private_file(dir_.path / "keys.json", keys.dump());

    arguments_ = {"--dev", "--listen", "127.0.0.1:0", "--store", "sqlite:" + database().string(),
                  "--tokens", (dir_.path / "tokens.json").string(), "--keys", (dir_.path / "keys.json").string()};
    arguments_.insert(arguments_.end(), extra.begin(), extra.end());
    start();
}

void secure_server::start() {
    process_ = std::make_unique<server_test::server_process>(arguments_, dir_.path);
    sms_taken_.clear();
    if (!process_->wait_until_listening()) {
        throw std::runtime_error("userstream-server did not start:\n" + process_->stderr_text());
    }
}

bool secure_server::stop() {
    process_->send_signal(SIGTERM);
    const auto status = process_->wait_exit(std::chrono::seconds(15));
    // Until both pipes are closed, so that every line the process wrote is read.
    process_->wait_for_stderr([](const std::string&) { return false; }, std::chrono::milliseconds(200));
    return status == 0;
}

const http_response& secure_server::send(const std::string& method, const std::string& target,
                                         const header_list& headers, const std::string& body) {
    auto response = server_test::http_request(port(), method, target, headers, body);
    const auto label = "#" + std::to_string(answers_.size()) + " " + method + " " + target.substr(0, 80) + " -> " +
                       std::to_string(response.status);
    answers_.push_back({label, std::move(response)});
    return answers_.back().response;
}

const http_response& secure_server::call(const std::string& method, const std::string& target,
                                         const std::string& token, const std::string& body,
                                         std::optional<std::string> org) {
    header_list headers{{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    if (org) headers.emplace_back("x-zitadel-orgid", *org);
    return send(method, target, headers, body);
}

const http_response& secure_server::add_user(const std::string& user_id, const std::string& org,
                                             const std::string& token, const std::string& phone_json) {
    std::string body = R"({"userId":")" + user_id + R"(","organization":{"orgId":")" + org +
                       R"("},"profile":{"givenName":"Ada","familyName":"Lovelace"},"email":{"email":")" + user_id +
                       R"(@example.com"})";
    if (!phone_json.empty()) body += R"(,"phone":)" + phone_json;
    return call("POST", "/v2/users/human", token, body + "}");
}

std::string secure_server::next_sms_code(const std::string& user_id) {
    static const std::regex sms(R"(SMS to \+[0-9]+ \(user ([^)]+)\): your verification code is ([A-Z0-9]+))");
    const std::size_t wanted = sms_taken_[user_id];
    std::string code;
    server_test::eventually(
        [&] {
            std::size_t seen = 0;
            for (const auto& line : process_->stdout_lines()) {
                std::smatch match;
                if (!std::regex_match(line, match, sms) || match[1] != user_id) continue;
                if (seen++ == wanted) {
                    code = match[2];
                    return true;
                }
            }
            return false;
        },
        std::chrono::seconds(10));
    if (!code.empty()) ++sms_taken_[user_id];
    return code;
}

std::string json_member(const std::string& body, const std::string& member) {
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (!json.is_object() || !json.contains(member) || !json[member].is_string()) return {};
    return json[member].get<std::string>();
}

bool has_error_id(const http_response& response, const std::string& id) {
    const auto json = nlohmann::json::parse(response.body, nullptr, false);
    if (!json.is_object() || !json.contains("details") || !json["details"].is_array()) return false;
    for (const auto& detail : json["details"]) {
        if (detail.is_object() && detail.value("id", "") == id) return true;
    }
    return false;
}

}  // namespace security_test
