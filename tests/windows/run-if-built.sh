#!/bin/sh
# run-if-built.sh FILE CMD...: run CMD when FILE exists, else exit 77 (skip).
f=$1
shift
if [ ! -f "$f" ]; then
  echo "skipped: $f not built (run scripts/cross-windows.sh)" >&2
  exit 77
fi
exec "$@"
