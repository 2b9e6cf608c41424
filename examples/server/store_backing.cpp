#include "store_backing.hpp"

#include <filesystem>

#if USERSTREAM_SERVER_POSTGRES
#include "userstream/projections/postgres_read_models.hpp"
#include "userstream/subscriptions/postgres_checkpoint_store.hpp"
#include "userstream/subscriptions/postgres_lease.hpp"
#endif
#if USERSTREAM_SERVER_SQLITE
#include "userstream/projections/sqlite_read_models.hpp"
#endif

namespace server {

store_backing open_store_backing(const std::string& url) {
    using backend = userstream::backends::store_location::backend;
    namespace projections = userstream::projections;
    namespace subscriptions = userstream::subscriptions;

    store_backing out;
    out.location = userstream::backends::locate_store(url);
    out.store = userstream::backends::open_store(url);
    out.outbox_reader = "sms_outbox";
    [[maybe_unused]] const auto& where = out.location;
#if USERSTREAM_SERVER_SQLITE
    if (where.kind == backend::sqlite && where.sqlite_path != ":memory:") {
        const subscriptions::sqlite_read_model_options options{.path = where.sqlite_path};
        out.details = std::make_unique<subscriptions::sqlite_object_details>(options);
        out.phones = std::make_unique<projections::sqlite_user_phones>(options);
        const std::filesystem::path file(where.sqlite_path);
        out.outbox_checkpoints = std::make_unique<userstream::eventstore::file_checkpoint_store>(
            file.has_parent_path() ? file.parent_path() : std::filesystem::path("."));
        out.outbox_reader = file.filename().string() + ".sms_outbox";
        return out;
    }
#endif
#if USERSTREAM_SERVER_POSTGRES
    if (where.kind == backend::postgres) {
        const subscriptions::postgres_read_model_options options{
            .conninfo = where.postgres_conninfo,
            .schema = where.postgres_schema == "eventstore" ? "projections" : where.postgres_schema + "_projections"};
        out.details = std::make_unique<subscriptions::postgres_object_details>(options);
        out.phones = std::make_unique<projections::postgres_user_phones>(options);
        out.outbox_checkpoints = std::make_unique<subscriptions::postgres_checkpoint_store>(options);
        out.outbox_reader = "sms_outbox";
        // Keyed by the read models' schema: the servers of one deployment share it, another deployment on the same
        // database (another store schema) has a lease of its own.
        out.outbox_lease = std::make_unique<subscriptions::postgres_lease>(options.conninfo, options.schema + ".sms_outbox");
        return out;
    }
#endif
    // A memory store (open_store refused the URL of a backend this build lacks).
    out.outbox_checkpoints = std::make_unique<userstream::eventstore::memory_checkpoint_store>();
    return out;
}

}  // namespace server
