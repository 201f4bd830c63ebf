#!/usr/bin/env bash
# A real demonstration with the built binary: in a throwaway workspace, the
# `default` profile lets the command write inside the workspace, refuses to
# let it read a secret planted outside it, and gives it a private /tmp whose
# contents are discarded when it ends.
#
# MXC_DEMO_BINARY=/path/to/mxc runs the demo with that binary and builds
# nothing (the test suite uses it: tests/demo/).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${MXC_DEMO_BINARY:-}" ]; then
  mxc=$MXC_DEMO_BINARY
else
  ./scripts/build.sh >/dev/null
  mxc=$PWD/build/src/cli/mxc
fi

demo=$(mktemp -d /tmp/mxc-demo-XXXXXX)
trap 'rm -rf "$demo"' EXIT
mkdir -p "$demo/workspace" "$demo/home/.ssh"
echo "-----BEGIN OPENSSH PRIVATE KEY----- (planted by demo.sh)" >"$demo/home/.ssh/id_ed25519"
chmod 700 "$demo/home/.ssh"
export HOME=$demo/home
cd "$demo/workspace"

# Bold only on a terminal, and never with NO_COLOR (https://no-color.org).
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
else
  step() { printf '\n$ %s\n' "$*"; }
fi

step mxc --version
"$mxc" --version
step mxc profiles
"$mxc" profiles
step mxc check default
"$mxc" check default
step mxc explain -p default
# Not `| head`: under pipefail, head closing the pipe early kills mxc with
# SIGPIPE (exit 141) whenever the output outgrows the pipe buffer.
explained=$("$mxc" explain -p default)
head -n 40 <<<"$explained"

step "mxc exec -- sh -c 'echo hello from the sandbox > notes.txt && cat notes.txt'"
"$mxc" exec -- sh -c 'echo hello from the sandbox > notes.txt && cat notes.txt'
echo "(on the host: $(cat notes.txt))"

step "mxc exec -- cat ~/.ssh/id_ed25519      # a secret outside the workspace"
if "$mxc" exec -- cat "$HOME/.ssh/id_ed25519"; then
  echo "demo: FAILED: the planted secret was readable" >&2
  exit 1
fi
echo "(refused, as the default profile denies ~/.ssh)"

step "mxc exec -- sh -c 'echo x > /tmp/x && cat /tmp/x'   # /tmp is the sandbox's own"
host_had_x=no
[ -e /tmp/x ] && host_had_x=yes
"$mxc" exec -- sh -c 'echo x > /tmp/x && cat /tmp/x'
if [ "$host_had_x" = no ] && [ -e /tmp/x ]; then
  echo "demo: FAILED: the write reached the host's /tmp/x" >&2
  exit 1
fi
echo "(not refused: the write landed in the sandbox's private /tmp, which is discarded"
echo " when the run ends; the host's /tmp is untouched)"

step "mxc exec -- sh -c 'echo x > /usr/local/mxc-demo.txt'   # a write outside the workspace"
if "$mxc" exec -- sh -c 'echo x > /usr/local/mxc-demo.txt' || [ -e /usr/local/mxc-demo.txt ]; then
  rm -f /usr/local/mxc-demo.txt
  echo "demo: FAILED: wrote outside the workspace" >&2
  exit 1
fi
echo "(refused: the system is read-only; only the workspace and {tmp} are writable)"

step "mxc exec -- sh -c 'exit 7'; echo \$?"
set +e
"$mxc" exec -- sh -c 'exit 7'
echo "exit status: $?"
set -e
printf '\ndemo: ok\n'
