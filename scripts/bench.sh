#!/usr/bin/env bash
# One table: every figure next to a baseline measured in the same run.
#
#   scripts/bench.sh [STARTUP_ROUNDS]      (default 200)
#
# Environment:
#   BUILD_DIR   build tree with mxc and net_bench (default build/; configured
#               as Release and built here if either binary is missing)
#   MXC         mxc binary (default $BUILD_DIR/src/cli/mxc)
#   NET_MIB     size of each download (default 1024 MiB)
#   NET_ROUNDS  rounds of every network measurement (default 3)
#   SRT         srt binary (default build-bench-deps/, from
#               scripts/install-bench-deps.sh; else srt on PATH)
#   SRT_EVERY   srt startup is sampled every Nth startup round (default 20:
#               one srt start takes seconds)
#   SRT_CONNS   connections per srt round (default 400: srt manages ~50/s)
#
# Startup rounds interleave bare exec, mxc, mxc --dry-run, bwrap (and srt) so
# that noise from other processes hits all of them alike; the table shows
# medians and the interquartile range. Network rounds alternate the same way;
# medians with min..max. Benchmarks never gate CI and are not ctest tests:
# docs/performance.md explains each row.
set -euo pipefail
rounds=${1:-200}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
mxc=${MXC:-$build/src/cli/mxc}
net_bench=$build/tests/net/net_bench
net_mib=${NET_MIB:-1024}
net_rounds=${NET_ROUNDS:-3}
srt_every=${SRT_EVERY:-20}
srt_conns=${SRT_CONNS:-400}

if [ ! -x "$mxc" ] || [ ! -x "$net_bench" ]; then
  if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  nice ninja -C "$build" mxc net_bench >/dev/null
fi
[ -x "$mxc" ] || { echo "bench: mxc binary not found; set MXC= or BUILD_DIR=" >&2; exit 2; }
[ -x "$net_bench" ] || { echo "bench: $net_bench not found; set BUILD_DIR=" >&2; exit 2; }
have_bwrap=0
command -v bwrap >/dev/null && have_bwrap=1

ws=$(mktemp -d)
cleanup() {
  [ -n "${SRV_PID:-}" ] && kill "$SRV_PID" 2>/dev/null
  rm -rf "$ws"
}
trap cleanup EXIT
cd "$ws"

load() { cut -d' ' -f1 /proc/loadavg; }
load_start=$(load)

# ---------------------------------------------------------------- helpers
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# "p25..p75" of the samples
iqr() {
  printf '%s\n' "$@" | sort -g |
    awk '{a[NR]=$1} END {lo=a[int((NR+3)/4)]; hi=a[int((3*NR+3)/4)]; printf "%s..%s", lo, hi}'
}
minmax() { printf '%s\n' "$@" | sort -g | awk 'NR==1{lo=$1} {hi=$1} END {printf "%s..%s", lo, hi}'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf (a / b < 0.1 ? "%.3fx" : "%.2fx"), a / b }'; }
fmt() { awk -v v="$1" -v d="${2:-0}" 'BEGIN { printf "%.*f", d, v }'; }
us_to_ms() { awk -v v="$1" 'BEGIN { printf "%.2f", v / 1000 }'; }
range_ms() { awk -v r="$1" 'BEGIN { split(r, x, /\.\./); printf "%.2f..%.2f", x[1] / 1000, x[2] / 1000 }'; }
range_fmt() { awk -v r="$1" -v d="${2:-0}" 'BEGIN { split(r, x, /\.\./); printf "%.*f..%.*f", d, x[1], d, x[2] }'; }

rows=()
# row MEASURE VALUE SPREAD BASELINE RATIO GOAL
row() { rows+=("$1"$'\t'"$2"$'\t'"$3"$'\t'"$4"$'\t'"$5"$'\t'"${6:-}"); }
notes=()

