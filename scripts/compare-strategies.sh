#!/usr/bin/env bash
# Prints the figures of docs/strategies.md: updates lost by `none` on each backend, and the wall
# time of every correct strategy on `shm`, at the same size, in one go (side by side, same load).
# Usage: scripts/compare-strategies.sh [WORKERS] [INCREMENTS]   (default 4 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./build/shmlab
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
w=${1:-4}
n=${2:-100000}

# One field of the result JSON (pretty-printed, one key per line).
field() { grep -m1 "^  \"$1\":" | sed -E 's/^  "[^"]+": ([^,]*),?$/\1/'; }

run() {  # run BACKEND STRATEGY -> prints "final lost elapsed_ms wall_ms exit"
  local t0 t1 out rc
  t0=$(date +%s%N)
  set +e
  out=$("$bin" run -w "$w" -n "$n" --delay none -q --json --timeout 120 --backend "$1" \
    --strategy "$2")
  rc=$?
  set -e
  t1=$(date +%s%N)
  printf '%s %s %s %s %s\n' "$(field final <<<"$out")" "$(field lost_updates <<<"$out")" \
    "$(field elapsed_ms <<<"$out")" "$(((t1 - t0) / 1000000))" "$rc"
}

echo "shmlab $w workers x $n increments, --delay none, on $(nproc) CPU(s), $(date -u +%FT%TZ)"
echo
echo "| backend | strategy | final | lost updates | elapsed_ms (spawn to cleanup) | exit |"
echo "| --- | --- | ---: | ---: | ---: | ---: |"
for b in file mmap shm sqlite; do
  read -r final lost elapsed _ rc < <(run "$b" none)
  printf '| %s | none | %s | %s | %.0f | %s |\n' "$b" "$final" "$lost" "$elapsed" "$rc"
done
echo
echo "| backend | strategy | final | wall ms (whole command) | elapsed_ms | ns per increment | exit |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
for s in mutex spinlock semaphore flock ofd atomic cas sharded; do
  read -r final _ elapsed wall rc < <(run shm "$s")
  printf '| shm | %s | %s | %s | %.0f | %.0f | %s |\n' "$s" "$final" "$wall" "$elapsed" \
    "$(awk -v e="$elapsed" -v ops=$((w * n)) 'BEGIN { print e * 1e6 / ops }')" "$rc"
done
