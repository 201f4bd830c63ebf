#!/usr/bin/env bash
# Builds everything and runs the whole suite; exit status is the suite's.
#   1. sanitizer build (ASan + UBSan): unit, integration and escape tests
#   1b. ThreadSanitizer build: the proxy and audit-log tests (the threaded code)
#   2. libFuzzer build (clang, ASan + UBSan): fuzz targets
#   3. Windows cross build (mingw-w64)
#   4. the Release build, whose ctest run is the last thing printed: unit,
#      integration and escape tests (as the caller and as an unprivileged
#      user), schema check, lint, bounded fuzz runs, Windows tests under wine.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=$(nproc)
./scripts/install-deps.sh

section() { printf '\n==== %s ====\n' "$*"; }

section "sanitizer build (ASan + UBSan)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMXC_SANITIZE=ON >/dev/null
ninja -C build-asan
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure --timeout 600 -j "$jobs" -LE "fuzz|wine|lint|packaging")

section "ThreadSanitizer build (egress proxy and audit log, the threaded code)"
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMXC_TSAN=ON >/dev/null
ninja -C build-tsan net_proxy unit_audit
(cd build-tsan && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure --timeout 600 -R "^(net_proxy|unit_audit)[.]")

section "libFuzzer build"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
  -DMXC_FUZZ=ON -DMXC_SANITIZE=ON -DMXC_BUILD_TESTS=OFF >/dev/null
ninja -C build-fuzz

section "Windows cross build"
./scripts/cross-windows.sh

section "Release build and the whole suite"
./scripts/build.sh -DMXC_FUZZ_DIR="$root/build-fuzz" -DMXC_WINDOWS_DIR="$root/build-mingw"
cd build
ctest --output-on-failure --timeout 600 -j "$jobs"