# ---------------------------------------------------------------- srt
srt=${SRT:-$root/build-bench-deps/node_modules/.bin/srt}
[ -x "$srt" ] || srt=$(command -v srt || true)
srt_ok=0
srt_reason="not installed: run scripts/install-bench-deps.sh"
write_srt_settings() {  # allowed loopback ports...
  local hosts="" p
  for p in "$@"; do hosts+="${hosts:+, }\"127.0.0.1:$p\""; done
  # The same boundary as `mxc exec -p default --allow-net ...`: reads
  # allowed, writes only to the workspace, network only to the listed ports.
  cat >"$ws/srt-settings.json" <<EOF
{
  "filesystem": { "denyRead": ["~/.ssh", "~/.aws", "~/.gnupg"], "allowWrite": ["$ws"], "denyWrite": [] },
  "network": { "allowedDomains": [$hosts], "deniedDomains": [] }
}
EOF
}
if [ -n "$srt" ] && [ -x "$srt" ]; then
  write_srt_settings 9
  if out=$("$srt" -s "$ws/srt-settings.json" -- /bin/true 2>&1); then
    srt_ok=1
    srt_version=$("$srt" --version 2>/dev/null || echo "?")
  else
    srt_reason="$srt -- /bin/true failed: $(printf '%s' "$out" | grep -v '^$' | head -n 1)"
  fi
fi

# ---------------------------------------------------------------- startup
t() {  # prints elapsed microseconds of "$@", output discarded
  local t0 t1
  t0=${EPOCHREALTIME/./}
  "$@" >/dev/null 2>&1 || true
  t1=${EPOCHREALTIME/./}
  echo $((t1 - t0))
}
bwrap_true() { bwrap --unshare-all --die-with-parent --ro-bind / / --dev /dev --proc /proc /bin/true; }
# Every timed command must succeed once, or the rounds would time a failure.
"$mxc" exec -p default -- /bin/true || { echo "bench: mxc exec -p default -- /bin/true failed" >&2; exit 1; }
if [ $have_bwrap = 1 ] && ! bwrap_true 2>"$ws/bwrap.err"; then
  have_bwrap=0
  notes+=("bwrap not measured: $(head -n 1 "$ws/bwrap.err")")
fi
bare=() mx=() dry=() bw=() sr=()
for ((i = 0; i < rounds; i++)); do
  bare+=("$(t /bin/true)")
  mx+=("$(t "$mxc" exec -p default -- /bin/true)")
  # Same CLI startup, policy load and plan compile, but no sandbox: separates
  # the front end's cost from the Linux backend's.
  dry+=("$(t "$mxc" exec -p default --dry-run -- /bin/true)")
  [ $have_bwrap = 1 ] && bw+=("$(t bwrap_true)")
  if [ $srt_ok = 1 ] && ((i % srt_every == 0)); then
    sr+=("$(t "$srt" -s "$ws/srt-settings.json" -- /bin/true)")
  fi
done
m_bare=$(median "${bare[@]}")
m_mx=$(median "${mx[@]}")
m_dry=$(median "${dry[@]}")
row "startup: mxc exec -p default -- /bin/true" "$(us_to_ms "$m_mx") ms" "$(range_ms "$(iqr "${mx[@]}")")" \
  "bare exec $(us_to_ms "$m_bare") ms" "$(div "$m_mx" "$m_bare")"
row "startup: mxc --dry-run (front end only)" "$(us_to_ms "$m_dry") ms" "$(range_ms "$(iqr "${dry[@]}")")" \
  "bare exec $(us_to_ms "$m_bare") ms" "$(div "$m_dry" "$m_bare")"
if [ $have_bwrap = 1 ]; then
  m_bw=$(median "${bw[@]}")
  row "startup: mxc vs bubblewrap" "$(us_to_ms "$m_mx") ms" "$(range_ms "$(iqr "${mx[@]}")")" \
    "bwrap $(us_to_ms "$m_bw") ms ($(range_ms "$(iqr "${bw[@]}")"))" "$(div "$m_mx" "$m_bw")" "<= 1.00x"
fi
if [ $srt_ok = 1 ]; then
  m_sr=$(median "${sr[@]}")
  row "startup: srt -- /bin/true (${#sr[@]} samples)" "$(us_to_ms "$m_sr") ms" "$(range_ms "$(iqr "${sr[@]}")")" \
    "mxc $(us_to_ms "$m_mx") ms" "$(div "$m_sr" "$m_mx")"
