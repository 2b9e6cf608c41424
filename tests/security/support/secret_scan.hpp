// Where a secret appears. A test gathers every place an attacker or an operator could read (the store's files, each
// line the server wrote, each answer it gave) as named texts, then asks, for each secret it knows, which of them hold
// it, and compares that with the places the secret is meant to be (docs/security.md).
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "support/secure_server.hpp"

namespace security_test {

struct place {
    std::string name;  // "file users.db-wal", "stdout line 4", "answer #3 POST ... -> 200"
    std::string text;
};

// Every regular file under `directory`, read whole, except those named in `inputs` (the test's own token and key
// files, which hold the secrets by definition).
std::vector<place> files_under(const std::filesystem::path& directory, const std::set<std::string>& inputs);
// Every line of the server's standard output and standard error, and every answer the test received.
std::vector<place> lines_and_answers(secure_server& server);

// The names of the places that hold `needle`, in order.
std::vector<std::string> places_holding(const std::vector<place>& places, std::string_view needle);

// Ways a secret could be written other than as it is: standard base64 and lowercase hex of its bytes.
std::string base64_of(std::string_view bytes);
std::string hex_of(std::string_view bytes);

}  // namespace security_test
