// The scenario runner's line parser (examples/scenario/operation_parser.hpp) on any line, with the runner's own caps.
// Properties: it throws nothing but too_large; a line nesting deeper than the cap or holding more values than the cap
// is refused, whatever its shape; a parsed line, written out and parsed again, gives the same value.
#include <algorithm>
#include <string>

#include "fuzz_check.hpp"
#include "operation_parser.hpp"
#include "runner.hpp"

namespace {

// Depth and values of a parsed line, counted as the caps count them.
void measure(const nlohmann::json& value, int depth, int& deepest, std::size_t& values) {
    if (!value.is_structured()) return;
    deepest = std::max(deepest, depth + 1);
    for (const auto& item : value) {
        ++values;
        measure(item, depth + 1, deepest, values);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string line(reinterpret_cast<const char*>(data), size);
    nlohmann::json op;
    try {
        op = scenario::parse_operation(line, scenario::runner::max_values, scenario::runner::max_depth);
    } catch (const scenario::too_large&) {
        return 0;
    }
    if (op.is_discarded()) return 0;
    int deepest = 0;
    std::size_t values = 0;
    measure(op, 0, deepest, values);
    userstream::fuzz::check(deepest <= scenario::runner::max_depth, "a line over the depth cap was parsed");
    userstream::fuzz::check(values <= scenario::runner::max_values, "a line over the value cap was parsed");
    const auto again = scenario::parse_operation(op.dump(), scenario::runner::max_values, scenario::runner::max_depth);
    userstream::fuzz::check(again == op, "a parsed line parses to another value once written out");
    return 0;
}
