#!/bin/sh
# check-tgz.sh OUTDIR VERSION SOURCE_DIR: the .tar.gz that make-packages.sh
# left in OUTDIR unpacks into one mxc-VERSION-Linux/ directory holding the
# same files as the .deb's /usr (expected-files.sh), and works from there.
set -u
out=$1
version=$2
src=$3
here=$(cd "$(dirname "$0")" && pwd)
fail=0
check() {  # check NAME STATUS
  if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}

top=mxc-$version-Linux
tgz=$out/$top.tar.gz
if [ ! -f "$tgz" ]; then
  echo "FAIL no $tgz; $out holds:"; ls -l "$out"
  exit 1
fi
echo "package: $tgz ($(stat -c %s "$tgz") bytes)"
tmp=$(mktemp -d "$out/check-tgz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

tar -tvzf "$tgz" >"$tmp/contents"
check "tar lists it" $?
awk '$1 ~ /^-/ {print $NF}' "$tmp/contents" | LC_ALL=C sort >"$tmp/files"
"$here/expected-files.sh" "$src" | sed "s|^|$top/|" >"$tmp/expected"
diff "$tmp/expected" "$tmp/files" >"$tmp/diff"
check "files are exactly the expected ones under $top/ (< missing, > unexpected)" $?
grep '^[<>]' "$tmp/diff" | sed 's/^/    /'
! awk '{print $NF}' "$tmp/contents" | grep -v "^$top/" | grep -q .
check "nothing outside $top/" $?

mkdir "$tmp/x" && tar -xzf "$tgz" -C "$tmp/x"
check "tar -x unpacks it" $?
"$here/check-installed.sh" "$tmp/x/$top" "$version" "$src" || fail=1

exit "$fail"
