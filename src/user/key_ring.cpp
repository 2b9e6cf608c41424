#include "userstream/user/key_ring.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "userstream/core/error.hpp"

namespace userstream::user {

namespace {

constexpr int nonce_size = 12;
constexpr int tag_size = 16;

struct cipher_ctx_deleter {
    void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_deleter>;

// AES-256-GCM fetched from the default providers once. EVP_aes_256_gcm() would make every Init fetch it again (a
// lookup by name under a lock, about a sixth of an encryption's instructions). Never freed, like the providers it
// comes from; if the fetch fails, the implicit fetch is still there to try (and fail) per call.
const EVP_CIPHER* aes_256_gcm() {
    static const EVP_CIPHER* const fetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    return fetched != nullptr ? fetched : EVP_aes_256_gcm();
}

cipher_ctx new_ctx() {
    cipher_ctx ctx(EVP_CIPHER_CTX_new());
    if (!ctx) throw infrastructure_error("key ring: cannot allocate a cipher context");
    return ctx;
}

// The associated data of the bound format: the format name, then instance, user and event type, each preceded by its
// length (4 bytes, big-endian), so no two different bindings encode alike.
std::string associated_data(const secret_binding& binding) {
    constexpr std::size_t max_field = std::size_t{1} << 20;  // ids are at most 200 characters; keeps sizes in an int
    std::string out(key_ring::bound_algorithm);
    for (const std::string_view field : {binding.instance_id, binding.user_id, binding.event_type}) {
        if (field.size() > max_field) throw infrastructure_error("key ring: a binding field is longer than 1 MiB");
        const auto size = static_cast<std::uint32_t>(field.size());
        for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((size >> shift) & 0xffU));
        out.append(field);
    }
    return out;
}

}  // namespace

key_ring::~key_ring() {
    for (auto& [id, key] : keys_) OPENSSL_cleanse(key.data(), key.size());
}

void key_ring::add_key(std::string id, std::span<const unsigned char> key) {
    if (id.empty()) throw std::invalid_argument("key ring: key id must not be empty");
    if (key.size() != key_size) throw std::invalid_argument("key ring: AES-256 keys are 32 bytes");
    std::array<unsigned char, key_size> copy{};
    std::copy(key.begin(), key.end(), copy.begin());
    std::unique_lock lock(mutex_);
    keys_[std::move(id)] = copy;
    OPENSSL_cleanse(copy.data(), copy.size());
}

key_ring key_ring::with_random_key(std::string id) { return key_ring(random_key_tag{}, std::move(id)); }

key_ring::key_ring(random_key_tag, std::string id) {
    add_random_key(id);
    activate(id);
}

void key_ring::add_random_key(std::string id) {
    std::array<unsigned char, key_size> key{};
    if (RAND_bytes(key.data(), key_size) != 1) throw infrastructure_error("key ring: the OpenSSL random generator failed");
    add_key(std::move(id), key);
    OPENSSL_cleanse(key.data(), key.size());
}

void key_ring::activate(std::string_view id) {
    std::unique_lock lock(mutex_);
    if (keys_.find(id) == keys_.end()) throw std::invalid_argument("key ring: cannot activate an unknown key id");
    active_ = std::string(id);
}

std::string key_ring::active_key_id() const {
    std::shared_lock lock(mutex_);
    return active_;
}

encrypted_value key_ring::encrypt(std::string_view plaintext, const secret_binding& binding) const {
    static_assert(nonce_bytes == nonce_size);
    std::array<unsigned char, nonce_bytes> nonce{};
    if (RAND_bytes(nonce.data(), nonce_size) != 1) {
        throw infrastructure_error("key ring: the OpenSSL random generator failed");
    }
    return encrypt_with_nonce(plaintext, binding, nonce);
}

key_ring::sealed_code key_ring::encrypt_new_code(const code_generator_config& config,
                                                 const secret_binding& binding) const {
    std::array<unsigned char, nonce_bytes> nonce{};
    sealed_code out;
    out.plain = generate_code(config, nonce);
    out.sealed = encrypt_with_nonce(out.plain.view(), binding, nonce);
    return out;
}

encrypted_value key_ring::encrypt_with_nonce(std::string_view plaintext, const secret_binding& binding,
                                             std::span<const unsigned char, nonce_bytes> nonce) const {
    const std::string aad = associated_data(binding);
    std::shared_lock lock(mutex_);
    const auto key = keys_.find(active_);
    if (key == keys_.end()) throw infrastructure_error("key ring: no active encryption key");

    encrypted_value out{0, std::string(bound_algorithm), active_, {}};
    out.crypted.resize(nonce_size + plaintext.size() + tag_size);
    auto* bytes = reinterpret_cast<unsigned char*>(out.crypted.data());
    std::copy(nonce.begin(), nonce.end(), bytes);

    const auto ctx = new_ctx();
    int written = 0;
    if (EVP_EncryptInit_ex(ctx.get(), aes_256_gcm(), nullptr, key->second.data(), bytes) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &written, reinterpret_cast<const unsigned char*>(aad.data()),
                          static_cast<int>(aad.size())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), bytes + nonce_size, &written,
                          reinterpret_cast<const unsigned char*>(plaintext.data()),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), bytes + nonce_size + written, &written) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, tag_size,
                            bytes + nonce_size + plaintext.size()) != 1) {
        throw infrastructure_error("key ring: AES-256-GCM encryption failed");
    }
    return out;
}

secret_string key_ring::decrypt(const encrypted_value& value, const secret_binding& binding) const {
    // The format decides the associated data; a bound value relabelled as unbound fails authentication, because its
    // tag covers the binding.
    std::string aad;
    if (value.algorithm == bound_algorithm) {
        aad = associated_data(binding);
    } else if (value.algorithm != unbound_algorithm) {
        throw infrastructure_error("key ring: a stored secret under key '" + value.key_id +
                                   "' is in an unknown format");
    }
    std::shared_lock lock(mutex_);
    const auto key = keys_.find(value.key_id);
    if (key == keys_.end()) {
        throw infrastructure_error("key ring: no key with id '" + value.key_id + "' to decrypt a stored secret");
    }
    if (value.crypted.size() < nonce_size + tag_size) {
        throw infrastructure_error("key ring: a stored secret under key '" + value.key_id +
                                   "' is not in AES-256-GCM form");
    }
    const auto* bytes = reinterpret_cast<const unsigned char*>(value.crypted.data());
    const int body = static_cast<int>(value.crypted.size()) - nonce_size - tag_size;
    std::string plain(static_cast<std::size_t>(body), '\0');
    const auto ctx = new_ctx();
    int written = 0;
    std::array<unsigned char, tag_size> tag{};
    std::copy(bytes + nonce_size + body, bytes + nonce_size + body + tag_size, tag.begin());
    const bool ok =
        EVP_DecryptInit_ex(ctx.get(), aes_256_gcm(), nullptr, key->second.data(), bytes) == 1 &&
        (aad.empty() || EVP_DecryptUpdate(ctx.get(), nullptr, &written,
                                          reinterpret_cast<const unsigned char*>(aad.data()),
                                          static_cast<int>(aad.size())) == 1) &&
        EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &written, bytes + nonce_size,
                          body) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, tag_size, tag.data()) == 1 &&
        EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + written, &written) == 1;
    if (!ok) {
        wipe(plain);
        throw infrastructure_error("key ring: a stored secret under key '" + value.key_id +
                                   "' failed authentication (wrong key, stored for another user, instance or event "
                                   "type, or tampered)");
    }
    return secret_string(std::move(plain));
}

}  // namespace userstream::user
