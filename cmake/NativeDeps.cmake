# Dependencies for the native (Linux) build.
#
# fmt, spdlog and toml++ are used in their header-only forms and libstdc++ is
# linked statically into mxc (src/cli/CMakeLists.txt): with no shared C++
# library left, mxc starts without loading and relocating libstdc++.so and
# friends. scripts/bench.sh measured the difference on `mxc exec -- true`:
# 11.1 -> 7.9 ms CPU and 5.9 -> 4.0 MiB peak RSS. Each header-only library is
# compiled in exactly one translation unit (common/log.cpp, policy/load.cpp),
# so the build barely slows down.
find_package(CLI11 REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SECCOMP REQUIRED IMPORTED_TARGET libseccomp)
# libseccomp from its archive where the -dev package ships one (Debian's
# does): one shared library fewer for the loader to map and relocate at
# every start of mxc (0.15-0.4 ms of `mxc exec`, docs/performance.md).
find_library(MXC_SECCOMP_ARCHIVE NAMES libseccomp.a HINTS ${SECCOMP_LIBRARY_DIRS})
add_library(mxc_dep_seccomp INTERFACE)
if(MXC_SECCOMP_ARCHIVE)
  target_include_directories(mxc_dep_seccomp INTERFACE ${SECCOMP_INCLUDE_DIRS})
  target_link_libraries(mxc_dep_seccomp INTERFACE ${MXC_SECCOMP_ARCHIVE})
else()
  target_link_libraries(mxc_dep_seccomp INTERFACE PkgConfig::SECCOMP)
endif()
add_library(mxc::seccomp ALIAS mxc_dep_seccomp)

foreach(header fmt/format.h spdlog/spdlog.h toml++/toml.h)
  find_path(MXC_HAVE_${header} ${header})
  if(NOT MXC_HAVE_${header})
    message(FATAL_ERROR "${header} not found: run scripts/install-deps.sh")
  endif()
endforeach()

add_library(mxc_dep_fmt INTERFACE)
target_compile_definitions(mxc_dep_fmt INTERFACE FMT_HEADER_ONLY=1)
add_library(fmt::fmt ALIAS mxc_dep_fmt)

add_library(mxc_dep_spdlog INTERFACE)
target_compile_definitions(mxc_dep_spdlog INTERFACE SPDLOG_HEADER_ONLY SPDLOG_FMT_EXTERNAL)
target_link_libraries(mxc_dep_spdlog INTERFACE mxc_dep_fmt)
add_library(spdlog::spdlog ALIAS mxc_dep_spdlog)

add_library(mxc_dep_toml INTERFACE)
target_compile_definitions(mxc_dep_toml INTERFACE TOML_HEADER_ONLY=1)
add_library(tomlplusplus::tomlplusplus ALIAS mxc_dep_toml)
