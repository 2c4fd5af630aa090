#!/usr/bin/env bash
# Builds the libFuzzer targets (preset fuzz: clang, ASan+UBSan) and runs each for a bounded time
# on a scratch copy of its seed corpus (fuzz/corpus/<target>/ is never written). Prints the
# executions run and exits non-zero on the first crash (the reproducer is left in build-fuzz/).
# Usage: scripts/fuzz.sh [seconds per target, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-20}"
targets=(delay_spec crash_spec record_codec control_header schedule)
cmake --preset fuzz >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target "${targets[@]/%/_fuzz}" >/dev/null
for t in "${targets[@]}"; do
  scratch="$(mktemp -d)"
  log="build-fuzz/fuzz-$t.log"
  if ! (cd build-fuzz && "./fuzz/${t}_fuzz" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "$scratch" "../fuzz/corpus/$t") >"$log" 2>&1; then
    rm -rf "$scratch"
    echo "fuzz: $t CRASHED; see $log" >&2
    tail -30 "$log" >&2
    exit 1
  fi
  rm -rf "$scratch"
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  echo "fuzz: $t: $runs executions in ${secs}s, no crash"
done
