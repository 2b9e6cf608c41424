#include "userstream/projections/sqlite_read_models.hpp"

#include <sqlite3.h>

#include "../detail/page_rows.hpp"
#include "../detail/row_text.hpp"
#include "sqlite_projection_db.hpp"

namespace userstream::projections {

using sqlite_detail::projection_db;
using sqlite_detail::statement;

namespace {

timestamp time_column(const statement& row, int column) {
    const auto parsed = parse_rfc3339(row.column_text(column));
    if (!parsed) throw decode_error("SQLite read model: unreadable timestamp '" + std::string(row.column_text(column)) + "'");
    return *parsed;
}

std::optional<std::string> optional_text(const statement& row, int column) {
    if (row.column_type(column) == SQLITE_NULL) return std::nullopt;
    return std::string(row.column_text(column));
}

void bind_optional(statement& s, int index, const std::optional<std::string>& value) {
    if (value) s.bind(index, *value);
    else s.bind_null(index);
}

// Columns 0..3 of both tables' detail columns: sequence, creation_date, change_date, resource_owner.
eventstore::object_details details_columns(const statement& row, int first) {
    eventstore::object_details d;
    d.sequence.value = static_cast<std::uint64_t>(row.column_int(first));
    d.creation_date = time_column(row, first + 1);
    d.change_date = time_column(row, first + 2);
    d.resource_owner = std::string(row.column_text(first + 3));
    return d;
}

void bind_details(statement& s, int first, const eventstore::object_details& d) {
    s.bind(first, static_cast<std::int64_t>(d.sequence.value));
    s.bind(first + 1, format_rfc3339(d.creation_date));
    s.bind(first + 2, format_rfc3339(d.change_date));
    s.bind(first + 3, d.resource_owner);
}

}  // namespace

// --- object details ---------------------------------------------------------------------------------------------

struct sqlite_object_details::impl {
    impl(const sqlite_read_model_options& options, eventstore::global_filter f) : db(options), filter(std::move(f)) {}
    projection_db db;
    eventstore::global_filter filter;

    std::optional<eventstore::object_details> find(const eventstore::aggregate_key& a) {
        auto read = db.db.prepare(
            "SELECT \"sequence\", creation_date, change_date, resource_owner FROM object_details "
            "WHERE instance_id = ?1 AND aggregate_type = ?2 AND aggregate_id = ?3");
        read.bind(1, a.instance_id);
        read.bind(2, a.aggregate_type);
        read.bind(3, a.aggregate_id);
        if (!read.step()) return std::nullopt;
        return details_columns(read, 0);
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
        detail::apply_page<eventstore::object_details>(
            events, [&](const eventstore::aggregate_key& a) { return impl_->find(a); }, advance_details,
            [&](const eventstore::aggregate_key& a, const eventstore::object_details& d) {
                auto save = impl_->db.db.prepare(
                    "INSERT OR REPLACE INTO object_details (instance_id, aggregate_type, aggregate_id, \"sequence\", "
                    "creation_date, change_date, resource_owner) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
                save.bind(1, a.instance_id);
                save.bind(2, a.aggregate_type);
                save.bind(3, a.aggregate_id);
                bind_details(save, 4, d);
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
                         details_columns(read, 3));
    }
    return out;
}

// --- user phones ------------------------------------------------------------------------------------------------

namespace {

constexpr const char* phone_columns =
    "instance_id, user_id, kind, state, phone, is_phone_verified, last_phone, verified_phone, \"sequence\", "
    "creation_date, change_date, resource_owner";

user_phone_row phone_row(const statement& read) {
    user_phone_row row;
    row.instance_id = std::string(read.column_text(0));
    row.user_id = std::string(read.column_text(1));
    row.kind = detail::kind_from_text(read.column_text(2));
    row.state = detail::state_from_text(read.column_text(3));
    row.phone = optional_text(read, 4);
    if (read.column_type(5) != SQLITE_NULL) row.is_phone_verified = read.column_int(5) != 0;
    row.last_phone = optional_text(read, 6);
    row.verified_phone = optional_text(read, 7);
    row.details = details_columns(read, 8);
    return row;
}

}  // namespace

struct sqlite_user_phones::impl {
    explicit impl(const sqlite_read_model_options& options) : db(options) {}
    projection_db db;

    std::optional<user_phone_row> find(const std::string& instance_id, const std::string& user_id) {
        auto read = db.db.prepare(std::string("SELECT ") + phone_columns +
                                  " FROM user_phones WHERE instance_id = ?1 AND user_id = ?2");
        read.bind(1, instance_id);
        read.bind(2, user_id);
        if (!read.step()) return std::nullopt;
        return phone_row(read);
    }

    void save(const user_phone_row& row) {
        auto save = db.db.prepare(std::string("INSERT OR REPLACE INTO user_phones (") + phone_columns +
                                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
        save.bind(1, row.instance_id);
        save.bind(2, row.user_id);
        save.bind(3, detail::to_text(row.kind));
        save.bind(4, detail::to_text(row.state));
        bind_optional(save, 5, row.phone);
        if (row.is_phone_verified) save.bind(6, std::int64_t{*row.is_phone_verified ? 1 : 0});
        else save.bind_null(6);
        bind_optional(save, 7, row.last_phone);
        bind_optional(save, 8, row.verified_phone);
        bind_details(save, 9, row.details);
        save.step();
    }
};

sqlite_user_phones::sqlite_user_phones(sqlite_read_model_options options)
    : impl_(std::make_unique<impl>(options)) {}

sqlite_user_phones::~sqlite_user_phones() = default;

eventstore::global_position sqlite_user_phones::checkpoint() const {
    std::lock_guard lock(impl_->db.mutex);
    return impl_->db.checkpoint(name());
}

bool sqlite_user_phones::apply(eventstore::global_position from, std::span<const eventstore::stored_event> events,
                               eventstore::global_position through) {
    std::lock_guard lock(impl_->db.mutex);
    return impl_->db.apply(name(), from, through, [&] {
        detail::apply_page<user_phone_row>(
            events,
            [&](const eventstore::aggregate_key& a) { return impl_->find(a.instance_id, a.aggregate_id); },
            advance_user_phone, [&](const eventstore::aggregate_key&, const user_phone_row& row) { impl_->save(row); });
    });
}

void sqlite_user_phones::reset() {
    std::lock_guard lock(impl_->db.mutex);
    impl_->db.reset(name(), "DELETE FROM user_phones");
}

std::optional<user_phone_row> sqlite_user_phones::find(const std::string& instance_id,
                                                       const std::string& user_id) const {
    std::lock_guard lock(impl_->db.mutex);
    return impl_->find(instance_id, user_id);
}

std::vector<user_phone_row> sqlite_user_phones::rows() const {
    std::lock_guard lock(impl_->db.mutex);
    auto read = impl_->db.db.prepare(std::string("SELECT ") + phone_columns +
                                     " FROM user_phones ORDER BY instance_id, user_id");
    std::vector<user_phone_row> out;
    while (read.step()) out.push_back(phone_row(read));
    return out;
}

}  // namespace userstream::projections
