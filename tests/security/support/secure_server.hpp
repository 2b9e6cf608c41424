// userstream-server as the security suite runs it: `--dev` (so each SMS is printed and the codes can be followed)
// but with a token file and a key ring of the test's own (so the tests know every token and the key material, and
// can search for them), on a SQLite file in a scratch directory. Three organisations' worth of callers:
//
//   admin   admin of o1: user.read and user.write on o1 only
//   alice   the user alice of o1, no permissions (self-management only)
//   other   admin of o2: user.read and user.write on o2 only
//
// Every answer a test receives through `call` is kept (method, target, status, headers and body), so that a test can
// search all of them for secrets afterwards.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace security_test {

using server_test::header_list;
using server_test::http_response;

struct exchange {
    std::string label;  // "#3 POST /v2/users/alice/phone -> 200"
    http_response response;
    std::string text() const;  // status line, headers and body, as one text to search
};

class secure_server {
public:
    // Starts the server; throws std::runtime_error with its standard error when it does not come up.
    explicit secure_server(std::vector<std::string> extra = {});

    unsigned short port() const { return process_->port(); }
    server_test::server_process& process() { return *process_; }
    const std::filesystem::path& directory() const { return dir_.path; }
    std::filesystem::path database() const { return dir_.path / "users.db"; }

    // SIGTERM and wait (true when it exited 0); then start again on the same files.
    bool stop();
    void start();

    // The tokens of the callers above, 64 random hex digits each, different in every run.
    std::string admin_token, alice_token, other_token;
    // The active key of the key ring file, as the file holds it (base64) and as bytes.
    std::string key_base64, key_bytes;

    // One JSON request (REST or Connect JSON), kept in answers(). `org` is x-zitadel-orgid. `token` empty: none.
    const http_response& call(const std::string& method, const std::string& target, const std::string& token,
                              const std::string& body = {}, std::optional<std::string> org = std::nullopt);
    // Any request, kept in answers() as well.
    const http_response& send(const std::string& method, const std::string& target, const header_list& headers,
                              const std::string& body);
    const std::vector<exchange>& answers() const { return answers_; }

    // v2 AddHumanUser of `user_id` in `org` by `token`, with `phone_json` (a v2 phone object) when given.
    const http_response& add_user(const std::string& user_id, const std::string& org, const std::string& token,
                                  const std::string& phone_json = {});

    // The code of the next dev SMS line to `user_id` (lines already taken by an earlier call are skipped); empty when
    // none comes within 10 s.
    std::string next_sms_code(const std::string& user_id);

private:
    server_test::scratch_dir dir_;
    std::vector<std::string> arguments_;
    std::unique_ptr<server_test::server_process> process_;
    std::vector<exchange> answers_;
    std::map<std::string, std::size_t> sms_taken_;  // user id -> SMS lines already taken
};

// The JSON string of a value from a response body ("" when the body is not JSON or has no such member).
std::string json_member(const std::string& body, const std::string& member);
// Whether the body has a zitadel.v1.ErrorDetail with this id (REST's google.rpc.Status form).
bool has_error_id(const http_response& response, const std::string& id);

}  // namespace security_test
