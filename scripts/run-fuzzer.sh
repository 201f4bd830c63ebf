#!/usr/bin/env bash
# run-fuzzer.sh FUZZER CORPUS_DIR SECONDS: a bounded libFuzzer run that starts
# from the checked-in corpus and writes new inputs to a throwaway dir, so the
# tree is never modified. Fails on any crash, leak or sanitizer report.
set -uo pipefail
fuzzer=$1 corpus=$2 seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/new"
seeds=()
[ -d "$corpus" ] && seeds+=("$corpus")
cd "$work"
"$fuzzer" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
  "$work/new" "${seeds[@]}" >"$work/log" 2>&1
rc=$?
grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|ERROR|SUMMARY" "$work/log"
if [ $rc -ne 0 ]; then tail -n 60 "$work/log"; fi
exit $rc
