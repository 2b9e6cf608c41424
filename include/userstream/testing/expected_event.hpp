// userstream/testing/expected_event.hpp
//
// Expected events, and how they are matched against stored ones: by type name, and by the payload fields the test
// names, in a JSON subset. Fields the test does not name are not compared, so ciphertexts (a code's `Crypted`
// bytes, new for every encryption), creation dates, positions, sequences and creators never make a test brittle.
//
//     match_events(stored, {
//         {"user.human.phone.changed", R"({"phone":"+41710000000"})"},
//         {"user.human.phone.code.added", R"({"code":{"KeyID":"key-1","Crypted":"<any>"},"code_returned":null})"},
//     });
//
// In an expected payload:
// * a field with a value must be in the stored payload with an equal value (objects are matched as subsets again,
//   field by field; arrays, strings and numbers must be equal);
// * a field whose value is the string "<any>" (`any_value`) must be present, with any value;
// * a field whose value is `null` must be absent (ZITADEL's payloads omit empty fields) or null.
// An expected payload of "" or "{}" matches any payload. Stored events must match in number and order.
//
// For tests only (userstream::testing).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "userstream/eventstore/stored_event.hpp"
#include "userstream/testing/check_result.hpp"

namespace userstream::testing {

// In an expected payload, the value of a field that must be present with any value.
inline constexpr std::string_view any_value = "<any>";

struct expected_event {
    // Implicit, so that a list of expectations reads {{type, payload}, {type}}.
    expected_event(std::string_view stored_type, std::string_view payload_subset = {})  // NOLINT
        : type(stored_type), payload(payload_subset) {}

    std::string type;     // the stored type name, e.g. "user.human.phone.changed"
    std::string payload;  // a JSON object naming the fields to compare (see above); empty compares none
};

// Whether `stored` are `expected`, one to one, in order. The explanation names the first difference and lists
// what was stored.
check_result match_events(const std::vector<eventstore::stored_event>& stored,
                          const std::vector<expected_event>& expected);

}  // namespace userstream::testing
