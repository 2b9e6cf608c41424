#include <catch2/catch.hpp>

// The exact-count specification below swaps OpenSSL's random source for a scripted one through RAND_METHOD, which
// OpenSSL 3 still honours but marks deprecated.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <set>

#include "support/user_fixture.hpp"
#include "userstream/user/key_ring.hpp"
#include "userstream/user/sms_outbox.hpp"
#include "userstream/user/verification_code.hpp"

using namespace userstream;
using namespace userstream::user;

TEST_CASE("codes use the configured length and every alphabet character occurs", "[code]") {
    const code_generator_config config;  // 6 characters, A-Z0-9
    std::map<char, int> seen;
    for (int i = 0; i < 2000; ++i) {
        const auto code = generate_code(config);
        REQUIRE(code.size() == 6);
        for (char c : code.view()) seen[c]++;
    }
    // 12000 draws over 36 characters: about 333 each. ZITADEL's generator never draws the last one ('9').
    REQUIRE(seen.size() == 36);
    for (char c : config.alphabet) {
        INFO(c);
        CHECK(seen[c] > 200);
        CHECK(seen[c] < 480);
    }
}

TEST_CASE("a custom alphabet and length are honoured", "[code]") {
    const code_generator_config digits{8, "0123456789", std::chrono::minutes(5)};
    const auto code = generate_code(digits);
    CHECK(code.size() == 8);
    CHECK(code.view().find_first_not_of("0123456789") == std::string_view::npos);
    CHECK_THROWS_AS(generate_code({6, "", {}}), std::invalid_argument);
}

TEST_CASE("a code drawn together with further random bytes is drawn as any other, and the bytes differ each time",
          "[code]") {
    const code_generator_config config;  // 6 characters, A-Z0-9
    std::map<char, int> seen;
    std::set<std::string> extras;
    for (int i = 0; i < 2000; ++i) {
        std::array<unsigned char, 12> extra{};
        const auto code = generate_code(config, extra);
        REQUIRE(code.size() == 6);
        for (char c : code.view()) seen[c]++;
        extras.emplace(extra.begin(), extra.end());
    }
    CHECK(extras.size() == 2000);  // 96 random bits each: a repeat means they are not drawn
    REQUIRE(seen.size() == 36);
    for (char c : config.alphabet) {
        INFO(c);
        CHECK(seen[c] > 200);
        CHECK(seen[c] < 480);
    }
    std::array<unsigned char, 12> extra{};
    const auto digits = generate_code({8, "0123456789", {}}, extra);
    CHECK(digits.size() == 8);
    CHECK(digits.view().find_first_not_of("0123456789") == std::string_view::npos);
    CHECK_THROWS_AS(generate_code({6, "", {}}, extra), std::invalid_argument);
}

namespace {

// OpenSSL's random source replaced by a script while it lives: byte i of the stream is script(i). RAND_bytes (and so
// generate_code) then draws exactly the bytes a test chooses, which lets a test count instead of estimate.
class scripted_random_bytes {
public:
    explicit scripted_random_bytes(std::function<unsigned char(std::size_t)> script) {
        REQUIRE(active_ == nullptr);
        active_ = this;
        script_ = std::move(script);
        method_.bytes = &scripted_random_bytes::bytes;
        method_.status = [] { return 1; };
        REQUIRE(RAND_set_rand_method(&method_) == 1);
    }
    ~scripted_random_bytes() {
        RAND_set_rand_method(RAND_OpenSSL());
        active_ = nullptr;
    }
    scripted_random_bytes(const scripted_random_bytes&) = delete;
    scripted_random_bytes& operator=(const scripted_random_bytes&) = delete;
    std::size_t drawn() const { return next_; }

private:
    static int bytes(unsigned char* out, int n) {
        for (int i = 0; i < n; ++i) out[i] = active_->script_(active_->next_++);
        return 1;
    }
    static inline scripted_random_bytes* active_ = nullptr;
    std::function<unsigned char(std::size_t)> script_;
    std::size_t next_ = 0;
    RAND_METHOD method_{};
};

}  // namespace

