#include "userstream/backends/sqlite_event_store.hpp"

#include <cstring>
#include <limits>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "../common/fast_time.hpp"
#include "../common/push_transaction.hpp"
#include "../common/row_error.hpp"
#include "event_columns.hpp"
#include "reader_pool.hpp"
#include "sqlite/database.hpp"
#include "sqlite/transaction.hpp"
#include "sqlite_rows.hpp"
#include "sqlite_schema.hpp"

namespace userstream::backends {

using eventstore::stored_event;
using sql::event_columns;
using sql::sqlite::column_type;
using sql::sqlite::database;
using sql::sqlite::statement;

namespace {

const char* synchronous_pragma(sqlite_synchronous mode) {
    switch (mode) {
        case sqlite_synchronous::off: return "PRAGMA synchronous = OFF";
        case sqlite_synchronous::normal: return "PRAGMA synchronous = NORMAL";
        case sqlite_synchronous::full: break;
    }
    return "PRAGMA synchronous = FULL";
}

// No memory map (PRAGMA mmap_size stays 0). With one, every connection maps the database file on its own and maps it
// anew whenever the file has grown, so under a steady write load each read faulted its pages in again: about 1.4 minor
// faults and a third of the CPU time per durable SetPhone, for no gain on replay (1.80 vs 1.75 M events/s).

std::string select_events(const std::string& where_and_order) {
    return std::string("SELECT ") + event_columns + " FROM events2 WHERE " + where_and_order;
}

}  // namespace

namespace sqlite_detail {

namespace {

// A row decode_row_reusing cannot read. Out of line and cold, so that its checks stay small enough to be inlined:
// built in place, the message's string concatenations kept each check a call of its own (about 2.5 % of a replay's
// instructions).
[[noreturn, gnu::cold, gnu::noinline]] void throw_unreadable(const statement& row, std::string_view column,
                                                             std::string_view problem) {
    const auto coordinate = [&](int index) {
        return row.is_null(index) ? std::string_view("NULL") : row.column_text(index);
    };
    throw detail::row_error("SQLite", coordinate(0), coordinate(1), coordinate(2), coordinate(4),
                            std::string(column) + std::string(problem));
}

// The fields are assigned, not built: a replay decodes every row into one event and so reuses its strings' buffers
// (allocating and freeing them per row was about a sixth of a replay's instructions). Each column is read with one
// call (statement::text_at, integer_at or column: its type and its text or integer together), and a text field that equals what the previous
// row left there (the instance, the aggregate type, creator and owner mostly do) is not copied again.
// `created_text`, when given, holds the created_at text of the row last decoded into `event`: a row with the same text
// (the events of one push share their timestamp) keeps `event.created_at` instead of parsing it again.
void decode_row_reusing(const statement& row, stored_event& event, std::string* created_text) {
    const auto text = [&](int column, const char* name) {
        std::string_view value;
        if (!row.text_at(column, value)) [[unlikely]] throw_unreadable(row, name, " is not text");
        return value;
    };
    // A field of the same length as the row's text is overwritten in place (most ids and payloads of one stream
    // are), which costs a copy and not std::string's general replace.
    const auto overwrite = [](std::string& field, std::string_view value) {
        if (field.size() == value.size()) {
            if (!value.empty()) std::memcpy(field.data(), value.data(), value.size());
        } else {
            field.assign(value);
        }
    };
    const auto assign = [&](std::string& field, int column, const char* name) {
        const auto value = text(column, name);
        if (field != value) overwrite(field, value);
    };
    const auto integer = [&](int column, const char* name, std::int64_t min, std::int64_t max) {
        std::int64_t value = 0;
        if (!row.integer_at(column, value)) [[unlikely]] throw_unreadable(row, name, " is not an integer");
        if (value < min || value > max) [[unlikely]] throw_unreadable(row, name, " is out of range");
        return value;
    };
    constexpr auto int64_max = std::numeric_limits<std::int64_t>::max();

    assign(event.aggregate.instance_id, 0, "instance_id");
    assign(event.aggregate.aggregate_type, 1, "aggregate_type");
    overwrite(event.aggregate.aggregate_id, text(2, "aggregate_id"));
    assign(event.event_type, 3, "event_type");
    event.sequence.value = static_cast<std::uint64_t>(integer(4, "sequence", 1, int64_max));
    event.revision = static_cast<std::uint16_t>(integer(5, "revision", 0, std::numeric_limits<std::uint16_t>::max()));
    const auto created_at = text(6, "created_at");
    if (created_text == nullptr || *created_text != created_at) {
        const auto created = detail::parse_stored_time(created_at);
        if (!created) throw_unreadable(row, "created_at", " is not an RFC 3339 timestamp");
        event.created_at = *created;
        if (created_text != nullptr) created_text->assign(created_at);
    }
    const auto payload = row.column(7);
    if (payload.type == column_type::null) {
        event.payload.clear();
    } else if (payload.type != column_type::text) {
        throw_unreadable(row, "payload", " is not text");
    } else {
        overwrite(event.payload, payload.text);
    }
    assign(event.creator, 8, "creator");
    assign(event.owner, 9, "owner");
    event.position.value = static_cast<std::uint64_t>(integer(10, "position", 1, int64_max));
    event.in_tx_order =
        static_cast<std::uint32_t>(integer(11, "in_tx_order", 0, std::numeric_limits<std::uint32_t>::max()));
}

}  // namespace

void decode_row_into(const statement& row, stored_event& event) { decode_row_reusing(row, event, nullptr); }

}  // namespace sqlite_detail

namespace {

using sqlite_detail::decode_row_into;

stored_event decode_row(const statement& row) {
    stored_event event;
    decode_row_into(row, event);
    return event;
}

std::string in_list(std::size_t count, int& next_parameter) {
    std::string list = "(";
    for (std::size_t i = 0; i < count; ++i) {
        if (i) list += ", ";
        list += "?" + std::to_string(next_parameter++);
    }
    return list + ")";
}

// The WHERE clause of a global read for one filter shape; parameters are bound by `bind_global`.
std::string global_where(const eventstore::global_filter& filter, bool limited) {
    int next = 2;
    std::string where = "\"position\" > ?1";
    if (!filter.instance_id.empty()) where += " AND instance_id = ?" + std::to_string(next++);
    if (!filter.aggregate_types.empty()) where += " AND aggregate_type IN " + in_list(filter.aggregate_types.size(), next);
    if (!filter.event_types.empty()) where += " AND event_type IN " + in_list(filter.event_types.size(), next);
    where += " ORDER BY \"position\"";
    if (limited) where += " LIMIT ?" + std::to_string(next);
    return where;
}

int bind_global(statement& query, eventstore::global_position after, const eventstore::global_filter& filter) {
    int next = 1;
    query.bind(next++, static_cast<std::int64_t>(after.value));
    if (!filter.instance_id.empty()) query.bind(next++, filter.instance_id);
    for (const auto& type : filter.aggregate_types) query.bind(next++, type);
    for (const auto& type : filter.event_types) query.bind(next++, type);
    return next;
}

// One push transaction on the writer connection. BEGIN IMMEDIATE takes SQLite's write lock up front (waiting out
// other processes), which is the writers' lock that makes position order equal commit order.
//
// What this connection committed last (the last position, and the sequence of each aggregate it read or wrote) is
// remembered, and used as long as no other connection has written the file since: SQLite's `PRAGMA data_version`,
// read under the write lock, changes exactly when another connection (another process, a tool, a read model in the
// same file) has committed. Then a group reads only the sequences of aggregates it has not seen, instead of one index
// probe per push and one for the last position. Anything else (another writer, a failed or unknown COMMIT) makes
// the next group read everything again.
class sqlite_push final : public detail::push_transaction {
public:
    explicit sqlite_push(database& db) : db_(db) {}

