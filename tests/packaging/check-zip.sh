#!/bin/sh
# check-zip.sh [--run] ZIP VERSION SOURCE_DIR: the Windows zip that
# scripts/cross-windows.sh made (CPack, from the mingw build) holds exactly
# mxc-VERSION-win64/{bin/mxc.exe, policies/*.toml, README.md, docs/windows.md}
# and is not older than the mxc.exe it was made from. With --run, the zipped
# mxc.exe, unpacked, runs under wine (tests/windows/wine-run.sh) and reports
# the project version and its profiles, and `mxc.exe check` accepts them.
set -u
run=no
if [ "${1:-}" = --run ]; then run=yes; shift; fi
zip=$1
version=$2
src=$3
fail=0
check() {  # check NAME STATUS
  if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}
top=mxc-$version-win64
echo "package: $zip ($(stat -c %s "$zip") bytes)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$run" = no ]; then
  # Regular entries only (directory entries end in /).
  python3 -c 'import sys, zipfile
for n in zipfile.ZipFile(sys.argv[1]).namelist():
    if not n.endswith("/"): print(n)' "$zip" >"$tmp/list"
  check "python3 zipfile lists it" $?
  LC_ALL=C sort "$tmp/list" >"$tmp/files"
  {
    echo "$top/README.md"
    echo "$top/bin/mxc.exe"
    echo "$top/docs/windows.md"
    for p in "$src"/policies/*.toml; do echo "$top/policies/$(basename "$p")"; done
  } | LC_ALL=C sort >"$tmp/expected"
  diff "$tmp/expected" "$tmp/files" >"$tmp/diff"
  check "files are exactly the expected ones under $top/ (< missing, > unexpected)" $?
  grep '^[<>]' "$tmp/diff" | sed 's/^/    /'
  exe=$(cd "$(dirname "$zip")/.." && pwd)/src/cli/mxc.exe
  if [ -f "$exe" ]; then
    [ -z "$(find "$exe" -newer "$zip")" ]
    check "zip is not older than $exe (else rerun scripts/cross-windows.sh)" $?
  fi
  exit "$fail"
fi

python3 -m zipfile -e "$zip" "$tmp"
check "python3 zipfile unpacks it" $?
wine_run=$src/tests/windows/wine-run.sh
exe=$tmp/$top/bin/mxc.exe
out=$("$wine_run" "$exe" --version 2>"$tmp/err" | tr -d '\r')
[ "$out" = "mxc $version" ]
check "zipped mxc.exe --version prints 'mxc $version' under wine (got '$out')" $?
"$wine_run" "$exe" profiles 2>"$tmp/err" | tr -d '\r' | awk '{print $1}' | LC_ALL=C sort >"$tmp/builtin"
for p in "$tmp/$top"/policies/*.toml; do basename "$p" .toml; done | LC_ALL=C sort >"$tmp/zipped"
diff "$tmp/builtin" "$tmp/zipped" >"$tmp/diff"
check "zipped policies/ are exactly the built-in profiles of mxc.exe (< built in only, > zipped only)" $?
grep '^[<>]' "$tmp/diff" | sed 's/^/    /'
# As a user would, from the unpacked folder: relative Windows paths.
set --
for p in "$tmp/$top"/policies/*.toml; do set -- "$@" "policies\\$(basename "$p")"; done
(cd "$tmp/$top" && "$wine_run" bin/mxc.exe check "$@") >"$tmp/check" 2>"$tmp/err"
st=$?
[ "$st" -eq 0 ]
check "zipped mxc.exe check policies\\*.toml ($#) exits 0 under wine (got $st)" $?
[ "$st" -eq 0 ] || tr -d '\r' <"$tmp/check"
if [ "$fail" -ne 0 ]; then
  echo "--- last stderr:"; cat "$tmp/err"
fi
exit "$fail"
