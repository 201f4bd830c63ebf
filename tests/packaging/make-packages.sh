#!/bin/sh
# make-packages.sh CPACK CPACK_CONFIG OUTDIR: the .deb and .tar.gz of a built
# tree, made from scratch in OUTDIR (CPack's staging dir goes there too), so
# the checks that follow never look at a package left over from an older build.
set -eu
cpack=$1
config=$2
out=$3
rm -rf "$out"
mkdir -p "$out"
"$cpack" --config "$config" -G "DEB;TGZ" -B "$out" >"$out/cpack.log" 2>&1 || {
  cat "$out/cpack.log" >&2
  echo "make-packages: cpack failed (log above)" >&2
  exit 1
}
rm -rf "$out/_CPack_Packages"
ls -l "$out"/*.deb "$out"/*.tar.gz
