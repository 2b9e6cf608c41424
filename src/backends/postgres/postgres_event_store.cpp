#include "userstream/backends/postgres_event_store.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
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
    statements(const std::string& schema, const pg_detail::schema_info& info)
        : parallel(info.commits == postgres_commits::parallel),
          table(schema + ".events2"),
          // Serialised commits: the writers' lock, exclusive, transaction-scoped, keyed by the table, so every process
          // writing this table queues here and positions are assigned in commit order.
          lock("SELECT pg_advisory_xact_lock(hashtext('userstream.events2'), " +
               std::to_string(static_cast<std::int32_t>(info.table_oid)) + ")"),
          // Parallel commits: the base of this transaction's positions, its id (taken now, before any row is written)
          // plus the epoch, shifted past the ordinals.
          transaction_base("SELECT (pg_current_xact_id()::text::bigint + " + std::to_string(info.epoch) + ") << " +
                           std::to_string(pg_detail::transaction_bits)),
          // Parallel commits: every position below it belongs to a finished transaction, and every transaction still
          // to come gets a larger id, so a reader that stops here never skips a late commit. Evaluated against the
          // statement's own snapshot, which sees every finished transaction.
          horizon(parallel ? "((pg_snapshot_xmin(pg_current_snapshot())::text::bigint + " +
                                 std::to_string(info.epoch) + ") << " + std::to_string(pg_detail::transaction_bits) +
                                 ")"
                           : ""),
          last_position("SELECT COALESCE(MAX(\"position\"), 0) FROM " + table +
                        (parallel ? " WHERE \"position\" < " + horizon : std::string())),
          sequences("SELECT k.ord, (SELECT MAX(e.\"sequence\") FROM " + table +
                    " e WHERE e.instance_id = k.i AND e.aggregate_type = k.t AND e.aggregate_id = k.a) "
                    "FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k(i, t, a, ord)"),
          // A whole group is one INSERT ... SELECT FROM unnest(...) of array literals, built column by column.
          insert("INSERT INTO " + table + " (" + event_columns +
                 ") SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], "
                 "$6::smallint[], $7::timestamptz[], $8::jsonb[], $9::text[], $10::text[], $11::bigint[], "
                 "$12::integer[])"),
          // Parallel commits, one round trip: the rows of a group whose every part names its expected sequence, with
          // the positions offset on the server by the transaction's base, and each aggregate's first row checked
          // against the stored stream. A stale sequence behind the stream collides with the primary key by itself;
          // one ahead of it (the stream ends before its predecessor) makes the row come out twice, so it collides
          // too. Either way the INSERT fails with a unique violation and the group is committed again push by push.
          // The stream's end is read as the primary key's last entry for the aggregate (ORDER BY the key, LIMIT 1):
          // a plain existence test of (aggregate, sequence - 1) let the planner pick es_projection, which matches
          // only (instance, type), while the table had no statistics yet, and scan every row of the instance.
          // It is the transaction's only statement, committed by the pipeline's sync point (an implicit
          // transaction), so it also returns the base: BEGIN, the base's SELECT and COMMIT would each cost the
          // server a statement of their own.
          insert_trusted("WITH base AS (" + transaction_base + " AS b), ins AS (INSERT INTO " + table + " (" +
                         event_columns +
                         ") SELECT u.i, u.t, u.a, u.e, u.s, u.r, u.c, u.p, u.cr, u.o, base.b + u.pos, u.ord "
                         "FROM base, unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], "
                         "$6::smallint[], $7::timestamptz[], $8::jsonb[], $9::text[], $10::text[], $11::bigint[], "
                         "$12::integer[], $13::boolean[]) AS u(i, t, a, e, s, r, c, p, cr, o, pos, ord, first) "
                         "CROSS JOIN LATERAL (SELECT 1 UNION ALL SELECT 1 WHERE u.first AND u.s > 1 AND COALESCE((SELECT "
                         "x.\"sequence\" FROM " + table + " x WHERE x.instance_id = u.i AND x.aggregate_type = u.t "
                         "AND x.aggregate_id = u.a ORDER BY x.instance_id DESC, x.aggregate_type DESC, "
                         "x.aggregate_id DESC, x.\"sequence\" DESC LIMIT 1), 0) < u.s - 1) AS twice(n)) SELECT b FROM base"),
          read_aggregate(std::string("SELECT ") + event_columns + " FROM " + table +
                         " WHERE instance_id = $1 AND aggregate_type = $2 AND aggregate_id = $3 AND \"sequence\" > $4"
                         " ORDER BY \"sequence\"") {}

    // The global read for one filter shape: $1 position, then instance, aggregate types, event types, limit.
    std::string global(const eventstore::global_filter& filter) const {
        int next = 2;
        std::string sql = std::string("SELECT ") + event_columns + " FROM " + table + " WHERE \"position\" > $1";
        if (parallel) sql += " AND \"position\" < " + horizon;
        if (!filter.instance_id.empty()) sql += " AND instance_id = $" + std::to_string(next++);
        if (!filter.aggregate_types.empty()) sql += " AND aggregate_type = ANY($" + std::to_string(next++) + "::text[])";
        if (!filter.event_types.empty()) sql += " AND event_type = ANY($" + std::to_string(next++) + "::text[])";
        sql += " ORDER BY \"position\" LIMIT $" + std::to_string(next);
        return sql;
    }

    bool parallel;
    std::string table, lock, transaction_base, horizon, last_position, sequences, insert, insert_trusted, read_aggregate;
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
    if (!db) return db;
    // Generic plans for the push statements: their parameters are arrays whose length the planner cannot know, so it
    // rates the generic plan above its custom ones and would otherwise plan every execution anew (about 0.1 ms of
    // the server's time per group, more than the INSERT itself).
    // The trusted INSERT runs without BEGIN, in an implicit transaction, which would take the server's default level.
    db->exec("SET plan_cache_mode = force_generic_plan; SET default_transaction_isolation = 'read committed'");
    db->prepare(sql.parallel ? sql.transaction_base : sql.last_position);
    db->prepare(sql.sequences);
    db->prepare(sql.insert);
    if (sql.parallel) db->prepare(sql.insert_trusted);
    db->enter_pipeline();
    return db;
}

