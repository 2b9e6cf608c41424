// Where the PostgreSQL tests find their server: the libpq conninfo in USERSTREAM_TEST_POSTGRES, which `./dev test`
// sets after starting a throwaway cluster. Missing or unreachable is a test failure with a clear message, never a
// silent skip.
#pragma once

#include <string>
#include <vector>

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

// The conninfo for `dbname` on the test server (a key=value string or a postgresql:// URI alike).
std::string conninfo_for_database(const std::string& dbname);

// A PostgreSQL cluster of the test's own, for what the shared test server must not see because other tests use it at
// the same time: a restart, a stop, a changed default. initdb into a temporary directory, a free port on 127.0.0.1;
// stopped and deleted on destruction. Uses the server binaries in USERSTREAM_TEST_PGBIN (default
// /usr/lib/postgresql/15/bin) and, when run as root, runs them as the user `postgres`. About a second to start.
class private_cluster {
public:
    // `settings` are extra server settings, "name=value" (e.g. "default_transaction_isolation=serializable").
    explicit private_cluster(std::vector<std::string> settings = {});
    ~private_cluster();
    private_cluster(const private_cluster&) = delete;
    private_cluster& operator=(const private_cluster&) = delete;

    int port() const noexcept { return port_; }
    // "host=127.0.0.1 port=P user=postgres dbname=postgres"
    std::string conninfo() const;
    // pg_ctl restart -m fast: every connection is closed; returns once the server accepts connections again.
    void restart();
    void stop();
    void start();

private:
    void run_pg(const std::vector<std::string>& args) const;
    std::vector<std::string> server_options() const;

    std::string bin_;
    std::string dir_;
    std::vector<std::string> settings_;
    int port_ = 0;
};

}  // namespace conformance
