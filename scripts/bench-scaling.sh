#!/usr/bin/env bash
# A short scaling run of `shmlab bench`, 1 to 16 worker processes, for a machine with (ideally)
# 16 cores. Writes bench-scaling.{txt,json,csv,svg} into OUT_DIR (default: ./bench-scaling-<host>)
# and prints the table. About 6-10 minutes with the defaults; override with the variables below.
#
#   scripts/bench-scaling.sh [OUT_DIR]
#   STRATEGIES=none,mutex,atomic BACKENDS=shm DURATION=1 REPEAT=5 scripts/bench-scaling.sh
set -euo pipefail
cd "$(dirname "$0")/.."

out_dir=${1:-bench-scaling-$(hostname -s)}
strategies=${STRATEGIES:-all}
backends=${BACKENDS:-file,shm,sqlite}
workers=${WORKERS:-1,2,4,8,16}
duration=${DURATION:-0.5}
repeat=${REPEAT:-3}
pin=${PIN:---pin}

# A release build of its own, so that a dev build's settings do not colour the numbers.
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target shmlab >/dev/null
bin=./build-release/shmlab

mkdir -p "$out_dir"
{
  echo "# $(date -u +%FT%TZ) $(uname -srm), $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "# $bin bench --strategies $strategies --backends $backends --workers $workers --duration $duration --repeat $repeat $pin"
} >"$out_dir/bench-scaling.txt"

# One run gives the table; the JSON, CSV and chart come from the same measurements.
"$bin" bench --strategies "$strategies" --backends "$backends" --workers "$workers" \
  --duration "$duration" --repeat "$repeat" $pin --json \
  --csv "$out_dir/bench-scaling.csv" --plot "$out_dir/bench-scaling.svg" \
  >"$out_dir/bench-scaling.json"

# The table, re-made from the JSON (no second measurement).
python3 - "$out_dir/bench-scaling.json" >>"$out_dir/bench-scaling.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
fmt = "{:<12} {:<7} {:>7} {:>12} {:>12} {:>12} {:>10} {:>8}"
print(fmt.format("strategy", "backend", "workers", "ops/s", "p50_ns", "p99_ns", "lost", "vs bare"))
for r in d["results"]:
    ratio = "-" if r["ratio_to_bare"] is None else f'{r["ratio_to_bare"]:.2f}'
    print(fmt.format(r["strategy"], r["backend"], r["workers"], f'{r["ops_per_s"]:.0f}',
                     f'{r["p50_ns"]:.0f}', f'{r["p99_ns"]:.0f}', r["lost_updates"], ratio))
print()
pfmt = "{:<30} {:<7} {:>7} {:>12} {:>12} {:>12} {:>10}"
print(pfmt.format("bare loop / peer", "backend", "workers", "ops/s", "p50_ns", "p99_ns", "lost"))
for p in d["peers"]:
    print(pfmt.format(p["kind"] + " " + p["name"], p["backend"], p["workers"],
                      f'{p["ops_per_s"]:.0f}', f'{p["p50_ns"]:.0f}', f'{p["p99_ns"]:.0f}',
                      p["lost_updates"]))
PY
cat "$out_dir/bench-scaling.txt"
echo "wrote $out_dir/bench-scaling.{txt,json,csv,svg}" >&2
