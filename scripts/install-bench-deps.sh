#!/usr/bin/env bash
# Installs what scripts/bench.sh compares mxc against, and nothing globally
# but Debian packages:
#   - bubblewrap (startup baseline), from Debian
#   - Anthropic's sandbox-runtime (`srt`), from the npm registry, into
#     build-bench-deps/ in this checkout (gitignored); it needs bubblewrap,
#     socat and ripgrep on Linux, also from Debian
# Idempotent.
#
#   scripts/install-bench-deps.sh          (env SRT_VERSION=x.y.z to pin)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
prefix=$root/build-bench-deps

packages=(bubblewrap socat ripgrep)
# NodeSource's nodejs ships its own npm and conflicts with Debian's npm.
command -v npm >/dev/null 2>&1 || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "install-bench-deps: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

pkg=@anthropic-ai/sandbox-runtime
spec=$pkg${SRT_VERSION:+@$SRT_VERSION}
mkdir -p "$prefix"
if [ ! -x "$prefix/node_modules/.bin/srt" ] || [ -n "${SRT_VERSION:-}" ]; then
  echo "install-bench-deps: npm install $spec into $prefix"
  # Without a version npm takes the newest release whose engines.node this
  # node satisfies (0.0.83 wants node >= 22.12; on node 20 that is 0.0.78);
  # bench.sh prints the version it measured.
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "$spec"
fi
echo "install-bench-deps: srt $(node -p "require('$prefix/node_modules/$pkg/package.json').version") at $prefix/node_modules/.bin/srt"
