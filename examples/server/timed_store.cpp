#include "timed_store.hpp"

#include <chrono>

namespace server {

userstream::result<userstream::eventstore::append_result> timed_store::append(
    std::vector<userstream::eventstore::aggregate_append> batch) {
    const auto start = std::chrono::steady_clock::now();
    // A push that throws is timed too: a store that fails slowly is what the histogram is for.
    struct report {
        const std::function<void(double)>& observe;
        std::chrono::steady_clock::time_point start;
        ~report() { observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()); }
    } timing{observe_, start};
    return inner_.append(std::move(batch));
}

}  // namespace server
