#include "userstream/projections/sqlite_read_models.hpp"

#include "../detail/row_text.hpp"
#include "sqlite/read_model_db.hpp"
#include "userstream/subscriptions/page_fold.hpp"

namespace userstream::projections {

using sql::sqlite::read_model_db;
using sql::sqlite::statement;

namespace {

// The schema component of this read model's table (besides the shared checkpoint table). The table of the earlier
// layout, `user_phones` (component `user_phones`), had no profile columns; it is left as it is, and this one, under
// its own name and checkpoint (`user_phone_v2`), is filled from position 0.
constexpr const char* component = "user_phones_v2";
constexpr int schema_version = 1;
constexpr const char* create_v1 = R"sql(
CREATE TABLE IF NOT EXISTS user_phones_v2 (
    instance_id         TEXT    NOT NULL,
    user_id             TEXT    NOT NULL,
    kind                TEXT    NOT NULL,
    state               TEXT    NOT NULL,
    phone               TEXT,
    is_phone_verified   INTEGER,
    last_phone          TEXT,
    verified_phone      TEXT,
    username            TEXT    NOT NULL,
    given_name          TEXT    NOT NULL,
    family_name         TEXT    NOT NULL,
    nick_name           TEXT    NOT NULL,
    display_name        TEXT    NOT NULL,
    preferred_language  TEXT    NOT NULL,
    gender              INTEGER NOT NULL,
    email               TEXT    NOT NULL,
    is_email_verified   INTEGER NOT NULL,
    machine_name        TEXT    NOT NULL,
    machine_description TEXT    NOT NULL,
    "sequence"          INTEGER NOT NULL,
    creation_date       TEXT    NOT NULL,
    change_date         TEXT    NOT NULL,
    resource_owner      TEXT    NOT NULL,
    PRIMARY KEY (instance_id, user_id)
);
)sql";

constexpr const char* phone_columns =
    "instance_id, user_id, kind, state, phone, is_phone_verified, last_phone, verified_phone, username, given_name, "
    "family_name, nick_name, display_name, preferred_language, gender, email, is_email_verified, machine_name, "
    "machine_description, \"sequence\", creation_date, change_date, resource_owner";
constexpr int column_count = 23;

std::string placeholders() {
    std::string out;
    for (int i = 1; i <= column_count; ++i) out += (i > 1 ? ", ?" : "?") + std::to_string(i);
    return out;
}

user_phone_row phone_row(const statement& read) {
    user_phone_row row;
    row.instance_id = std::string(read.column_text(0));
    row.user_id = std::string(read.column_text(1));
    row.kind = detail::kind_from_text(read.column_text(2));
    row.state = detail::state_from_text(read.column_text(3));
    row.phone = sql::sqlite::optional_text(read, 4);
    if (!read.is_null(5)) row.is_phone_verified = read.column_int(5) != 0;
    row.last_phone = sql::sqlite::optional_text(read, 6);
    row.verified_phone = sql::sqlite::optional_text(read, 7);
    row.username = std::string(read.column_text(8));
    row.profile.given_name = std::string(read.column_text(9));
    row.profile.family_name = std::string(read.column_text(10));
    row.profile.nick_name = std::string(read.column_text(11));
    row.profile.display_name = std::string(read.column_text(12));
    row.profile.preferred_language = std::string(read.column_text(13));
    row.profile.gender = static_cast<int>(read.column_int(14));
    row.email = std::string(read.column_text(15));
    row.is_email_verified = read.column_int(16) != 0;
    row.machine_name = std::string(read.column_text(17));
    row.machine_description = std::string(read.column_text(18));
    row.details = sql::sqlite::read_details(read, 19);
    return row;
}

}  // namespace

struct sqlite_user_phones::impl {
    explicit impl(const subscriptions::sqlite_read_model_options& options)
        : db(options.path, options.busy_timeout, component, schema_version, create_v1) {}
    read_model_db db;

    std::optional<user_phone_row> find(const std::string& instance_id, const std::string& user_id) {
        auto read = db.db.prepare(std::string("SELECT ") + phone_columns +
                                  " FROM user_phones_v2 WHERE instance_id = ?1 AND user_id = ?2");
        read.bind(1, instance_id);
        read.bind(2, user_id);
        if (!read.step()) return std::nullopt;
        return phone_row(read);
    }

    void save(const user_phone_row& row) {
        static const std::string insert =
            std::string("INSERT OR REPLACE INTO user_phones_v2 (") + phone_columns + ") VALUES (" + placeholders() + ")";
        auto save = db.db.prepare(insert);
        save.bind(1, row.instance_id);
        save.bind(2, row.user_id);
        save.bind(3, detail::to_text(row.kind));
        save.bind(4, detail::to_text(row.state));
        sql::sqlite::bind_optional(save, 5, row.phone);
        if (row.is_phone_verified) {
            save.bind(6, std::int64_t{*row.is_phone_verified ? 1 : 0});
        } else {
            save.bind_null(6);
        }
        sql::sqlite::bind_optional(save, 7, row.last_phone);
        sql::sqlite::bind_optional(save, 8, row.verified_phone);
        save.bind(9, row.username);
        save.bind(10, row.profile.given_name);
        save.bind(11, row.profile.family_name);
        save.bind(12, row.profile.nick_name);
        save.bind(13, row.profile.display_name);
        save.bind(14, row.profile.preferred_language);
        save.bind(15, std::int64_t{row.profile.gender});
        save.bind(16, row.email);
        save.bind(17, std::int64_t{row.is_email_verified ? 1 : 0});
        save.bind(18, row.machine_name);
        save.bind(19, row.machine_description);
        sql::sqlite::bind_details(save, 20, row.details);
        save.step();
    }
};

sqlite_user_phones::sqlite_user_phones(subscriptions::sqlite_read_model_options options)
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
        subscriptions::fold_page<user_phone_row>(
            events,
            [&](const eventstore::aggregate_key& a) { return impl_->find(a.instance_id, a.aggregate_id); },
            advance_user_phone, [&](const eventstore::aggregate_key&, const user_phone_row& row) { impl_->save(row); });
    });
}

void sqlite_user_phones::reset() {
    std::lock_guard lock(impl_->db.mutex);
    impl_->db.reset(name(), "DELETE FROM user_phones_v2");
}

std::optional<user_phone_row> sqlite_user_phones::find(const std::string& instance_id,
                                                       const std::string& user_id) const {
    std::lock_guard lock(impl_->db.mutex);
    return impl_->find(instance_id, user_id);
}

std::vector<user_phone_row> sqlite_user_phones::rows() const {
    std::lock_guard lock(impl_->db.mutex);
    auto read = impl_->db.db.prepare(std::string("SELECT ") + phone_columns +
                                     " FROM user_phones_v2 ORDER BY instance_id, user_id");
    std::vector<user_phone_row> out;
    while (read.step()) out.push_back(phone_row(read));
    return out;
}

}  // namespace userstream::projections
