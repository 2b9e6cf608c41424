#include "userstream/projections/postgres_read_models.hpp"

#include <unordered_map>

#include "../detail/row_text.hpp"
#include "postgres/read_model_db.hpp"
#include "userstream/subscriptions/page_fold.hpp"

namespace userstream::projections {

using sql::postgres::array_literal;
using sql::postgres::connection;
using sql::postgres::details_select;
using sql::postgres::read_model_db;
using sql::postgres::result_set;

namespace {

// The schema component of this read model's table (besides the shared checkpoint table).
constexpr const char* component = "user_phones";
constexpr int schema_version = 1;

std::string create_v1(const std::string& schema) {
    return "CREATE TABLE IF NOT EXISTS " + schema + R"sql(.user_phones (
        instance_id       TEXT        NOT NULL,
        user_id           TEXT        NOT NULL,
        kind              TEXT        NOT NULL,
        state             TEXT        NOT NULL,
        phone             TEXT,
        is_phone_verified BOOLEAN,
        last_phone        TEXT,
        verified_phone    TEXT,
        "sequence"        BIGINT      NOT NULL,
        creation_date     TIMESTAMPTZ NOT NULL,
        change_date       TIMESTAMPTZ NOT NULL,
        resource_owner    TEXT        NOT NULL,
        PRIMARY KEY (instance_id, user_id)
    );
)sql";
}

const std::string& phone_select() {
    static const std::string columns = "instance_id, user_id, kind, state, phone, is_phone_verified, last_phone, "
                                       "verified_phone, " + details_select();
    return columns;
}

user_phone_row phone_row(const result_set& rows, int r) {
    user_phone_row row;
    row.instance_id = std::string(rows.value(r, 0));
    row.user_id = std::string(rows.value(r, 1));
    row.kind = detail::kind_from_text(rows.value(r, 2));
    row.state = detail::state_from_text(rows.value(r, 3));
    row.phone = sql::postgres::optional_text(rows, r, 4);
    if (!rows.is_null(r, 5)) row.is_phone_verified = rows.value(r, 5) == "t";
    row.last_phone = sql::postgres::optional_text(rows, r, 6);
    row.verified_phone = sql::postgres::optional_text(rows, r, 7);
    row.details = sql::postgres::read_details(rows, r, 8);
    return row;
}

}  // namespace

struct postgres_user_phones::impl {
    explicit impl(subscriptions::postgres_read_model_options options)
        : db(options.conninfo, options.schema, component, schema_version, create_v1(options.schema)) {}
    read_model_db db;
};

postgres_user_phones::postgres_user_phones(subscriptions::postgres_read_model_options options)
    : impl_(std::make_unique<impl>(std::move(options))) {}

postgres_user_phones::~postgres_user_phones() = default;

eventstore::global_position postgres_user_phones::checkpoint() const {
    std::lock_guard lock(impl_->db.mutex);
    return impl_->db.checkpoint(name());
}

bool postgres_user_phones::apply(eventstore::global_position from, std::span<const eventstore::stored_event> events,
                                 eventstore::global_position through) {
    std::lock_guard lock(impl_->db.mutex);
    const auto table = impl_->db.table("user_phones");
    return impl_->db.apply(name(), from, through, [&](connection& c) {
        sql::postgres::page_keys keys(events);
        const auto found = c.exec_prepared(
            "SELECT " + phone_select() + " FROM " + table +
                " u JOIN unnest($1::text[], $2::text[]) AS k(i, a) ON u.instance_id = k.i AND u.user_id = k.a",
            {keys.instances.finish(), keys.ids.finish()}, false);
        std::unordered_map<eventstore::aggregate_key, user_phone_row, eventstore::aggregate_key_hash> loaded;
        for (int r = 0; r < found.rows(); ++r) {
            auto row = phone_row(found, r);
            eventstore::aggregate_key key{row.instance_id, std::string(user::aggregate_type), row.user_id};
            loaded.emplace(std::move(key), std::move(row));
        }
        array_literal instances, ids, kinds, states, phones, verified, last_phones, verified_phones;
        sql::postgres::details_arrays columns;
        subscriptions::fold_page<user_phone_row>(
            events,
            [&](const eventstore::aggregate_key& a) -> std::optional<user_phone_row> {
                const auto it = loaded.find(a);
                if (it == loaded.end()) return std::nullopt;
                return it->second;
            },
            advance_user_phone,
            [&](const eventstore::aggregate_key&, const user_phone_row& row) {
                instances.add_text(row.instance_id);
                ids.add_text(row.user_id);
                kinds.add_text(detail::to_text(row.kind));
                states.add_text(detail::to_text(row.state));
                phones.add_nullable(row.phone);
                if (row.is_phone_verified) {
                    verified.add_text(*row.is_phone_verified ? "t" : "f");
                } else {
                    verified.add_null();
                }
                last_phones.add_nullable(row.last_phone);
                verified_phones.add_nullable(row.verified_phone);
                columns.add(row.details);
            });
        c.exec_prepared(
            "INSERT INTO " + table +
                " (instance_id, user_id, kind, state, phone, is_phone_verified, last_phone, verified_phone, "
                "\"sequence\", creation_date, change_date, resource_owner) "
                "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], "
                "$7::text[], $8::text[], $9::bigint[], $10::timestamptz[], $11::timestamptz[], $12::text[]) "
                "ON CONFLICT (instance_id, user_id) DO UPDATE SET kind = EXCLUDED.kind, state = EXCLUDED.state, "
                "phone = EXCLUDED.phone, is_phone_verified = EXCLUDED.is_phone_verified, "
                "last_phone = EXCLUDED.last_phone, verified_phone = EXCLUDED.verified_phone, "
                "\"sequence\" = EXCLUDED.\"sequence\", creation_date = EXCLUDED.creation_date, "
                "change_date = EXCLUDED.change_date, resource_owner = EXCLUDED.resource_owner",
            {instances.finish(), ids.finish(), kinds.finish(), states.finish(), phones.finish(), verified.finish(),
             last_phones.finish(), verified_phones.finish(), columns.sequences.finish(),
             columns.creation_dates.finish(), columns.change_dates.finish(), columns.owners.finish()},
            false);
    });
}

void postgres_user_phones::reset() {
    std::lock_guard lock(impl_->db.mutex);
    impl_->db.reset(name(), "user_phones");
}

std::optional<user_phone_row> postgres_user_phones::find(const std::string& instance_id,
                                                         const std::string& user_id) const {
    std::lock_guard lock(impl_->db.mutex);
    const auto found = impl_->db.db().exec_prepared(
        "SELECT " + phone_select() + " FROM " + impl_->db.table("user_phones") +
            " WHERE instance_id = $1 AND user_id = $2",
        {instance_id, user_id}, false);
    if (found.rows() == 0) return std::nullopt;
    return phone_row(found, 0);
}

std::vector<user_phone_row> postgres_user_phones::rows() const {
    std::lock_guard lock(impl_->db.mutex);
    const auto found = impl_->db.db().exec("SELECT " + phone_select() + " FROM " + impl_->db.table("user_phones") +
                                           " ORDER BY instance_id COLLATE \"C\", user_id COLLATE \"C\"");
    std::vector<user_phone_row> out;
    for (int r = 0; r < found.rows(); ++r) out.push_back(phone_row(found, r));
    return out;
}

}  // namespace userstream::projections
