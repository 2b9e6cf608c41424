# Drives the packaging tests of tests/CMakeLists.txt, one step per ctest test (cmake -DSTEP=... -P check.cmake):
#
#   STEP=install    BUILD_DIR PREFIX
#       installs the already-built tree into a scratch prefix (a ctest fixture the other steps require)
#   STEP=project    PROJECT_DIR WORK_DIR GENERATOR [PREFIX] [CXX_FLAGS] [LAUNCHER] [ARGS] [RUN] [EXPECT_OUTPUT]
#       configures and builds a host project (against PREFIX when given), then runs WORK_DIR/build/RUN and matches
#       its output against the regular expression EXPECT_OUTPUT
#   STEP=configure  PROJECT_DIR WORK_DIR GENERATOR PREFIX [ARGS] EXPECT=pass|fail [EXPECT_OUTPUT]
#       only configures a host project: checks that find_package succeeds or fails as expected (EXPECT_OUTPUT
#       then matches what CMake printed)
#
# ARGS is a |-separated list of extra -D arguments for the host project.
cmake_minimum_required(VERSION 3.25)

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(rc)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
  endif()
  set(output "${out}" PARENT_SCOPE)
endfunction()

if(STEP STREQUAL "install")
  file(REMOVE_RECURSE "${PREFIX}")
  run("cmake --install" ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${PREFIX}")
  return()
endif()

string(REPLACE "|" ";" args "${ARGS}")
set(configure ${CMAKE_COMMAND} -S "${PROJECT_DIR}" -B "${WORK_DIR}/build" -G "${GENERATOR}" ${args})
if(PREFIX)
  list(APPEND configure "-DCMAKE_PREFIX_PATH=${PREFIX}")
endif()
if(CXX_FLAGS)
  list(APPEND configure "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${CXX_FLAGS}"
                        "-DCMAKE_SHARED_LINKER_FLAGS=${CXX_FLAGS}")
endif()
if(LAUNCHER)
  list(APPEND configure "-DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER}")
endif()
file(REMOVE_RECURSE "${WORK_DIR}")

if(STEP STREQUAL "configure")
  execute_process(COMMAND ${configure} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(EXPECT STREQUAL "pass" AND rc)
    message(FATAL_ERROR "configuring ${PROJECT_DIR} failed (${rc}):\n${out}")
  elseif(EXPECT STREQUAL "fail" AND NOT rc)
    message(FATAL_ERROR "configuring ${PROJECT_DIR} succeeded, but should have failed:\n${out}")
  endif()
  if(EXPECT_OUTPUT AND NOT out MATCHES "${EXPECT_OUTPUT}")
    message(FATAL_ERROR "configuring ${PROJECT_DIR} printed no match of \"${EXPECT_OUTPUT}\":\n${out}")
  endif()
  message("${out}")
  return()
endif()

if(NOT STEP STREQUAL "project")
  message(FATAL_ERROR "unknown STEP '${STEP}'")
endif()
run("configuring ${PROJECT_DIR}" ${configure})
run("building ${PROJECT_DIR}" ${CMAKE_COMMAND} --build "${WORK_DIR}/build")
if(RUN)
  run("running ${RUN}" "${WORK_DIR}/build/${RUN}")
  message("${output}")
  if(EXPECT_OUTPUT AND NOT output MATCHES "${EXPECT_OUTPUT}")
    message(FATAL_ERROR "the output of ${RUN} does not match \"${EXPECT_OUTPUT}\"")
  endif()
endif()
