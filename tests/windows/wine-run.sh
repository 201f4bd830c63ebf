#!/bin/sh
# Runs a cross-built Windows executable under wine64 without a display and
# without touching ~/.wine: the WINEPREFIX lives in the build dir that holds the
# executable (the first ancestor directory with a CMakeCache.txt), unless
# WINEPREFIX is already set. Exit status is the program's.
set -eu
exe=$1
shift
if [ -z "${WINEPREFIX:-}" ]; then
  dir=$(cd "$(dirname "$exe")" && pwd)
  while [ "$dir" != / ] && [ ! -f "$dir/CMakeCache.txt" ]; do dir=$(dirname "$dir"); done
  [ "$dir" = / ] && dir=$(cd "$(dirname "$exe")" && pwd)
  WINEPREFIX="$dir/wineprefix"
fi
export WINEPREFIX
export WINEDEBUG=-all
# No window, no "install Mono/Gecko?" prompts, no desktop integration.
export WINEDLLOVERRIDES="mscoree,mshtml,winemenubuilder.exe="
export DISPLAY=
wine=$(command -v wine64 || true)
[ -n "$wine" ] || wine=/usr/lib/wine/wine64
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  mkdir -p "$WINEPREFIX"
  "$wine" wineboot --init >/dev/null 2>&1 || true
  # wineboot forks the wineserver; wait so the prefix is complete before use.
  wineserver=$(command -v wineserver || echo /usr/lib/wine/wineserver64)
  "$wineserver" -w || true
fi
exec "$wine" "$exe" "$@"