TEST_CASE("codes are exactly uniform: over whole cycles of the accepted bytes every character occurs equally often",
          "[code][uniform]") {
    // Given a random source that yields 0, 1, ..., 255 over and over, when a code takes as many characters as 64
    // cycles hold accepted bytes, then each character occurs exactly as often as every other. Accepting all 256
    // values (a plain `byte % n`) would make the first 256 % n characters more likely, e.g. A-D for A-Z0-9 by 8:7.
    for (const std::string& alphabet : {std::string("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), std::string("0123456789"),
                                       std::string("abcdefg")}) {
        INFO(alphabet);
        const std::size_t n = alphabet.size();
        const std::size_t accepted = 256 - 256 % n;  // bytes below the largest multiple of n that fits in a byte
        const code_generator_config config{accepted * 64, alphabet, {}};
        scripted_random_bytes cycle([](std::size_t i) { return static_cast<unsigned char>(i % 256); });
        const auto code = generate_code(config);
        REQUIRE(code.size() == config.length);
        std::map<char, std::size_t> seen;
        for (char c : code.view()) seen[c]++;
        REQUIRE(seen.size() == n);
        for (char c : alphabet) {
            INFO(c);
            CHECK(seen[c] == config.length / n);
        }
    }
}

TEST_CASE("a byte at or above the rejection bound never becomes a character", "[code][uniform]") {
    // Given a random source that first yields only the bytes the bound rejects for A-Z0-9 (252..255), then 5, when a
    // one-character code is drawn, then it is the character of 5: every rejected byte was skipped.
    const code_generator_config config{1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", {}};
    {
        scripted_random_bytes rejected_first(
            [](std::size_t i) { return static_cast<unsigned char>(i < 9 ? 252 + i % 4 : 5); });
        CHECK(generate_code(config).view() == "F");
    }
    // And with ten digits the bound is 250: 250..255 are skipped, 249 is the digit 9.
    scripted_random_bytes digits([](std::size_t i) { return static_cast<unsigned char>(i < 6 ? 250 + i : 249); });
    CHECK(generate_code({1, "0123456789", {}}).view() == "9");
}

TEST_CASE("constant-time comparison compares content and length", "[code]") {
    CHECK(constant_time_equals("ABC123", "ABC123"));
    CHECK_FALSE(constant_time_equals("ABC123", "ABC124"));
    CHECK_FALSE(constant_time_equals("ABC123", "ABC12"));
    CHECK(constant_time_equals("", ""));
}

TEST_CASE("a prefix of the right code never matches, even where the bytes after it are the rest of the code",
          "[code]") {
    // Given the stored code and a guess that is its first five characters, read from the very same buffer (so the
    // bytes past the guess's end are the code's sixth character), when they are compared, then they differ: the
    // comparison stops at the shorter length's mismatch, not at the first n bytes of either.
    const std::string stored = "ABC123";
    const std::string_view guess = std::string_view(stored).substr(0, 5);
    CHECK_FALSE(constant_time_equals(stored, guess));
    CHECK_FALSE(constant_time_equals(guess, stored));
    CHECK_FALSE(secret_string(stored) == guess);
    CHECK_FALSE(constant_time_equals(stored, std::string_view(stored).substr(0, 0)));
}

namespace {

const secret_binding u1_code{"instance-1", "u1", event_types::phone_code_added};

}  // namespace

TEST_CASE("a ciphertext decrypts with its key id and fails with another", "[code][keys]") {
    key_ring keys;
    keys.add_random_key("k1");
    keys.add_random_key("k2");
    keys.activate("k1");
    const auto sealed = keys.encrypt("K7Q2ZD", u1_code);
    CHECK(sealed.key_id == "k1");
    CHECK(sealed.crypted.find("K7Q2ZD") == std::string::npos);
    CHECK(keys.decrypt(sealed, u1_code) == "K7Q2ZD");

    auto under_other_key = sealed;
    under_other_key.key_id = "k2";
    CHECK_THROWS_AS(keys.decrypt(under_other_key, u1_code), infrastructure_error);

    auto unknown = sealed;
    unknown.key_id = "k9";
    CHECK_THROWS_WITH(keys.decrypt(unknown, u1_code), Catch::Contains("k9"));

    auto tampered = sealed;
    tampered.crypted[14] = static_cast<char>(tampered.crypted[14] ^ 1);
    CHECK_THROWS_AS(keys.decrypt(tampered, u1_code), infrastructure_error);

    keys.activate("k2");  // rotation: old values still decrypt with their own key
    CHECK(keys.decrypt(sealed, u1_code) == "K7Q2ZD");
    CHECK(keys.encrypt("X", u1_code).key_id == "k2");
}

TEST_CASE("a new code sealed in one draw decrypts to itself, only under its binding, with a fresh nonce each time",
          "[code][keys]") {
    key_ring keys;
    keys.add_random_key("k1");
    keys.activate("k1");
    const code_generator_config config{8, "0123456789", {}};
    std::set<std::string> nonces;
    for (int i = 0; i < 500; ++i) {
        const auto drawn = keys.encrypt_new_code(config, u1_code);
        REQUIRE(drawn.plain.size() == 8);
        CHECK(drawn.plain.view().find_first_not_of("0123456789") == std::string_view::npos);
        CHECK(drawn.sealed.key_id == "k1");
        CHECK(drawn.sealed.algorithm == key_ring::bound_algorithm);
        REQUIRE(drawn.sealed.crypted.size() == 12 + 8 + 16);  // nonce, ciphertext, tag
        CHECK(keys.decrypt(drawn.sealed, u1_code) == drawn.plain.view());
        CHECK_THROWS_AS(keys.decrypt(drawn.sealed, {"instance-1", "u2", event_types::phone_code_added}),
                        infrastructure_error);
        // The nonce is not the code: the code's characters appear nowhere in the stored bytes.
        CHECK(drawn.sealed.crypted.find(drawn.plain.view()) == std::string::npos);
        nonces.insert(drawn.sealed.crypted.substr(0, 12));
    }
    CHECK(nonces.size() == 500);
    key_ring empty;
    CHECK_THROWS_AS(empty.encrypt_new_code(config, u1_code), infrastructure_error);
}

TEST_CASE("the same plaintext encrypted twice under one key gets two nonces and two ciphertexts, each decrypting",
          "[code][keys]") {
    // AES-GCM under a repeated nonce leaks the XOR of the plaintexts and lets the key's tags be forged: every
    // encryption must draw its own nonce.
    key_ring keys;
    keys.add_random_key("k1");
    keys.activate("k1");
    const auto first = keys.encrypt("K7Q2ZD", u1_code);
    const auto second = keys.encrypt("K7Q2ZD", u1_code);
    REQUIRE(first.crypted.size() == 12 + 6 + 16);  // nonce, ciphertext, tag
    REQUIRE(second.crypted.size() == first.crypted.size());
    CHECK(first.crypted.substr(0, 12) != second.crypted.substr(0, 12));
    CHECK(first.crypted.substr(0, 12) != std::string(12, '\0'));
    CHECK(first.crypted.substr(12) != second.crypted.substr(12));
    CHECK(keys.decrypt(first, u1_code) == "K7Q2ZD");
    CHECK(keys.decrypt(second, u1_code) == "K7Q2ZD");
}

TEST_CASE("a ciphertext whose tag was altered is refused, whichever tag byte changed", "[code][keys]") {
    key_ring keys;
    keys.add_random_key("k1");
    keys.activate("k1");
    const auto sealed = keys.encrypt("K7Q2ZD", u1_code);
    for (std::size_t i = 12 + 6; i < sealed.crypted.size(); ++i) {
        INFO(i);
        auto tampered = sealed;
        tampered.crypted[i] = static_cast<char>(tampered.crypted[i] ^ 0x80);
        CHECK_THROWS_AS(keys.decrypt(tampered, u1_code), infrastructure_error);
    }
    auto truncated = sealed;
    truncated.crypted.pop_back();
    CHECK_THROWS_AS(keys.decrypt(truncated, u1_code), infrastructure_error);
}

TEST_CASE("keys must be 32 bytes and activation needs a known id", "[keys]") {
    key_ring keys;
    const std::array<unsigned char, 16> short_key{};
    CHECK_THROWS_AS(keys.add_key("k", short_key), std::invalid_argument);
    CHECK_THROWS_AS(keys.activate("nope"), std::invalid_argument);
    CHECK_THROWS_AS(keys.encrypt("x", u1_code), infrastructure_error);
}

TEST_CASE("defect 8.11: a ciphertext is bound to its instance, user and event type", "[issue8][code][keys]") {
    key_ring keys;
    keys.add_random_key("k1");
    keys.activate("k1");
    const auto sealed = keys.encrypt("K7Q2ZD", u1_code);
    CHECK(sealed.algorithm == "aes-256-gcm-aad-v1");  // the bound format is what new values get
    CHECK(keys.decrypt(sealed, u1_code) == "K7Q2ZD");

    CHECK_THROWS_AS(keys.decrypt(sealed, {"instance-1", "u2", event_types::phone_code_added}), infrastructure_error);
    CHECK_THROWS_AS(keys.decrypt(sealed, {"instance-2", "u1", event_types::phone_code_added}), infrastructure_error);
    CHECK_THROWS_AS(keys.decrypt(sealed, {"instance-1", "u1", event_types::human_initial_code_added}),
                    infrastructure_error);
    // Fields are length-delimited: moving characters from one to the next changes the binding.
    CHECK_THROWS_AS(keys.decrypt(sealed, {"instance-1u", "1", event_types::phone_code_added}), infrastructure_error);
    // Relabelling a bound value as the unbound format does not strip its binding.
    auto downgraded = sealed;
    downgraded.algorithm = "aes-256-gcm";
    CHECK_THROWS_AS(keys.decrypt(downgraded, {"instance-1", "u2", event_types::phone_code_added}),
                    infrastructure_error);
}

TEST_CASE("defect 8.11: new codes are bound to where they are stored, a legacy event name binds like its twin",
          "[issue8][code][keys]") {
    using namespace userstream::testing;
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    auto out = f.service.set_phone(admin, {"u1", "+41710000000", return_code{}});
    REQUIRE(out.ok());
    const auto& stored = out->events[1];
    const auto added = std::get<phone_code_added>(*decode(stored));
    CHECK(added.code->algorithm == key_ring::bound_algorithm);
    CHECK(stored.payload.find(R"("Algorithm":"aes-256-gcm-aad-v1")") != std::string::npos);
    const auto binding = code_binding(stored);
    CHECK(binding.instance_id == f.config.instance_id);
    CHECK(binding.user_id == "u1");
    CHECK(binding.event_type == event_types::phone_code_added);
    CHECK(f.keys.decrypt(*added.code, binding) == *out->verification_code);

    auto renamed = stored;
    renamed.event_type = "user.phone.code.added";  // ZITADEL's v1 name of the same event
    CHECK(code_binding(renamed).event_type == event_types::phone_code_added);
    CHECK(f.keys.decrypt(*added.code, code_binding(renamed)) == *out->verification_code);
}

TEST_CASE("defect 8.11: a code moved into another user's event does not verify that user", "[issue8][code][keys]") {
    using namespace userstream::testing;
    user_fixture f;
    f.given("victim", "o1", {human_added{}});
    auto out = f.service.set_phone(admin, {"victim", "+41710000000", return_code{}});
    REQUIRE(out.ok());
    const auto stolen = std::get<phone_code_added>(*decode(out->events[1]));
    f.given("mallory", "o1", {human_added{stored_phone("+41719999999")}, stolen});

    CHECK_THROWS_AS(f.service.verify_phone(admin, {"mallory", *out->verification_code}), infrastructure_error);
    CHECK_FALSE(f.service.load("mallory").is_phone_verified());
    CHECK(f.service.verify_phone(admin, {"victim", *out->verification_code}).ok());
}

namespace {

// A `user.human.phone.code.added` payload written by the release before ciphertexts were bound (algorithm
// "aes-256-gcm", no associated data): the code K7Q2ZD under key "legacy-key", whose bytes are 0x00, 0x01, ..., 0x1f.
constexpr std::string_view legacy_payload =
    R"({"code":{"CryptoType":0,"Algorithm":"aes-256-gcm","KeyID":"legacy-key","Crypted":"dKg9dJQG6vZm0iOmjOIxWOCzDK3waIgcU+RmogbWkJtUFQ=="},"expiry":3600000000000})";

void add_legacy_key(key_ring& keys) {
    std::array<unsigned char, key_ring::key_size> key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(i);
    keys.add_key("legacy-key", key);
}

}  // namespace

TEST_CASE("defect 8.11: codes stored in the earlier unbound format still decrypt and verify", "[issue8][code][keys]") {
    using namespace userstream::testing;
    user_fixture f;  // its active key is "key-1": new codes are bound
    add_legacy_key(f.keys);
    stored_event legacy;
    legacy.aggregate = {f.config.instance_id, "user", "u1"};
    legacy.event_type = event_types::phone_code_added;
    legacy.payload = legacy_payload;
    const auto added = std::get<phone_code_added>(*decode(legacy));
    REQUIRE(added.code->algorithm == key_ring::unbound_algorithm);
    CHECK(f.keys.decrypt(*added.code, code_binding(legacy)) == "K7Q2ZD");

    f.given("u1", "o1", {human_added{stored_phone("+41710000000")}, added});
    REQUIRE(f.stream("u1").back().payload == legacy_payload);  // the event as the earlier release stored it
    CHECK(f.service.verify_phone(admin, {"u1", "K7Q2ZD"}).ok());
}

namespace {

// Storage for one T whose bytes the test can read after T's destructor ran. Codes of up to 15 characters live inside
// std::string's own buffer (the small-string optimisation), so they are in these bytes, not on the heap.
template <class T>
struct inspectable {
    alignas(T) unsigned char bytes[sizeof(T)]{};
    template <class... Args>
    T* make(Args&&... args) {
        return ::new (static_cast<void*>(bytes)) T(std::forward<Args>(args)...);
    }
    // Whether the bytes still contain `text` without its first character: a cleared or moved-from std::string
    // overwrites only that one.
    bool holds(std::string_view text) const {
        // The object's lifetime is over, so the compiler may assume anything about these bytes; the barrier makes it
        // read what is really there.
        asm volatile("" : : "r"(bytes) : "memory");
        std::string seen(sizeof(bytes), '\0');
        for (std::size_t i = 0; i < sizeof(bytes); ++i) {
            seen[i] = static_cast<char>(static_cast<const volatile unsigned char*>(bytes)[i]);
        }
        return seen.find(text.substr(1)) != std::string::npos;
    }
};

}  // namespace

TEST_CASE("defect 8.11: plain codes are wiped from memory when their holder goes out of scope", "[issue8][code]") {
    SECTION("a secret_string, when destroyed") {
        inspectable<secret_string> storage;
        secret_string* code = storage.make("K7Q2ZD");
        REQUIRE(storage.holds("K7Q2ZD"));  // the bytes are where the check looks
        code->~secret_string();
        CHECK_FALSE(storage.holds("K7Q2ZD"));
    }
    SECTION("a secret_string, when cleared") {
        inspectable<secret_string> storage;
        secret_string* code = storage.make("K7Q2ZD");
        code->clear();
        CHECK(code->empty());
        CHECK_FALSE(storage.holds("K7Q2ZD"));
        code->~secret_string();
    }
    SECTION("a moved-from secret_string, and a std::string it took over") {
        inspectable<secret_string> from;
        inspectable<std::string> plain;
        std::string* text = plain.make("K7Q2ZD");
        secret_string* first = from.make(std::move(*text));
        CHECK_FALSE(plain.holds("K7Q2ZD"));
        REQUIRE(from.holds("K7Q2ZD"));
        secret_string second(std::move(*first));
        CHECK_FALSE(from.holds("K7Q2ZD"));
        CHECK(second == "K7Q2ZD");
        inspectable<secret_string> assigned;
        secret_string* third = assigned.make("ZZZZZZZZZZZZ");  // longer than the code: its tail would survive
        *third = std::move(second);
        CHECK(*third == "K7Q2ZD");
        CHECK_FALSE(assigned.holds("ZZZZ"));
        third->~secret_string();
        CHECK_FALSE(assigned.holds("K7Q2ZD"));
        first->~secret_string();
        text->~basic_string();
    }
    SECTION("an SMS message, when destroyed") {
        inspectable<sms_message> storage;
        sms_message* message =
            storage.make(sms_message{"u1", "o1", phone_number::from_stored("+41710000000"), secret_string("K7Q2ZD"), {}});
        REQUIRE(storage.holds("K7Q2ZD"));
        message->~sms_message();
        CHECK_FALSE(storage.holds("K7Q2ZD"));
    }
}

TEST_CASE("no stored event contains the plaintext code", "[code]") {
    using namespace userstream::testing;
    user_fixture f;
    f.given("u1", "o1", {human_added{}});
    auto out = f.service.set_phone(admin, {"u1", "+41 71 123 45 67", return_code{}});
    REQUIRE(out.ok());
    REQUIRE(out->verification_code);
    const std::string code = *out->verification_code;
    for (const auto& e : f.stream("u1")) {
        INFO(e.event_type << " " << e.payload);
        CHECK(e.payload.find(code) == std::string::npos);
    }
    // The stored ciphertext is the code, under the active key.
    const auto added = std::get<phone_code_added>(*decode(f.stream("u1").back()));
    CHECK(f.keys.decrypt(*added.code, code_binding(f.stream("u1").back())) == code);
}
