// What --dev provides when the operator gave no file: an administrator token, and a code key ring that survives
// restarts. Neither is for production: the token is printed on standard output, and the key ring lies beside the data
// it protects.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "userstream/api/authenticator.hpp"
#include "userstream/backends/open_store.hpp"
#include "userstream/user/key_ring.hpp"

namespace server {

// The generated administrator: user `dev-admin` of organisation `dev`, with user.read and user.write on every
// organisation (the token file's "*").
struct dev_admin {
    std::string token;  // 64 hex digits from OpenSSL's CSPRNG
    userstream::api::token_file tokens;
};
dev_admin make_dev_admin();

// Where --dev keeps its key ring for `store`: `PATH.keys.json` beside a SQLite file, `userstream-keys.json` in the
// working directory for PostgreSQL, none for a memory store (its codes die with the process anyway).
std::optional<std::filesystem::path> dev_key_ring_path(const userstream::backends::store_location& store);

// Fills `keys` for --dev: from the file at `path`, created with one random key on first use; or one random key
// when there is no path. Throws std::invalid_argument naming the file when it cannot be used.
void load_dev_key_ring(userstream::user::key_ring& keys, const std::optional<std::filesystem::path>& path);

}  // namespace server
