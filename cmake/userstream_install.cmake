# Installs headers, libraries and a package config so that `find_package(userstream CONFIG)` works, with one
# component per library:
#
#   find_package(userstream CONFIG REQUIRED)                                  every component that was built
#   find_package(userstream CONFIG REQUIRED COMPONENTS eventstore)            Boost, fmt, Threads: nothing else
#   find_package(userstream CONFIG REQUIRED COMPONENTS sqlite postgres)       the stores, SQLite 3 and libpq
#
# A component is one library of USERSTREAM_INSTALL_TARGETS, named by its EXPORT_NAME (userstream::<component>). Each
# is exported to its own file, userstream-<component>-targets.cmake, so the config loads only the components asked
# for and the userstream components they link. Which third-party packages a component needs is read here from its
# link interface, not written by hand, so a new dependency cannot be forgotten: a static library needs its private
# dependencies too ($<LINK_ONLY:...>), a shared one only its public ones. cmake/userstream_dependencies.cmake says
# how each is found.
#
# A library that is exported only because static libraries link it, and is no API of its own, says so with the
# target property USERSTREAM_INTERNAL=ON: the config lists it in userstream_INTERNAL_COMPONENTS, and the consumer
# test (tests/consumer) does not ask for a use of it.
include(CMakePackageConfigHelpers)

block()
get_property(_us_targets GLOBAL PROPERTY USERSTREAM_INSTALL_TARGETS)
list(REMOVE_DUPLICATES _us_targets)
set(_us_cmake_dir "${CMAKE_INSTALL_LIBDIR}/cmake/userstream")

# The imported targets of third-party packages, by namespace, and the name userstream_find_dependency knows them by.
set(_us_package_of_Threads threads)
set(_us_package_of_Boost boost)
set(_us_package_of_fmt fmt)
set(_us_package_of_nlohmann_json nlohmann_json)
set(_us_package_of_OpenSSL openssl)
set(_us_package_of_userstream_phonenumber phonenumber)
set(_us_package_of_protobuf protobuf)
set(_us_package_of_SQLite sqlite3)
set(_us_package_of_PostgreSQL postgresql)

# _us_component_of(<out> <target name>): the component a userstream target is exported as, or "".
function(_us_component_of out name)
  set(component "")
  if(TARGET "${name}")
    get_target_property(aliased "${name}" ALIASED_TARGET)
    if(aliased)
      set(name "${aliased}")
    endif()
    if(name IN_LIST _us_targets)
      get_target_property(component "${name}" EXPORT_NAME)
      if(NOT component)
        string(REGEX REPLACE "^userstream_" "" component "${name}")
      endif()
    endif()
  endif()
  set(${out} "${component}" PARENT_SCOPE)
endfunction()

set(_us_components "")
set(_us_internal "")
foreach(target IN LISTS _us_targets)
  _us_component_of(component ${target})
  list(APPEND _us_components ${component})
  get_target_property(internal ${target} USERSTREAM_INTERNAL)
  if(internal)
    list(APPEND _us_internal ${component})
  endif()
  set(_us_requires_${component} "")
  set(_us_packages_${component} "")
  # What a consumer links through this target, less what exists only in the build tree.
  get_target_property(interface ${target} INTERFACE_LINK_LIBRARIES)
  if(NOT interface)
    set(interface "")
  endif()
  string(REGEX REPLACE "\\$<BUILD_INTERFACE:[^>]*>" "" interface "${interface}")
  string(REGEX MATCHALL "[A-Za-z0-9_.+-]+(::[A-Za-z0-9_.+-]+)*" names "${interface}")
  foreach(name IN LISTS names)
    _us_component_of(required "${name}")
    if(required)
      if(NOT required STREQUAL component)
        list(APPEND _us_requires_${component} ${required})
      endif()
    elseif(name MATCHES "^([A-Za-z0-9_.+-]+)::")
      set(namespace "${CMAKE_MATCH_1}")
      if(NOT DEFINED _us_package_of_${namespace})
        message(FATAL_ERROR "userstream::${component} links ${name}: say in cmake/userstream_install.cmake and "
                            "cmake/userstream_dependencies.cmake how a consumer finds it")
      endif()
      list(APPEND _us_packages_${component} ${_us_package_of_${namespace}})
    endif()
    # Anything else is a generator-expression keyword or a plain system library name: nothing to find.
  endforeach()
  list(REMOVE_DUPLICATES _us_requires_${component})
  list(REMOVE_DUPLICATES _us_packages_${component})

  install(TARGETS ${target} EXPORT userstream-${component}-targets
          ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
          LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
          RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
          INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
  install(EXPORT userstream-${component}-targets NAMESPACE userstream:: DESTINATION "${_us_cmake_dir}")
endforeach()

# Dependency order (a component after every component it requires), and each component's whole closure.
set(_us_ordered "")
set(_us_pending ${_us_components})
while(_us_pending)
  set(progress FALSE)
  foreach(component IN LISTS _us_pending)
    set(ready TRUE)
    set(closure "")
    foreach(required IN LISTS _us_requires_${component})
      if(NOT required IN_LIST _us_ordered)
        set(ready FALSE)
      endif()
      list(APPEND closure ${required} ${_us_closure_${required}})
    endforeach()
    if(ready)
      list(REMOVE_DUPLICATES closure)
      set(_us_closure_${component} ${closure})
      list(APPEND _us_ordered ${component})
      list(REMOVE_ITEM _us_pending ${component})
      set(progress TRUE)
    endif()
  endforeach()
  if(NOT progress)
    message(FATAL_ERROR "userstream: the components ${_us_pending} require each other in a cycle")
  endif()
endwhile()

# The table the package config reads: components in dependency order, and per component its closure of userstream
# components and the third-party packages it needs itself.
set(USERSTREAM_COMPONENT_TABLE "set(_userstream_components ${_us_ordered})\n")
string(APPEND USERSTREAM_COMPONENT_TABLE "set(\${CMAKE_FIND_PACKAGE_NAME}_INTERNAL_COMPONENTS ${_us_internal})\n")
foreach(component IN LISTS _us_ordered)
  string(APPEND USERSTREAM_COMPONENT_TABLE
         "set(_userstream_${component}_closure ${_us_closure_${component}})\n"
         "set(_userstream_${component}_packages ${_us_packages_${component}})\n")
endforeach()

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/userstream" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/userstream-config.cmake.in"
                              "${PROJECT_BINARY_DIR}/userstream-config.cmake"
                              INSTALL_DESTINATION "${_us_cmake_dir}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/userstream-config-version.cmake"
                                 COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/userstream-config.cmake"
              "${PROJECT_BINARY_DIR}/userstream-config-version.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/userstream_dependencies.cmake"
        DESTINATION "${_us_cmake_dir}")
endblock()
