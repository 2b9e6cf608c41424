// docs/errors.md lists every error the API layer adds, with its id, key and kind.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "userstream/api/errors.hpp"

TEST_CASE("docs/errors.md lists every API error with its id, key and kind", "[errors][docs]") {
    std::ifstream in(USERSTREAM_SOURCE_DIR "/docs/errors.md");
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    for (const auto& code : userstream::api::errors::all) {
        INFO(code.id);
        CHECK(text.str().find("| `" + std::string(code.id) + "` | `" + std::string(code.key) + "` | " +
                              std::string(userstream::to_string(code.kind)) + " |") != std::string::npos);
    }
}
