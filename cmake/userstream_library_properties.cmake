# Gives every userstream library (each target in the global USERSTREAM_INSTALL_TARGETS list) its exported name (the
# target's name without `userstream_`: userstream_user is userstream::user), position-independent code (a static
# library may end up in a host's shared one), and the package's version,
# so shared builds (BUILD_SHARED_LIBS=ON) get versioned sonames: libuserstream_user.so.0.1 -> .so.0.1.0.
# While the major version is 0 every minor release may break the ABI, so the soname carries major.minor; from 1.0 on
# it carries the major version only. (The package config's version file matches: SameMinorVersion.)
# Installed shared libraries find their siblings next to themselves ($ORIGIN), wherever the prefix is moved.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(USERSTREAM_SOVERSION "${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}")
else()
  set(USERSTREAM_SOVERSION "${PROJECT_VERSION_MAJOR}")
endif()

get_property(_userstream_libraries GLOBAL PROPERTY USERSTREAM_INSTALL_TARGETS)
foreach(_userstream_library IN LISTS _userstream_libraries)
  string(REGEX REPLACE "^userstream_" "" _userstream_export_name "${_userstream_library}")
  set_target_properties(${_userstream_library} PROPERTIES
    EXPORT_NAME "${_userstream_export_name}"
    POSITION_INDEPENDENT_CODE ON
    VERSION "${PROJECT_VERSION}"
    SOVERSION "${USERSTREAM_SOVERSION}"
    INSTALL_RPATH "$ORIGIN")
endforeach()
unset(_userstream_library)
unset(_userstream_export_name)
unset(_userstream_libraries)
