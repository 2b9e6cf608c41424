// A PostgreSQL transaction that rolls back unless committed, as SQLiteCpp's Transaction does: whatever leaves the
// scope early (a failed statement, a refused page, an exception from the caller's code) undoes the writes.
//
//     sql::postgres::transaction tx(db);   // BEGIN ISOLATION LEVEL READ COMMITTED, whatever the server's default
//     ... statements ...
//     tx.commit();                         // without it, the destructor rolls back
//
// If the rollback itself fails, the connection is broken: the destructor swallows that failure (it must not throw),
// and the connection's owner notices on its next use (`connection::healthy()`, `in_transaction()`) and replaces it.
// The event store's writer does not use this class: it pipelines BEGIN with its first statements.
#pragma once

#include "postgres/connection.hpp"

namespace userstream::sql::postgres {

class transaction {
public:
    // Throws what BEGIN throws (store_unavailable when the connection is gone); nothing is open then.
    explicit transaction(connection& db);
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;
    // Rolls back if still open and not committed; never throws.
    ~transaction();

    // Throws if COMMIT fails; the outcome is then unknown to the caller (the server may or may not have committed).
    void commit();

private:
    connection& db_;
    bool committed_ = false;
};

}  // namespace userstream::sql::postgres
