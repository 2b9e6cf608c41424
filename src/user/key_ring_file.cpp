// The key ring file: parsed completely and checked before any key reaches the ring, so a bad file changes nothing.
// Every buffer that held key material (the file text, the parsed JSON strings, the decoded bytes) is wiped.
#include "userstream/user/key_ring_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "detail/base64.hpp"
#include "wiped_text.hpp"

namespace userstream::user {

namespace {

using userstream::detail::wiped_json;
using userstream::detail::wiped_string;

constexpr std::size_t max_file_size = 1 << 20;  // a ring of thousands of keys; anything larger is not a key file

using key_bytes = std::array<unsigned char, key_ring::key_size>;

struct descriptor {
    int fd;
    ~descriptor() {
        if (fd >= 0) ::close(fd);
    }
};

struct loaded_key {
    std::string id;
    key_bytes key{};
    ~loaded_key() { OPENSSL_cleanse(key.data(), key.size()); }
};

[[noreturn]] void refuse(const std::filesystem::path& path, std::string_view what) {
    throw std::invalid_argument(fmt::format("key ring file {}: {}", path.string(), what));
}

void read_file(const std::filesystem::path& path, std::string& out) {
    const descriptor file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (file.fd < 0) refuse(path, fmt::format("cannot open: {}", std::strerror(errno)));
    struct stat info {};
    if (::fstat(file.fd, &info) != 0) refuse(path, fmt::format("cannot read: {}", std::strerror(errno)));
    if (!S_ISREG(info.st_mode)) refuse(path, "not a regular file");
    // Checked on the open descriptor, so the file read is the file checked.
    if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        refuse(path, fmt::format("mode {:04o} lets group or others access it; it must be 0600 (chmod 600)",
                                 info.st_mode & 07777));
    }
    if (static_cast<std::size_t>(info.st_size) > max_file_size) refuse(path, "larger than 1 MiB: not a key ring file");
    out.resize(static_cast<std::size_t>(info.st_size));
    std::size_t got = 0;
    while (got < out.size()) {
        const auto n = ::read(file.fd, out.data() + got, out.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) refuse(path, "cannot read it whole");
        got += static_cast<std::size_t>(n);
    }
}

std::vector<loaded_key> parse_keys(const std::filesystem::path& path, const nlohmann::json& document,
                                   std::string& active) {
    if (!document.is_object()) refuse(path, "not a JSON object");
    const auto active_field = document.find("active");
    if (active_field == document.end() || !active_field->is_string() || active_field->get_ref<const std::string&>().empty()) {
        refuse(path, "\"active\" is missing or not a non-empty string");
    }
    active = active_field->get<std::string>();
    const auto list = document.find("keys");
    if (list == document.end() || !list->is_array() || list->empty()) refuse(path, "\"keys\" is missing or not a non-empty array");

    std::vector<loaded_key> out;
    out.reserve(list->size());
    std::set<std::string, std::less<>> seen;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const auto& entry = (*list)[i];
        const auto id = entry.is_object() ? entry.find("id") : entry.end();
        if (!entry.is_object() || id == entry.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
            refuse(path, fmt::format("key {} has no \"id\" (a non-empty string)", i + 1));
        }
        const auto& name = id->get_ref<const std::string&>();
        if (!seen.insert(name).second) refuse(path, fmt::format("key id \"{}\" is listed twice", name));
        const auto key = entry.find("key");
        if (key == entry.end() || !key->is_string()) refuse(path, fmt::format("key \"{}\" has no \"key\" string", name));
        const wiped_string decoded{detail::base64_decode(key->get_ref<const std::string&>()).value_or(std::string())};
        if (decoded.text.size() != key_ring::key_size) {
            refuse(path, fmt::format("key \"{}\" is not standard base64 of exactly {} bytes", name, key_ring::key_size));
        }
        auto& loaded = out.emplace_back();
        loaded.id = name;
        std::memcpy(loaded.key.data(), decoded.text.data(), loaded.key.size());
    }
    if (!seen.contains(active)) refuse(path, fmt::format("\"active\" names key \"{}\", which is not listed", active));
    return out;
}

}  // namespace

void load_key_ring(key_ring& keys, const std::filesystem::path& path) {
    wiped_string text;
    read_file(path, text.text);
    load_key_ring_text(keys, text.text, path);
}

void load_key_ring_text(key_ring& keys, std::string_view json_text, const std::filesystem::path& path) {
    wiped_json document{nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false)};
    if (document.value.is_discarded()) refuse(path, "not valid JSON");
    std::string active;
    const auto loaded = parse_keys(path, document.value, active);
    for (const auto& entry : loaded) keys.add_key(entry.id, entry.key);
    keys.activate(active);
}

void write_new_key_ring(const std::filesystem::path& path, std::string_view key_id) {
    if (key_id.empty()) throw std::invalid_argument("write_new_key_ring: the key id is empty");
    key_bytes key{};
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
        throw std::invalid_argument("write_new_key_ring: no randomness for a new key");
    }
    wiped_string encoded{detail::base64_encode(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()))};
    OPENSSL_cleanse(key.data(), key.size());
    wiped_json document;
    document.value["active"] = key_id;
    document.value["keys"] = nlohmann::json::array({nlohmann::json{{"id", key_id}, {"key", encoded.text}}});
    const wiped_string text{document.value.dump() + "\n"};

    // Written whole to a private temporary file beside the target, then linked to its name: link() fails when the
    // name exists, so the file appears complete or not at all, and an existing ring is never replaced.
    if (std::filesystem::exists(path)) refuse(path, "already exists; a key ring file is never overwritten");
    std::string temporary = path.string() + ".XXXXXX";
    const descriptor file{::mkstemp(temporary.data())};  // mode 0600, O_EXCL
    if (file.fd < 0) refuse(path, fmt::format("cannot create a file beside it: {}", std::strerror(errno)));
    bool ok = ::fchmod(file.fd, 0600) == 0;
    std::size_t written = 0;
    while (ok && written < text.text.size()) {
        const auto n = ::write(file.fd, text.text.data() + written, text.text.size() - written);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) written += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(file.fd) == 0;
    const int write_error = errno;
    const bool linked = ok && ::link(temporary.c_str(), path.c_str()) == 0;
    const int link_error = errno;
    ::unlink(temporary.c_str());
    if (!ok) refuse(path, fmt::format("cannot write: {}", std::strerror(write_error)));
    if (!linked) {
        refuse(path, link_error == EEXIST ? std::string("already exists; a key ring file is never overwritten")
                                          : fmt::format("cannot create: {}", std::strerror(link_error)));
    }
    // The new name is durable once its directory is.
    const auto directory = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    const descriptor parent{::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (parent.fd >= 0) ::fsync(parent.fd);
}

}  // namespace userstream::user
