// The token file parser (`api::token_file::parse`, include/userstream/api/authenticator.hpp) on any text. Properties:
// - it throws nothing but std::invalid_argument, whose message starts with "token file: ";
// - an error never depends on a token: the same input with every `tokens[i].token` string replaced (one-to-one, the
//   empty string kept empty, so repeats and emptiness stay as they were) is accepted or refused alike, with the same
//   message; in particular no token of 8 bytes or more appears in the message unless it appears there for the changed
//   input too (as part of a user id, say). Text that is not JSON is changed in the letters and digits of every string
//   literal instead (secret_text.hpp);
// - an accepted file holds exactly its tokens: each authenticates as its userId and orgId and holds each permission it
//   lists, a token not in the file (and the empty token) authenticates as nobody, and size() counts the tokens.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz_check.hpp"
#include "secret_text.hpp"
#include "userstream/api/authenticator.hpp"

using userstream::api::token_file;
using userstream::fuzz::check;
using json = nlohmann::json;

namespace {

// The parse's outcome: the file, or the message of the std::invalid_argument it threw. Any other exception escapes,
// and libFuzzer and the replay driver report it as a crash.
struct outcome {
    std::optional<token_file> file;
    std::string error;
};

outcome parse(std::string_view text) {
    try {
        return {token_file::parse(text), {}};
    } catch (const std::invalid_argument& e) {
        const std::string what = e.what();
        check(std::string_view(what).starts_with("token file: "), "a token-file error without its prefix");
        return {std::nullopt, what};
    }
}

// Every token replaced one-to-one by a string no token shares; "" stays "".
json with_tokens_replaced(const json& document) {
    return userstream::fuzz::with_secrets_replaced(document, "tokens", "token", [](const std::string& token, std::size_t n) {
        return token.empty() ? std::string() : "\x01replaced-" + std::to_string(n);
    });
}

// The same input with only its secrets changed is answered alike (secret_text.hpp).
void check_secrets_kept(const outcome& original, const outcome& changed, const std::vector<std::string>& secrets) {
    userstream::fuzz::check_secrets_kept(original.file.has_value(), original.error, changed.file.has_value(),
                                         changed.error, secrets, "token-file", "token");
}

void check_accepted(const token_file& file, const json& document) {
    std::size_t count = 0;
    std::string unknown = "#";
    for (const auto& item : document["tokens"]) {
        ++count;
        const auto& token = item["token"].get_ref<const std::string&>();
        unknown += token;
        const auto who = file.authenticate(token);
        check(who.has_value(), "a listed token does not authenticate");
        check(who->user_id == item["userId"] && who->org_id == item["orgId"],
              "a listed token authenticates as another caller");
        if (const auto permissions = item.find("permissions"); permissions != item.end()) {
            for (const auto& [org, list] : permissions->items()) {
                for (const auto& permission : list) {
                    check(file.has_permission(*who, permission.get_ref<const std::string&>(), org),
                          "a listed permission is not held");
                }
            }
        }
    }
    check(file.size() == count, "size() is not the number of tokens");
    // Longer than every token, so in none of them.
    check(!file.authenticate(unknown).has_value(), "a token not in the file authenticates");
    check(!file.authenticate("").has_value(), "the empty token authenticates");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto original = parse(text);
    const auto document = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded()) {
        check(!original.file.has_value(), "text that is not JSON was accepted");
        check_secrets_kept(original, parse(userstream::fuzz::mask_string_literals(text)),
                           userstream::fuzz::literal_secrets(text));
        return 0;
    }
    const auto tokens = userstream::fuzz::secrets_of(document, "tokens", "token");
    if (!tokens.empty()) check_secrets_kept(original, parse(with_tokens_replaced(document).dump()), tokens);
    if (original.file) check_accepted(*original.file, document);
    return 0;
}
