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
#   MXC_PREV    a second mxc binary (e.g. the previous release, built in its
#               own build dir): its startup is timed in the same rounds
#   CONNECT_COST sequential connects per round for the broker's cost per
#               connect (default 10000)
#   HOLD_CONNS  brokered connections held open at once while the supervisor's
#               memory is read (default 1000)
#   LEARN_ROUNDS rounds of each `mxc learn` vs `mxc exec` row (default 10)
#   BENCH_USER  unprivileged user whose startup rows are measured next to
#               root's (default mxc-test when run as root and that user
#               exists, see scripts/create-test-user.sh; "" = none)
#   STARTUP_ONLY=1  only the startup table (skips learn, network, RSS, srt)
#
# Startup rounds interleave bare exec, bwrap, mxc -p default, mxc -p
# coding-agent, mxc --dry-run (and MXC_PREV, srt) so that noise from other
# processes hits all of them alike; as root, the rounds alternate in blocks
# between root and BENCH_USER. The startup table shows p50 and p90 of every
# command for both callers side by side, and each mxc row over bwrap's.
# Network rounds alternate the same way; medians with min..max. Benchmarks
# never gate CI and are not ctest tests: docs/performance.md explains each row.
set -euo pipefail

t() {  # prints elapsed microseconds of "$@", output discarded
  local t0 t1
  t0=${EPOCHREALTIME/./}
  "$@" >/dev/null 2>&1 || true
  t1=${EPOCHREALTIME/./}
  echo $((t1 - t0))
}
bwrap_true() { bwrap --unshare-all --die-with-parent --ro-bind / / --dev /dev --proc /proc /bin/true; }
# One block of interleaved startup rounds; prints "KEY MICROSECONDS" lines.
# Run by this script for root and, through setpriv, for BENCH_USER.
startup_samples() {  # ROUNDS MXC HAVE_BWRAP [PREV]
  local n=$1 m=$2 hb=$3 pv=${4:-} i j k
  local keys=(bare)
  [ "$hb" = 1 ] && keys+=(bwrap)
  keys+=(default coding dry)
  [ -n "$pv" ] && keys+=(prev)
  # Each round starts one command further on: a run costs more right after
  # a sandbox (its namespaces are still being torn down; 0.3-0.5 ms
  # measured), so no command always follows the same one.
  for ((i = 0; i < n; i++)); do
    for ((j = 0; j < ${#keys[@]}; j++)); do
      k=${keys[(i + j) % ${#keys[@]}]}
      case $k in
        bare) echo "bare $(t /bin/true)" ;;
        bwrap) echo "bwrap $(t bwrap_true)" ;;
        default) echo "default $(t "$m" exec -p default -- /bin/true)" ;;
        coding) echo "coding $(t "$m" exec -p coding-agent -- /bin/true)" ;;
        # Same CLI startup, policy load and plan compile, but no sandbox:
        # separates the front end's cost from the Linux backend's.
        dry) echo "dry $(t "$m" exec -p default --dry-run -- /bin/true)" ;;
        prev) echo "prev $(t "$pv" exec -p default -- /bin/true)" ;;
      esac
    done
  done
  return 0
}
if [ "${1:-}" = --startup-samples ]; then
  shift
  startup_samples "$@"
  exit 0
fi

rounds=${1:-200}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
mxc=${MXC:-$build/src/cli/mxc}
net_bench=$build/tests/net/net_bench
net_mib=${NET_MIB:-1024}
net_rounds=${NET_ROUNDS:-3}
srt_every=${SRT_EVERY:-20}
srt_conns=${SRT_CONNS:-400}
prev=${MXC_PREV:-}
connect_cost=${CONNECT_COST:-10000}
hold_conns=${HOLD_CONNS:-1000}
learn_rounds=${LEARN_ROUNDS:-10}

startup_only=${STARTUP_ONLY:-0}
[ "$startup_only" = 1 ] && net_bench=/bin/true  # not used
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
  rm -rf "$ws" ${user_ws:+"$user_ws"}
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
# Every timed command must succeed once, or the rounds would time a failure.
for p in default coding-agent; do
  "$mxc" exec -p "$p" -- /bin/true || { echo "bench: mxc exec -p $p -- /bin/true failed" >&2; exit 1; }
done
if [ -n "$prev" ] && ! "$prev" exec -p default -- /bin/true; then
  notes+=("MXC_PREV not measured: $prev exec -p default -- /bin/true failed")
  prev=""
fi
if [ $have_bwrap = 1 ] && ! bwrap_true 2>"$ws/bwrap.err"; then
  have_bwrap=0
  notes+=("bwrap not measured: $(head -n 1 "$ws/bwrap.err")")
