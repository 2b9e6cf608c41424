#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "userstream/user/event_codec.hpp"

using namespace userstream;
using namespace userstream::user;

namespace {
eventstore::stored_event envelope(std::string type, std::string payload) {
    eventstore::stored_event e;
    e.aggregate = {"inst", "user", "u1"};
    e.sequence = eventstore::sequence_number{7};
    e.event_type = std::move(type);
    e.payload = std::move(payload);
    return e;
}
eventstore::stored_event stored(const user_event& event) {
    auto encoded = encode(event);
    return envelope(std::string(encoded.type), encoded.payload);
}
}  // namespace

TEST_CASE("payloads are ZITADEL's", "[codec]") {
    CHECK(encode(phone_changed{phone_number::from_stored("+41710000000")}).payload == R"({"phone":"+41710000000"})");
    CHECK(encode(phone_verified{}).payload.empty());
    CHECK(encode(phone_removed{}).payload.empty());
    CHECK(encode(phone_verification_failed{}).payload.empty());
    CHECK(encode(phone_code_sent{}).payload == "{}");
    CHECK(encode(phone_code_sent{code_generator_info{"sms-1", "VE123"}}).payload ==
          R"({"generatorInfo":{"id":"sms-1","verificationId":"VE123"}})");
    phone_code_added added{encrypted_value{0, "aes-256-gcm", "k1", std::string("\x01\x02\xff", 3)},
                           std::chrono::hours(1), true, "", ""};
    CHECK(encode(added).payload ==
          R"({"code":{"CryptoType":0,"Algorithm":"aes-256-gcm","KeyID":"k1","Crypted":"AQL/"},"expiry":3600000000000,"code_returned":true})");
    CHECK(encode(phone_code_added{std::nullopt, {}, false, "twilio-1", ""}).payload == R"({"generatorId":"twilio-1"})");
    CHECK(encode(human_added{}).type == "user.human.added");
}

TEST_CASE("phone and code payloads write every text field as encoding/json would, escapes included", "[codec]") {
    using ordered = nlohmann::ordered_json;
    const auto expected_code_added = [](const phone_code_added& e, std::string_view crypted_base64) {
        ordered j = ordered::object();
        if (e.code) {
            j["code"] = {{"CryptoType", e.code->crypto_type},
                         {"Algorithm", e.code->algorithm},
                         {"KeyID", e.code->key_id},
                         {"Crypted", crypted_base64}};
        }
        if (e.expiry.count() != 0) j["expiry"] = e.expiry.count();
        if (e.code_returned) j["code_returned"] = true;
        if (!e.generator_id.empty()) j["generatorId"] = e.generator_id;
        if (!e.trigger_origin.empty()) j["triggerOrigin"] = e.trigger_origin;
        return j.dump();
    };
    const std::vector<std::string> texts{"k1", "", "k\"1", "back\\slash", "tab\tnew\nline", std::string("nul\0x", 5),
                                         "\x01\x1f\x7f", "schl\xc3\xbcssel", "https://o.example/p?q=1&r=<2>"};
    for (const std::string& text : texts) {
        INFO(nlohmann::json(text).dump());
        for (const bool with_code : {true, false}) {
            phone_code_added e;
            if (with_code) e.code = encrypted_value{-3, text, text, "abc"};
            e.expiry = with_code ? std::chrono::nanoseconds(-1) : std::chrono::nanoseconds(0);
            e.code_returned = with_code;
            e.generator_id = text;
            e.trigger_origin = text;
            CHECK(encode(e).payload == expected_code_added(e, "YWJj"));
        }
        const auto changed = encode(phone_changed{phone_number::from_stored(text)}).payload;
        CHECK(changed == (text.empty() ? "{}" : ordered{{"phone", text}}.dump()));
    }
    // Bytes that are not UTF-8 fail as they always did: with nlohmann's error, nothing written.
    CHECK_THROWS_AS(encode(phone_code_added{encrypted_value{0, "aes-256-gcm", "k\xff", "abc"}, {}, false, "", ""}),
                    nlohmann::json::exception);
    CHECK_THROWS_AS(encode(phone_changed{phone_number::from_stored("+41\xc3")}), nlohmann::json::exception);
}

