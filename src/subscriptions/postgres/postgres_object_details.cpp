#include "userstream/subscriptions/postgres_object_details.hpp"

#include <unordered_map>

#include "postgres/read_model_db.hpp"
#include "userstream/subscriptions/page_fold.hpp"

namespace userstream::subscriptions {

using sql::postgres::array_literal;
using sql::postgres::connection;
using sql::postgres::details_select;
using sql::postgres::read_details;
using sql::postgres::read_model_db;

namespace {

// The schema component of this read model's table (besides the shared checkpoint table).
constexpr const char* component = "object_details";
constexpr int schema_version = 1;

std::string create_v1(const std::string& schema) {
    return "CREATE TABLE IF NOT EXISTS " + schema + R"sql(.object_details (
        instance_id    TEXT        NOT NULL,
        aggregate_type TEXT        NOT NULL,
        aggregate_id   TEXT        NOT NULL,
        "sequence"     BIGINT      NOT NULL,
        creation_date  TIMESTAMPTZ NOT NULL,
        change_date    TIMESTAMPTZ NOT NULL,
        resource_owner TEXT        NOT NULL,
        PRIMARY KEY (instance_id, aggregate_type, aggregate_id)
    );
)sql";
}

}  // namespace

struct postgres_object_details::impl {
    impl(postgres_read_model_options options, eventstore::global_filter f)
        : db(options.conninfo, options.schema, component, schema_version, create_v1(options.schema)),
          filter(std::move(f)) {}
    read_model_db db;
    eventstore::global_filter filter;
};

postgres_object_details::postgres_object_details(postgres_read_model_options options,
                                                 std::vector<std::string> aggregate_types)
    : impl_(std::make_unique<impl>(std::move(options), object_details_filter(std::move(aggregate_types)))) {}

postgres_object_details::~postgres_object_details() = default;

eventstore::global_filter postgres_object_details::filter() const { return impl_->filter; }

eventstore::global_position postgres_object_details::checkpoint() const {
    std::lock_guard lock(impl_->db.mutex);
    return impl_->db.checkpoint(name());
}

bool postgres_object_details::apply(eventstore::global_position from,
                                    std::span<const eventstore::stored_event> events,
                                    eventstore::global_position through) {
    std::lock_guard lock(impl_->db.mutex);
    const auto table = impl_->db.table("object_details");
    return impl_->db.apply(name(), from, through, [&](connection& c) {
        // One round trip loads every row the page touches, one writes back those that changed.
        sql::postgres::page_keys keys(events);
        const auto found = c.exec_prepared(
            "SELECT d.instance_id, d.aggregate_type, d.aggregate_id, " + details_select() + " FROM " + table +
                " d JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(i, t, a) "
                "ON d.instance_id = k.i AND d.aggregate_type = k.t AND d.aggregate_id = k.a",
            {keys.instances.finish(), keys.types.finish(), keys.ids.finish()}, false);
        std::unordered_map<eventstore::aggregate_key, eventstore::object_details, eventstore::aggregate_key_hash> loaded;
        for (int r = 0; r < found.rows(); ++r) {
            loaded.emplace(eventstore::aggregate_key{std::string(found.value(r, 0)), std::string(found.value(r, 1)),
                                                     std::string(found.value(r, 2))},
                           read_details(found, r, 3));
        }
        array_literal instances, types, ids;
        sql::postgres::details_arrays columns;
        fold_page<eventstore::object_details>(
            events,
            [&](const eventstore::aggregate_key& a) -> std::optional<eventstore::object_details> {
                const auto it = loaded.find(a);
                if (it == loaded.end()) return std::nullopt;
                return it->second;
            },
            advance_details,
            [&](const eventstore::aggregate_key& a, const eventstore::object_details& d) {
                instances.add_text(a.instance_id);
                types.add_text(a.aggregate_type);
                ids.add_text(a.aggregate_id);
                columns.add(d);
            });
        c.exec_prepared("INSERT INTO " + table +
                            " (instance_id, aggregate_type, aggregate_id, \"sequence\", creation_date, change_date, "
                            "resource_owner) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], "
                            "$5::timestamptz[], $6::timestamptz[], $7::text[]) "
                            "ON CONFLICT (instance_id, aggregate_type, aggregate_id) DO UPDATE SET "
                            "\"sequence\" = EXCLUDED.\"sequence\", creation_date = EXCLUDED.creation_date, "
                            "change_date = EXCLUDED.change_date, resource_owner = EXCLUDED.resource_owner",
                        {instances.finish(), types.finish(), ids.finish(), columns.sequences.finish(),
                         columns.creation_dates.finish(), columns.change_dates.finish(), columns.owners.finish()},
                        false);
    });
}

void postgres_object_details::reset() {
    std::lock_guard lock(impl_->db.mutex);
    impl_->db.reset(name(), "object_details");
}

std::optional<eventstore::object_details> postgres_object_details::find(const eventstore::aggregate_key& a) const {
    std::lock_guard lock(impl_->db.mutex);
    const auto found = impl_->db.db().exec_prepared(
        "SELECT " + details_select() + " FROM " + impl_->db.table("object_details") +
            " WHERE instance_id = $1 AND aggregate_type = $2 AND aggregate_id = $3",
        {a.instance_id, a.aggregate_type, a.aggregate_id}, false);
    if (found.rows() == 0) return std::nullopt;
    return read_details(found, 0, 0);
}

std::vector<object_details_row> postgres_object_details::rows() const {
    std::lock_guard lock(impl_->db.mutex);
    const auto found = impl_->db.db().exec(
        "SELECT instance_id, aggregate_type, aggregate_id, " + details_select() + " FROM " +
        impl_->db.table("object_details") +
        " ORDER BY instance_id COLLATE \"C\", aggregate_type COLLATE \"C\", aggregate_id COLLATE \"C\"");
    std::vector<object_details_row> out;
    for (int r = 0; r < found.rows(); ++r) {
        out.emplace_back(eventstore::aggregate_key{std::string(found.value(r, 0)), std::string(found.value(r, 1)),
                                                   std::string(found.value(r, 2))},
                         read_details(found, r, 3));
    }
    return out;
}

}  // namespace userstream::subscriptions
