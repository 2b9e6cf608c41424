// Where the scenario runner keeps its code-encryption key. With a durable store, codes written by one run must
// decrypt in the next, so the key lives in a file beside the database (mode 0600). This is a demo's convenience:
// a real host keeps keys in its secret store and passes them to key_ring::add_key.
#pragma once

#include <filesystem>
#include <stdexcept>

#include "userstream/user/key_ring.hpp"

namespace scenario {

// A key file that cannot be used: unreadable, not exactly key_ring::key_size bytes, or not creatable. The message
// names the file and what is wrong with it, never the key.
struct key_file_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Loads the 32-byte key from `path`, or creates it from OpenSSL's CSPRNG when there is no such file, and makes it the
// ring's active key. A file of any other size is refused (key_file_error) and left as it is: guessing would either
// lose the codes it encrypts or hide a damaged file.
void use_key_file(userstream::user::key_ring& keys, const std::filesystem::path& path);

}  // namespace scenario
