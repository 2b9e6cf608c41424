#include "userstream/api/served_services.hpp"

#include <algorithm>

#include "methods/method_table.hpp"

namespace userstream::api {

std::vector<std::string> served_services() {
    std::vector<std::string> out;
    for (const auto& m : detail::all_methods()) {
        // full_name is "<package>.<Service>/<Method>".
        const auto service = m.full_name.substr(0, m.full_name.find('/'));
        if (std::find(out.begin(), out.end(), service) == out.end()) out.emplace_back(service);
    }
    return out;
}

}  // namespace userstream::api