    std::uint64_t begin(detail::sequence_map& sequences) override {
        tx_.emplace(db_);
        auto version = db_.prepare("PRAGMA data_version");
        version.step();
        const std::int64_t seen = version.column_int(0);
        if (!known_ || known_->data_version != seen) {
            known_.emplace(known_state{});  // clang 14 (./dev fuzz) rejects a bare emplace() here
            known_->data_version = seen;
            auto last = db_.prepare("SELECT COALESCE(MAX(\"position\"), 0) FROM events2");
            last.step();
            known_->last_position = static_cast<std::uint64_t>(last.column_int(0));
        }
        read_sequences(sequences);
        return known_->last_position;
    }

    void insert(std::span<const stored_event> events) override {
        auto insert = db_.prepare(
            "INSERT INTO events2 (instance_id, aggregate_type, aggregate_id, event_type, \"sequence\", revision, "
            "created_at, payload, creator, \"owner\", \"position\", in_tx_order) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
        // The events of one push share their timestamp, so its text is formatted once per push, not per event.
        std::optional<timestamp> formatted_time;
        std::string time_text;
        for (const auto& event : events) {
            if (formatted_time != event.created_at) {
                formatted_time = event.created_at;
                time_text = format_rfc3339(event.created_at);
            }
            // The texts are bound in place: `events` outlives the statement, and `time_text` changes only between
            // rows, after the row that read it was stepped.
            insert.bind_in_place(1, event.aggregate.instance_id);
            insert.bind_in_place(2, event.aggregate.aggregate_type);
            insert.bind_in_place(3, event.aggregate.aggregate_id);
            insert.bind_in_place(4, event.event_type);
            insert.bind(5, static_cast<std::int64_t>(event.sequence.value));
            insert.bind(6, static_cast<std::int64_t>(event.revision));
            insert.bind_in_place(7, time_text);
            if (event.payload.empty()) {
                insert.bind_null(8);
            } else {
                insert.bind_in_place(8, event.payload);
            }
            insert.bind_in_place(9, event.creator);
            insert.bind_in_place(10, event.owner);
            insert.bind(11, static_cast<std::int64_t>(event.position.value));
            insert.bind(12, static_cast<std::int64_t>(event.in_tx_order));
            insert.step();
            insert.reset();
        }
        inserted_ = events;
    }

    void commit() override {
        try {
            tx_->commit();
        } catch (...) {
            known_.reset();  // the COMMIT may or may not have landed
            throw;
        }
        tx_.reset();
        // What was committed is now what the file holds; the rows are still the caller's (commit_group moves them
        // into the results only after this returns).
        if (known_) {
            if (known_->sequences.size() + inserted_.size() > max_known_sequences) known_->sequences.clear();
            for (const auto& event : inserted_) {
                known_->sequences[event.aggregate] = event.sequence.value;
                known_->last_position = event.position.value;
            }
        }
        inserted_ = {};
    }

    // The transaction rolls back unless it was committed, leaving the file as it was before `begin`.
    void rollback() noexcept override {
        tx_.reset();
        inserted_ = {};
    }

private:
    // Bounds the memory of the sequences remembered (about 100 bytes each); past it they are read again.
    static constexpr std::size_t max_known_sequences = 65'536;

    struct known_state {
        std::int64_t data_version = 0;
        std::uint64_t last_position = 0;
        std::unordered_map<eventstore::aggregate_key, std::uint64_t, eventstore::aggregate_key_hash> sequences;
    };

    void read_sequences(detail::sequence_map& sequences) {
        auto query = db_.prepare(
            "SELECT MAX(\"sequence\") FROM events2 WHERE instance_id = ?1 AND aggregate_type = ?2 AND aggregate_id = ?3");
        for (auto& [key, sequence] : sequences) {
            if (const auto it = known_->sequences.find(key); it != known_->sequences.end()) {
                sequence = it->second;
                continue;
            }
            query.bind(1, key.instance_id);
            query.bind(2, key.aggregate_type);
            query.bind(3, key.aggregate_id);
            if (query.step() && query.type(0) == column_type::integer) {
                sequence = static_cast<std::uint64_t>(query.column_int(0));
            }
            query.reset();
            if (known_->sequences.size() >= max_known_sequences) known_->sequences.clear();
            known_->sequences.emplace(key, sequence);  // what the file holds, whether or not this group commits
        }
    }

    database& db_;
    std::optional<sql::sqlite::transaction> tx_;  // open between begin and commit or rollback
    std::optional<known_state> known_;            // what this connection knows the file holds, if it knows
    std::span<const stored_event> inserted_;      // the rows of the open transaction
};

}  // namespace

struct sqlite_event_store::impl {
    explicit impl(sqlite_options opts)
        : options(std::move(opts)),
          in_memory(options.path.empty() || options.path == ":memory:"),
          writer(options.path, database::mode::read_write_create, static_cast<int>(options.busy_timeout.count())),
          push(writer),
          pool([this] {
              return std::make_unique<database>(options.path, database::mode::read_write,
                                                static_cast<int>(options.busy_timeout.count()));
          }),
          committer(options.group_commit, options.max_group, [this](std::span<detail::pending_push* const> group) {
              std::lock_guard lock(writer_mutex);
              detail::commit_group(group, push);
          }) {
        if (!in_memory) {
            writer.exec("PRAGMA journal_mode = WAL");
        }
        writer.exec(synchronous_pragma(options.synchronous));
        sqlite_detail::ensure_schema(writer);
    }

