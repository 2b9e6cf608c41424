# How to find each third-party package that userstream's libraries link, in one table.
#
# The build finds them with REQUIRED; the installed package config (userstream-config.cmake) includes this file too
# and finds, with find_dependency, only the packages of the components a consumer asks for. The names are the ones
# cmake/userstream_install.cmake derives from each library's link interface:
#
#   threads boost fmt nlohmann_json openssl phonenumber protobuf sqlite3 postgresql
#
# Everything here is a macro, not a function: find_dependency returns from the file that includes it, so that a
# package config reports "not found" instead of failing.
include(CMakeFindDependencyMacro)

macro(_userstream_find package)
  if(_userstream_building)  # set by userstream's own CMakeLists.txt, top level or subproject
    find_package(${package} ${ARGN} REQUIRED)
  else()
    find_dependency(${package} ${ARGN})
  endif()
endmacro()

macro(userstream_find_dependency name)
  if("${name}" STREQUAL "threads")
    _userstream_find(Threads)
  elseif("${name}" STREQUAL "boost")
    _userstream_find(Boost 1.74 COMPONENTS date_time)
  elseif("${name}" STREQUAL "fmt")
    _userstream_find(fmt 9)
  elseif("${name}" STREQUAL "nlohmann_json")
    _userstream_find(nlohmann_json 3.11)
  elseif("${name}" STREQUAL "openssl")
    _userstream_find(OpenSSL 3 COMPONENTS Crypto)
  elseif("${name}" STREQUAL "protobuf")
    _userstream_find(Protobuf)
  elseif("${name}" STREQUAL "sqlite3")
    _userstream_find(SQLite3)
  elseif("${name}" STREQUAL "postgresql")
    _userstream_find(PostgreSQL)
  elseif("${name}" STREQUAL "phonenumber")
    # libphonenumber ships no CMake config and no .pc file. Its headers pull in protobuf and abseil containers, so
    # whoever compiles or links against them needs both.
    _userstream_find(Protobuf)
    _userstream_find(absl CONFIG)
    if(NOT TARGET userstream_phonenumber::phonenumber)
      find_path(USERSTREAM_PHONENUMBER_INCLUDE_DIR phonenumbers/phonenumberutil.h)
      # The shared library: the static archive lacks the ICU/protobuf link closure.
      find_library(USERSTREAM_PHONENUMBER_LIBRARY NAMES libphonenumber.so phonenumber)
      if(USERSTREAM_PHONENUMBER_INCLUDE_DIR AND USERSTREAM_PHONENUMBER_LIBRARY)
        add_library(userstream_phonenumber::phonenumber UNKNOWN IMPORTED)
        set_target_properties(userstream_phonenumber::phonenumber PROPERTIES
          IMPORTED_LOCATION "${USERSTREAM_PHONENUMBER_LIBRARY}"
          INTERFACE_INCLUDE_DIRECTORIES "${USERSTREAM_PHONENUMBER_INCLUDE_DIR}"
          INTERFACE_LINK_LIBRARIES
            "protobuf::libprotobuf;absl::node_hash_map;absl::node_hash_set;absl::flat_hash_map;absl::flat_hash_set")
      elseif(_userstream_building)
        message(FATAL_ERROR "libphonenumber not found (Debian: libphonenumber-dev)")
      else()
        set(${CMAKE_FIND_PACKAGE_NAME}_NOT_FOUND_MESSAGE "libphonenumber not found (Debian: libphonenumber-dev)")
        set(${CMAKE_FIND_PACKAGE_NAME}_FOUND FALSE)
        return()
      endif()
    endif()
  else()
    message(FATAL_ERROR "userstream: no rule to find the dependency '${name}'; add one to "
                        "cmake/userstream_dependencies.cmake")
  endif()
endmacro()
