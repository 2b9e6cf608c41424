// userstream/user/key_ring.hpp
//
// The keys that encrypt verification codes at rest. A host supplies one or more AES-256 keys, each with an id, and
// names the active one. New codes are encrypted with the active key using AES-256-GCM; the key id travels with the
// ciphertext (in ZITADEL's `CryptoValue` shape), so codes written before a rotation still decrypt.
//
// Each ciphertext is bound to where it is stored: the instance, the user and the event type are AES-GCM associated
// data, so a ciphertext copied into another user's event (or another instance's, or another kind of event) fails
// authentication instead of handing that user someone else's code. The `Algorithm` field names the format:
// `aes-256-gcm-aad-v1` is bound (every new value), `aes-256-gcm` is the earlier unbound format, which still
// decrypts so codes stored before the change stay usable (docs/events.md).
//
//     key_ring keys;
//     keys.add_key("k1", key_bytes);   // 32 bytes from the host's secret store
//     keys.activate("k1");
//     auto sealed = keys.encrypt(code.view(), {"instance-1", "u1", event_types::phone_code_added});
//
// For development, examples and tests, `key_ring::with_random_key()` is a ring with one random active key. It is not
// for production: the key exists only in this process, so codes stored under it cannot be checked after a restart.
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

#include "userstream/user/verification_code.hpp"

namespace userstream::user {

// An encrypted secret as stored in events: ZITADEL's crypto.CryptoValue.
struct encrypted_value {
    std::int32_t crypto_type = 0;  // 0 = encryption (ZITADEL's crypto.TypeEncryption)
    std::string algorithm;         // key_ring::bound_algorithm, or key_ring::unbound_algorithm for older values
    std::string key_id;
    std::string crypted;           // raw bytes: 12-byte nonce, ciphertext, 16-byte tag (base64 in JSON)

    friend bool operator==(const encrypted_value&, const encrypted_value&) = default;
};

// What a stored secret is bound to (its AES-GCM associated data). `event_type` is the current type name of the event
// that carries the secret; ZITADEL's legacy v1 names bind like their current twin (`code_binding` in event_codec.hpp
// computes the binding of a stored event).
struct secret_binding {
    std::string_view instance_id;
    std::string_view user_id;
    std::string_view event_type;
};

class key_ring {
public:
    static constexpr std::size_t key_size = 32;
    // Format of every value `encrypt` writes: AES-256-GCM with the binding as associated data.
    static constexpr std::string_view bound_algorithm = "aes-256-gcm-aad-v1";
    // The earlier format, without associated data; `decrypt` still reads it, `encrypt` no longer writes it.
    static constexpr std::string_view unbound_algorithm = "aes-256-gcm";

    key_ring() = default;
    key_ring(const key_ring&) = delete;
    key_ring& operator=(const key_ring&) = delete;
    ~key_ring();

    // NOT FOR PRODUCTION: for development, examples and tests. A ring with one key drawn from OpenSSL's CSPRNG,
    // active under `id`. The key lives only in this object, so every code encrypted under it becomes undecryptable
    // when the process ends: a code sent before a restart cannot be verified after it, even on a durable store.
    // Production hosts add_key() keys kept in their secret store and activate() one.
    //     auto keys = key_ring::with_random_key();
    static key_ring with_random_key(std::string id = "development");

    // Adds (or replaces) a key. Throws std::invalid_argument unless `key` is 32 bytes and `id` non-empty.
    void add_key(std::string id, std::span<const unsigned char> key);
    // Adds a key drawn from OpenSSL's CSPRNG; for tests and demos: the key cannot be read back, so it dies with the ring.
    void add_random_key(std::string id);
    // Makes `id` the key for new encryptions. Throws std::invalid_argument if the ring has no such key.
    void activate(std::string_view id);
    std::string active_key_id() const;

    // Encrypts under the active key in the bound format. Throws infrastructure_error if no key is active.
    encrypted_value encrypt(std::string_view plaintext, const secret_binding& binding) const;

    struct sealed_code {
        secret_string plain;
        encrypted_value sealed;
    };
    // A new code, drawn as generate_code draws it, and encrypted as `encrypt` encrypts it. The code and the nonce come
    // from one call to the CSPRNG instead of two: each call to OpenSSL 3.0's generator costs about as much as the
    // encryption. Throws what generate_code and encrypt throw.
    sealed_code encrypt_new_code(const code_generator_config& config, const secret_binding& binding) const;
    // Decrypts a value of either format; a bound value decrypts only under the binding it was encrypted with. Throws
    // infrastructure_error if the key id is unknown, the format unknown, or authentication fails (wrong key, wrong
    // binding, or tampered); the message names the key id but never the ciphertext or plaintext.
    secret_string decrypt(const encrypted_value& value, const secret_binding& binding) const;

private:
    struct random_key_tag {};
    key_ring(random_key_tag, std::string id);  // returned by with_random_key: the ring is neither copied nor moved
    static constexpr std::size_t nonce_bytes = 12;
    // `encrypt` with the nonce given: the only callers pass fresh CSPRNG output, never a nonce used before.
    encrypted_value encrypt_with_nonce(std::string_view plaintext, const secret_binding& binding,
                                       std::span<const unsigned char, nonce_bytes> nonce) const;

    mutable std::shared_mutex mutex_;
    std::map<std::string, std::array<unsigned char, key_size>, std::less<>> keys_;
    std::string active_;
};

}  // namespace userstream::user