// One group transaction on the writer connection, in pipeline mode: BEGIN, the lock and the last position (serialised
// commits) or the transaction's position base (parallel commits), and the current sequences go in one round trip; the
// INSERT and COMMIT in a second. With parallel commits, a group that names every expected sequence goes in one round
// trip instead (`trust`), as one statement committed by the sync point: the INSERT checks the sequences, offsets the
// positions on the server and returns the base, which the lane adds to the results afterwards (`take_shift`).
//
// A broken writer connection (the server restarted, the network dropped it) is replaced at the start of the next
// push, before its BEGIN, so no transaction ever spans two connections. The push that met the break fails as a store
// failure (push_transaction.hpp), and the server rolls back whatever that connection left open.
class postgres_push final : public detail::push_transaction {
public:
    postgres_push(std::unique_ptr<connection> first, std::string conninfo, const statements& sql)
        : db_(as_writer(std::move(first), sql)), conninfo_(std::move(conninfo)), sql_(sql) {}

    // Parallel commits: the next transaction trusts these sequences (each aggregate's expected sequence in the
    // group's first part touching it) instead of reading them, and sends everything in one round trip. Only the next
    // `begin` uses them, so a group committed again push by push reads its sequences as usual.
    void trust(detail::sequence_map expected) { trusted_ = std::move(expected); }
    // Trusts the group's expected sequences when every part of every push names one and carries events (a part
    // without events has no row to check its sequence with).
    void trust_if_eligible(std::span<detail::pending_push* const> group) {
        detail::sequence_map expected;
        for (const auto* pending : group) {
            for (const auto& part : pending->batch) {
                if (!part.expected_sequence || part.events.empty()) return;
                expected.emplace(part.aggregate, part.expected_sequence->value);  // the first part touching it
            }
        }
        trust(std::move(expected));
    }
    // After a trusted transaction committed: the base its positions were offset by on the server, which the results
    // (numbered from 0) still need; 0 otherwise.
    std::uint64_t take_shift() noexcept { return std::exchange(shift_, 0); }

