#include "key_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace scenario {

namespace {

using key_bytes = std::array<unsigned char, userstream::user::key_ring::key_size>;

// Closes the descriptor on every path out.
struct descriptor {
    int fd;
    ~descriptor() {
        if (fd >= 0) ::close(fd);
    }
};

// Reads the key from an open file that must hold exactly key_size bytes.
void read_key(const descriptor& file, const std::filesystem::path& path, key_bytes& key) {
    struct stat info {};
    if (::fstat(file.fd, &info) != 0) {
        throw key_file_error(fmt::format("cannot read key file {}: {}", path.string(), std::strerror(errno)));
    }
    if (!S_ISREG(info.st_mode) || info.st_size != static_cast<off_t>(key.size())) {
        throw key_file_error(fmt::format(
            "key file {} has {} bytes, but a key file holds exactly {} bytes: it is damaged or not a key file; "
            "restore it, or remove it together with the store whose codes it encrypts",
            path.string(), S_ISREG(info.st_mode) ? static_cast<long long>(info.st_size) : 0LL, key.size()));
    }
    std::size_t got = 0;
    while (got < key.size()) {
        const auto n = ::read(file.fd, key.data() + got, key.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw key_file_error(fmt::format("cannot read key file {}", path.string()));
        got += static_cast<std::size_t>(n);
    }
}

// Creates the file with a fresh key; fails rather than overwrite one that appeared meanwhile.
void create_key(const std::filesystem::path& path, key_bytes& key) {
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
        throw key_file_error("no randomness for a new key");
    }
    const descriptor file{::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
    if (file.fd < 0 || ::write(file.fd, key.data(), key.size()) != static_cast<ssize_t>(key.size()) ||
        ::fsync(file.fd) != 0) {
        throw key_file_error(fmt::format("cannot write key file {}", path.string()));
    }
}

}  // namespace

void use_key_file(userstream::user::key_ring& keys, const std::filesystem::path& path) {
    key_bytes key{};
    try {
        const descriptor file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
        if (file.fd >= 0) {
            read_key(file, path, key);
        } else if (errno == ENOENT) {
            create_key(path, key);
        } else {
            throw key_file_error(fmt::format("cannot open key file {}: {}", path.string(), std::strerror(errno)));
        }
        keys.add_key("scenario-file-key", key);
        keys.activate("scenario-file-key");
    } catch (...) {
        OPENSSL_cleanse(key.data(), key.size());
        throw;
    }
    OPENSSL_cleanse(key.data(), key.size());
}

}  // namespace scenario
