// A SQLite transaction that rolls back unless committed, as SQLiteCpp's Transaction does: whatever leaves the scope
// early (a failed statement, a refused page, an exception from the caller's code) undoes the writes.
//
//     sql::sqlite::transaction tx(db);   // BEGIN IMMEDIATE: the write lock first, so no other writer gets in between
//     ... statements ...
//     tx.commit();                       // without it, the destructor rolls back
//
// IMMEDIATE because every transaction of this library writes, and taking SQLite's write lock up front is what makes
// read-then-write sequences (the checkpoint check, the writers' sequence check) safe against other processes.
#pragma once

#include "sqlite/database.hpp"

namespace userstream::sql::sqlite {

class transaction {
public:
    // Throws what BEGIN IMMEDIATE throws (store_unavailable when the lock wait timed out); nothing is open then.
    explicit transaction(database& db);
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;
    // Rolls back if still open and not committed; never throws.
    ~transaction();

    // Throws if COMMIT fails; the destructor then rolls back what is still open.
    void commit();

private:
    database& db_;
    bool committed_ = false;
};

}  // namespace userstream::sql::sqlite
