#include "userstream/backends/postgres_event_store.hpp"

#include <charconv>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../common/push_transaction.hpp"
#include "event_columns.hpp"
#include "pg_rows.hpp"
#include "pg_schema.hpp"
#include "postgres/array_literal.hpp"
#include "postgres/connection.hpp"
#include "reader_pool.hpp"

namespace userstream::backends {

using eventstore::stored_event;
using pg_detail::decode_row;
using sql::event_columns;
using sql::postgres::array_literal;
using sql::postgres::begin_transaction;
using sql::postgres::check_parameters;
using sql::postgres::connection;
using sql::postgres::parameters;

namespace {

std::uint64_t parse_count(std::string_view text) {
    std::uint64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

struct statements {
    explicit statements(const std::string& schema, unsigned table_oid)
        : table(schema + ".events2"),
          // The writers' lock: exclusive, transaction-scoped, keyed by the table, so every process writing this
          // table queues here and positions are assigned in commit order.
          lock("SELECT pg_advisory_xact_lock(hashtext('userstream.events2'), " +
               std::to_string(static_cast<std::int32_t>(table_oid)) + ")"),
          last_position("SELECT COALESCE(MAX(\"position\"), 0) FROM " + table),
          sequences("SELECT k.ord, (SELECT MAX(e.\"sequence\") FROM " + table +
                    " e WHERE e.instance_id = k.i AND e.aggregate_type = k.t AND e.aggregate_id = k.a) "
                    "FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k(i, t, a, ord)"),
          // A whole group is one INSERT ... SELECT FROM unnest(...) of array literals, built column by column.
          insert("INSERT INTO " + table + " (" + event_columns +
                 ") SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], "
                 "$6::smallint[], $7::timestamptz[], $8::jsonb[], $9::text[], $10::text[], $11::bigint[], "
                 "$12::integer[])"),
          read_aggregate(std::string("SELECT ") + event_columns + " FROM " + table +
                         " WHERE instance_id = $1 AND aggregate_type = $2 AND aggregate_id = $3 AND \"sequence\" > $4"
                         " ORDER BY \"sequence\"") {}

    // The global read for one filter shape: $1 position, then instance, aggregate types, event types, limit.
    std::string global(const eventstore::global_filter& filter) const {
        int next = 2;
        std::string sql = std::string("SELECT ") + event_columns + " FROM " + table + " WHERE \"position\" > $1";
        if (!filter.instance_id.empty()) sql += " AND instance_id = $" + std::to_string(next++);
        if (!filter.aggregate_types.empty()) sql += " AND aggregate_type = ANY($" + std::to_string(next++) + "::text[])";
        if (!filter.event_types.empty()) sql += " AND event_type = ANY($" + std::to_string(next++) + "::text[])";
        sql += " ORDER BY \"position\" LIMIT $" + std::to_string(next);
        return sql;
    }

    std::string table, lock, last_position, sequences, insert, read_aggregate;
};

parameters global_parameters(eventstore::global_position after, const eventstore::global_filter& filter,
                             std::size_t limit) {
    parameters params{std::to_string(after.value)};
    if (!filter.instance_id.empty()) params.emplace_back(filter.instance_id);
    for (const auto* list : {&filter.aggregate_types, &filter.event_types}) {
        if (list->empty()) continue;
        array_literal literal;
        for (const auto& value : *list) literal.add_text(value);
        params.emplace_back(literal.finish());
    }
    params.emplace_back(std::to_string(limit));
    return params;
}

// Makes `db` the writer connection: the push statements prepared, in pipeline mode.
std::unique_ptr<connection> as_writer(std::unique_ptr<connection> db, const statements& sql) {
    db->prepare(sql.last_position);
    db->prepare(sql.sequences);
    db->prepare(sql.insert);
    db->enter_pipeline();
    return db;
}

// One group transaction on the writer connection, in pipeline mode: BEGIN, the lock, the last position and the
// current sequences go in one round trip; the INSERT and COMMIT in a second.
//
// A broken writer connection (the server restarted, the network dropped it) is replaced at the start of the next
// push, before its BEGIN, so no transaction ever spans two connections. The push that met the break fails as a store
// failure (push_transaction.hpp), and the server rolls back whatever that connection left open.
class postgres_push final : public detail::push_transaction {
public:
    postgres_push(std::unique_ptr<connection> first, std::string conninfo, const statements& sql)
        : db_(as_writer(std::move(first), sql)), conninfo_(std::move(conninfo)), sql_(sql) {}

    std::uint64_t begin(detail::sequence_map& sequences) override {
        std::vector<std::uint64_t*> slots;
        array_literal instances, types, ids;
        for (auto& [key, sequence] : sequences) {
            instances.add_text(key.instance_id);
            types.add_text(key.aggregate_type);
            ids.add_text(key.aggregate_id);
            slots.push_back(&sequence);
        }
        const parameters keys{instances.finish(), types.finish(), ids.finish()};
        check_parameters(keys, sql_.sequences);  // before anything is sent, so a refusal leaves no batch half-queued
        if (!db_ || !db_->healthy()) {
            db_.reset();
            db_ = as_writer(std::make_unique<connection>(conninfo_), sql_);
        }
        auto& db = *db_;
        db.send(begin_transaction);
        db.send(sql_.lock);
        db.send_prepared(sql_.last_position, {}, false);
        db.send_prepared(sql_.sequences, keys, false);
        db.sync();
        db.next_result();
        db.next_result();
        const auto last = db.next_result();
        const auto current = db.next_result();
        db.end_sync();
        for (int row = 0; row < current.rows(); ++row) {
            if (current.is_null(row, 1)) continue;
            *slots.at(parse_count(current.value(row, 0)) - 1) = parse_count(current.value(row, 1));
        }
        return parse_count(last.value(0, 0));
    }

    void insert(std::span<const stored_event> events) override {
        array_literal columns[12];
        for (const auto& event : events) {
            columns[0].add_text(event.aggregate.instance_id);
            columns[1].add_text(event.aggregate.aggregate_type);
            columns[2].add_text(event.aggregate.aggregate_id);
            columns[3].add_text(event.event_type);
            columns[4].add_number(event.sequence.value);
            columns[5].add_number(event.revision);
            columns[6].add_text(format_rfc3339(event.created_at));
            if (event.payload.empty()) {
                columns[7].add_null();
            } else {
                columns[7].add_text(event.payload);
            }
            columns[8].add_text(event.creator);
            columns[9].add_text(event.owner);
            columns[10].add_number(event.position.value);
            columns[11].add_number(event.in_tx_order);
        }
        parameters params;
        for (auto& column : columns) params.emplace_back(column.finish());
        db_->send_prepared(sql_.insert, params, false);
        inserted_ = true;
    }

    void commit() override {
        db_->send("COMMIT");
        db_->sync();
        if (std::exchange(inserted_, false)) db_->next_result();
        db_->next_result();
        db_->end_sync();
    }

    void rollback() noexcept override {
        inserted_ = false;
        if (!db_) return;
        db_->drain_to_sync();
        if (db_->in_transaction()) {
            try {
                db_->send("ROLLBACK");
                db_->sync();
                db_->drain_to_sync();
            } catch (...) {
                // The connection is gone; the server rolls the transaction back when it notices.
            }
        }
        // A connection left in any state but idle (broken, results pending, a transaction still open) is not reused:
        // the next push opens a new one, and the server rolls back what this one left.
        if (!db_->idle()) db_.reset();
    }

private:
    std::unique_ptr<connection> db_;  // null after a failed reconnect; the next push tries again
    const std::string conninfo_;
    const statements& sql_;
    bool inserted_ = false;
};

// The first writer connection, which also creates or checks the schema.
struct first_writer {
    std::unique_ptr<connection> db;
    unsigned table_oid;
    first_writer(const std::string& conninfo, const std::string& schema)
        : db(std::make_unique<connection>(conninfo)), table_oid(pg_detail::ensure_schema(*db, schema)) {}
};

}  // namespace

struct postgres_event_store::impl {
    explicit impl(postgres_options opts) : impl(first_writer(opts.conninfo, opts.schema), std::move(opts)) {}
    impl(first_writer first, postgres_options&& opts)
        : options(std::move(opts)),
          sql(options.schema, first.table_oid),
          push(std::move(first.db), options.conninfo, sql),
          // A pooled connection the server closed meanwhile (a restart) is dropped, not used for one failure.
          pool([this] { return std::make_unique<connection>(options.conninfo); },
               [](connection& c) { return c.healthy(); }),
          committer(options.group_commit, options.max_group, [this](std::span<detail::pending_push* const> group) {
              std::lock_guard lock(writer_mutex);
              detail::commit_group(group, push);
          }) {}

