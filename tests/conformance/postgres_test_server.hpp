// Where the PostgreSQL tests find their server: the libpq conninfo in USERSTREAM_TEST_POSTGRES, which `./dev test`
// sets after starting a throwaway cluster. Missing or unreachable is a test failure with a clear message, never a
// silent skip.
#pragma once

#include <string>

namespace conformance {

// The conninfo; throws std::runtime_error explaining what to do when the variable is unset.
std::string postgres_conninfo();

// The store URL for `schema` on the test server (works for a key=value conninfo and for a postgresql:// URI).
std::string store_url_for_schema(const std::string& schema);

// A new schema name no other test (or process) uses.
std::string unique_schema_name(const std::string& prefix);

// Drops a schema and everything in it; ignores failures (cleanup only).
void drop_schema(const std::string& schema) noexcept;

// Runs SQL on a fresh connection (for tests that must write rows the store itself would never write).
void run_sql(const std::string& sql);

}  // namespace conformance
