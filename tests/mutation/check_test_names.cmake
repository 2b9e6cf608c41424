# Fails when a Catch2 test name holds ';'. catch_discover_tests splits such a name into several ctest tests whose
# filters match no test case, and Catch2 passes a run that matched nothing: the test silently never runs under ctest
# (23 did, until mutation testing noticed). Usage: cmake -DROOT=<repository> -P check_test_names.cmake
file(GLOB_RECURSE sources "${ROOT}/tests/*.cpp" "${ROOT}/examples/*.cpp")
set(offenders "")
foreach(source IN LISTS sources)
  # The first line of each TEST_CASE/SCENARIO whose quoted name holds a ';'.
  file(STRINGS "${source}" hits REGEX "(TEST_CASE|SCENARIO)\\(\"[^\"]*;")
  if(hits)
    file(RELATIVE_PATH relative "${ROOT}" "${source}")
    string(APPEND offenders "\n  ${relative}")
  endif()
endforeach()
if(offenders)
  message(FATAL_ERROR "test names with ';' (ctest would never run them; use ',' instead):${offenders}")
endif()
message(STATUS "no test name holds ';'")
