#include "userstream/projections/postgres_read_models.hpp"

#include <iterator>
#include <string_view>
#include <unordered_map>
#include <vector>

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

// The schema component of this read model's table (besides the shared checkpoint table). The table of the earlier
// layout, `user_phones` (component `user_phones`), had no profile columns; it is left as it is, and this one, under
// its own name and checkpoint (`user_phone_v2`), is filled from position 0.
constexpr const char* component = "user_phones_v2";
constexpr const char* table_name = "user_phones_v2";
constexpr int schema_version = 1;

std::string create_v1(const std::string& schema) {
    return "CREATE TABLE IF NOT EXISTS " + schema + "." + table_name + R"sql( (
        instance_id         TEXT        NOT NULL,
        user_id             TEXT        NOT NULL,
        kind                TEXT        NOT NULL,
        state               TEXT        NOT NULL,
        phone               TEXT,
        is_phone_verified   BOOLEAN,
        last_phone          TEXT,
        verified_phone      TEXT,
        username            TEXT        NOT NULL,
        given_name          TEXT        NOT NULL,
        family_name         TEXT        NOT NULL,
        nick_name           TEXT        NOT NULL,
        display_name        TEXT        NOT NULL,
        preferred_language  TEXT        NOT NULL,
        gender              INTEGER     NOT NULL,
        email               TEXT        NOT NULL,
        is_email_verified   BOOLEAN     NOT NULL,
        machine_name        TEXT        NOT NULL,
        machine_description TEXT        NOT NULL,
        "sequence"          BIGINT      NOT NULL,
        creation_date       TIMESTAMPTZ NOT NULL,
        change_date         TIMESTAMPTZ NOT NULL,
        resource_owner      TEXT        NOT NULL,
        PRIMARY KEY (instance_id, user_id)
    );
)sql";
}

// The row's own columns (the four detail columns follow them), with the array type a page is upserted as.
struct column {
    const char* name;
    const char* array_type;
};
constexpr column row_columns[] = {
    {"instance_id", "text"},        {"user_id", "text"},           {"kind", "text"},
    {"state", "text"},              {"phone", "text"},             {"is_phone_verified", "boolean"},
    {"last_phone", "text"},         {"verified_phone", "text"},    {"username", "text"},
    {"given_name", "text"},         {"family_name", "text"},       {"nick_name", "text"},
    {"display_name", "text"},       {"preferred_language", "text"}, {"gender", "integer"},
    {"email", "text"},              {"is_email_verified", "boolean"}, {"machine_name", "text"},
    {"machine_description", "text"},
};
constexpr int row_column_count = static_cast<int>(std::size(row_columns));
constexpr column detail_columns[] = {
    {"\"sequence\"", "bigint"}, {"creation_date", "timestamptz"}, {"change_date", "timestamptz"}, {"resource_owner", "text"}};

const std::string& phone_select() {
    static const std::string columns = [] {
        std::string out;
        for (const auto& c : row_columns) out += std::string(c.name) + ", ";
        return out + details_select();
    }();
    return columns;
}

// INSERT ... SELECT * FROM unnest($1::text[], ...) ON CONFLICT DO UPDATE every column but the key.
std::string upsert(const std::string& table) {
    std::string names, arrays, updates;
    int parameter = 0;
    const auto add = [&](const column& c) {
        const bool first = parameter == 0;
        ++parameter;
        names += (first ? "" : ", ") + std::string(c.name);
        arrays += (first ? "$" : ", $") + std::to_string(parameter) + "::" + c.array_type + "[]";
        if (parameter > 2) updates += (updates.empty() ? "" : ", ") + std::string(c.name) + " = EXCLUDED." + c.name;
    };
    for (const auto& c : row_columns) add(c);
    for (const auto& c : detail_columns) add(c);
    return "INSERT INTO " + table + " (" + names + ") SELECT * FROM unnest(" + arrays +
           ") ON CONFLICT (instance_id, user_id) DO UPDATE SET " + updates;
}