TEST_CASE("every event round-trips through its envelope", "[codec]") {
    const std::vector<user_event> all{
        human_added{phone_number::from_stored("+41711234567")},
        human_registered{},
        human_initial_code_added{},
        human_initialized_check_succeeded{},
        machine_added{},
        machine_added{"robot", "Robot", "Builds things"},
        human_added{phone_number::from_stored("+41711234567"), "minnie", {"Minnie", "Mouse", "Min", "M M", "de-CH", 3},
                    "minnie@example.com"},
        human_registered{{}, "mickey", {"Mickey", "Mouse", "", "", "en", 2}, "mickey@example.com"},
        email_verified{},
        user_removed{},
        phone_changed{phone_number::from_stored("+41710000000")},
        phone_verified{},
        phone_code_added{encrypted_value{0, "aes-256-gcm", "k1", "abcdef"}, std::chrono::minutes(5), false, "g", "https://o"},
        phone_code_sent{code_generator_info{"id", "vid"}},
        phone_code_sent{},
        phone_removed{},
        phone_verification_failed{},
    };
    for (const auto& event : all) {
        const auto decoded = decode(stored(event));
        REQUIRE(decoded);
        CHECK(decoded->index() == event.index());
        CHECK(encode(*decoded).payload == encode(event).payload);
        CHECK(event_type_of(*decoded) == event_type_of(event));
    }
}

TEST_CASE("legacy v1 type names decode to the same events", "[codec]") {
    const auto changed = decode(envelope("user.phone.changed", R"({"phone":"+41710000000"})"));
    REQUIRE(changed);
    REQUIRE(std::holds_alternative<phone_changed>(*changed));
    CHECK(std::get<phone_changed>(*changed).phone.e164() == "+41710000000");
    for (const char* type : {"user.phone.verified", "user.phone.removed", "user.phone.verification.failed",
                             "user.phone.code.added", "user.phone.code.sent", "user.added"}) {
        INFO(type);
        CHECK(decode(envelope(type, "")).has_value());
    }
}

TEST_CASE("payloads stored as reordered JSONB still decode", "[codec]") {
    const auto added = decode(envelope("user.human.phone.code.added",
                                       R"({"expiry": 60000000000, "code": {"KeyID": "k", "Crypted": "YWJj", "Algorithm": "aes-256-gcm", "CryptoType": 0}})"));
    REQUIRE(added);
    const auto& e = std::get<phone_code_added>(*added);
    CHECK(e.code->crypted == "abc");
    CHECK(e.expiry == std::chrono::minutes(1));
}

TEST_CASE("malformed payloads give a decode error naming the event", "[codec]") {
    const auto message_of = [](const eventstore::stored_event& e) {
        try {
            (void)decode(e);
        } catch (const decode_error& error) {
            return std::string(error.what());
        }
        return std::string("no error");
    };
    const auto broken = message_of(envelope("user.human.phone.changed", "{not json"));
    CHECK_THAT(broken, Catch::Contains("user.human.phone.changed") && Catch::Contains("u1") &&
                           Catch::Contains("inst") && Catch::Contains("sequence 7"));
    CHECK_THAT(message_of(envelope("user.human.phone.changed", R"({"phone":5})")), Catch::Contains("'phone'"));
    CHECK_THAT(message_of(envelope("user.human.phone.code.added", R"({"code":{"Crypted":"!!"}})")),
               Catch::Contains("base64"));
    CHECK_THAT(message_of(envelope("user.human.phone.code.added", R"({"expiry":"1h"})")), Catch::Contains("expiry"));
    CHECK_THAT(message_of(envelope("user.human.avatar.added", "{}")), Catch::Contains("unknown event type"));
    CHECK_FALSE(decode(envelope("user.human.avatar.added", "{}"), unknown_event_policy::skip).has_value());
}

TEST_CASE("a code's ciphertext is strict standard base64 in the payload", "[codec]") {
    const auto crypted_of = [](const std::string& text) -> std::optional<std::string> {
        const auto payload = R"({"code":{"CryptoType":0,"Algorithm":"aes-256-gcm","KeyID":"k","Crypted":")" + text +
                             R"("},"expiry":300000000000})";
        try {
            const auto decoded = decode(envelope("user.human.phone.code.added", payload));
            return std::get<phone_code_added>(*decoded).code->crypted;
        } catch (const decode_error&) {
            return std::nullopt;
        }
    };
    // Go's encoding/json writes []byte as padded standard base64 (RFC 4648 section 4).
    CHECK(crypted_of("") == std::string());
    CHECK(crypted_of("Zg==") == std::string("f"));
    CHECK(crypted_of("Zm8=") == std::string("fo"));
    CHECK(crypted_of("Zm9v") == std::string("foo"));
    CHECK(crypted_of("+/8A") == std::string("\xFB\xFF\x00", 3));
    for (const char* bad : {"Zg", "Zg=", "Zg===", "Z===", "=Zg=", "Zg=a", "Zm 9v", " Zm9v", "Zm9v\n", "Zm9-", "Zm9_"}) {
        INFO(bad);
        CHECK_FALSE(crypted_of(bad).has_value());
    }
    // Encoding is the inverse: every byte value survives a round trip.
    std::string all_bytes;
    for (int b = 0; b < 256; ++b) all_bytes.push_back(static_cast<char>(b));
    phone_code_added added;
    added.code = encrypted_value{0, "aes-256-gcm", "k", all_bytes};
    const auto encoded = encode(user_event{added});
    CHECK(encoded.payload.find("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g") != std::string::npos);
    const auto back = decode(envelope("user.human.phone.code.added", encoded.payload));
    CHECK(std::get<phone_code_added>(*back).code->crypted == all_bytes);
}

