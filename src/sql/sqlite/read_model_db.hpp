// What every SQLite read model of the library shares (the object details in userstream::subscriptions_sqlite, the
// user phones in userstream::projections_sqlite): a connection used under a lock, the checkpoint table, the
// component's own tables, and the transaction that applies a page only if the checkpoint is still where the runner
// read it, then moves it - so rows and checkpoint commit together (exactly-once), and two runners on one file never
// apply a page twice.
//
// Also the columns every read-model table has: the object details (sequence, creation_date, change_date,
// resource_owner), with timestamps as RFC 3339 text (six fractional digits, as in `events2`), which sorts as text.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "sqlite/database.hpp"
#include "userstream/eventstore/object_details.hpp"
#include "userstream/eventstore/stored_event.hpp"

namespace userstream::sql::sqlite {

class read_model_db {
public:
    // Opens (creating if needed) `path`, in WAL mode with synchronous=NORMAL unless it is ":memory:", and creates the
    // checkpoint table and `ddl` as schema component `component` at `version` (component_schema.hpp). Throws
    // infrastructure_error naming the file.
    read_model_db(const std::string& path, std::chrono::milliseconds busy_timeout, std::string_view component,
                  int version, const std::string& ddl);

    eventstore::global_position checkpoint(const std::string& projection);
    // In one transaction: checks that `projection`'s checkpoint is `from` (else returns false), runs `body`, stores
    // `through`. Rolls back and rethrows if anything throws.
    bool apply(const std::string& projection, eventstore::global_position from, eventstore::global_position through,
               const std::function<void()>& body);
    // Deletes the rows (`delete_sql`) and the checkpoint in one transaction.
    void reset(const std::string& projection, const char* delete_sql);

    std::mutex mutex;  // callers hold it around every use of `db`
    database db;
};

// The four detail columns starting at `first`: sequence, creation_date, change_date, resource_owner.
eventstore::object_details read_details(const statement& row, int first);
void bind_details(statement& s, int first, const eventstore::object_details& details);

std::optional<std::string> optional_text(const statement& row, int column);
void bind_optional(statement& s, int index, const std::optional<std::string>& value);

}  // namespace userstream::sql::sqlite