std::string_view bool_text(bool value) { return value ? "t" : "f"; }

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
    row.username = std::string(rows.value(r, 8));
    row.profile.given_name = std::string(rows.value(r, 9));
    row.profile.family_name = std::string(rows.value(r, 10));
    row.profile.nick_name = std::string(rows.value(r, 11));
    row.profile.display_name = std::string(rows.value(r, 12));
    row.profile.preferred_language = std::string(rows.value(r, 13));
    row.profile.gender = std::stoi(std::string(rows.value(r, 14)));
    row.email = std::string(rows.value(r, 15));
    row.is_email_verified = rows.value(r, 16) == "t";
    row.machine_name = std::string(rows.value(r, 17));
    row.machine_description = std::string(rows.value(r, 18));
    row.details = sql::postgres::read_details(rows, r, row_column_count);
    return row;
}

// A page's changed rows as one array per column, in row_columns' order and then the details.
struct row_arrays {
    std::vector<array_literal> columns = std::vector<array_literal>(std::size(row_columns));
    sql::postgres::details_arrays details;

    void add(const user_phone_row& row) {
        auto next = columns.begin();
        const auto text = [&](std::string_view value) { (next++)->add_text(value); };
        const auto nullable = [&](const std::optional<std::string>& value) { (next++)->add_nullable(value); };
        text(row.instance_id);
        text(row.user_id);
        text(detail::to_text(row.kind));
        text(detail::to_text(row.state));
        nullable(row.phone);
        if (row.is_phone_verified) {
            text(bool_text(*row.is_phone_verified));
        } else {
            (next++)->add_null();
        }
        nullable(row.last_phone);
        nullable(row.verified_phone);
        text(row.username);
        text(row.profile.given_name);
        text(row.profile.family_name);
        text(row.profile.nick_name);
        text(row.profile.display_name);
        text(row.profile.preferred_language);
        text(std::to_string(row.profile.gender));
        text(row.email);
        text(bool_text(row.is_email_verified));
        text(row.machine_name);
        text(row.machine_description);
        details.add(row.details);
    }
    sql::postgres::parameters finish() {
        sql::postgres::parameters out;
        for (auto& c : columns) out.push_back(c.finish());
        for (auto* c : {&details.sequences, &details.creation_dates, &details.change_dates, &details.owners}) {
            out.push_back(c->finish());
        }
        return out;
    }
};

}  // namespace

struct postgres_user_phones::impl {
    explicit impl(subscriptions::postgres_read_model_options options)
        : db(options.conninfo, options.schema, component, schema_version, create_v1(options.schema)),
          upsert_sql(upsert(db.table(table_name))) {}
    read_model_db db;
    const std::string upsert_sql;
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
    const auto table = impl_->db.table(table_name);
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
        row_arrays changed;
        subscriptions::fold_page<user_phone_row>(
            events,
            [&](const eventstore::aggregate_key& a) -> std::optional<user_phone_row> {
                const auto it = loaded.find(a);
                if (it == loaded.end()) return std::nullopt;
                return it->second;
            },
            advance_user_phone, [&](const eventstore::aggregate_key&, const user_phone_row& row) { changed.add(row); });
        c.exec_prepared(impl_->upsert_sql, changed.finish(), false);
    });
}

void postgres_user_phones::reset() {
    std::lock_guard lock(impl_->db.mutex);
    impl_->db.reset(name(), table_name);
}

std::optional<user_phone_row> postgres_user_phones::find(const std::string& instance_id,
                                                         const std::string& user_id) const {
    std::lock_guard lock(impl_->db.mutex);
    const auto found = impl_->db.db().exec_prepared(
        "SELECT " + phone_select() + " FROM " + impl_->db.table(table_name) +
            " WHERE instance_id = $1 AND user_id = $2",
        {instance_id, user_id}, false);
    if (found.rows() == 0) return std::nullopt;
    return phone_row(found, 0);
}

std::vector<user_phone_row> postgres_user_phones::rows() const {
    std::lock_guard lock(impl_->db.mutex);
    const auto found = impl_->db.db().exec("SELECT " + phone_select() + " FROM " + impl_->db.table(table_name) +
                                           " ORDER BY instance_id COLLATE \"C\", user_id COLLATE \"C\"");
    std::vector<user_phone_row> out;
    for (int r = 0; r < found.rows(); ++r) out.push_back(phone_row(found, r));
    return out;
}

}  // namespace userstream::projections
