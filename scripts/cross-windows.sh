#!/bin/sh
# Cross-compile mxc for Windows (x86_64, mingw-w64) into build-mingw/ and,
# with --test, run what wine can run.
#
#   scripts/cross-windows.sh            configure + build mxc.exe and the Windows test exe,
#                                       and package mxc-VERSION-win64.zip (CPack) in BUILD_DIR/package
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

  # The zip users download (install rules: packaging/CMakeLists.txt). With
  # Ninja, CPack builds nothing itself: it packages the mxc.exe built just now.
  # The package dir is made from scratch, so tests/packaging never checks a
  # zip left over from an older build.
  rm -rf "$build/package"
  if ! cpack --config "$build/CPackConfig.cmake" -G ZIP -B "$build/package" >"$build/cpack.log" 2>&1; then
    cat "$build/cpack.log" >&2
    echo "cross-windows: cpack failed (log above)" >&2
    exit 1
  fi
  rm -rf "$build/package/_CPack_Packages"
  for zip in "$build"/package/*.zip; do
    echo "cross-windows: packaged $zip ($(stat -c %s "$zip") bytes)"
  done
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
