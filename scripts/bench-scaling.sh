#!/usr/bin/env bash
# A short scaling run of `shmlab bench`, 1 to 16 worker processes, for a machine with (ideally)
# 16 cores. One bench invocation per backend (a backend whose run fails is reported and the others
# go on); each writes <backend>.{json,csv,svg} into OUT_DIR (default ./bench-scaling-<host>), and
# bench-scaling.txt gathers the tables. About 5 minutes with the defaults.
#
#   scripts/bench-scaling.sh [OUT_DIR]
#   STRATEGIES=none,mutex,atomic BACKENDS=shm DURATION=1 REPEAT=5 scripts/bench-scaling.sh
#   SHMLAB_BIN=/path/to/shmlab scripts/bench-scaling.sh   # a release binary built elsewhere
set -uo pipefail
cd "$(dirname "$0")/.."

out_dir=${1:-bench-scaling-$(hostname -s)}
strategies=${STRATEGIES:-all}
backends=${BACKENDS:-shm,file,sqlite}
workers=${WORKERS:-1,2,4,8,16}
duration=${DURATION:-0.3}
warmup=${WARMUP:-0.1}
repeat=${REPEAT:-3}
pin=${PIN:---pin}
per_backend_limit=${LIMIT_S:-300}

bin=${SHMLAB_BIN:-}
if [[ -z $bin ]]; then
  # A release build of its own, so that a dev build's settings do not colour the numbers.
  cmake --preset release >/dev/null || exit 1
  cmake --build --preset release -j "$(nproc)" --target shmlab >/dev/null || exit 1
  bin=./build-release/shmlab
fi

mkdir -p "$out_dir"
txt=$out_dir/bench-scaling.txt
{
  echo "# $(date -u +%FT%TZ) $(uname -srm), $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "# $bin bench --strategies $strategies --backends B --workers $workers --duration $duration --warmup $warmup --repeat $repeat $pin --json"
} >"$txt"

# The table, re-made from one backend's JSON (no second measurement).
table() {
  python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
fmt = "{:<12} {:<7} {:>7} {:>12} {:>23} {:>10} {:>10} {:>10} {:>8} {:>8}"
print(fmt.format("strategy", "backend", "workers", "ops/s", "p10-p90", "p50_ns", "p99_ns", "lost",
                 "wait", "vs bare"))
for r in d["results"]:
    ratio = "-" if r["ratio_to_bare"] is None else f'{r["ratio_to_bare"]:.2f}'
    wait = "-" if r["lock_wait_share"] is None else f'{100 * r["lock_wait_share"]:.0f}%'
    print(fmt.format(r["strategy"], r["backend"], r["workers"], f'{r["ops_per_s"]:.4g}',
                     f'{r["ops_per_s_p10"]:.4g}-{r["ops_per_s_p90"]:.4g}', f'{r["p50_ns"]:.1f}',
                     f'{r["p99_ns"]:.1f}', r["lost_updates"], wait, ratio))
print()
pfmt = "{:<32} {:<7} {:>7} {:>12} {:>23} {:>10} {:>10} {:>10}"
print(pfmt.format("bare loop / peer", "backend", "workers", "ops/s", "p10-p90", "p50_ns", "p99_ns",
                  "lost"))
for p in d["peers"]:
    print(pfmt.format(p["kind"] + " " + p["name"], p["backend"], p["workers"],
                      f'{p["ops_per_s"]:.4g}', f'{p["ops_per_s_p10"]:.4g}-{p["ops_per_s_p90"]:.4g}',
                      f'{p["p50_ns"]:.1f}', f'{p["p99_ns"]:.1f}', p["lost_updates"]))
PY
}

status=0
for backend in ${backends//,/ }; do
  start=$(date +%s)
  timeout --signal=INT "$per_backend_limit" "$bin" bench --strategies "$strategies" \
    --backends "$backend" --workers "$workers" --duration "$duration" --warmup "$warmup" \
    --repeat "$repeat" $pin --json --csv "$out_dir/$backend.csv" --plot "$out_dir/$backend.svg" \
    >"$out_dir/$backend.json" 2>"$out_dir/$backend.err"
  rc=$?
  {
    echo
    echo "## $backend: exit $rc after $(($(date +%s) - start)) s"
    if [[ -s $out_dir/$backend.json ]]; then table "$out_dir/$backend.json"; fi
    if [[ -s $out_dir/$backend.err ]]; then sed 's/^/stderr: /' "$out_dir/$backend.err"; fi
  } >>"$txt"
  # 3 (a strategy lost an update) is a finding to report, not a reason to stop.
  if [[ $rc -ne 0 ]]; then status=$rc; fi
done
cat "$txt"
echo "wrote $out_dir/bench-scaling.txt and <backend>.{json,csv,svg}" >&2
exit "$status"