fi
# The unprivileged caller: same binaries, its own workspace (the cwd).
user=${BENCH_USER-}
if [ -z "${BENCH_USER+x}" ] && [ "$(id -u)" = 0 ] && id mxc-test >/dev/null 2>&1; then user="mxc-test"; fi
as_user=()
if [ -n "$user" ]; then
  if [ "$(id -u)" != 0 ]; then
    notes+=("BENCH_USER=$user not measured: needs root")
    user=""
  else
    user_ws=$(mktemp -d)
    chown "$user" "$user_ws"
    as_user=(setpriv --reuid "$user" --regid "$(id -g "$user")" --init-groups env -C "$user_ws" HOME="$user_ws")
    if ! "${as_user[@]}" "$mxc" exec -p default -- /bin/true; then
      notes+=("BENCH_USER=$user not measured: mxc exec -p default -- /bin/true failed as $user")
      user=""
    fi
  fi
fi
declare -A su  # "WHO.KEY" -> samples in microseconds, space-separated
sr=()
blocks=10
((rounds < blocks)) && blocks=1
for ((b = 0; b < blocks; b++)); do
  n=$((rounds / blocks + (b < rounds % blocks ? 1 : 0)))
  while read -r k v; do su[root.$k]+="$v "; done < <(startup_samples "$n" "$mxc" "$have_bwrap" "$prev")
  if [ -n "$user" ]; then
    while read -r k v; do su[user.$k]+="$v "; done < <("${as_user[@]}" bash "$root/scripts/bench.sh" \
      --startup-samples "$n" "$mxc" "$have_bwrap" "$prev")
  fi
  if [ $srt_ok = 1 ]; then
    for ((i = 0; i < n; i += srt_every)); do sr+=("$(t "$srt" -s "$ws/srt-settings.json" -- /bin/true)"); done
  fi