    // A connection for one read. A file store leases a pooled reader connection, which WAL lets run beside the
    // writer; a private in-memory database has only the writer connection, so reads share it under its mutex.
    class reader {
    public:
        explicit reader(impl& owner) {
            if (owner.in_memory) {
                writer_ = &owner.writer;
                memory_lock_ = std::unique_lock(owner.writer_mutex);
            } else {
                pooled_.emplace(owner.pool.acquire());
            }
        }
        reader(const reader&) = delete;
        reader& operator=(const reader&) = delete;

        database& db() const { return pooled_ ? **pooled_ : *writer_; }

    private:
        database* writer_ = nullptr;
        std::unique_lock<std::mutex> memory_lock_;
        std::optional<sql::reader_pool<database>::lease> pooled_;
    };

    sqlite_options options;
    bool in_memory;
    std::mutex writer_mutex;  // the writer connection: group commits, and in-memory reads
    database writer;
    sqlite_push push;
    sql::reader_pool<database> pool;  // reader connections of a file store
    detail::group_commit committer;
};

sqlite_event_store::sqlite_event_store(sqlite_options options) : impl_(std::make_unique<impl>(std::move(options))) {}

sqlite_event_store::~sqlite_event_store() = default;

const sqlite_options& sqlite_event_store::options() const noexcept { return impl_->options; }

result<eventstore::append_result> sqlite_event_store::append(std::vector<eventstore::aggregate_append> batch) {
    return impl_->committer.submit(std::move(batch));
}

std::vector<stored_event> sqlite_event_store::read_aggregate(const eventstore::aggregate_key& aggregate,
                                                             eventstore::sequence_number after) const {
    impl::reader connection(*impl_);
    static const std::string sql = select_events(
        "instance_id = ?1 AND aggregate_type = ?2 AND aggregate_id = ?3 AND \"sequence\" > ?4 ORDER BY \"sequence\"");
    auto query = connection.db().prepare(sql);
    query.bind(1, aggregate.instance_id);
    query.bind(2, aggregate.aggregate_type);
    query.bind(3, aggregate.aggregate_id);
    query.bind(4, static_cast<std::int64_t>(std::min<std::uint64_t>(after.value, INT64_MAX)));
    std::vector<stored_event> out;
    while (query.step()) out.push_back(decode_row(query));
    return out;
}

std::vector<stored_event> sqlite_event_store::read_global(eventstore::global_position after,
                                                          const eventstore::global_filter& filter,
                                                          std::size_t limit) const {
    std::vector<stored_event> out;
    if (limit == 0) return out;
    impl::reader connection(*impl_);
    auto query = connection.db().prepare(select_events(global_where(filter, true)));
    const int limit_parameter = bind_global(query, after, filter);
    query.bind(limit_parameter, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
    while (query.step()) out.push_back(decode_row(query));
    return out;
}

std::uint64_t sqlite_event_store::for_each_global(
    eventstore::global_position after, const eventstore::global_filter& filter,
    const std::function<bool(const stored_event&)>& visit) const {
    impl::reader connection(*impl_);
    auto query = connection.db().prepare(select_events(global_where(filter, false)));
    bind_global(query, after, filter);
    std::uint64_t visited = 0;
    stored_event event;  // reused: `visit` sees each event only for the length of its call
    std::string created_text;  // event.created_at's text, so a run of rows with one timestamp parses it once
    while (query.step()) {
        ++visited;
        sqlite_detail::decode_row_reusing(query, event, &created_text);
        if (!visit(event)) break;
    }
    return visited;
}

eventstore::global_position sqlite_event_store::head() const {
    impl::reader connection(*impl_);
    auto query = connection.db().prepare("SELECT COALESCE(MAX(\"position\"), 0) FROM events2");
    query.step();
    return eventstore::global_position{static_cast<std::uint64_t>(query.column_int(0))};
}

}  // namespace userstream::backends
