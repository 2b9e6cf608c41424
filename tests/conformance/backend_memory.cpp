// The conformance suite against the in-memory reference store.
#include "store_backend.hpp"
#include "userstream/eventstore/memory_event_store.hpp"

namespace conformance {

namespace {
class memory_backend final : public store_backend {
public:
    std::shared_ptr<userstream::eventstore::event_store> open() override { return store_; }
    std::optional<std::string> shared_url() const override { return std::nullopt; }

private:
    std::shared_ptr<userstream::eventstore::event_store> store_ =
        std::make_shared<userstream::eventstore::memory_event_store>();
};
}  // namespace

std::unique_ptr<store_backend> make_backend() { return std::make_unique<memory_backend>(); }

}  // namespace conformance
