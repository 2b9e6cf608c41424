# Finds the third-party packages of userstream::core. Installed with the package config, so a consumer of the
# installed library resolves the same targets (libphonenumber has no CMake config of its own).
include(CMakeFindDependencyMacro)

find_package(Boost 1.74 REQUIRED COMPONENTS date_time)
find_package(fmt 9 REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(Threads REQUIRED)

if(NOT TARGET userstream_phonenumber::phonenumber)
  # libphonenumber's headers pull in protobuf and abseil containers, so consumers of its headers need both.
  find_package(Protobuf REQUIRED)
  find_package(absl CONFIG REQUIRED)
  find_path(USERSTREAM_PHONENUMBER_INCLUDE_DIR phonenumbers/phonenumberutil.h REQUIRED)
  # The shared library: the static archive lacks the ICU/protobuf link closure.
  find_library(USERSTREAM_PHONENUMBER_LIBRARY NAMES libphonenumber.so phonenumber REQUIRED)
  add_library(userstream_phonenumber::phonenumber UNKNOWN IMPORTED)
  set_target_properties(userstream_phonenumber::phonenumber PROPERTIES
    IMPORTED_LOCATION "${USERSTREAM_PHONENUMBER_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${USERSTREAM_PHONENUMBER_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "protobuf::libprotobuf;absl::node_hash_map;absl::node_hash_set;absl::flat_hash_map;absl::flat_hash_set")
endif()
