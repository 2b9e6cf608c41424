#include "userstream/testing/error_checks.hpp"

namespace userstream::testing {

namespace {

std::string describe(error_kind kind, std::string_view id, std::string_view key) {
    return std::string(id) + " " + std::string(key) + " (" + std::string(to_string(kind)) + ")";
}

}  // namespace

check_result check_error(const error& found, const error_code& expected) {
    if (found.is(expected)) return check_result::passed();
    return check_result::failed("expected the error " + describe(expected.kind, expected.id, expected.key) +
                                ", got " + describe(found.kind, found.id, found.key) + ": " + found.message);
}

}  // namespace userstream::testing
