#include "userstream/backends/open_store.hpp"

#include "store_url.hpp"
#include "userstream/eventstore/memory_event_store.hpp"

namespace userstream::backends {

std::unique_ptr<eventstore::event_store> open_store(std::string_view url) {
    struct opener {
        std::unique_ptr<eventstore::event_store> operator()(const detail::memory_url&) const {
            return std::make_unique<eventstore::memory_event_store>();
        }
        std::unique_ptr<eventstore::event_store> operator()(const sqlite_options& options) const {
            return std::make_unique<sqlite_event_store>(options);
        }
        std::unique_ptr<eventstore::event_store> operator()(const postgres_options& options) const {
            return std::make_unique<postgres_event_store>(options);
        }
    };
    return std::visit(opener{}, detail::parse_store_url(url));
}

}  // namespace userstream::backends
