#include "userstream/subscriptions/sqlite_object_details.hpp"

#include "sqlite/read_model_db.hpp"
#include "userstream/subscriptions/page_fold.hpp"

namespace userstream::subscriptions {

using sql::sqlite::read_model_db;

namespace {

// The schema component of this read model's table (besides the shared checkpoint table).
constexpr const char* component = "object_details";
constexpr int schema_version = 1;
constexpr const char* create_v1 = R"sql(
CREATE TABLE IF NOT EXISTS object_details (
    instance_id    TEXT    NOT NULL,
    aggregate_type TEXT    NOT NULL,
    aggregate_id   TEXT    NOT NULL,
    "sequence"     INTEGER NOT NULL,
    creation_date  TEXT    NOT NULL,
    change_date    TEXT    NOT NULL,
    resource_owner TEXT    NOT NULL,
    PRIMARY KEY (instance_id, aggregate_type, aggregate_id)
);
)sql";

}  // namespace

struct sqlite_object_details::impl {
    impl(const sqlite_read_model_options& options, eventstore::global_filter f)
        : db(options.path, options.busy_timeout, component, schema_version, create_v1), filter(std::move(f)) {}
    read_model_db db;
    eventstore::global_filter filter;

    std::optional<eventstore::object_details> find(const eventstore::aggregate_key& a) {
        auto read = db.db.prepare(
            "SELECT \"sequence\", creation_date, change_date, resource_owner FROM object_details "
            "WHERE instance_id = ?1 AND aggregate_type = ?2 AND aggregate_id = ?3");
        read.bind(1, a.instance_id);
        read.bind(2, a.aggregate_type);
        read.bind(3, a.aggregate_id);
        if (!read.step()) return std::nullopt;
        return sql::sqlite::read_details(read, 0);
    }
};

sqlite_object_details::sqlite_object_details(sqlite_read_model_options options, std::vector<std::string> types)
    : impl_(std::make_unique<impl>(options, object_details_filter(std::move(types)))) {}

sqlite_object_details::~sqlite_object_details() = default;

eventstore::global_filter sqlite_object_details::filter() const { return impl_->filter; }

eventstore::global_position sqlite_object_details::checkpoint() const {
    std::lock_guard lock(impl_->db.mutex);
    return impl_->db.checkpoint(name());
}

bool sqlite_object_details::apply(eventstore::global_position from, std::span<const eventstore::stored_event> events,
                                  eventstore::global_position through) {
    std::lock_guard lock(impl_->db.mutex);
    return impl_->db.apply(name(), from, through, [&] {
        fold_page<eventstore::object_details>(
            events, [&](const eventstore::aggregate_key& a) { return impl_->find(a); }, advance_details,
            [&](const eventstore::aggregate_key& a, const eventstore::object_details& d) {
                auto save = impl_->db.db.prepare(
                    "INSERT OR REPLACE INTO object_details (instance_id, aggregate_type, aggregate_id, \"sequence\", "
                    "creation_date, change_date, resource_owner) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
                save.bind(1, a.instance_id);
                save.bind(2, a.aggregate_type);
                save.bind(3, a.aggregate_id);
                sql::sqlite::bind_details(save, 4, d);
                save.step();
            });
    });
}

void sqlite_object_details::reset() {
    std::lock_guard lock(impl_->db.mutex);
    impl_->db.reset(name(), "DELETE FROM object_details");
}

std::optional<eventstore::object_details> sqlite_object_details::find(const eventstore::aggregate_key& a) const {
    std::lock_guard lock(impl_->db.mutex);
    return impl_->find(a);
}

std::vector<object_details_row> sqlite_object_details::rows() const {
    std::lock_guard lock(impl_->db.mutex);
    auto read = impl_->db.db.prepare(
        "SELECT instance_id, aggregate_type, aggregate_id, \"sequence\", creation_date, change_date, resource_owner "
        "FROM object_details ORDER BY instance_id, aggregate_type, aggregate_id");
    std::vector<object_details_row> out;
    while (read.step()) {
        out.emplace_back(eventstore::aggregate_key{std::string(read.column_text(0)), std::string(read.column_text(1)),
                                                   std::string(read.column_text(2))},
                         sql::sqlite::read_details(read, 3));
    }
    return out;
}

}  // namespace userstream::subscriptions
