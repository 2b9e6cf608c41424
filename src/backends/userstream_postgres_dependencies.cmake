# Installed with the package config: userstream::postgres links PostgreSQL::PostgreSQL (libpq).
include(CMakeFindDependencyMacro)
find_dependency(PostgreSQL)
