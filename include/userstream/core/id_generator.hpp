// userstream/core/id_generator.hpp
//
// Generates ids for new aggregates when the host does not supply one. The default draws random (version 4) UUIDs
// with Boost.Uuid (user_service uses a uuid_generator when the host passes no generator); tests inject a sequential
// generator to get stable ids.
#pragma once

#include <atomic>
#include <memory>
#include <string>

namespace userstream {

class id_generator {
public:
    virtual ~id_generator() = default;
    virtual std::string next_id() = 0;
};

// Random UUIDs in canonical text form. Thread-safe (one Boost generator per thread, as Boost's is not).
class uuid_generator final : public id_generator {
public:
    std::string next_id() override;
};

// "<prefix>1", "<prefix>2", ...; for tests. Thread-safe.
class sequential_id_generator final : public id_generator {
public:
    explicit sequential_id_generator(std::string prefix = "id-") : prefix_(std::move(prefix)) {}
    std::string next_id() override { return prefix_ + std::to_string(++counter_); }

private:
    std::string prefix_;
    std::atomic<unsigned long long> counter_{0};
};

}  // namespace userstream
