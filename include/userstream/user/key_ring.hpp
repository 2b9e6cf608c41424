// userstream/user/key_ring.hpp
//
// The keys that encrypt verification codes at rest. A host supplies one or more AES-256 keys, each with an id, and
// names the active one. New codes are encrypted with the active key using AES-256-GCM; the key id travels with the
// ciphertext (in ZITADEL's `CryptoValue` shape), so codes written before a rotation still decrypt.
//
//     key_ring keys;
//     keys.add_key("k1", key_bytes);   // 32 bytes from the host's secret store
//     keys.activate("k1");
//
// Thread-safe: keys may be added and the active key changed while other threads encrypt and decrypt.
// Key material is wiped from memory when the ring is destroyed, and never appears in error text.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>

namespace userstream::user {

// An encrypted secret as stored in events: ZITADEL's crypto.CryptoValue.
struct encrypted_value {
    std::int32_t crypto_type = 0;  // 0 = encryption (ZITADEL's crypto.TypeEncryption)
    std::string algorithm;         // "aes-256-gcm"
    std::string key_id;
    std::string crypted;           // raw bytes: 12-byte nonce, ciphertext, 16-byte tag (base64 in JSON)

    friend bool operator==(const encrypted_value&, const encrypted_value&) = default;
};

class key_ring {
public:
    static constexpr std::size_t key_size = 32;
    static constexpr std::string_view algorithm = "aes-256-gcm";

    key_ring() = default;
    key_ring(const key_ring&) = delete;
    key_ring& operator=(const key_ring&) = delete;
    ~key_ring();

    // Adds (or replaces) a key. Throws std::invalid_argument unless `key` is 32 bytes and `id` non-empty.
    void add_key(std::string id, std::span<const unsigned char> key);
    // Adds a key drawn from OpenSSL's CSPRNG; for tests, demos and hosts without a key store.
    void add_random_key(std::string id);
    // Makes `id` the key for new encryptions. Throws std::invalid_argument if the ring has no such key.
    void activate(std::string_view id);
    std::string active_key_id() const;

    // Throws infrastructure_error if no key is active.
    encrypted_value encrypt(std::string_view plaintext) const;
    // Throws infrastructure_error if the key id is unknown or the value was tampered with; the message names the key
    // id but never the ciphertext or plaintext.
    std::string decrypt(const encrypted_value& value) const;

private:
    mutable std::shared_mutex mutex_;
    std::map<std::string, std::array<unsigned char, key_size>, std::less<>> keys_;
    std::string active_;
};

}  // namespace userstream::user
