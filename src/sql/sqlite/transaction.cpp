#include "sqlite/transaction.hpp"

namespace userstream::sql::sqlite {

transaction::transaction(database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

transaction::~transaction() {
    // A failed statement may already have ended the transaction (SQLite rolls back on some errors by itself).
    if (!committed_ && db_.in_transaction()) db_.try_exec("ROLLBACK");
}

void transaction::commit() {
    db_.exec("COMMIT");
    committed_ = true;
}

}  // namespace userstream::sql::sqlite