fi

# ---------------------------------------------------------------- proxy, in process
# mxc's EgressProxy in the benchmark's own process vs the same client talking
# to the same servers directly; alternating rounds, "median min max" per key.
declare -A np
while read -r k med lo hi; do np[$k]=$med np[$k.r]="$lo..$hi"; done < <("$net_bench" inproc "$net_mib" "$net_rounds")
row "proxy: download ${net_mib} MiB (MiB/s)" "$(fmt "${np[proxy_mib_s]}")" "$(range_fmt "${np[proxy_mib_s.r]}")" \
  "direct $(fmt "${np[direct_mib_s]}") ($(range_fmt "${np[direct_mib_s.r]}"))" \
  "$(div "${np[proxy_mib_s]}" "${np[direct_mib_s]}")" ">= 0.90x"
row "proxy: CPU s per GiB, all threads" "$(fmt "${np[proxy_cpu_s_per_gib]}" 2)" "$(range_fmt "${np[proxy_cpu_s_per_gib.r]}" 2)" \
  "direct $(fmt "${np[direct_cpu_s_per_gib]}" 2)" "$(div "${np[proxy_cpu_s_per_gib]}" "${np[direct_cpu_s_per_gib]}")"
row "proxy: CONNECT + 1-byte echo, 4 clients (/s)" "$(fmt "${np[proxy_conn_s]}")" "$(range_fmt "${np[proxy_conn_s.r]}")" \
  "direct $(fmt "${np[direct_conn_s]}") ($(range_fmt "${np[direct_conn_s.r]}"))" \
  "$(div "${np[proxy_conn_s]}" "${np[direct_conn_s]}")" ">= 0.50x"
row "proxy: CPU ms per connection, all threads" "$(fmt "${np[proxy_cpu_s_per_1000_conn]}" 3)" \
  "$(range_fmt "${np[proxy_cpu_s_per_1000_conn.r]}" 3)" "direct $(fmt "${np[direct_cpu_s_per_1000_conn]}" 3)" \
  "$(div "${np[proxy_cpu_s_per_1000_conn]}" "${np[direct_cpu_s_per_1000_conn]}")"
added=$(awk -v a="${np[proxy_latency_us]}" -v b="${np[direct_latency_us]}" 'BEGIN { printf "+%.0f us", a - b }')
row "proxy: small HTTP request, fresh conn (us)" "$(fmt "${np[proxy_latency_us]}") ($added)" \
  "$(range_fmt "${np[proxy_latency_us.r]}")" "direct $(fmt "${np[direct_latency_us]}")" \
  "$(div "${np[proxy_latency_us]}" "${np[direct_latency_us]}")"

# ---------------------------------------------------------------- through sandboxes
# The client runs inside the sandbox and reaches host-side servers through the
# sandbox's own proxy (mxc: HTTP CONNECT on 127.0.0.1 in the sandbox's netns;
# srt: its HTTP proxy via socat and a unix socket); the baseline is the same
# client run directly on the host, in the same round.
# The servers run until their stdin closes (cleanup kills them as well).
coproc SRV { exec "$net_bench" serve; }
read -r _ p_blast p_echo p_http <&"${SRV[0]}"
write_srt_settings "$p_blast" "$p_echo" "$p_http"
client=("$net_bench" client "$net_mib" "$p_blast" "$p_echo" "$p_http")
declare -A e
e_add() {  # WHO, then the client's "key value" lines on stdin
  local who=$1 k v
  while read -r k v; do e[$who.$k]+="$v "; done
}
for ((r = 0; r < net_rounds; r++)); do
  e_add direct < <(MXC_BENCH_DIRECT=1 "${client[@]}" 2>"$ws/direct.err")
  e_add mxc < <("$mxc" exec -p default --allow-read "$build" \
    --allow-net "127.0.0.1:$p_blast" --allow-net "127.0.0.1:$p_echo" --allow-net "127.0.0.1:$p_http" \
    -- "${client[@]}" 2>"$ws/mxc.err")
  [ $srt_ok = 1 ] && e_add srt < <("$srt" -s "$ws/srt-settings.json" -- "${client[@]}" "$srt_conns" 2>"$ws/srt.err")
  for who in direct mxc srt; do
    [ -s "$ws/$who.err" ] && notes+=("$who client, round $((r + 1)): $(grep -v '^$' "$ws/$who.err" | head -n 2 | tr '\n' ' ')")
    rm -f "$ws/$who.err"
  done