done
read -ra bare <<<"${su[root.bare]}"
read -ra mx <<<"${su[root.default]}"
read -ra dry <<<"${su[root.dry]}"
read -ra bw <<<"${su[root.bwrap]:-}"
read -ra pv <<<"${su[root.prev]:-}"
# p-th percentile (nearest rank) of the samples
pct() {
  local p=$1
  shift
  printf '%s\n' "$@" | sort -g | awk -v p="$p" '{a[NR]=$1} END {r=int(NR*p/100+0.999); if (r<1) r=1; print a[r]}'
}
# Startup table: one line per command, p50 and p90 for root and the user.
srows=()
srow() {  # LABEL KEY
  local label=$1 k=$2 who line xs
  line=$label
  for who in root user; do
    [ $who = user ] && [ -z "$user" ] && continue
    read -ra xs <<<"${su[$who.$k]:-}"
    if [ ${#xs[@]} = 0 ]; then
      line+=$'\t-\t-'
    else
      line+=$'\t'"$(us_to_ms "$(pct 50 "${xs[@]}")")"$'\t'"$(us_to_ms "$(pct 90 "${xs[@]}")")"
    fi
  done
  srows+=("$line")
}
# "p50 ratio / p90 ratio" of KEY over BASE, per caller
sratio() {  # LABEL KEY BASE
  local label=$1 k=$2 base=$3 who line xs bs
  line=$label
  for who in root user; do
    [ $who = user ] && [ -z "$user" ] && continue
    read -ra xs <<<"${su[$who.$k]:-}"
    read -ra bs <<<"${su[$who.$base]:-}"
    if [ ${#xs[@]} = 0 ] || [ ${#bs[@]} = 0 ]; then
      line+=$'\t-\t-'
    else
      line+=$'\t'"$(div "$(pct 50 "${xs[@]}")" "$(pct 50 "${bs[@]}")")"$'\t'"$(div "$(pct 90 "${xs[@]}")" "$(pct 90 "${bs[@]}")")"
    fi
  done
  srows+=("$line")
}
srow "bare exec /bin/true" bare
[ $have_bwrap = 1 ] && srow "bwrap --unshare-all ... /bin/true" bwrap
srow "mxc exec -p default -- /bin/true" default
[ $have_bwrap = 1 ] && sratio "  over bwrap (goal <= 1.00x)" default bwrap
srow "mxc exec -p coding-agent -- /bin/true" coding
[ $have_bwrap = 1 ] && sratio "  over bwrap (goal <= 1.00x)" coding bwrap
srow "mxc exec -p default --dry-run (front end)" dry
[ -n "$prev" ] && srow "MXC_PREV exec -p default -- /bin/true" prev
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
if [ -n "$prev" ]; then
  m_pv=$(median "${pv[@]}")
  row "startup: mxc vs MXC_PREV (same command)" "$(us_to_ms "$m_mx") ms" "$(range_ms "$(iqr "${mx[@]}")")" \
    "prev $(us_to_ms "$m_pv") ms ($(range_ms "$(iqr "${pv[@]}")"))" "$(div "$m_mx" "$m_pv")" "1.00x"
fi
if [ $srt_ok = 1 ]; then
  m_sr=$(median "${sr[@]}")
  row "startup: srt -- /bin/true (${#sr[@]} samples)" "$(us_to_ms "$m_sr") ms" "$(range_ms "$(iqr "${sr[@]}")")" \
    "mxc $(us_to_ms "$m_mx") ms" "$(div "$m_sr" "$m_mx")"
fi

print_startup_table() {
  if [ -n "$user" ]; then
    printf 'startup: %d rounds per caller, interleaved, in %d blocks alternating between root and %s; ms\n' \
      "$rounds" "$blocks" "$user"
  else
    printf 'startup: %d rounds, interleaved; ms\n' "$rounds"
  fi
  {
    if [ -n "$user" ]; then
      printf 'command\troot p50\troot p90\t%s p50\t%s p90\n' "$user" "$user"
    else
      printf 'command\t%s p50\t%s p90\n' "$(id -un)" "$(id -un)"
    fi
    printf '%s\n' "${srows[@]}"
  } | column -t -s $'\t'
}
if [ "$startup_only" = 1 ]; then
  printf 'mxc bench (startup only), %s, %s cores, load avg (1 min) %s at start, %s at end\n' \
    "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" "$load_start" "$(load)"
  [ -n "$prev" ] && printf 'MXC_PREV %s\n' "$prev"
  print_startup_table
  for n in "${notes[@]}"; do printf 'note: %s\n' "$n"; done
  exit 0
fi

# ---------------------------------------------------------------- learn
# `mxc learn` (issue 13) runs the command in the learning sandbox and records
# every path it uses; the baseline is the same command under `mxc exec -p
# default`, alternating in the same rounds. Both use the same workspace, so
# both succeed and time the same work: a git repository of 400 files and a
# Python script that imports a dozen standard modules (hundreds of stats and
# opens). A learn that fails is a note, never a failed bench.
learn_repo=$ws/learn-repo
mkdir -p "$learn_repo"
for d in $(seq 1 20); do
  mkdir -p "$learn_repo/src/d$d"
  for f in $(seq 1 20); do echo "$d $f" >"$learn_repo/src/d$d/f$f.txt"; done
done
git -C "$learn_repo" init -q
git -C "$learn_repo" add -A
git -C "$learn_repo" -c user.name=bench -c user.email=bench@example.invalid commit -q -m bench
printf 'import %s\n' json email.parser http.client xml.dom.minidom sqlite3 decimal asyncio argparse csv \
  logging unittest tarfile >"$learn_repo/imports.py"
learn_rows=0
learn_row() {  # LABEL COMMAND...
  local label=$1 i ex=() le=() m_ex m_le label_n=$((++learn_rows))
  shift
  rm -f "$ws/learned-check.toml"
  if ! "$mxc" exec -p default -w "$learn_repo" -- "$@" >/dev/null 2>"$ws/learn.err"; then
    notes+=("learn \"$label\" not measured: mxc exec failed: $(grep -v '^$' "$ws/learn.err" | head -n 1)")
    return
  fi
  # A fresh output file each time: mxc learn does not overwrite one.
  if ! "$mxc" learn -p default -w "$learn_repo" -o "$ws/learned-check.toml" -- "$@" >/dev/null 2>"$ws/learn.err"; then
    notes+=("learn \"$label\" not measured: mxc learn failed: $(grep -v '^$' "$ws/learn.err" | head -n 1)")
    return
  fi
  for ((i = 0; i < learn_rounds; i++)); do
    ex+=("$(t "$mxc" exec -p default -w "$learn_repo" -- "$@")")
    le+=("$(t "$mxc" learn -p default -w "$learn_repo" -o "$ws/learned-$label_n-$i.toml" -- "$@")")
  done
  m_ex=$(median "${ex[@]}")
  m_le=$(median "${le[@]}")
  row "learn: $label" "$(us_to_ms "$m_le") ms" "$(range_ms "$(iqr "${le[@]}")")" \
    "exec $(us_to_ms "$m_ex") ms ($(range_ms "$(iqr "${ex[@]}")"))" "$(div "$m_le" "$m_ex")"
}
learn_row "git status, 400 files" git -C "$learn_repo" status --short
learn_row "python3 importing 12 modules" /usr/bin/python3 "$learn_repo/imports.py"

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
# srt: its HTTP proxy via socat and a unix socket), or, under mxc with every
# proxy variable removed, with plain connect() calls that mxc's connect broker
# makes on the host and hands back (docs/design.md "Network"); the baseline is
# the same client run directly on the host, in the same round.
# The servers run until their stdin closes (cleanup kills them as well).
coproc SRV { exec "$net_bench" serve; }
read -r _ p_blast p_echo p_http <&"${SRV[0]}"
write_srt_settings "$p_blast" "$p_echo" "$p_http"
client=("$net_bench" client "$net_mib" "$p_blast" "$p_echo" "$p_http")
allow=(--allow-read "$build" --allow-net "127.0.0.1:$p_blast" --allow-net "127.0.0.1:$p_echo" --allow-net "127.0.0.1:$p_http")
# No proxy variables: the client connects to 127.0.0.1:PORT itself, and the
# explicit IP rules send those connects to the host's loopback via the broker.
no_proxy_env=(env -u HTTPS_PROXY -u https_proxy -u HTTP_PROXY -u http_proxy -u ALL_PROXY -u all_proxy
  -u NO_PROXY -u no_proxy)
declare -A e
e_add() {  # WHO, then the client's "key value" lines on stdin
  local who=$1 k v
  while read -r k v; do e[$who.$k]+="$v "; done
}
for ((r = 0; r < net_rounds; r++)); do
  e_add direct < <(MXC_BENCH_DIRECT=1 "${client[@]}" 2>"$ws/direct.err")
  e_add mxc < <("$mxc" exec -p default "${allow[@]}" -- "${client[@]}" 2>"$ws/mxc.err")
  e_add broker < <("$mxc" exec -p default "${allow[@]}" -- "${no_proxy_env[@]}" "${client[@]}" 2>"$ws/broker.err")
  # connect() alone, sequential: inside minus direct is the broker's cost.
  e_add cdirect < <("$net_bench" connect-cost "$p_echo" "$connect_cost" 2>"$ws/cdirect.err")
  e_add cbroker < <("$mxc" exec -p default "${allow[@]}" -- "${no_proxy_env[@]}" \
    "$net_bench" connect-cost "$p_echo" "$connect_cost" 2>"$ws/cbroker.err")
  [ $srt_ok = 1 ] && e_add srt < <("$srt" -s "$ws/srt-settings.json" -- "${client[@]}" "$srt_conns" 2>"$ws/srt.err")
  for who in direct mxc broker srt cdirect cbroker; do
    [ -s "$ws/$who.err" ] && notes+=("$who client, round $((r + 1)): $(grep -v '^$' "$ws/$who.err" | head -n 2 | tr '\n' ' ')")
    rm -f "$ws/$who.err"
  done
done
sandbox_rows() {  # WHO LABEL [DOWNLOAD_GOAL CONNECT_GOAL]
  local who=$1 label=$2 k d s what goal xs ds
  for k in download_mib_s conn_s latency_us; do
    read -ra xs <<<"${e[$who.$k]:-0}"
    read -ra ds <<<"${e[direct.$k]:-0}"
    s=$(median "${xs[@]}")
    d=$(median "${ds[@]}")
    case $k in
      download_mib_s) what="download ${net_mib} MiB (MiB/s)" goal=${3:-} ;;
      conn_s) what="CONNECT + 1-byte echo (/s)" goal=${4:-} ;;
      latency_us) what="small HTTP request (us)" goal="" ;;
    esac
    [ "$who" = broker ] && [ $k = conn_s ] && what="connect + 1-byte echo (/s)"
    row "$label: $what" "$(fmt "$s")" "$(range_fmt "$(minmax "${xs[@]}")")" "direct $(fmt "$d")" "$(div "$s" "$d")" "$goal"
  done
}
sandbox_rows mxc "mxc sandbox, proxy"
sandbox_rows broker "mxc sandbox, broker" ">= 0.95x" ">= 0.70x"
read -ra xs <<<"${e[broker.download_cpu_s_per_gib]:-0}"
read -ra ds <<<"${e[direct.download_cpu_s_per_gib]:-0}"
row "mxc sandbox, broker: client CPU s per GiB" "$(fmt "$(median "${xs[@]}")" 2)" "$(range_fmt "$(minmax "${xs[@]}")" 2)" \
  "direct $(fmt "$(median "${ds[@]}")" 2)" "$(div "$(median "${xs[@]}")" "$(median "${ds[@]}")")"
# Each connect-cost sample is "median mean" of one round.
cost_row() {
  local meds=() means=() dmeds=() i xs
  read -ra xs <<<"${e[cbroker.connect_us]:-0 0}"
  for ((i = 0; i < ${#xs[@]}; i += 2)); do meds+=("${xs[i]}") means+=("${xs[i + 1]:-0}"); done
  read -ra xs <<<"${e[cdirect.connect_us]:-0 0}"
  for ((i = 0; i < ${#xs[@]}; i += 2)); do dmeds+=("${xs[i]}"); done
  local s d
  s=$(median "${meds[@]}")
  d=$(median "${dmeds[@]}")
  row "mxc sandbox, broker: connect() alone, ${connect_cost} sequential (us)" \
    "$(fmt "$s" 1) (+$(fmt "$(awk -v a="$s" -v b="$d" 'BEGIN { print a - b }')" 1) us)" \
    "$(range_fmt "$(minmax "${meds[@]}")" 1), mean $(fmt "$(median "${means[@]}")" 1)" "direct $(fmt "$d" 1)" "$(div "$s" "$d")"
}
cost_row
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
# The supervisor while the sandbox holds N brokered connections open at once:
# each is a socket of the sandbox's (the broker closes its own copy once it is
# installed), so the supervisor's memory should not grow with N.
mkfifo "$ws/hold.in"
hold_kib() {  # N -> sets hold="VmHWM RssAnon open-fds held" of the supervisor
  local n=$1 pid w i held=0 h=0 a=0 f=0
  "$mxc" exec -p default --allow-read "$build" --allow-net "127.0.0.1:$p_echo" -- "${no_proxy_env[@]}" \
    "$net_bench" hold "$p_echo" "$n" <"$ws/hold.in" >"$ws/hold.out" 2>"$ws/hold.err" &
  pid=$!
  exec {w}>"$ws/hold.in"
  for ((i = 0; i < 1200; i++)); do
    grep -q '^held' "$ws/hold.out" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if grep -q '^held' "$ws/hold.out"; then
    held=$(awk '/^held/ {print $2}' "$ws/hold.out")
    read -r h a < <(awk '/^VmHWM/ {h=$2} /^RssAnon/ {a=$2} END {print h+0, a+0}' "/proc/$pid/status")
    f=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  fi
  exec {w}>&-
  wait "$pid" || true
  [ -s "$ws/hold.err" ] && notes+=("hold $n: $(grep -v '^$' "$ws/hold.err" | head -n 2 | tr '\n' ' ')")
  hold="$h $a $f $held"
}
hold_kib 1
read -r h1 a1 f1 n1 <<<"$hold"
hold_kib "$hold_conns"
read -r hn an fn nn <<<"$hold"
[ "$nn" = "$hold_conns" ] || notes+=("broker RSS row: only $nn of $hold_conns connections were held")
row "mxc supervisor VmHWM, $nn brokered conns open (KiB)" "$hn" "anon $an, $fn fds" \
  "$n1 conn: $h1 (anon $a1, $f1 fds)" "$(div "$hn" "$h1")" "flat"
if [ $srt_ok = 1 ]; then
  read -r rss_sr anon_sr < <(peak_kib "$srt" -s "$ws/srt-settings.json" -- /bin/sleep 1)
  row "srt (node) peak RSS (KiB)" "$rss_sr" "anon $anon_sr" "mxc $rss_mx (anon $anon_mx)" "$(div "$rss_sr" "$rss_mx")"
fi

# ---------------------------------------------------------------- table
printf 'mxc bench, %s, %s cores, load avg (1 min) %s at start, %s at end\n' \
  "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" "$load_start" "$(load)"
[ -n "$prev" ] && printf 'MXC_PREV %s\n' "$prev"
printf 'startup rounds %d (interleaved, median, spread = p25..p75); network %d rounds of %d MiB (alternating, median, spread = min..max)\n' \
  "$rounds" "$net_rounds" "$net_mib"
if [ $srt_ok = 1 ]; then
  printf 'srt %s (%s)\n' "$srt_version" "$srt"
fi
print_startup_table
echo
{
  printf 'measure\tvalue\tspread\tbaseline (same run)\tratio\tgoal\n'
  printf '%s\n' "${rows[@]}"
} | column -t -s $'\t'
[ $srt_ok = 1 ] || printf 'srt: not measured (%s)\n' "$srt_reason"
for n in "${notes[@]}"; do printf 'note: %s\n' "$n"; done
