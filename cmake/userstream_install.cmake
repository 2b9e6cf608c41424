# Installs headers, libraries and a package config so that `find_package(userstream CONFIG)` works.
include(CMakePackageConfigHelpers)

# Backends append their targets and dependency files to these global properties.
get_property(USERSTREAM_INSTALL_TARGETS GLOBAL PROPERTY USERSTREAM_INSTALL_TARGETS)
get_property(USERSTREAM_EXTRA_CONFIG_FILES GLOBAL PROPERTY USERSTREAM_EXTRA_CONFIG_FILES)

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/userstream" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(TARGETS ${USERSTREAM_INSTALL_TARGETS} EXPORT userstream-targets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
set(USERSTREAM_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/userstream")
install(EXPORT userstream-targets NAMESPACE userstream:: DESTINATION "${USERSTREAM_CMAKE_DIR}")
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/userstream-config.cmake.in"
                              "${PROJECT_BINARY_DIR}/userstream-config.cmake"
                              INSTALL_DESTINATION "${USERSTREAM_CMAKE_DIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/userstream-config-version.cmake"
                                 COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/userstream-config.cmake"
              "${PROJECT_BINARY_DIR}/userstream-config-version.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/userstream_dependencies.cmake"
              ${USERSTREAM_EXTRA_CONFIG_FILES}
        DESTINATION "${USERSTREAM_CMAKE_DIR}")
