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
