// Checks shared by the backend-specific tests: that a bad stored row surfaces as a decode_error naming its row.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "userstream/core/error.hpp"

namespace userstream::testing {

// The message of the decode_error `read` throws ("no decode_error" otherwise).
template <class Read>
std::string decode_failure(Read&& read) {
    try {
        read();
    } catch (const userstream::decode_error& e) {
        return e.what();
    } catch (...) {
        return "another exception";
    }
    return "no decode_error";
}

// Catch2 v2 combined matchers hold references to their parts, so this builds a matcher that owns them.
class names_the_row : public Catch::MatcherBase<std::string> {
public:
    bool match(const std::string& text) const override {
        return text.find("'i1'") != std::string::npos && text.find("user 'bad'") != std::string::npos &&
               text.find("sequence 1") != std::string::npos;
    }
    std::string describe() const override { return "names instance 'i1', aggregate user 'bad' and sequence 1"; }
};

}  // namespace userstream::testing