    postgres_options options;
    std::mutex writer_mutex;
    statements sql;
    postgres_push push;
    sql::reader_pool<connection> pool;  // reader connections; one that failed mid-read is dropped, not reused
    detail::group_commit committer;
};

postgres_event_store::postgres_event_store(postgres_options options)
    : impl_(std::make_unique<impl>(std::move(options))) {}

postgres_event_store::~postgres_event_store() = default;

const postgres_options& postgres_event_store::options() const noexcept { return impl_->options; }

result<eventstore::append_result> postgres_event_store::append(std::vector<eventstore::aggregate_append> batch) {
    if (auto rejected = eventstore::check_append(batch)) return std::move(*rejected);
    return impl_->committer.submit(std::move(batch));
}

std::vector<stored_event> postgres_event_store::read_aggregate(const eventstore::aggregate_key& aggregate,
                                                               eventstore::sequence_number after) const {
    auto reader = impl_->pool.acquire();
    const auto rows = reader->exec_prepared(
        impl_->sql.read_aggregate,
        {aggregate.instance_id, aggregate.aggregate_type, aggregate.aggregate_id, std::to_string(after.value)}, true);
    std::vector<stored_event> out;
    out.reserve(static_cast<std::size_t>(rows.rows()));
    for (int row = 0; row < rows.rows(); ++row) out.push_back(decode_row(rows, row));
    return out;
}

std::vector<stored_event> postgres_event_store::read_global(eventstore::global_position after,
                                                            const eventstore::global_filter& filter,
                                                            std::size_t limit) const {
    std::vector<stored_event> out;
    if (limit == 0) return out;
    limit = std::min<std::size_t>(limit, INT64_MAX);
    auto reader = impl_->pool.acquire();
    const auto rows =
        reader->exec_prepared(impl_->sql.global(filter), global_parameters(after, filter, limit), true);
    out.reserve(static_cast<std::size_t>(rows.rows()));
    for (int row = 0; row < rows.rows(); ++row) out.push_back(decode_row(rows, row));
    return out;
}

std::uint64_t postgres_event_store::for_each_global(
    eventstore::global_position after, const eventstore::global_filter& filter,
    const std::function<bool(const stored_event&)>& visit) const {
    // Keyset pages: each page starts after the last position seen, so no cursor or snapshot is held between pages,
    // and positions commit in order, so nothing that commits meanwhile can slip in behind the reader.
    constexpr std::size_t page_size = 8192;
    auto reader = impl_->pool.acquire();
    const std::string sql = impl_->sql.global(filter);
    std::uint64_t visited = 0;
    for (;;) {
        const auto rows = reader->exec_prepared(sql, global_parameters(after, filter, page_size), true);
        for (int row = 0; row < rows.rows(); ++row) {
            const auto event = decode_row(rows, row);
            ++visited;
            if (!visit(event)) return visited;
            after = event.position;
        }
        if (static_cast<std::size_t>(rows.rows()) < page_size) return visited;
    }
}

eventstore::global_position postgres_event_store::head() const {
    auto reader = impl_->pool.acquire();
    const auto rows = reader->exec_prepared(impl_->sql.last_position, {}, false);
    return eventstore::global_position{parse_count(rows.value(0, 0))};
}

}  // namespace userstream::backends
