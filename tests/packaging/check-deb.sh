#!/bin/sh
# check-deb.sh OUTDIR VERSION SOURCE_DIR: the .deb that make-packages.sh left
# in OUTDIR has the right control fields and exactly the expected files
# (expected-files.sh, under /usr), and, unpacked into a throwaway root with
# dpkg -x, works (check-installed.sh).
set -u
out=$1
version=$2
src=$3
here=$(cd "$(dirname "$0")" && pwd)
fail=0
check() {  # check NAME STATUS
  if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}

arch=$(dpkg --print-architecture)
deb=$out/mxc_${version}_$arch.deb
if [ ! -f "$deb" ]; then
  echo "FAIL no $deb; $out holds:"; ls -l "$out"
  exit 1
fi
echo "package: $deb ($(stat -c %s "$deb") bytes)"
tmp=$(mktemp -d "$out/check-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

dpkg-deb -I "$deb" >"$tmp/info"
check "dpkg-deb -I reads it" $?
field() { sed -n "s/^ $1: //p" "$tmp/info"; }
[ "$(field Package)" = mxc ]; check "Package: mxc (got '$(field Package)')" $?
[ "$(field Version)" = "$version" ]; check "Version: $version (got '$(field Version)')" $?
[ "$(field Architecture)" = "$arch" ]; check "Architecture: $arch (got '$(field Architecture)')" $?
# dpkg-shlibdeps found the shared libraries mxc links: libc, at least the
# 2.36 that reads packed relative relocations (src/cli/CMakeLists.txt).
# libseccomp is linked from its archive when the -dev package ships one.
field Depends | grep -q 'libc6 (>= 2.36)'
check "Depends names libc6 (>= 2.36) (got '$(field Depends)')" $?
# libpsl: host rules covering a public suffix ("*.com") are refused.
field Depends | grep -q 'libpsl5'
check "Depends names libpsl5 (got '$(field Depends)')" $?
# dlopen()ed, so named by hand: the DNS stub and the journald audit sink.
field Depends | grep -q 'libldns3'
check "Depends names libldns3 (got '$(field Depends)')" $?
field Depends | grep -q 'libsystemd0'
check "Depends names libsystemd0 (got '$(field Depends)')" $?
field Recommends | grep -q 'publicsuffix'
check "Recommends names publicsuffix (got '$(field Recommends)')" $?
# The bash completion is loaded by, and uses, the bash-completion package.
field Recommends | grep -q 'bash-completion'
check "Recommends names bash-completion (got '$(field Recommends)')" $?

dpkg-deb -c "$deb" >"$tmp/contents"
check "dpkg-deb -c reads it" $?
# Regular files only (directories end in /); the path is the last field.
awk '$1 ~ /^-/ {print $NF}' "$tmp/contents" | LC_ALL=C sort >"$tmp/files"
"$here/expected-files.sh" "$src" | sed 's|^|./usr/|' >"$tmp/expected"
diff "$tmp/expected" "$tmp/files" >"$tmp/diff"
check "files are exactly the expected ones under /usr (< missing, > unexpected)" $?
grep '^[<>]' "$tmp/diff" | sed 's/^/    /'
awk '$NF == "./usr/bin/mxc" {print $1, $2}' "$tmp/contents" | grep -qx -- '-rwxr-xr-x root/root'
check "/usr/bin/mxc is -rwxr-xr-x root/root" $?
! awk '$1 ~ /^-/ && (substr($1, 6, 1) == "w" || substr($1, 9, 1) == "w")' "$tmp/contents" | grep -q .
check "no group- or world-writable files" $?

dpkg -x "$deb" "$tmp/root"
check "dpkg -x unpacks it" $?
"$here/check-installed.sh" "$tmp/root/usr" "$version" "$src" || fail=1

exit "$fail"
