// The schema bootstrap every PostgreSQL component of the library shares (the event store, each read model): the
// host's schema (`eventstore` by default for the store, `projections` for the read models, or the names the host
// gives), a `<schema>.schema_version` table with one row per component, and the component's tables created once.
// Creation is serialised by an advisory lock keyed by the schema name, because CREATE ... IF NOT EXISTS is not safe
// against a concurrent CREATE of the same name (it can fail on the catalog's unique index), so several host
// instances may start against an empty database at once.
#pragma once

#include <string>
#include <string_view>

#include "postgres/connection.hpp"

namespace userstream::sql::postgres {

// Throws infrastructure_error unless `name` is a plain lower-case identifier (so it never needs quoting).
void check_schema_name(const std::string& name);

// Creates `schema` and, when it has no row for `component` yet, runs `ddl` (idempotent statements that create the
// component's tables, schema-qualified) and records `version`; otherwise checks the recorded version is `version`.
// Throws infrastructure_error naming the server, schema, component and both versions for any other version (a newer
// schema than this library knows, or an older one it has no migration for).
void ensure_component_schema(connection& db, const std::string& schema, std::string_view component, int version,
                             const std::string& ddl);

}  // namespace userstream::sql::postgres
