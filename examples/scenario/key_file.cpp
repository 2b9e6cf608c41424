#include "key_file.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <array>
#include <stdexcept>

namespace scenario {

void use_key_file(userstream::user::key_ring& keys, const std::filesystem::path& path) {
    std::array<unsigned char, userstream::user::key_ring::key_size> key{};
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        const auto got = ::read(fd, key.data(), key.size());
        ::close(fd);
        if (got != static_cast<ssize_t>(key.size())) throw std::runtime_error("key file " + path.string() + " is damaged");
    } else {
        if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) throw std::runtime_error("no randomness");
        fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 || ::write(fd, key.data(), key.size()) != static_cast<ssize_t>(key.size()) || ::fsync(fd) != 0) {
            if (fd >= 0) ::close(fd);
            throw std::runtime_error("cannot write key file " + path.string());
        }
        ::close(fd);
    }
    keys.add_key("scenario-file-key", key);
    keys.activate("scenario-file-key");
    OPENSSL_cleanse(key.data(), key.size());
}

}  // namespace scenario
