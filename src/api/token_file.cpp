// The token file: parsing, digest lookup in constant time, and the permissions it grants. The buffers that held
// tokens in plain text (the file text, the parsed JSON) are wiped once the digests are taken.
#include <algorithm>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "userstream/api/authenticator.hpp"
#include "wiped_text.hpp"

namespace userstream::api {

namespace {
using json = nlohmann::json;

[[noreturn]] void malformed(const std::string& what) {
    throw std::invalid_argument("token file: " + what);
}

// SHA-256 fetched from OpenSSL's provider once: with EVP_sha256(), EVP_Digest looks the implementation up by name on
// every call (about 2,300 of a token check's 8,200 instructions).
const EVP_MD* sha256_implementation() {
    static EVP_MD* const fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
}

std::array<std::uint8_t, 32> sha256(std::string_view text) {
    std::array<std::uint8_t, 32> out{};
    unsigned int length = 0;
    if (EVP_Digest(text.data(), text.size(), out.data(), &length, sha256_implementation(), nullptr) != 1 ||
        length != out.size()) {
        throw std::runtime_error("token file: SHA-256 failed");
    }
    return out;
}

std::string required_string(const json& object, const char* field, std::size_t index) {
    const auto it = object.find(field);
    if (it == object.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
        malformed("tokens[" + std::to_string(index) + "]." + field + " must be a non-empty string");
    }
    return it->get<std::string>();
}
}  // namespace

token_file token_file::parse(std::string_view json_text) {
    // Without exceptions: the parser's messages could quote a token, and it reports some malformed input (a number
    // too large for a double) as out_of_range rather than parse_error.
    const detail::wiped_json parsed{json::parse(json_text, nullptr, /*allow_exceptions=*/false)};
    const json& document = parsed.value;
    if (document.is_discarded()) malformed("not valid JSON");
    const auto tokens = document.is_object() ? document.find("tokens") : document.end();
    if (tokens == document.end() || !tokens->is_array()) {
        malformed("expected an object with a \"tokens\" array");
    }
    token_file out;
    std::map<std::string, std::string, std::less<>> org_of_user;
    std::size_t index = 0;
    for (const auto& item : *tokens) {
        if (!item.is_object()) malformed("tokens[" + std::to_string(index) + "] must be an object");
        const detail::wiped_string token{required_string(item, "token", index)};
        user::caller who{required_string(item, "userId", index), required_string(item, "orgId", index)};

        std::map<std::string, std::set<std::string, std::less<>>, std::less<>> granted;
        if (const auto it = item.find("permissions"); it != item.end()) {
            if (!it->is_object()) malformed("tokens[" + std::to_string(index) + "].permissions must be an object");
            for (const auto& [org, list] : it->items()) {
                if (org.empty() || !list.is_array()) {
                    malformed("tokens[" + std::to_string(index) + "].permissions maps organisation ids to arrays");
                }
                auto& set = granted[org];
                for (const auto& permission : list) {
                    if (!permission.is_string()) {
                        malformed("tokens[" + std::to_string(index) + "].permissions holds a non-string");
                    }
                    set.insert(permission.get<std::string>());
                }
            }
        }

        const auto digest = sha256(token.text);
        for (const auto& existing : out.entries_) {
            if (existing.token_digest == digest) malformed("tokens[" + std::to_string(index) + "] repeats a token");
        }
        if (const auto known = org_of_user.find(who.user_id); known != org_of_user.end()) {
            if (known->second != who.org_id || out.permissions_[who.user_id] != granted) {
                malformed("user " + who.user_id + " has tokens with different organisations or permissions");
            }
        } else {
            org_of_user.emplace(who.user_id, who.org_id);
            out.permissions_[who.user_id] = std::move(granted);
        }
        out.entries_.push_back({digest, std::move(who)});
        ++index;
    }
    return out;
}

token_file token_file::load(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::invalid_argument("token file: cannot read " + path.string());
    std::error_code ignored;
    const auto expected = std::filesystem::file_size(path, ignored);
    detail::wiped_string text;
    // Room for the whole file up front (and one byte more, to see a file beyond the limit), so the buffer is never
    // moved while it holds tokens: a moved-from buffer would be freed unwiped.
    text.text.reserve(std::min<std::uintmax_t>(ignored ? 0 : expected, max_file_bytes) + 1);
    char chunk[4096];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
        if (text.text.size() + static_cast<std::size_t>(in.gcount()) > max_file_bytes) {
            OPENSSL_cleanse(chunk, sizeof chunk);
            malformed("larger than " + std::to_string(max_file_bytes >> 20) + " MiB: not a token file");
        }
        text.text.append(chunk, static_cast<std::size_t>(in.gcount()));
    }
    OPENSSL_cleanse(chunk, sizeof chunk);
    if (in.bad()) throw std::invalid_argument("token file: cannot read " + path.string());
    return parse(text.text);
}

std::optional<user::caller> token_file::authenticate(std::string_view bearer_token) const {
    // Every entry is compared, whatever matched, so the time taken depends only on the number of tokens.
    const auto presented = sha256(bearer_token);
    const entry* match = nullptr;
    for (const auto& e : entries_) {
        const bool equal = CRYPTO_memcmp(e.token_digest.data(), presented.data(), presented.size()) == 0;
        if (equal) match = &e;
    }
    if (match == nullptr) return std::nullopt;
    return match->who;
}

bool token_file::has_permission(const user::caller& who, std::string_view permission, std::string_view org_id) const {
    const auto user = permissions_.find(who.user_id);
    if (user == permissions_.end()) return false;
    const auto holds = [&](std::string_view org) {
        const auto found = user->second.find(org);
        return found != user->second.end() && found->second.contains(permission);
    };
    return holds(org_id) || holds(any_org);
}

}  // namespace userstream::api
