// Connection strings in error messages. A libpq conninfo (URI or key=value) may hold a password, and when it is
// malformed, libpq's own messages quote the text around the fault: an unencoded '@' in a password spills the rest of
// it into the host name, a stray space into a keyword. So the messages built here name the field that is wrong
// ("the password in the URI", "item 3 of the connection string") and show a value only when it is plainly a name.
#pragma once

#include <optional>
#include <string>

struct pg_conn;

namespace userstream::sql::postgres {

// nullopt when libpq can parse `conninfo` and its host, hostaddr and port look like host names, addresses and port
// numbers; otherwise what is wrong, naming the field and never quoting the string.
std::optional<std::string> conninfo_problem(const std::string& conninfo);

// "host H port P database D user U" of a connection (made or attempted); a value that is not plainly a name (letters,
// digits, '.', '-', '_'; for hosts also ':', '%', ',' and socket paths) shows as "(not shown)".
std::string describe_connection(const pg_conn* conn);

// The first line of libpq's message about a failed connection, or a generic text when that line quotes a password
// or a value `describe_connection` would not show.
std::string connection_failure_reason(const pg_conn* conn, const std::string& conninfo);

}  // namespace userstream::sql::postgres
