#include "dev_mode.hpp"

#include <openssl/rand.h>

#include <array>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "userstream/user/key_ring_file.hpp"

namespace server {

dev_admin make_dev_admin() {
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw std::runtime_error("no randomness for the dev admin token");
    }
    static constexpr char digits[] = "0123456789abcdef";
    std::string token;
    for (const unsigned char b : bytes) {
        token += digits[b >> 4];
        token += digits[b & 15];
    }
    const nlohmann::json file = {
        {"tokens", nlohmann::json::array({{{"token", token},
                                           {"userId", "dev-admin"},
                                           {"orgId", "dev"},
                                           {"permissions", {{"*", nlohmann::json::array({"user.read", "user.write"})}}}}})}};
    return {token, userstream::api::token_file::parse(file.dump())};
}

std::optional<std::filesystem::path> dev_key_ring_path(const userstream::backends::store_location& store) {
    using backend = userstream::backends::store_location::backend;
    switch (store.kind) {
        case backend::sqlite:
            if (store.sqlite_path == ":memory:") return std::nullopt;
            return std::filesystem::path(store.sqlite_path + ".keys.json");
        case backend::postgres:
            return std::filesystem::path("userstream-keys.json");
        case backend::memory:
            break;
    }
    return std::nullopt;
}

void load_dev_key_ring(userstream::user::key_ring& keys, const std::optional<std::filesystem::path>& path) {
    if (!path) {
        keys.add_random_key("dev");
        keys.activate("dev");
        return;
    }
    if (!std::filesystem::exists(*path)) {
        try {
            userstream::user::write_new_key_ring(*path, "dev");
        } catch (const std::invalid_argument&) {
            // Another process created it meanwhile: use theirs. Anything else shows when loading below.
            if (!std::filesystem::exists(*path)) throw;
        }
    }
    userstream::user::load_key_ring(keys, *path);
}

}  // namespace server
