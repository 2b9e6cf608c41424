#include "userstream/testing/check_result.hpp"

#include <ostream>

namespace userstream::testing {

std::ostream& operator<<(std::ostream& out, const check_result& checked) {
    return out << (checked.ok ? std::string_view("ok") : std::string_view(checked.explanation));
}

}  // namespace userstream::testing
