#include "userstream/subscriptions/postgres_checkpoint_store.hpp"

#include "postgres/read_model_db.hpp"

namespace userstream::subscriptions {

namespace {
// The checkpoint table is every read model's (read_model_db creates it); this component adds no table of its own.
constexpr const char* component = "reader_checkpoints";
constexpr int schema_version = 1;
}  // namespace

struct postgres_checkpoint_store::impl {
    explicit impl(const postgres_read_model_options& options)
        : db(options.conninfo, options.schema, component, schema_version, "") {}
    sql::postgres::read_model_db db;
};

postgres_checkpoint_store::postgres_checkpoint_store(postgres_read_model_options options)
    : impl_(std::make_unique<impl>(options)) {}

postgres_checkpoint_store::~postgres_checkpoint_store() = default;

eventstore::global_position postgres_checkpoint_store::load(std::string_view reader) const {
    std::lock_guard lock(impl_->db.mutex);
    return impl_->db.checkpoint(std::string(reader));
}

void postgres_checkpoint_store::save(std::string_view reader, eventstore::global_position position) {
    std::lock_guard lock(impl_->db.mutex);
    impl_->db.save_checkpoint(std::string(reader), position);
}

}  // namespace userstream::subscriptions