    std::uint64_t begin(detail::sequence_map& sequences) override {
        if (trusted_) return begin_trusted(sequences);
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
        reconnect_if_broken();
        auto& db = *db_;
        db.send(begin_transaction);
        if (!sql_.parallel) db.send(sql_.lock);
        db.send_prepared(sql_.parallel ? sql_.transaction_base : sql_.last_position, {}, false);
        db.send_prepared(sql_.sequences, keys, false);
        db.sync();
        db.next_result();
        if (!sql_.parallel) db.next_result();
        const auto last = db.next_result();
        const auto current = db.next_result();
        db.end_sync();
        for (int row = 0; row < current.rows(); ++row) {
            if (current.is_null(row, 1)) continue;
            *slots.at(parse_count(current.value(row, 0)) - 1) = parse_count(current.value(row, 1));
        }
        base_ = parse_count(last.value(0, 0));
        if (sql_.parallel && (base_ >> pg_detail::transaction_bits) >= pg_detail::max_transaction) {
            throw infrastructure_error("PostgreSQL event store: transaction ids have outgrown the positions of "
                                       "parallel commits (2^43)");
        }
        return base_;
    }

    std::uint64_t begin_trusted(detail::sequence_map& sequences) {
        for (auto& [key, sequence] : sequences) sequence = trusted_->at(key);
        trusted_.reset();
        reconnect_if_broken();
        deferred_ = true;
        base_ = 0;
        return 0;
    }

    void insert(std::span<const stored_event> events) override {
        // Parallel commits: the ordinals must fit below the next transaction's base. Thrown before anything is sent;
        // a group that overflows is retried push by push, and a single push over the cap is refused by `append`.
        if (sql_.parallel && !events.empty() && events.back().position.value - base_ > pg_detail::max_events_per_transaction) {
            throw std::length_error("PostgreSQL event store: more than " +
                                    std::to_string(pg_detail::max_events_per_transaction) +
                                    " events in one transaction");
        }
        // Rows in key order: writers that commit in parallel then wait on each other's new keys in one order, never
        // in a cycle (a deadlock the server would break by failing one of them).
        order_.resize(events.size());
        for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = i;
        if (sql_.parallel) {
            std::sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) {
                const auto& x = events[a];
                const auto& y = events[b];
                return std::tie(x.aggregate.instance_id, x.aggregate.aggregate_type, x.aggregate.aggregate_id,
                                x.sequence.value) < std::tie(y.aggregate.instance_id, y.aggregate.aggregate_type,
                                                             y.aggregate.aggregate_id, y.sequence.value);
            });
        }
        // A trusted transaction checks the first row of each aggregate against the stored stream.
        std::vector<bool> first(events.size(), false);
        if (deferred_) {
            detail::sequence_map seen;
            for (std::size_t i = 0; i < events.size(); ++i) first[i] = seen.emplace(events[i].aggregate, 0).second;
        }
        array_literal columns[13];
        for (const std::size_t index : order_) {
            const auto& event = events[index];
            columns[12].add_text(first[index] ? "t" : "f");
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
        if (!deferred_) params.pop_back();
        db_->send_prepared(deferred_ ? sql_.insert_trusted : sql_.insert, params, false);
        inserted_ = true;
    }

    void commit() override {
        if (deferred_) {
            // The trusted INSERT alone, committed at the sync point; a group of pushes without events sends nothing.
            db_->sync();
            const auto base = std::exchange(inserted_, false) ? parse_count(db_->next_result().value(0, 0)) : 0;
            db_->end_sync();
            deferred_ = false;
            shift_ = base;
            return;
        }
        db_->send("COMMIT");
        db_->sync();
        if (std::exchange(inserted_, false)) db_->next_result();
        db_->next_result();
        db_->end_sync();
    }

    void rollback() noexcept override {
        inserted_ = false;
        deferred_ = false;
        trusted_.reset();
        shift_ = 0;
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
    // Replaces a writer connection known to be broken (or missing after a failed reconnect) before a transaction.
    void reconnect_if_broken() {
        if (db_ && db_->healthy()) return;
        db_.reset();
        db_ = as_writer(std::make_unique<connection>(conninfo_), sql_);
    }

    std::unique_ptr<connection> db_;  // null after a failed reconnect; the next push tries again
    const std::string conninfo_;
    const statements& sql_;
    bool inserted_ = false;
    std::uint64_t base_ = 0;          // what `begin` returned: the last position, or this transaction's position base
    std::vector<std::size_t> order_;  // the order `insert` writes rows in
    std::optional<detail::sequence_map> trusted_;
    bool deferred_ = false;  // the open transaction is a trusted one: its results are read at COMMIT
    std::uint64_t shift_ = 0;
};

