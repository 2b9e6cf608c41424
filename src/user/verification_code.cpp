#include "userstream/user/verification_code.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "userstream/core/error.hpp"

namespace userstream::user {

void wipe(std::string& text) noexcept {
    // Growing within the capacity never reallocates, so the whole buffer, including what a shorter earlier value or
    // a move left beyond the current size, is wiped in place.
    text.resize(text.capacity());
    OPENSSL_cleanse(text.data(), text.size());
    text.clear();
}

secret_string::secret_string(std::string&& text) noexcept : value_(std::move(text)) { wipe(text); }

secret_string::secret_string(secret_string&& other) noexcept : value_(std::move(other.value_)) { wipe(other.value_); }

secret_string& secret_string::operator=(const secret_string& other) {
    if (this != &other) {
        wipe(value_);  // a reallocation below would free the old buffer unwiped
        value_ = other.value_;
    }
    return *this;
}

secret_string& secret_string::operator=(secret_string&& other) noexcept {
    if (this != &other) {
        wipe(value_);
        value_ = std::move(other.value_);
        wipe(other.value_);
    }
    return *this;
}

secret_string::~secret_string() { wipe(value_); }

void secret_string::clear() noexcept { wipe(value_); }

secret_string generate_code(const code_generator_config& config) { return generate_code(config, {}); }

secret_string generate_code(const code_generator_config& config, std::span<unsigned char> extra) {
    const std::size_t n = config.alphabet.size();
    if (n == 0 || n > 256) throw std::invalid_argument("code alphabet must have 1 to 256 characters");
    // Accept a byte only below the largest multiple of n that fits in a byte; the rest would bias the draw.
    const std::size_t limit = 256 - (256 % n);
    std::string code;
    code.reserve(config.length);  // no reallocation while the code grows, so no unwiped old buffer
    // The first draw also covers `extra`, which takes its bytes from the front; later draws (when rejected bytes
    // left the code short) are for the code alone.
    std::vector<unsigned char> buffer(extra.size() + config.length * 2 + 8);
    std::size_t skip = extra.size();
    while (code.size() < config.length || skip > 0) {
        if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1) {
            wipe(code);
            OPENSSL_cleanse(buffer.data(), buffer.size());
            throw infrastructure_error("verification code: the OpenSSL random generator failed");
        }
        std::copy(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(skip), extra.begin());
        for (std::size_t i = skip; i < buffer.size() && code.size() < config.length; ++i) {
            if (buffer[i] >= limit) continue;
            code.push_back(config.alphabet[buffer[i] % n]);
        }
        skip = 0;
    }
    OPENSSL_cleanse(buffer.data(), buffer.size());
    return secret_string(std::move(code));
}

bool constant_time_equals(std::string_view a, std::string_view b) noexcept {
    // A length difference leaks only the length, which the code configuration already makes public.
    if (a.size() != b.size()) return false;
    return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace userstream::user
