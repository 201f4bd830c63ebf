# Dependencies for the mingw-w64 cross build (included by the top-level
# CMakeLists.txt when WIN32). Every library mxc uses has a header-only form;
# we copy exactly those headers (CLI11, toml++, spdlog, fmt, doctest,
# nlohmann/json) into the build dir and expose them as INTERFACE
# targets with the same names the native find_package() calls define.
#
# Why copy instead of -I/usr/include: /usr/include also holds glibc and the
# host's system headers, which would shadow mingw's and compile "successfully"
# into nonsense. The private dir contains only these five libraries.

set(MXC_DEPS_SOURCE_ROOT "/usr/include" CACHE PATH "Where the host's header-only libraries live")
set(MXC_DEPS_INCLUDE_DIR "${CMAKE_BINARY_DIR}/deps-include")

foreach(dep CLI toml++ spdlog fmt doctest nlohmann)
  if(NOT EXISTS "${MXC_DEPS_SOURCE_ROOT}/${dep}")
    message(FATAL_ERROR "WindowsDeps: ${MXC_DEPS_SOURCE_ROOT}/${dep} not found: "
                        "install the Debian packages listed in docs/windows.md")
  endif()
  # configure-time copy; re-runs when CMake re-configures (header updates are rare).
  file(COPY "${MXC_DEPS_SOURCE_ROOT}/${dep}" DESTINATION "${MXC_DEPS_INCLUDE_DIR}")
endforeach()

function(mxc_header_only_target name)
  cmake_parse_arguments(ARG "" "" "DEFINES" ${ARGN})
  if(NOT TARGET ${name})
    add_library(${name} INTERFACE IMPORTED GLOBAL)
    # SYSTEM: their own warnings must not trip our -Werror.
    set_target_properties(${name} PROPERTIES
      INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${MXC_DEPS_INCLUDE_DIR}"
      INTERFACE_INCLUDE_DIRECTORIES "${MXC_DEPS_INCLUDE_DIR}")
    if(ARG_DEFINES)
      set_target_properties(${name} PROPERTIES INTERFACE_COMPILE_DEFINITIONS "${ARG_DEFINES}")
    endif()
  endif()
endfunction()

mxc_header_only_target(fmt::fmt DEFINES FMT_HEADER_ONLY=1)
mxc_header_only_target(CLI11::CLI11)
mxc_header_only_target(tomlplusplus::tomlplusplus DEFINES TOML_HEADER_ONLY=1)
mxc_header_only_target(spdlog::spdlog DEFINES SPDLOG_HEADER_ONLY SPDLOG_FMT_EXTERNAL FMT_HEADER_ONLY=1)
set_property(TARGET spdlog::spdlog APPEND PROPERTY INTERFACE_LINK_LIBRARIES fmt::fmt)
mxc_header_only_target(doctest::doctest)
mxc_header_only_target(nlohmann_json::nlohmann_json)

# Windows import libraries the backend needs (all ship with mingw-w64).
# fwpuclnt and userenv are resolved at run time (GetProcAddress), not linked.
set(MXC_WINDOWS_SYSTEM_LIBS advapi32 user32 ole32 shell32 uuid)

# tests/ calls doctest_discover_tests(); discovery would run every test exe
# under wine at build time. Register one ctest test per executable instead;
# CMAKE_CROSSCOMPILING_EMULATOR (the toolchain's wine wrapper) runs it.
if(NOT COMMAND doctest_discover_tests)
  function(doctest_discover_tests target)
    cmake_parse_arguments(ARG "ADD_LABELS" "TEST_PREFIX" "PROPERTIES" ${ARGN})
    add_test(NAME "${ARG_TEST_PREFIX}all" COMMAND ${target})
  endfunction()
endif()
