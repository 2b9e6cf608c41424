// A store whose readers can be stopped at its current head, as a read model that has fallen behind sees it: for tests
// of read-your-writes.
#pragma once

#include <optional>
#include <vector>

#include "unit/support/forwarding_store.hpp"

namespace userstream::api_tests {

// The read side's view of the store, frozen on demand: while frozen, readers see no event after the freeze, as a
// read model that has fallen behind would.
class freezable_store final : public userstream::testing::forwarding_store {
public:
    using forwarding_store::forwarding_store;
    void freeze() { frozen_at_ = inner_.head(); }
    void thaw() { frozen_at_.reset(); }

    std::vector<eventstore::stored_event> read_global(eventstore::global_position after,
                                                      const eventstore::global_filter& filter,
                                                      std::size_t limit) const override {
        auto page = inner_.read_global(after, filter, limit);
        if (frozen_at_) std::erase_if(page, [&](const auto& e) { return e.position > *frozen_at_; });
        return page;
    }
    eventstore::global_position head() const override { return frozen_at_ ? *frozen_at_ : inner_.head(); }

private:
    std::optional<eventstore::global_position> frozen_at_;
};

}  // namespace userstream::api_tests
