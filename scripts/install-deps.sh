#!/usr/bin/env bash
# Installs every build and test dependency of mxc from Debian 12 packages.
# Idempotent and quiet when everything is already present.
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ pkg-config git
  libcli11-dev libtomlplusplus-dev libspdlog-dev libfmt-dev libseccomp-dev libidn2-dev libpsl-dev libldns-dev libsystemd-dev nlohmann-json3-dev
  # the Public Suffix List that libpsl prefers when it is newer than its built-in one
  publicsuffix
  # tests: doctest, fuzzers and sanitizers (clang), TTY tests, schema check, local servers
  doctest-dev clang libclang-rt-14-dev tmux python3 python3-jsonschema curl make iproute2 file pandoc dpkg-dev
  # tests/learn: make with ccache
  ccache
  # tests/tools: git, pip and npm fetching through the egress proxy from local HTTPS servers
  openssl python3-pip
  # Windows cross build and its smoke tests under wine
  mingw-w64 g++-mingw-w64-x86-64-posix wine wine64
  # benchmarks only (scripts/bench.sh compares against bubblewrap)
  bubblewrap
)

# Debian's npm, unless an npm is already there: NodeSource's nodejs bundles
# one and conflicts with Debian's npm package.
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