TEST_CASE("the codec knows current and legacy names", "[codec]") {
    const auto known = known_event_types();
    CHECK(known.size() == 24);
    CHECK(std::find(known.begin(), known.end(), "user.human.email.verified") != known.end());
    CHECK(current_event_type("user.email.verified") == "user.human.email.verified");
    CHECK(std::find(known.begin(), known.end(), "user.phone.code.sent") != known.end());
    CHECK(std::find(known.begin(), known.end(), "user.human.phone.verification.failed") != known.end());
}

TEST_CASE("human.added's username, profile and email round-trip under ZITADEL's payload names", "[codec]") {
    const human_added added{phone_number::from_stored("+41711234567"), "minnie",
                            {"Minnie", "Mouse", "Min", "Minnie Mouse", "de-CH", 1}, "minnie@example.com"};
    const auto encoded = encode(added);
    CHECK(encoded.payload ==
          R"({"userName":"minnie","firstName":"Minnie","lastName":"Mouse","nickName":"Min","displayName":"Minnie Mouse",)"
          R"("preferredLanguage":"de-CH","gender":1,"email":"minnie@example.com","phone":"+41711234567"})");
    const auto back = std::get<human_added>(*decode(stored(added)));
    CHECK(back.phone.e164() == "+41711234567");
    CHECK(back.user_name == "minnie");
    CHECK(back.profile == added.profile);
    CHECK(back.email == "minnie@example.com");
    // human.selfregistered has the same payload.
    const auto registered = decode(envelope("user.human.selfregistered", encoded.payload));
    CHECK(std::get<human_registered>(*registered).profile == added.profile);
    CHECK(std::get<human_registered>(*registered).user_name == "minnie");
}

TEST_CASE("human.added payloads without the profile fields, and ZITADEL's with fields we do not model, decode",
          "[codec]") {
    const auto old = std::get<human_added>(*decode(envelope("user.human.added", R"({"phone":"+41710000000"})")));
    CHECK(old.phone.e164() == "+41710000000");
    CHECK(old.user_name.empty());
    CHECK(old.profile == human_profile{});
    CHECK(old.email.empty());
    const auto legacy = std::get<human_added>(*decode(envelope("user.added", "")));
    CHECK(legacy.user_name.empty());
    const auto zitadel = std::get<human_added>(*decode(envelope(
        "user.human.added",
        R"({"userName":"z","firstName":"Z","lastName":"Y","preferredLanguage":"und","gender":0,"email":"z@x.ch",)"
        R"("country":"CH","secret":{"CryptoType":1},"changeRequired":true})")));
    CHECK(zitadel.user_name == "z");
    CHECK(zitadel.profile.preferred_language == "und");
    CHECK(zitadel.email == "z@x.ch");
    // Any int32 gender decodes (protobuf enums are open), so no stored value can stop a projection.
    CHECK(std::get<human_added>(*decode(envelope("user.human.added", R"({"gender":-7})"))).profile.gender == -7);
    const auto machine = std::get<machine_added>(*decode(envelope("user.machine.added", "")));
    CHECK(machine.user_name.empty());
    CHECK(encode(machine_added{}).payload.empty());  // a machine without fields keeps its NULL payload
    CHECK(encode(email_verified{}).payload.empty());
    CHECK(std::holds_alternative<email_verified>(*decode(envelope("user.email.verified", ""))));
}

TEST_CASE("malformed profile fields give a decode error naming the field", "[codec]") {
    const auto message_of = [](const char* payload) {
        try {
            (void)decode(envelope("user.human.added", payload));
        } catch (const decode_error& error) {
            return std::string(error.what());
        }
        return std::string("no error");
    };
    CHECK_THAT(message_of(R"({"firstName":5})"), Catch::Contains("'firstName'"));
    CHECK_THAT(message_of(R"({"gender":"female"})"), Catch::Contains("'gender'"));
    CHECK_THAT(message_of(R"({"gender":4294967296})"), Catch::Contains("'gender'"));  // beyond Go's int32
    CHECK_THAT(message_of(R"({"gender":1e3})"), Catch::Contains("'gender'"));
}
