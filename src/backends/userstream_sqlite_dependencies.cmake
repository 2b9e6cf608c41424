# Installed with the package config: userstream::sqlite links SQLite::SQLite3, which a consumer must find too.
include(CMakeFindDependencyMacro)
find_dependency(SQLite3)
