// The key ring file's loader (`user::load_key_ring_text`, the part of load_key_ring after the file is read; see
// include/userstream/user/key_ring_file.hpp) on any text, into a ring that already holds an active key. Properties:
// - it throws nothing but std::invalid_argument, whose message starts with "key ring file <path>: ";
// - a refused file leaves the ring as it was: the earlier key still active and still decrypting;
// - an error never depends on key material: the same input with every `keys[i].key` string replaced one-to-one (a key
//   that decodes to 32 bytes by other base64 of 32 bytes, any other string by other text that is not base64) is
//   accepted or refused alike, with the same message; in particular no key string of 8 bytes or more appears in the
//   message unless it appears there for the changed input too (as part of a key id, say). Text that is not JSON is
//   changed in the letters and digits of every string literal instead (secret_text.hpp);
// - an accepted ring activates the file's `active` key, decrypts what it encrypts under it, and holds each listed key
//   as the file gives it: it decrypts a value encrypted by a ring of that one key.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "detail/base64.hpp"
#include "fuzz_check.hpp"
#include "secret_text.hpp"
#include "userstream/user/key_ring_file.hpp"

using namespace userstream::user;
using userstream::fuzz::check;
using json = nlohmann::json;

namespace {

const std::filesystem::path file_name = "fuzz/keys.json";
const secret_binding binding{"default", "u1", "user.human.phone.code.added"};
// The key the ring holds before loading: 32 bytes of 'p'.
const std::string earlier_key(key_ring::key_size, 'p');

std::span<const unsigned char> bytes_of(std::string_view text) {
    return {reinterpret_cast<const unsigned char*>(text.data()), text.size()};
}

// Loads `text` into a ring holding the earlier key, active as "earlier"; the error message, or empty when accepted.
// Any exception but std::invalid_argument escapes, and libFuzzer and the replay driver report it as a crash.
std::string load(key_ring& keys, std::string_view text) {
    keys.add_key("earlier", bytes_of(earlier_key));
    keys.activate("earlier");
    const auto before = keys.encrypt("123456", binding);
    try {
        load_key_ring_text(keys, text, file_name);
    } catch (const std::invalid_argument& e) {
        const std::string what = e.what();
        check(std::string_view(what).starts_with("key ring file fuzz/keys.json: "), "a key-ring error without its prefix");
        check(what.size() > std::string_view("key ring file fuzz/keys.json: ").size(), "a key-ring error says nothing");
        check(keys.active_key_id() == "earlier", "a refused key ring file changed the active key");
        check(keys.decrypt(before, binding) == "123456", "a refused key ring file changed a key");
        return what;
    }
    return {};
}

std::string load(std::string_view text) {
    key_ring keys;
    return load(keys, text);
}

std::optional<std::string> decoded_key(std::string_view text) {
    auto decoded = detail::base64_decode(text);
    if (!decoded || decoded->size() != key_ring::key_size) return std::nullopt;
    return decoded;
}

// Every key string replaced one-to-one: a usable key by another usable key, anything else by text that is not base64
// (a '!' is in no base64 alphabet).
json with_keys_replaced(const json& document) {
    return userstream::fuzz::with_secrets_replaced(document, "keys", "key", [](const std::string& key, std::size_t n) {
        if (!decoded_key(key)) return "!replaced-" + std::to_string(n);
        std::string bytes(key_ring::key_size, '\0');
        for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((n * 31 + i * 7 + 1) & 0xff);
        return detail::base64_encode(bytes);
    });
}

// The same input with only its keys changed is answered alike (secret_text.hpp); an empty error means accepted.
void check_secrets_kept(const std::string& original, const std::string& changed,
                        const std::vector<std::string>& secrets) {
    userstream::fuzz::check_secrets_kept(original.empty(), original, changed.empty(), changed, secrets, "key-ring",
                                         "key");
}

void check_accepted(const key_ring& keys, const json& document) {
    const auto& active = document["active"].get_ref<const std::string&>();
    check(keys.active_key_id() == active, "the accepted ring's active key is not the file's");
    const auto sealed = keys.encrypt("654321", binding);
    check(sealed.key_id == active, "the accepted ring encrypts under another key");
    check(keys.decrypt(sealed, binding) == "654321", "the accepted ring does not decrypt what it encrypts");
    // The last entry of an id is the one kept only if ids were unique, which the loader requires.
    for (const auto& entry : document["keys"]) {
        const auto& id = entry["id"].get_ref<const std::string&>();
        const auto key = decoded_key(entry["key"].get_ref<const std::string&>());
        check(key.has_value(), "a key that is not base64 of 32 bytes was accepted");
        key_ring reference;
        reference.add_key(id, bytes_of(*key));
        reference.activate(id);
        check(keys.decrypt(reference.encrypt("111111", binding), binding) == "111111",
              "the accepted ring holds another key than the file under an id");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    key_ring keys;
    const auto original = load(keys, text);
    const auto document = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded()) {
        check(!original.empty(), "text that is not JSON was accepted");
        check_secrets_kept(original, load(userstream::fuzz::mask_string_literals(text)),
                           userstream::fuzz::literal_secrets(text));
        return 0;
    }
    const auto secrets = userstream::fuzz::secrets_of(document, "keys", "key");
    if (!secrets.empty()) check_secrets_kept(original, load(with_keys_replaced(document).dump()), secrets);
    if (original.empty()) check_accepted(keys, document);
    return 0;
}
