#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "support/user_fixture.hpp"
#include "userstream/user/key_ring.hpp"
#include "userstream/user/verification_code.hpp"

using namespace userstream;
using namespace userstream::user;

TEST_CASE("codes use the configured length and every alphabet character occurs", "[code]") {
    const code_generator_config config;  // 6 characters, A-Z0-9
    std::map<char, int> seen;
    for (int i = 0; i < 2000; ++i) {
        const auto code = generate_code(config);
        REQUIRE(code.size() == 6);
        for (char c : code) seen[c]++;
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
    CHECK(code.find_first_not_of("0123456789") == std::string::npos);
    CHECK_THROWS_AS(generate_code({6, "", {}}), std::invalid_argument);
}

TEST_CASE("constant-time comparison compares content and length", "[code]") {
    CHECK(constant_time_equals("ABC123", "ABC123"));
    CHECK_FALSE(constant_time_equals("ABC123", "ABC124"));
    CHECK_FALSE(constant_time_equals("ABC123", "ABC12"));
    CHECK(constant_time_equals("", ""));
}

TEST_CASE("a ciphertext decrypts with its key id and fails with another", "[code][keys]") {
    key_ring keys;
    keys.add_random_key("k1");
    keys.add_random_key("k2");
    keys.activate("k1");
    const auto sealed = keys.encrypt("K7Q2ZD");
    CHECK(sealed.key_id == "k1");
    CHECK(sealed.algorithm == "aes-256-gcm");
    CHECK(sealed.crypted.find("K7Q2ZD") == std::string::npos);
    CHECK(keys.decrypt(sealed) == "K7Q2ZD");

    auto under_other_key = sealed;
    under_other_key.key_id = "k2";
    CHECK_THROWS_AS(keys.decrypt(under_other_key), infrastructure_error);

    auto unknown = sealed;
    unknown.key_id = "k9";
    CHECK_THROWS_WITH(keys.decrypt(unknown), Catch::Contains("k9"));

    auto tampered = sealed;
    tampered.crypted[14] = static_cast<char>(tampered.crypted[14] ^ 1);
    CHECK_THROWS_AS(keys.decrypt(tampered), infrastructure_error);

    keys.activate("k2");  // rotation: old values still decrypt with their own key
    CHECK(keys.decrypt(sealed) == "K7Q2ZD");
    CHECK(keys.encrypt("X").key_id == "k2");
}

TEST_CASE("keys must be 32 bytes and activation needs a known id", "[keys]") {
    key_ring keys;
    const std::array<unsigned char, 16> short_key{};
    CHECK_THROWS_AS(keys.add_key("k", short_key), std::invalid_argument);
    CHECK_THROWS_AS(keys.activate("nope"), std::invalid_argument);
    CHECK_THROWS_AS(keys.encrypt("x"), infrastructure_error);
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
    CHECK(f.keys.decrypt(*added.code) == code);
}
