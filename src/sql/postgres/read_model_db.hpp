// What every PostgreSQL read model of the library shares (the object details in userstream::subscriptions_postgres,
// the user phones in userstream::projections_postgres): a connection, opened again after a failure or a server
// restart; the checkpoint table and the component's own tables in the host's schema; and the transaction that
// applies a page only if the checkpoint is still where the runner read it, then moves it. That transaction first
// locks the checkpoint row (SELECT ... FOR UPDATE), so runners in several host instances share the work and never
// apply a page twice; a runner that lost the race sees the moved checkpoint, never a serialization failure, because
// every transaction runs at READ COMMITTED.
//
// Also the columns every read-model table has: the object details (sequence, creation_date, change_date,
// resource_owner), read back as microseconds since the epoch (exact, and independent of the session's time zone),
// and the page's aggregates as arrays for one multi-row load.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "postgres/array_literal.hpp"
#include "postgres/connection.hpp"
#include "userstream/core/time.hpp"
#include "userstream/eventstore/object_details.hpp"
#include "userstream/eventstore/stored_event.hpp"

namespace userstream::sql::postgres {

class read_model_db {
public:
    // Checks the schema name, connects, and creates `schema`, the checkpoint table and `ddl` (the component's tables,
    // schema-qualified) as schema component `component` at `version` (component_schema.hpp). Throws
    // infrastructure_error naming host, port and database (never the password).
    read_model_db(std::string conninfo, std::string schema, std::string component, int version, std::string ddl);

    // The schema-qualified name of a table: "<schema>.<table>".
    std::string table(std::string_view name) const { return schema_ + "." + std::string(name); }

    // The live connection; opens one if there is none or the last one broke. Callers hold `mutex`.
    connection& db();

    eventstore::global_position checkpoint(const std::string& projection);
    // Stores `position` as `reader`'s checkpoint, in a statement of its own (for readers whose work is not in this
    // database, such as the SMS outbox).
    void save_checkpoint(const std::string& reader, eventstore::global_position position);
    // In one transaction: locks `projection`'s checkpoint row, checks it is `from` (else returns false), runs
    // `body`, stores `through`. Rolls back and rethrows if anything throws.
    bool apply(const std::string& projection, eventstore::global_position from, eventstore::global_position through,
               const std::function<void(connection&)>& body);
    // Deletes the rows of `table_name` and the checkpoint in one transaction.
    void reset(const std::string& projection, std::string_view table_name);

    std::mutex mutex;

private:
    const std::string conninfo_;
    const std::string schema_;
    const std::string component_;
    const int version_;
    const std::string ddl_;
    std::unique_ptr<connection> connection_;
};

// "sequence, <creation_date as epoch µs>, <change_date as epoch µs>, resource_owner": the detail columns to select.
const std::string& details_select();
// The four detail columns of `row` starting at `first`, as selected by `details_select`.
eventstore::object_details read_details(const result_set& rows, int row, int first);

// The detail columns of changed rows, as arrays for one multi-row upsert.
struct details_arrays {
    array_literal sequences, creation_dates, change_dates, owners;
    void add(const eventstore::object_details& details);
};

// The distinct aggregates of a page, as three parallel arrays for unnest().
struct page_keys {
    array_literal instances, types, ids;
    explicit page_keys(std::span<const eventstore::stored_event> events);
};

std::optional<std::string> optional_text(const result_set& rows, int row, int column);
std::uint64_t to_u64(std::string_view text);

}  // namespace userstream::sql::postgres
