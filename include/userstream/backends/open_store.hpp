// userstream/backends/open_store.hpp
//
// Opens an event store from one URL, so hosts, examples and tools take a `--store URL` and need not know backends:
//
//   memory:                                   the in-memory store (nothing survives the process)
//   sqlite:PATH  or  sqlite:///ABSOLUTE/PATH  a SQLite file, created with its schema if absent
//   sqlite::memory:                           a private in-memory SQLite database
//   postgresql://USER@HOST:PORT/DB?...        PostgreSQL (also postgres://), schema created if absent
//   host=... port=... dbname=...              PostgreSQL through a libpq key=value conninfo string
//
// Store options ride along as parameters: `?synchronous=off|normal|full&group_commit=on|off&busy_timeout_ms=N&
// max_group=N` for SQLite; `schema=NAME`, `group_commit=on|off` and `max_group=N` for PostgreSQL (URI query
// parameters, or key=value pairs in a conninfo string); everything else goes to libpq unchanged.
//
// Link `userstream::stores`. It opens the stores the library was built with: a `sqlite:` URL in a build with
// USERSTREAM_WITH_SQLITE=OFF, or a PostgreSQL one with USERSTREAM_WITH_POSTGRES=OFF, throws infrastructure_error
// naming that option.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "userstream/eventstore/event_store.hpp"

namespace userstream::backends {

// Throws infrastructure_error naming what failed (the unknown scheme, a bad option, the file or server that cannot be
// opened, or which field of a PostgreSQL URL or conninfo is malformed); the message never contains the URL, a password
// or any part of one.
std::unique_ptr<eventstore::event_store> open_store(std::string_view url);

// Where a store URL points, parsed as `open_store` parses it but opening nothing: for a host that keeps its read
// models beside the store (in the same SQLite file, or in the same PostgreSQL database).
struct store_location {
    enum class backend { memory, sqlite, postgres };
    backend kind = backend::memory;
    std::string sqlite_path;        // sqlite: the file, or ":memory:" for sqlite::memory:
    std::string postgres_conninfo;  // postgres: what libpq gets, the store's own options taken out. It may hold a
                                    // password: never log it.
    std::string postgres_schema;    // postgres: the store's schema ("eventstore" unless the URL sets schema=)
};

// Throws infrastructure_error as `open_store` does for a URL it cannot parse (never quoting the URL).
store_location locate_store(std::string_view url);

}  // namespace userstream::backends
