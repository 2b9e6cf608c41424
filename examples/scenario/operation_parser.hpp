// Parsing one input line of the scenario runner into an operation, refusing a line over the size caps as soon as it
// crosses one, before its whole tree is built. Apart from the runner so that it can be fuzzed alone (tests/fuzz).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace scenario {

// A line over the size caps; the runner answers it SCENARIO-toolarge.
struct too_large : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Parses `line` into the sorted JSON type (wire.hpp's `input`: ordered_json finds a key by a linear search, so a line
// with n keys would cost n^2). Returns a discarded value for a line that is not JSON. Throws too_large for a line
// nesting deeper than `max_depth` levels (the line's object is level 1) or holding more than `max_values` object
// members and array elements in total.
nlohmann::json parse_operation(const std::string& line, std::size_t max_values, int max_depth);

}  // namespace scenario