// Parallel commits: several writer connections ("lanes"), each grouping the pushes routed to it, so that one lane's
// commit (its WAL flush) overlaps the next lane's statements and the server's own group commit can merge flushes.
struct writer_lane {
    writer_lane(std::unique_ptr<connection> first, const std::string& conninfo, const statements& sql,
                const postgres_options& options)
        : push(std::move(first), conninfo, sql),
          committer(options.group_commit, options.max_group,
                    [this](std::span<detail::pending_push* const> group) {
                        std::lock_guard lock(mutex);
                        if (trusting) push.trust_if_eligible(group);
                        detail::commit_group(group, push);
                        if (const auto shift = push.take_shift()) {
                            for (auto* pending : group) {
                                if (!pending->outcome || !pending->outcome->ok()) continue;
                                auto& stored = pending->outcome->value();
                                for (auto& event : stored.events) event.position.value += shift;
                                stored.last_position.value += shift;
                            }
                        }
                    }),
          trusting(sql.parallel) {}

    std::mutex mutex;
    postgres_push push;
    detail::group_commit committer;
    std::atomic<int> in_flight{0};          // pushes submitted to this lane and not yet returned
    const bool trusting;                    // parallel commits: groups that name every expected sequence go in one trip
};

// The first writer connection, which also creates or checks the schema.
struct first_writer {
    std::unique_ptr<connection> db;
    pg_detail::schema_info schema;
    first_writer(const std::string& conninfo, const std::string& schema_name,
                 std::optional<postgres_commits> commits)
        : db(std::make_unique<connection>(conninfo)), schema(pg_detail::ensure_schema(*db, schema_name, commits)) {}
};

}  // namespace

struct postgres_event_store::impl {
    explicit impl(postgres_options opts) : impl(first_writer(opts.conninfo, opts.schema, opts.commits), std::move(opts)) {}
    impl(first_writer first, postgres_options&& opts)
        : options(std::move(opts)),
          sql(options.schema, first.schema),
          // A pooled connection the server closed meanwhile (a restart) is dropped, not used for one failure.
          pool([this] { return std::make_unique<connection>(options.conninfo); },
               [](connection& c) { return c.healthy(); }) {
        options.commits = first.schema.commits;
        // Serialised commits need one lane: the writers' lock would queue a second one behind the first anyway.
        const std::size_t count = sql.parallel ? std::max<std::size_t>(options.writers, 1) : 1;
        lanes.reserve(count);
        // The other lanes connect on their first push.
        lanes.push_back(std::make_unique<writer_lane>(std::move(first.db), options.conninfo, sql, options));
        while (lanes.size() < count) {
            lanes.push_back(std::make_unique<writer_lane>(nullptr, options.conninfo, sql, options));
        }
    }

