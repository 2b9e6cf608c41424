// userstream/user/verification_code.hpp
//
// Verification codes: how they are drawn, how they are compared, and how they are held in memory.
//
// Codes come from OpenSSL's CSPRNG with rejection sampling, so every character of the alphabet is equally likely.
// (ZITADEL reduces a random byte modulo `len(alphabet) - 1`, which is biased and never yields the last character.)
// Comparison runs in time independent of where the inputs differ. A plain code lives in a `secret_string`, which
// wipes its bytes when it goes out of scope.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>

namespace userstream::user {

struct code_generator_config {
    std::size_t length = 6;
    std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";  // ZITADEL's default: upper letters and digits
    std::chrono::nanoseconds expiry = std::chrono::hours(1);          // 0 = never expires
};

// Compares two secrets in time that depends only on their lengths.
bool constant_time_equals(std::string_view a, std::string_view b) noexcept;

// A plain secret (a verification code) in memory. Its bytes, including the unused rest of its buffer, are wiped with
// OPENSSL_cleanse when it is destroyed, cleared or assigned over; a moved-from secret_string is wiped as well, so a
// move leaves no stale copy behind. Copies are secret_strings too and are wiped in turn. `view()` is the only way to
// the characters: whoever copies them into another type owns that copy. `==` compares in constant time.
class secret_string {
public:
    secret_string() noexcept = default;
    explicit secret_string(std::string_view text) : value_(text) {}
    explicit secret_string(const char* text) : value_(text) {}
    // Takes over `text`'s buffer and wipes whatever the move left in `text`.
    explicit secret_string(std::string&& text) noexcept;
    secret_string(const secret_string& other) = default;
    secret_string(secret_string&& other) noexcept;
    secret_string& operator=(const secret_string& other);
    secret_string& operator=(secret_string&& other) noexcept;
    ~secret_string();

    std::string_view view() const noexcept { return value_; }
    std::size_t size() const noexcept { return value_.size(); }
    bool empty() const noexcept { return value_.empty(); }
    // Wipes the bytes and leaves the secret empty.
    void clear() noexcept;

    friend bool operator==(const secret_string& a, std::string_view b) noexcept {
        return constant_time_equals(a.value_, b);
    }
    friend bool operator==(const secret_string& a, const secret_string& b) noexcept {
        return constant_time_equals(a.value_, b.value_);
    }

private:
    std::string value_;
};

// Wipes a std::string's whole buffer (not only its current size), then empties it.
void wipe(std::string& text) noexcept;

// Draws a code of `config.length` characters. Throws std::invalid_argument for an empty alphabet or one longer than
// 256 characters, and infrastructure_error if the CSPRNG fails.
secret_string generate_code(const code_generator_config& config);
// The same, filling `extra` with further random bytes from the same call to the CSPRNG (key_ring::encrypt_new_code
// takes the nonce from them: one call to OpenSSL 3.0's generator costs about as much as the encryption itself).
secret_string generate_code(const code_generator_config& config, std::span<unsigned char> extra);

// Where a service's codes come from instead of the CSPRNG: an injection point for tests only, so that a test can
// type the code a user would receive (userstream/testing/scripted_codes.hpp has such sources). A production host
// never sets one: `user_service_config::phone_code_source` is null by default, and null means `generate_code`.
// A source is asked at most once per command, also when the command is re-decided after a conflict, and it may be
// asked from every thread the service runs commands on, so implementations must be thread-safe.
class code_source {
public:
    virtual ~code_source() = default;
    // The next code to issue under `config`.
    virtual secret_string next_code(const code_generator_config& config) = 0;
};

}  // namespace userstream::user
