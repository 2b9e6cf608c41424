#include "userstream/testing/scripted_codes.hpp"

#include <stdexcept>

namespace userstream::testing {

numbered_codes::numbered_codes(std::string prefix, std::size_t digits) : prefix_(std::move(prefix)), digits_(digits) {}

std::string numbered_codes::code(std::size_t n) const {
    std::string number = std::to_string(n);
    if (number.size() < digits_) number.insert(0, digits_ - number.size(), '0');
    return prefix_ + number;
}

user::secret_string numbered_codes::next_code(const user::code_generator_config&) {
    return user::secret_string(code(drawn_.fetch_add(1) + 1));
}

scripted_codes::scripted_codes(std::vector<std::string> codes) : codes_(std::move(codes)) {
    if (codes_.empty()) throw std::invalid_argument("scripted_codes: no codes to hand out");
}

user::secret_string scripted_codes::next_code(const user::code_generator_config&) {
    return user::secret_string(codes_[drawn_.fetch_add(1) % codes_.size()]);
}

}  // namespace userstream::testing
