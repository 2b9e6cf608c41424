#include "userstream/projections/postgres_read_models.hpp"

#include <unordered_map>

#include "../detail/page_rows.hpp"
#include "../detail/row_text.hpp"
#include "pg_projection_db.hpp"

namespace userstream::projections {

using pg_detail::connection;
using pg_detail::projection_db;
using pg_detail::result_set;
using pg_detail::text_array;

namespace {

// Timestamps come back as microseconds since the epoch: exact, and independent of the session's time zone.
std::string epoch_us(const char* column) {
    return std::string("(extract(epoch from ") + column + ") * 1000000)::bigint";
}

const std::string details_select = "\"sequence\", " + epoch_us("creation_date") + ", " + epoch_us("change_date") +
                                   ", resource_owner";

eventstore::object_details details_columns(const result_set& rows, int row, int first) {
    eventstore::object_details d;
    d.sequence.value = pg_detail::to_u64(rows.value(row, first));
    d.creation_date = pg_detail::from_epoch_us(rows.value(row, first + 1));
    d.change_date = pg_detail::from_epoch_us(rows.value(row, first + 2));
    d.resource_owner = std::string(rows.value(row, first + 3));
    return d;
}

std::optional<std::string> optional_text(const result_set& rows, int row, int column) {
    if (rows.is_null(row, column)) return std::nullopt;
    return std::string(rows.value(row, column));
}

// The distinct aggregates of a page, as three parallel arrays for unnest().
struct page_keys {
    text_array instances, types, ids;
    explicit page_keys(std::span<const eventstore::stored_event> events) {
        std::unordered_map<eventstore::aggregate_key, bool, eventstore::aggregate_key_hash> seen;
        for (const auto& e : events) {
            if (!seen.emplace(e.aggregate, true).second) continue;
            instances.add(std::string_view(e.aggregate.instance_id));
            types.add(std::string_view(e.aggregate.aggregate_type));
            ids.add(std::string_view(e.aggregate.aggregate_id));
        }
    }
};

// The detail columns of changed rows, as arrays for one multi-row upsert.
struct details_arrays {
    std::string sequences = "{";
    text_array creation_dates, change_dates, owners;
    void add(const eventstore::object_details& d) {
        if (sequences.size() > 1) sequences += ',';
        sequences += std::to_string(d.sequence.value);
        creation_dates.add(std::string_view(pg_detail::to_timestamptz_text(d.creation_date)));
        change_dates.add(std::string_view(pg_detail::to_timestamptz_text(d.change_date)));
        owners.add(std::string_view(d.resource_owner));
    }
    std::string sequence_array() const { return sequences + "}"; }
};

}  // namespace

// --- object details ---------------------------------------------------------------------------------------------

struct postgres_object_details::impl {
    impl(postgres_read_model_options options, eventstore::global_filter f)
        : db(std::move(options)), filter(std::move(f)) {}
    projection_db db;
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
        const page_keys keys(events);
        const auto found = c.exec_prepared(
            "SELECT d.instance_id, d.aggregate_type, d.aggregate_id, " + details_select + " FROM " + table +
                " d JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(i, t, a) "
                "ON d.instance_id = k.i AND d.aggregate_type = k.t AND d.aggregate_id = k.a",
            {keys.instances.str(), keys.types.str(), keys.ids.str()}, false);
        std::unordered_map<eventstore::aggregate_key, eventstore::object_details, eventstore::aggregate_key_hash> loaded;
        for (int r = 0; r < found.rows(); ++r) {
            loaded.emplace(eventstore::aggregate_key{std::string(found.value(r, 0)), std::string(found.value(r, 1)),
                                                     std::string(found.value(r, 2))},
                           details_columns(found, r, 3));
        }
        text_array instances, types, ids;
        details_arrays columns;
        detail::apply_page<eventstore::object_details>(
            events,
            [&](const eventstore::aggregate_key& a) -> std::optional<eventstore::object_details> {
                const auto it = loaded.find(a);
                if (it == loaded.end()) return std::nullopt;
                return it->second;
            },
            advance_details,
            [&](const eventstore::aggregate_key& a, const eventstore::object_details& d) {
                instances.add(std::string_view(a.instance_id));
                types.add(std::string_view(a.aggregate_type));
                ids.add(std::string_view(a.aggregate_id));
                columns.add(d);
            });
        c.exec_prepared("INSERT INTO " + table +
                            " (instance_id, aggregate_type, aggregate_id, \"sequence\", creation_date, change_date, "
                            "resource_owner) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], "
                            "$5::timestamptz[], $6::timestamptz[], $7::text[]) "
                            "ON CONFLICT (instance_id, aggregate_type, aggregate_id) DO UPDATE SET "
                            "\"sequence\" = EXCLUDED.\"sequence\", creation_date = EXCLUDED.creation_date, "
                            "change_date = EXCLUDED.change_date, resource_owner = EXCLUDED.resource_owner",
                        {instances.str(), types.str(), ids.str(), columns.sequence_array(),
                         columns.creation_dates.str(), columns.change_dates.str(), columns.owners.str()},
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
        "SELECT " + details_select + " FROM " + impl_->db.table("object_details") +
            " WHERE instance_id = $1 AND aggregate_type = $2 AND aggregate_id = $3",
        {a.instance_id, a.aggregate_type, a.aggregate_id}, false);
    if (found.rows() == 0) return std::nullopt;
    return details_columns(found, 0, 0);
}

std::vector<object_details_row> postgres_object_details::rows() const {
    std::lock_guard lock(impl_->db.mutex);
    const auto found = impl_->db.db().exec(
        "SELECT instance_id, aggregate_type, aggregate_id, " + details_select + " FROM " +
        impl_->db.table("object_details") +
        " ORDER BY instance_id COLLATE \"C\", aggregate_type COLLATE \"C\", aggregate_id COLLATE \"C\"");
    std::vector<object_details_row> out;
    for (int r = 0; r < found.rows(); ++r) {
        out.emplace_back(eventstore::aggregate_key{std::string(found.value(r, 0)), std::string(found.value(r, 1)),
                                                   std::string(found.value(r, 2))},
                         details_columns(found, r, 3));
    }
    return out;
}

// --- user phones ------------------------------------------------------------------------------------------------

namespace {

const std::string phone_select = "instance_id, user_id, kind, state, phone, is_phone_verified, last_phone, "
                                 "verified_phone, " + details_select;

user_phone_row phone_row(const result_set& rows, int r) {
    user_phone_row row;
    row.instance_id = std::string(rows.value(r, 0));
    row.user_id = std::string(rows.value(r, 1));
    row.kind = detail::kind_from_text(rows.value(r, 2));
    row.state = detail::state_from_text(rows.value(r, 3));
    row.phone = optional_text(rows, r, 4);
    if (!rows.is_null(r, 5)) row.is_phone_verified = rows.value(r, 5) == "t";
    row.last_phone = optional_text(rows, r, 6);
    row.verified_phone = optional_text(rows, r, 7);
    row.details = details_columns(rows, r, 8);
    return row;
}

}  // namespace

struct postgres_user_phones::impl {
    explicit impl(postgres_read_model_options options) : db(std::move(options)) {}
    projection_db db;
};

postgres_user_phones::postgres_user_phones(postgres_read_model_options options)
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
        const page_keys keys(events);
        const auto found = c.exec_prepared(
            "SELECT " + phone_select + " FROM " + table +
                " u JOIN unnest($1::text[], $2::text[]) AS k(i, a) ON u.instance_id = k.i AND u.user_id = k.a",
            {keys.instances.str(), keys.ids.str()}, false);
        std::unordered_map<eventstore::aggregate_key, user_phone_row, eventstore::aggregate_key_hash> loaded;
        for (int r = 0; r < found.rows(); ++r) {
            auto row = phone_row(found, r);
            eventstore::aggregate_key key{row.instance_id, std::string(user::aggregate_type), row.user_id};
            loaded.emplace(std::move(key), std::move(row));
        }
        text_array instances, ids, kinds, states, phones, verified, last_phones, verified_phones;
        details_arrays columns;
        detail::apply_page<user_phone_row>(
            events,
            [&](const eventstore::aggregate_key& a) -> std::optional<user_phone_row> {
                const auto it = loaded.find(a);
                if (it == loaded.end()) return std::nullopt;
                return it->second;
            },
            advance_user_phone,
            [&](const eventstore::aggregate_key&, const user_phone_row& row) {
                instances.add(std::string_view(row.instance_id));
                ids.add(std::string_view(row.user_id));
                kinds.add(detail::to_text(row.kind));
                states.add(detail::to_text(row.state));
                phones.add(row.phone);
                if (row.is_phone_verified) verified.add(std::string_view(*row.is_phone_verified ? "t" : "f"));
                else verified.add_null();
                last_phones.add(row.last_phone);
                verified_phones.add(row.verified_phone);
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
            {instances.str(), ids.str(), kinds.str(), states.str(), phones.str(), verified.str(), last_phones.str(),
             verified_phones.str(), columns.sequence_array(), columns.creation_dates.str(),
             columns.change_dates.str(), columns.owners.str()},
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
        "SELECT " + phone_select + " FROM " + impl_->db.table("user_phones") +
            " WHERE instance_id = $1 AND user_id = $2",
        {instance_id, user_id}, false);
    if (found.rows() == 0) return std::nullopt;
    return phone_row(found, 0);
}

std::vector<user_phone_row> postgres_user_phones::rows() const {
    std::lock_guard lock(impl_->db.mutex);
    const auto found = impl_->db.db().exec("SELECT " + phone_select + " FROM " + impl_->db.table("user_phones") +
                                           " ORDER BY instance_id COLLATE \"C\", user_id COLLATE \"C\"");
    std::vector<user_phone_row> out;
    for (int r = 0; r < found.rows(); ++r) out.push_back(phone_row(found, r));
    return out;
}

}  // namespace userstream::projections
