# Cross toolchain: Linux host -> x86_64 Windows, mingw-w64 (posix threads flavour,
# because std::thread / std::mutex need winpthread with GCC 12).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(MXC_MINGW_TRIPLE x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${MXC_MINGW_TRIPLE}-gcc-posix)
set(CMAKE_CXX_COMPILER ${MXC_MINGW_TRIPLE}-g++-posix)
set(CMAKE_RC_COMPILER ${MXC_MINGW_TRIPLE}-windres)
set(CMAKE_AR ${MXC_MINGW_TRIPLE}-gcc-ar-posix CACHE FILEPATH "")
set(CMAKE_RANLIB ${MXC_MINGW_TRIPLE}-gcc-ranlib-posix CACHE FILEPATH "")

# Only the mingw sysroot: the host's /usr/include must never leak into this
# build (glibc headers would compile and then fail in confusing ways).
set(CMAKE_FIND_ROOT_PATH /usr/${MXC_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# A single self-contained mxc.exe: no libstdc++-6.dll / libgcc_s / libwinpthread
# next to it, so it runs from a zip or a CI artefact as is.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++ -s")
# Release, no debug info: the cross build is about shipping and smoke-testing,
# and -g0 keeps the (slow) mingw compile of header-heavy files bearable.
set(CMAKE_CXX_FLAGS_RELEASE_INIT "-O2 -g0 -DNDEBUG")
set(CMAKE_C_FLAGS_RELEASE_INIT "-O2 -g0 -DNDEBUG")

# Lets ctest (and add_test) run Windows executables on the Linux host, in a
# private WINEPREFIX inside the build dir (see tests/windows/wine-run.sh).
get_filename_component(MXC_TOOLCHAIN_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(CMAKE_CROSSCOMPILING_EMULATOR ${MXC_TOOLCHAIN_ROOT}/tests/windows/wine-run.sh)
