#include "methods/method_table.hpp"

#include <algorithm>

namespace userstream::api::detail {

void api_services::wrote(eventstore::global_position position) noexcept {
    const std::uint64_t value = position.value;
    std::uint64_t seen = last_written.load(std::memory_order_relaxed);
    while (seen < value && !last_written.compare_exchange_weak(seen, value, std::memory_order_release)) {
    }
}

projections::read_after api_services::read_after(
    std::optional<std::chrono::steady_clock::time_point> deadline) const noexcept {
    auto timeout = options.read_your_writes_timeout;
    if (deadline) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
        timeout = std::clamp(left, std::chrono::milliseconds(0), timeout);
    }
    return {eventstore::global_position{last_written.load(std::memory_order_acquire)}, timeout};
}

std::span<const method> all_methods() {
    static const std::vector<method> table = [] {
        std::vector<method> out;
        add_management_methods(out);
        add_auth_methods(out);
        add_user_v2_methods(out);
        return out;
    }();
    return table;
}

const method* find_method(std::string_view full_name) {
    if (full_name.starts_with('/')) full_name.remove_prefix(1);
    const auto table = all_methods();
    const auto it = std::find_if(table.begin(), table.end(), [&](const method& m) { return m.full_name == full_name; });
    return it == table.end() ? nullptr : &*it;
}

}  // namespace userstream::api::detail
