// Base64 through OpenSSL, which the library links for its crypto anyway. EVP_DecodeBlock is lenient (it skips
// surrounding white space and decodes padding as zero bytes), so the text is checked first: only the standard
// alphabet, a length that is a multiple of four, and at most two '=' at the very end.
#include "detail/base64.hpp"

#include <openssl/evp.h>

#include <climits>
#include <stdexcept>

namespace userstream::user::detail {

namespace {
bool is_alphabet(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}
}  // namespace

std::string base64_encode(std::string_view bytes) {
    if (bytes.size() > INT_MAX / 4 * 3) throw std::length_error("base64_encode: input too large");
    std::string out((bytes.size() + 2) / 3 * 4 + 1, '\0');  // EVP_EncodeBlock writes a terminating NUL
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                        reinterpret_cast<const unsigned char*>(bytes.data()),
                                        static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(written));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0 || text.size() > INT_MAX) return std::nullopt;
    std::size_t padding = 0;
    while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
    for (std::size_t i = 0; i + padding < text.size(); ++i) {
        if (!is_alphabet(text[i])) return std::nullopt;
    }
    if (text.empty()) return std::string();
    std::string out(text.size() / 4 * 3, '\0');
    const int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                        reinterpret_cast<const unsigned char*>(text.data()),
                                        static_cast<int>(text.size()));
    if (written < 0 || static_cast<std::size_t>(written) != out.size()) return std::nullopt;
    out.resize(out.size() - padding);  // EVP_DecodeBlock counts the padding as decoded zero bytes
    return out;
}

}  // namespace userstream::user::detail
