#!/bin/sh
# Cross-compile mxc for Windows (x86_64, mingw-w64) into build-mingw/ and,
# with --test, run what wine can run.
#
#   scripts/cross-windows.sh            configure + build mxc.exe and the Windows test exe
#   scripts/cross-windows.sh --test     ... then run the Windows tests and the smoke test under wine
#   scripts/cross-windows.sh --test-only  run the tests against an existing build
#
# Environment: BUILD_DIR (default <repo>/build-mingw), JOBS (default 2).
# Needs: g++-mingw-w64-x86-64-posix, cmake, ninja-build, wine64 (for --test),
# and the header-only libraries' Debian -dev packages (see docs/windows.md).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-mingw}
jobs=${JOBS:-2}
mode=build
case "${1:-}" in
  --test) mode=test ;;
  --test-only) mode=test-only ;;
  "") ;;
  *) echo "usage: $0 [--test|--test-only]" >&2; exit 2 ;;
esac

if [ "$mode" != test-only ]; then
  start=$(date +%s)
  # Release, -g0, stripped (see the toolchain file). The Windows backend and
  # its test exe are unity builds (src/platform/windows/CMakeLists.txt): the
  # mingw compiler spends most of its time re-parsing <windows.h>. Other
  # modules compile per file (their file-local helpers may share names).
  cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64-x86_64.cmake" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_UNITY_BUILD=OFF \
    -DMXC_BUILD_TESTS=ON >/dev/null
  nice ninja -C "$build" -j "$jobs" mxc mxc_windows_tests unit_windows
  end=$(date +%s)
  echo "cross-windows: built $build/src/cli/mxc.exe in $((end - start))s"
fi

if [ "$mode" != build ]; then
  run="$root/tests/windows/wine-run.sh"
  export WINEPREFIX="$build/wineprefix"
  echo "cross-windows: Windows tests under wine ($WINEPREFIX)"
  "$run" "$build/tests/windows/mxc_windows_tests.exe"
  echo "cross-windows: plan compiler unit tests under wine"
  "$run" "$build/tests/unit/windows/unit_windows.exe"
  echo "cross-windows: end-to-end smoke test"
  "$root/tests/windows/smoke.sh" "$build/src/cli/mxc.exe"
fi
