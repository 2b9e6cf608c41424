// Buffers that held secrets (key ring and token files: the file text, the parsed JSON) wiped before their memory is
// given back, so a later allocation or a core dump does not find them. Header-only; the library including it links
// OpenSSL::Crypto and nlohmann_json.
#pragma once

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace userstream::detail {

// Wipes a string's bytes when it goes out of scope. Reserve its capacity before filling it: a reallocation leaves the
// old buffer unwiped.
struct wiped_string {
    std::string text;
    ~wiped_string() { OPENSSL_cleanse(text.data(), text.size()); }
};

// Wipes every string in a parsed document (object keys are left: they are the file's field names). With a stack of
// its own, not by recursion: a file of a megabyte nests half a million levels deep, more calls than a thread's stack
// holds.
inline void wipe_strings(nlohmann::json& document) {
    std::vector<nlohmann::json*> pending{&document};
    while (!pending.empty()) {
        auto& value = *pending.back();
        pending.pop_back();
        if (value.is_string()) {
            auto& text = value.get_ref<std::string&>();
            OPENSSL_cleanse(text.data(), text.size());
        } else if (value.is_structured()) {
            for (auto& item : value) pending.push_back(&item);
        }
    }
}

// A parsed document whose strings are wiped when it goes out of scope.
struct wiped_json {
    nlohmann::json value;
    ~wiped_json() { wipe_strings(value); }
};

}  // namespace userstream::detail
