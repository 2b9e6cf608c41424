// userstream/api/authenticator.hpp
//
// Who is calling. The API layer takes the bearer token of `Authorization: Bearer <token>` (HTTP header or gRPC
// metadata) and asks an `authenticator` for the caller behind it; a host with its own identity provider implements
// the interface. `token_file` is the implementation that ships: a JSON file of opaque tokens, each naming a user, the
// user's organisation and the permissions the user holds per organisation. It is also the `user::authorizer` that
// user_service asks about those permissions, so one file configures both.
//
//     {"tokens":[{"token":"…","userId":"admin","orgId":"o1","permissions":{"o1":["user.read","user.write"]}}]}
//
// The organisation key "*" grants its permissions on every organisation (an instance administrator).
//
// Lookup compares SHA-256 digests of the presented token with every stored digest in constant time, so its duration
// does not tell whether a token exists or how much of it matched. Tokens are never kept in plain text after loading
// and never appear in errors or logs.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "userstream/user/authorizer.hpp"

namespace userstream::api {

class authenticator {
public:
    virtual ~authenticator() = default;
    // The caller a bearer token stands for; nullopt for an unknown token. Must be thread-safe.
    virtual std::optional<user::caller> authenticate(std::string_view bearer_token) const = 0;
};

class token_file final : public authenticator, public user::authorizer {
public:
    static constexpr std::string_view any_org = "*";

    // Parses the file's JSON text. Throws std::invalid_argument naming what is wrong (never a token): not JSON, a
    // missing or empty field, a field of the wrong type, a token listed twice, or one user id given different
    // organisations or permissions by two tokens (permissions belong to the user, so they must agree).
    static token_file parse(std::string_view json_text);
    // Reads and parses a file; throws std::invalid_argument as `parse`, or when the file cannot be read or is larger
    // than `max_file_bytes` (a file for thousands of callers; a host with more implements `authenticator` on its
    // identity provider, since every lookup compares every token).
    static token_file load(const std::filesystem::path& path);
    static constexpr std::size_t max_file_bytes = std::size_t{4} << 20;

    std::optional<user::caller> authenticate(std::string_view bearer_token) const override;
    bool has_permission(const user::caller& who, std::string_view permission, std::string_view org_id) const override;

    std::size_t size() const noexcept { return entries_.size(); }

private:
    using digest = std::array<std::uint8_t, 32>;
    struct entry {
        digest token_digest;
        user::caller who;
    };
    std::vector<entry> entries_;
    // user id -> org id -> permissions
    std::map<std::string, std::map<std::string, std::set<std::string, std::less<>>, std::less<>>, std::less<>>
        permissions_;
};

}  // namespace userstream::api
