// userstream/user/key_ring_file.hpp
//
// A key ring kept in a file, for hosts without a secret store (a single server, development). The file is JSON, its
// keys in standard base64, and only its owner may read or write it (mode 0600):
//
//     {"active":"k1","keys":[{"id":"k1","key":"<base64 of 32 bytes>"},{"id":"k0","key":"..."}]}
//
// Several keys let a host rotate: add a key, make it active, and keep the old one while codes encrypted under it may
// still be verified.
//
//     key_ring keys;
//     if (!std::filesystem::exists(path)) write_new_key_ring(path);   // first start: one random key
//     load_key_ring(keys, path);
//
// `key_ring` is neither copied nor moved (its keys are wiped where they live), so loading fills a ring the caller owns.
// Errors name the file and what is wrong with it, never key bytes.
#pragma once

#include <filesystem>
#include <string_view>

#include "userstream/user/key_ring.hpp"

namespace userstream::user {

// Adds every key of the file to `keys` and activates the file's active key. Throws std::invalid_argument naming the
// problem: the file cannot be opened or read, it is not a regular file, group or others may access it, it is not JSON
// of the shape above, a key id is empty or listed twice, a key is not base64 of exactly 32 bytes, or `active` names no
// listed key. On a throw `keys` is left as it was.
void load_key_ring(key_ring& keys, const std::filesystem::path& path);

// What load_key_ring does with the file's text once read: checks `json_text` and fills `keys` from it. `path` only
// names the file in errors. Throws std::invalid_argument as load_key_ring does for content it refuses; on a throw
// `keys` is left as it was. The caller wipes `json_text`; every copy made here is wiped. (load_key_ring is this after
// reading and checking the file; the seam lets the fuzz target feed text without files.)
void load_key_ring_text(key_ring& keys, std::string_view json_text, const std::filesystem::path& path);

// Creates `path` holding one key drawn from OpenSSL's CSPRNG, active under `key_id`, with mode 0600. The text is
// written and synced in a private temporary file beside `path`, then linked to its name, which fails if the name
// exists: the file appears complete or not at all, an existing file is never overwritten, and of two processes starting
// at once one creates the ring and the other finds it. Throws std::invalid_argument when `path` exists or cannot be
// written.
void write_new_key_ring(const std::filesystem::path& path, std::string_view key_id = "k1");

}  // namespace userstream::user
