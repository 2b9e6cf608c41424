// What both SQLite read models share: the connection (under a lock), the tables, and the transaction that applies a
// page only if the checkpoint is still where the runner read it, then moves it.
#pragma once

#include <functional>
#include <mutex>
#include <string>

#include "sqlite/sqlite_db.hpp"
#include "userstream/eventstore/stored_event.hpp"
#include "userstream/projections/sqlite_read_models.hpp"

namespace userstream::projections::sqlite_detail {

using backends::sqlite_detail::database;
using backends::sqlite_detail::statement;

class projection_db {
public:
    explicit projection_db(const sqlite_read_model_options& options);

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

}  // namespace userstream::projections::sqlite_detail
