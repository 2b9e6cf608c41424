#include "userstream/backends/open_store.hpp"

#include "store_url.hpp"
#include "userstream/core/error.hpp"
#include "userstream/eventstore/memory_event_store.hpp"

namespace userstream::backends {

std::unique_ptr<eventstore::event_store> open_store(std::string_view url) {
    struct opener {
        std::unique_ptr<eventstore::event_store> operator()(const detail::memory_url&) const {
            return std::make_unique<eventstore::memory_event_store>();
        }
        std::unique_ptr<eventstore::event_store> operator()([[maybe_unused]] const sqlite_options& options) const {
#if USERSTREAM_HAVE_SQLITE
            return std::make_unique<sqlite_event_store>(options);
#else
            throw infrastructure_error(
                "open_store: this build has no SQLite store (built with USERSTREAM_WITH_SQLITE=OFF)");
#endif
        }
        std::unique_ptr<eventstore::event_store> operator()([[maybe_unused]] const postgres_options& options) const {
#if USERSTREAM_HAVE_POSTGRES
            return std::make_unique<postgres_event_store>(options);
#else
            throw infrastructure_error(
                "open_store: this build has no PostgreSQL store (built with USERSTREAM_WITH_POSTGRES=OFF)");
#endif
        }
    };
    return std::visit(opener{}, detail::parse_store_url(url));
}

store_location locate_store(std::string_view url) {
    struct locator {
        store_location operator()(const detail::memory_url&) const { return {}; }
        store_location operator()(const sqlite_options& options) const {
            return {store_location::backend::sqlite, options.path, {}, {}};
        }
        store_location operator()(const postgres_options& options) const {
            return {store_location::backend::postgres, {}, options.conninfo, options.schema};
        }
    };
    return std::visit(locator{}, detail::parse_store_url(url));
}

}  // namespace userstream::backends
