// Where the scenario runner keeps its code-encryption key. With a durable store, codes written by one run must
// decrypt in the next, so the key lives in a file beside the database (mode 0600). This is a demo's convenience:
// a real host keeps keys in its secret store and passes them to key_ring::add_key.
#pragma once

#include <filesystem>

#include "userstream/user/key_ring.hpp"

namespace scenario {

// Loads the 32-byte key from `path`, or creates it from OpenSSL's CSPRNG, and makes it the ring's active key.
void use_key_file(userstream::user::key_ring& keys, const std::filesystem::path& path);

}  // namespace scenario
