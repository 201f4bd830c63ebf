# cmake -DDIR=<tests dir> -P check_test_names.cmake
# ctest registers each doctest case by name, and CMake splits a list at ';':
# a TEST_CASE whose name holds one became two ctest entries that each ran
# nothing ("test cases: 0"), and passed. This check fails on such a name.
file(GLOB_RECURSE sources "${DIR}/*.cpp")
set(bad "")
foreach(f IN LISTS sources)
  file(STRINGS "${f}" lines REGEX "TEST_CASE\\(\"[^\"]*;")
  foreach(l IN LISTS lines)
    string(APPEND bad "\n  ${f}: ${l}")
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "test names with ';' never run under ctest; reword them:${bad}")
endif()
