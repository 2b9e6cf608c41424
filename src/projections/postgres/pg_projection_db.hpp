// What both PostgreSQL read models share: a connection (opened again after a failure), the schema and tables, the
// transaction that applies a page only if the checkpoint is still where the runner read it, and array parameters.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "postgres/pg_connection.hpp"
#include "userstream/core/time.hpp"
#include "userstream/eventstore/stored_event.hpp"
#include "userstream/projections/postgres_read_models.hpp"

namespace userstream::projections::pg_detail {

using backends::pg_detail::connection;
using backends::pg_detail::parameters;
using backends::pg_detail::result_set;

class projection_db {
public:
    explicit projection_db(postgres_read_model_options options);

    // The schema-qualified name of a table: "<schema>.<table>".
    std::string table(const char* name) const { return options_.schema + "." + name; }

    // The live connection; opens one if there is none or the last one broke. Callers hold `mutex`.
    connection& db();

    eventstore::global_position checkpoint(const std::string& projection);
    // In one transaction: locks `projection`'s checkpoint row, checks it is `from` (else returns false), runs
    // `body`, stores `through`. Rolls back and rethrows if anything throws.
    bool apply(const std::string& projection, eventstore::global_position from, eventstore::global_position through,
               const std::function<void(connection&)>& body);
    // Deletes the rows of `table_name` and the checkpoint in one transaction.
    void reset(const std::string& projection, const char* table_name);

    std::mutex mutex;

private:
    template <class F>
    auto in_transaction(F&& body);

    postgres_read_model_options options_;
    std::unique_ptr<connection> connection_;
};

// A PostgreSQL array literal of text values ("{"a","b",NULL}"), for unnest($1::text[]).
class text_array {
public:
    void add(std::string_view value);
    void add(const std::optional<std::string>& value);
    void add_null();
    std::string str() const { return "{" + body_ + "}"; }

private:
    std::string body_;
};

// Microseconds since the Unix epoch as PostgreSQL prints `(extract(epoch from t) * 1000000)::bigint`.
timestamp from_epoch_us(std::string_view text);
std::string to_timestamptz_text(timestamp t);
std::uint64_t to_u64(std::string_view text);

}  // namespace userstream::projections::pg_detail
