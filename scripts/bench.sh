#!/usr/bin/env bash
# Startup cost of `mxc exec -p default -- /bin/true`, compared with running
# /bin/true bare and under bubblewrap, interleaved round by round so machine
# noise hits all three equally. Also the peak RSS of the mxc supervisor.
#
#   scripts/bench.sh [ROUNDS]        (env MXC=path/to/mxc, default build dir)
#
# Goals: mxc <= 1.0x bwrap, supervisor peak RSS <= 4 MiB.
set -euo pipefail
rounds=${1:-200}
here=$(cd "$(dirname "$0")/.." && pwd)
mxc=${MXC:-}
if [ -z "$mxc" ]; then
  for c in "$here/build/src/cli/mxc"; do
    if [ -x "$c" ]; then mxc=$c; break; fi
  done
fi
[ -x "$mxc" ] || { echo "bench: mxc binary not found; set MXC=" >&2; exit 2; }
have_bwrap=0
command -v bwrap >/dev/null && have_bwrap=1

ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT
cd "$ws"

bare=() mx=() bw=() dry=()
for ((i = 0; i < rounds; i++)); do
  t0=${EPOCHREALTIME/./}; /bin/true; t1=${EPOCHREALTIME/./}
  bare+=($((t1 - t0)))
  t0=${EPOCHREALTIME/./}; "$mxc" exec -p default -- /bin/true; t1=${EPOCHREALTIME/./}
  mx+=($((t1 - t0)))
  # Same CLI startup, policy load and plan compile, but no sandbox: separates
  # the front end's cost from the Linux backend's.
  t0=${EPOCHREALTIME/./}; "$mxc" exec -p default --dry-run -- /bin/true >/dev/null; t1=${EPOCHREALTIME/./}
  dry+=($((t1 - t0)))
  if [ $have_bwrap = 1 ]; then
    t0=${EPOCHREALTIME/./}
    bwrap --unshare-all --die-with-parent --ro-bind / / --dev /dev --proc /proc /bin/true
    t1=${EPOCHREALTIME/./}
    bw+=($((t1 - t0)))
  fi
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
m_bare=$(median "${bare[@]}")
m_mxc=$(median "${mx[@]}")
printf 'rounds            %d\n' "$rounds"
printf 'bare /bin/true    %6d us\n' "$m_bare"
m_dry=$(median "${dry[@]}")
printf 'mxc exec default  %6d us   (%.1fx bare)\n' "$m_mxc" "$(awk -v a="$m_mxc" -v b="$m_bare" 'BEGIN{print a/b}')"
printf 'mxc --dry-run     %6d us   (front end only: startup, policy, plan)\n' "$m_dry"
if [ $have_bwrap = 1 ]; then
  m_bw=$(median "${bw[@]}")
  printf 'bwrap             %6d us   (%.1fx bare)\n' "$m_bw" "$(awk -v a="$m_bw" -v b="$m_bare" 'BEGIN{print a/b}')"
  printf 'mxc / bwrap       %.2fx   (goal <= 1.00x)\n' "$(awk -v a="$m_mxc" -v b="$m_bw" 'BEGIN{print a/b}')"
fi

# Peak RSS of the supervisor itself: VmHWM of the mxc process while the
# sandboxed command runs (wait4's ru_maxrss would also count the children).
"$mxc" exec -p default -- /bin/sleep 0.5 &
sup=$!
sleep 0.3
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$sup/status" 2>/dev/null || echo 0)
wait "$sup" || true
printf 'supervisor VmHWM  %6d KiB (goal <= 4096)\n' "$hwm"
if [ -x /usr/bin/time ]; then
  rss=$( { /usr/bin/time -f '%M' "$mxc" exec -p default -- /bin/true; } 2>&1 | tail -n 1)
  printf 'time -f %%M       %6d KiB (max of mxc and its children)\n' "$rss"
fi
