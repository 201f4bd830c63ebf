#!/usr/bin/env bash
# Runs scripts/demo.sh (README's first command) the way CI logs and new users
# run it: stdout into a pipe and into a file, stdin /dev/null or closed, no
# terminal. Each must exit 0 and print the whole demo. MXC_DEMO_BINARY points
# it at the binary under test so it builds nothing.
#   demo_test.sh MXC SOURCE_DIR
set -uo pipefail
mxc=$1
source_dir=$2
demo=$source_dir/scripts/demo.sh
out=$(mktemp)
trap 'rm -f "$out"' EXIT
failed=0

check() {  # check NAME STATUS: the demo ran to its end and exited 0
  local name=$1 status=$2
  if [ "$status" -ne 0 ] || ! grep -qx 'demo: ok' "$out"; then
    echo "FAIL: $name: exit $status" >&2
    tail -n 20 "$out" >&2
    failed=1
  else
    echo "ok: $name"
  fi
}

# Without a controlling terminal, like a CI runner.
run() { MXC_DEMO_BINARY=$mxc setsid bash "$demo" "$@"; }

run </dev/null 2>&1 | cat >"$out"
check "stdout to a pipe, stdin /dev/null" "${PIPESTATUS[0]}"

run </dev/null >"$out" 2>&1
check "stdout to a file, stdin /dev/null" $?

run <&- 2>&1 | cat >"$out"
check "stdout to a pipe, stdin closed" "${PIPESTATUS[0]}"

run <&- >"$out" 2>&1
check "stdout to a file, stdin closed" $?

# A terminal's bold escapes must not leak into a log.
if grep -q $'\033' "$out"; then
  echo "FAIL: escape sequences in the redirected output" >&2
  failed=1
fi
exit "$failed"
