#!/usr/bin/env bash
# Builds everything and runs the whole suite through ctest: unit, integration
# and escape tests (as the caller and as an unprivileged user), schema check,
# bounded libFuzzer runs, and the Windows cross build's tests under wine.
# Exit status is the suite's.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
./scripts/install-deps.sh

# libFuzzer targets need clang; their bounded runs are ctest tests below.
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
  -DMXC_FUZZ=ON -DMXC_BUILD_TESTS=OFF >/dev/null
ninja -C build-fuzz

# Windows: cross-compiled with mingw-w64; its tests run under wine from ctest.
./scripts/cross-windows.sh

./scripts/build.sh -DMXC_FUZZ_DIR="$root/build-fuzz" -DMXC_WINDOWS_DIR="$root/build-mingw"
cd build
ctest --output-on-failure --timeout 600 -j "$(nproc)"