    // The lane with the fewest pushes in flight (the first of equals), so that the callers spread evenly over the
    // lanes and every lane's commit overlaps another's. Routing to the first lane not in a transaction instead kept
    // the callers in one convoy: from 8 threads, all 8 pushes woke together from one lane's commit, found it free
    // again and formed the next group there, so lane 1 committed groups of 8 one after another while lane 2 sat
    // nearly idle (8.1-9.6k SetPhone/s against 10.7-11.4k/s with even spreading, alternating runs).
    writer_lane& pick_lane() {
        writer_lane* least = lanes.front().get();
        for (const auto& lane : lanes) {
            if (lane->in_flight.load(std::memory_order_relaxed) < least->in_flight.load(std::memory_order_relaxed)) {
                least = lane.get();
            }
        }
        return *least;
    }

    postgres_options options;
    statements sql;
    sql::reader_pool<connection> pool;  // reader connections; one that failed mid-read is dropped, not reused
    std::vector<std::unique_ptr<writer_lane>> lanes;
};

postgres_event_store::postgres_event_store(postgres_options options)
    : impl_(std::make_unique<impl>(std::move(options))) {}

postgres_event_store::~postgres_event_store() = default;

const postgres_options& postgres_event_store::options() const noexcept { return impl_->options; }

result<eventstore::append_result> postgres_event_store::append(std::vector<eventstore::aggregate_append> batch) {
    if (auto rejected = eventstore::check_append(batch)) return std::move(*rejected);
    if (impl_->sql.parallel) {
        std::uint64_t events = 0;
        for (const auto& part : batch) events += part.events.size();
        if (events > pg_detail::max_events_per_transaction) {
            throw std::invalid_argument("PostgreSQL event store with parallel commits: a push may hold at most " +
                                        std::to_string(pg_detail::max_events_per_transaction) + " events, this one has " +
                                        std::to_string(events));
        }
    }
    auto& lane = impl_->pick_lane();
    lane.in_flight.fetch_add(1, std::memory_order_relaxed);
    struct leave {
        writer_lane& lane;
        ~leave() { lane.in_flight.fetch_sub(1, std::memory_order_relaxed); }
    } left{lane};
    return lane.committer.submit(std::move(batch));
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
    // Keyset pages: each page starts after the last position of the one before, so no cursor or snapshot is held
    // between pages, and positions commit in order (or, with parallel commits, each page stops at the horizon), so
    // nothing that commits meanwhile can slip in behind the reader. A full page's last position is known as soon as
    // the page arrives, so the next page is asked for before this one is decoded: the server reads and sends it while
    // this thread decodes and visits, where one page after another made each side wait for the other.
    const int page_size = static_cast<int>(std::clamp<std::size_t>(impl_->options.replay_page_rows, 1, INT32_MAX));
    auto reader = impl_->pool.acquire();
    const std::string sql = impl_->sql.global(filter);
    std::uint64_t visited = 0;
    stored_event event;
    reader->send_query(sql, global_parameters(after, filter, page_size), true);
    for (;;) {
        const auto rows = reader->await_result(sql);
        const bool full = rows.rows() == page_size;
        if (full) {
            after = eventstore::global_position{pg_detail::position_of(rows, page_size - 1)};
            reader->send_query(sql, global_parameters(after, filter, page_size), true);
        }
        try {
            for (int row = 0; row < rows.rows(); ++row) {
                pg_detail::decode_row_into(rows, row, event);
                ++visited;
                if (!visit(event)) {
                    if (full) reader->discard_result();
                    return visited;
                }
                if (full && row % 1024 == 1023) reader->read_available();
            }
        } catch (...) {
            if (full) reader->discard_result();
            throw;
        }
        if (!full) return visited;
    }
}

eventstore::global_position postgres_event_store::head() const {
    auto reader = impl_->pool.acquire();
    const auto rows = reader->exec_prepared(impl_->sql.last_position, {}, false);
    return eventstore::global_position{parse_count(rows.value(0, 0))};
}

}  // namespace userstream::backends
