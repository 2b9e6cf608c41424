// The error catalogue: kinds map to ZITADEL's gRPC codes and HTTP statuses, and docs/errors.md lists every error.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "userstream/eventstore/errors.hpp"
#include "userstream/projections/errors.hpp"
#include "userstream/user/errors.hpp"

using namespace userstream;

TEST_CASE("error kinds map to gRPC codes and HTTP statuses as grpc-gateway does", "[errors]") {
    CHECK(http_status(error_kind::failed_precondition) == 400);  // not 412
    CHECK(grpc_code(error_kind::failed_precondition) == 9);
    CHECK(http_status(error_kind::not_found) == 404);
    CHECK(http_status(error_kind::permission_denied) == 403);
    CHECK(http_status(error_kind::unauthenticated) == 401);
    CHECK(http_status(error_kind::invalid_argument) == 400);
    CHECK(grpc_code(error_kind::conflict) == 10);
    CHECK(http_status(error_kind::conflict) == 409);
    CHECK(to_string(error_kind::failed_precondition) == "FailedPrecondition");
    CHECK(is_retryable(error_kind::conflict));
    CHECK_FALSE(is_retryable(error_kind::invalid_argument));
    // A store that is down or lost the connection mid-commit (defect 8.1): UNAVAILABLE and UNKNOWN, both retryable.
    CHECK(to_string(error_kind::unavailable) == "Unavailable");
    CHECK(grpc_code(error_kind::unavailable) == 14);
    CHECK(http_status(error_kind::unavailable) == 503);
    CHECK(is_retryable(error_kind::unavailable));
    CHECK(to_string(error_kind::unknown) == "Unknown");
    CHECK(grpc_code(error_kind::unknown) == 2);
    CHECK(http_status(error_kind::unknown) == 500);
    CHECK(is_retryable(error_kind::unknown));
}

TEST_CASE("docs/errors.md lists every error with its id, key and kind", "[errors][docs]") {
    std::ifstream in(USERSTREAM_SOURCE_DIR "/docs/errors.md");
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    const std::string doc = text.str();
    std::set<std::pair<std::string_view, error_kind>> seen;
    std::vector<error_code> catalogue(std::begin(user::errors::all), std::end(user::errors::all));
    catalogue.insert(catalogue.end(), std::begin(projections::errors::all), std::end(projections::errors::all));
    catalogue.insert(catalogue.end(), std::begin(eventstore::errors::all), std::end(eventstore::errors::all));
    for (const auto& code : catalogue) {
        INFO(code.id);
        CHECK(seen.emplace(code.id, code.kind).second);  // an id is unique per kind
        const auto row = doc.find("| `" + std::string(code.id) + "` | `" + std::string(code.key) + "` | " +
                                  std::string(to_string(code.kind)) + " |");
        CHECK(row != std::string::npos);
    }
}
