#include "postgres/transaction.hpp"

namespace userstream::sql::postgres {

transaction::transaction(connection& db) : db_(db) { db_.exec(begin_transaction); }

transaction::~transaction() {
    if (committed_ || !db_.in_transaction()) return;
    try {
        db_.exec("ROLLBACK");
    } catch (...) {
        // The connection is gone; the server rolls back when it notices, and the owner replaces the connection.
    }
}

void transaction::commit() {
    db_.exec("COMMIT");
    committed_ = true;
}

}  // namespace userstream::sql::postgres
