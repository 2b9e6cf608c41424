// The conformance suite against a private in-memory SQLite database (sqlite::memory:).
#include "store_backend.hpp"
#include "userstream/backends/open_store.hpp"

namespace conformance {

namespace {
class sqlite_memory_backend final : public store_backend {
public:
    std::shared_ptr<userstream::eventstore::event_store> open() override { return store_; }
    std::optional<std::string> shared_url() const override { return std::nullopt; }

private:
    std::shared_ptr<userstream::eventstore::event_store> store_ = userstream::backends::open_store("sqlite::memory:");
};
}  // namespace

std::unique_ptr<store_backend> make_backend() { return std::make_unique<sqlite_memory_backend>(); }

}  // namespace conformance
