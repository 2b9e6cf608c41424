// The token file: which caller a bearer token stands for, which permissions that caller holds, and what a malformed
// file is told (without the tokens in the message).
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "userstream/api/authenticator.hpp"

using userstream::api::token_file;

namespace {
const char* const two_users = R"({"tokens":[
  {"token":"secret-admin","userId":"admin","orgId":"o1","permissions":{"o1":["user.read","user.write"],"o2":["user.read"]}},
  {"token":"secret-rotated","userId":"admin","orgId":"o1","permissions":{"o1":["user.read","user.write"],"o2":["user.read"]}},
  {"token":"secret-u1","userId":"u1","orgId":"o1"}]})";

std::string rejection_of(const std::string& text) {
    try {
        (void)token_file::parse(text);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("A known token yields its user and organisation, an unknown or empty one yields nobody") {
    const auto tokens = token_file::parse(two_users);
    const auto admin = tokens.authenticate("secret-admin");
    REQUIRE(admin);
    CHECK(admin->user_id == "admin");
    CHECK(admin->org_id == "o1");
    CHECK(tokens.authenticate("secret-rotated")->user_id == "admin");
    CHECK(tokens.authenticate("secret-u1")->user_id == "u1");
    CHECK_FALSE(tokens.authenticate("secret-admin "));
    CHECK_FALSE(tokens.authenticate("secret-admi"));
    CHECK_FALSE(tokens.authenticate(""));
    CHECK(tokens.size() == 3);
}

TEST_CASE("Permissions are granted per organisation, and a user without a permissions object holds none") {
    const auto tokens = token_file::parse(two_users);
    const userstream::user::caller admin{"admin", "o1"};
    CHECK(tokens.has_permission(admin, "user.write", "o1"));
    CHECK(tokens.has_permission(admin, "user.read", "o2"));
    CHECK_FALSE(tokens.has_permission(admin, "user.write", "o2"));
    CHECK_FALSE(tokens.has_permission(admin, "user.write", "o3"));
    CHECK_FALSE(tokens.has_permission({"u1", "o1"}, "user.read", "o1"));
    CHECK_FALSE(tokens.has_permission({"stranger", "o1"}, "user.read", "o1"));
}

TEST_CASE("The organisation key \"*\" grants its permissions on every organisation") {
    const auto tokens = token_file::parse(
        R"({"tokens":[{"token":"secret-root","userId":"root","orgId":"o1","permissions":{"*":["user.read"],"o2":["user.write"]}}]})");
    const userstream::user::caller root{"root", "o1"};
    CHECK(tokens.has_permission(root, "user.read", "o1"));
    CHECK(tokens.has_permission(root, "user.read", "any-other-org"));
    CHECK(tokens.has_permission(root, "user.write", "o2"));
    CHECK_FALSE(tokens.has_permission(root, "user.write", "o1"));
}

TEST_CASE("A malformed token file is rejected with a reason that never quotes a token") {
    CHECK(rejection_of("not json secret-x").find("not valid JSON") != std::string::npos);
    CHECK(rejection_of(R"({"tokens":{}})").find("\"tokens\" array") != std::string::npos);
    CHECK(rejection_of(R"({"tokens":[{"token":"secret-x","orgId":"o1"}]})").find("userId") != std::string::npos);
    CHECK(rejection_of(R"({"tokens":[{"token":"","userId":"u","orgId":"o1"}]})").find("token") != std::string::npos);
    CHECK(rejection_of(R"({"tokens":[{"token":"secret-x","userId":"u","orgId":"o1","permissions":{"o1":"user.read"}}]})")
              .find("permissions") != std::string::npos);
    const auto repeated = rejection_of(
        R"({"tokens":[{"token":"secret-x","userId":"u","orgId":"o1"},{"token":"secret-x","userId":"v","orgId":"o1"}]})");
    CHECK(repeated.find("repeats a token") != std::string::npos);
    const auto disagreeing = rejection_of(
        R"({"tokens":[{"token":"secret-x","userId":"u","orgId":"o1"},{"token":"secret-y","userId":"u","orgId":"o2"}]})");
    CHECK(disagreeing.find("different organisations or permissions") != std::string::npos);
    for (const auto& message : {repeated, disagreeing}) CHECK(message.find("secret-") == std::string::npos);
}

TEST_CASE("A number too large for a double makes the file invalid JSON, rejected like any other malformed file") {
    // nlohmann's parser reports such a number as out_of_range, not parse_error; it must not escape as another type.
    for (const char* text : {R"({"tokens":[{"token":"secret-x","userId":"u","orgId":"o1"}],"n":1e999})",
                             R"({"tokens":[{"token":"secret-x","userId":"u","orgId":"o1","n":-1e400}]})"}) {
        CHECK_THROWS_MATCHES(token_file::parse(text), std::invalid_argument,
                             Catch::Matchers::Message("token file: not valid JSON"));
    }
}

TEST_CASE("A token file that cannot be read names the path") {
    try {
        (void)token_file::load("/nonexistent/tokens.json");
        FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).find("/nonexistent/tokens.json") != std::string::npos);
    }
}

TEST_CASE("A token file larger than the limit is refused, naming the limit, and one at the limit loads") {
    const auto path = std::filesystem::temp_directory_path() / ("userstream-tokens-" + std::to_string(::getpid()) + ".json");
    const std::string entry = R"({"tokens":[{"token":"t-1","userId":"u1","orgId":"o1"}]})";
    const auto write_padded = [&](std::size_t size) {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << entry << std::string(size - entry.size(), ' ');  // JSON allows trailing whitespace
    };

    write_padded(token_file::max_file_bytes);
    CHECK(token_file::load(path).authenticate("t-1"));

    write_padded(token_file::max_file_bytes + 1);
    try {
        (void)token_file::load(path);
        FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()) == "token file: larger than 4 MiB: not a token file");
    }
    std::filesystem::remove(path);
}
