#!/bin/sh
# Egress proxy vs direct on loopback (127.0.0.1 only): download throughput,
# CONNECTs per second, added latency of a small request.
#   scripts/bench-net.sh [MiB]      (default 1024)
# Uses build-net/ (or $BUILD_DIR); builds net_bench if needed.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
ninja -C "$build" net_bench >/dev/null
exec "$build/tests/net/net_bench" "${1:-1024}"
