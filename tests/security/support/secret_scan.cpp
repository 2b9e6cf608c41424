#include "support/secret_scan.hpp"

#include <fstream>
#include <iterator>

#include <openssl/evp.h>

namespace security_test {

std::vector<place> files_under(const std::filesystem::path& directory, const std::set<std::string>& inputs) {
    std::vector<place> out;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(directory)) {
        if (!entry.is_regular_file() || inputs.contains(entry.path().filename().string())) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        out.push_back({"file " + std::filesystem::relative(entry.path(), directory).string(), std::move(bytes)});
    }
    return out;
}

std::vector<place> lines_and_answers(secure_server& server) {
    std::vector<place> out;
    const auto out_lines = server.process().stdout_lines();
    for (std::size_t i = 0; i < out_lines.size(); ++i) out.push_back({"stdout line " + std::to_string(i), out_lines[i]});
    const auto err_lines = server.process().stderr_lines();
    for (std::size_t i = 0; i < err_lines.size(); ++i) out.push_back({"stderr line " + std::to_string(i), err_lines[i]});
    for (const auto& answer : server.answers()) out.push_back({"answer " + answer.label, answer.text()});
    return out;
}

std::vector<std::string> places_holding(const std::vector<place>& places, std::string_view needle) {
    std::vector<std::string> out;
    if (needle.empty()) return out;
    for (const auto& p : places) {
        if (p.text.find(needle) != std::string::npos) out.push_back(p.name);
    }
    return out;
}

std::string base64_of(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string hex_of(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (const unsigned char b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

}  // namespace security_test