done
sandbox_rows() {  # WHO LABEL
  local who=$1 label=$2 k d s what xs ds
  for k in download_mib_s conn_s latency_us; do
    read -ra xs <<<"${e[$who.$k]:-0}"
    read -ra ds <<<"${e[direct.$k]:-0}"
    s=$(median "${xs[@]}")
    d=$(median "${ds[@]}")
    case $k in
      download_mib_s) what="download ${net_mib} MiB (MiB/s)" ;;
      conn_s) what="CONNECT + 1-byte echo (/s)" ;;
      latency_us) what="small HTTP request (us)" ;;
    esac
    row "$label: $what" "$(fmt "$s")" "$(range_fmt "$(minmax "${xs[@]}")")" "direct $(fmt "$d")" "$(div "$s" "$d")"
  done
}
sandbox_rows mxc "mxc sandbox"
[ $srt_ok = 1 ] && sandbox_rows srt "srt sandbox"

# ---------------------------------------------------------------- memory
# Peak RSS (VmHWM) of the process that stays alive around the command: the mxc
# supervisor (wait4's ru_maxrss would also count the children), bwrap's
# outer process, srt's node process. Sampled until it exits.
peak_kib() {  # prints "VmHWM max-RssAnon" in KiB
  "$@" >/dev/null 2>&1 &
  local pid=$! hwm=0 anon=0 h a
  while kill -0 "$pid" 2>/dev/null; do
    read -r h a < <(awk '/^VmHWM/ {h=$2} /^RssAnon/ {a=$2} END {print h+0, a+0}' "/proc/$pid/status" 2>/dev/null || echo 0 0)
    ((h > hwm)) && hwm=$h
    ((a > anon)) && anon=$a
    sleep 0.05
  done
  wait "$pid" || true
  echo "$hwm $anon"
}
read -r rss_mx anon_mx < <(peak_kib "$mxc" exec -p default -- /bin/sleep 1)
rss_bw=0 anon_bw=0
[ $have_bwrap = 1 ] &&
  read -r rss_bw anon_bw < <(peak_kib bwrap --unshare-all --die-with-parent --ro-bind / / --dev /dev --proc /proc /bin/sleep 1)
# VmHWM counts the mapped pages of the binary and its libraries too (shared
# with every other process using them); RssAnon is the process's own memory.
row "mxc supervisor peak RSS (KiB)" "$rss_mx" "anon $anon_mx" "bwrap $rss_bw (anon $anon_bw)" "$(div "$rss_mx" "$rss_bw")" "<= 4096 KiB"
if [ $srt_ok = 1 ]; then
  read -r rss_sr anon_sr < <(peak_kib "$srt" -s "$ws/srt-settings.json" -- /bin/sleep 1)
  row "srt (node) peak RSS (KiB)" "$rss_sr" "anon $anon_sr" "mxc $rss_mx (anon $anon_mx)" "$(div "$rss_sr" "$rss_mx")"
fi

# ---------------------------------------------------------------- table
printf 'mxc bench, %s, %s cores, load avg (1 min) %s at start, %s at end\n' \
  "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" "$load_start" "$(load)"
printf 'startup rounds %d (interleaved, median, spread = p25..p75); network %d rounds of %d MiB (alternating, median, spread = min..max)\n' \
  "$rounds" "$net_rounds" "$net_mib"
if [ $srt_ok = 1 ]; then
  printf 'srt %s (%s)\n' "$srt_version" "$srt"
fi
{
  printf 'measure\tvalue\tspread\tbaseline (same run)\tratio\tgoal\n'
  printf '%s\n' "${rows[@]}"
} | column -t -s $'\t'
[ $srt_ok = 1 ] || printf 'srt: not measured (%s)\n' "$srt_reason"
for n in "${notes[@]}"; do printf 'note: %s\n' "$n"; done
