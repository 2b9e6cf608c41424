#include "operation_parser.hpp"

#include <fmt/format.h>

namespace scenario {

nlohmann::json parse_operation(const std::string& line, std::size_t max_values, int max_depth) {
    using input = nlohmann::json;
    std::size_t values = 0;
    const input::parser_callback_t count = [&values, max_values, max_depth](int depth, input::parse_event_t event,
                                                                            input&) {
        using event_t = input::parse_event_t;
        const bool starts_container = event == event_t::object_start || event == event_t::array_start;
        // A container's start comes with the depth of its parent: the line's own object starts at depth 0.
        if (starts_container && depth >= max_depth) {
            throw too_large(fmt::format("the line nests deeper than {} levels", max_depth));
        }
        if ((starts_container || event == event_t::value) && depth > 0 && ++values > max_values) {
            throw too_large(fmt::format("the line holds more than {} object members and array elements", max_values));
        }
        return true;
    };
    return input::parse(line, count, /*allow_exceptions=*/false);
}

}  // namespace scenario
