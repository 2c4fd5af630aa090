#!/usr/bin/env bash
# The start-up figures of README "Measured", taken side by side so that their ratio holds on any
# machine and under load: a zero-delay 3 x 5 `shmlab run` (the whole command: 4 processes, spawn
# to cleanup), one `shmlab --version` exec and `/bin/true`, interleaved N times. Prints the machine,
# the load average before and after, the median and p10-p90 of each, and the ratios SPEC §7 quotes
# (the run against one --version exec: at most 3x). With EXPLORE=1 it also times `shmlab explore`
# (all 924 interleavings of 2 x 3, each on real processes) and gives its cost per interleaving
# as a multiple of one --version exec.
# Usage: [EXPLORE=1] scripts/measure-startup.sh [SHMLAB] [N]      (defaults: ./build/shmlab, 30)
set -euo pipefail

shmlab=${1:-./build/shmlab}
n=${2:-30}
[[ -x $shmlab ]] || { echo "measure-startup: $shmlab is not an executable (build it first)" >&2; exit 1; }
[[ $n =~ ^[0-9]+$ && $n -ge 3 ]] || { echo "measure-startup: N must be a number >= 3" >&2; exit 2; }

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "machine: ${cpu:-unknown CPU}, $(nproc) CPU(s), $(uname -sr)"
echo "binary:  $shmlab ($("$shmlab" --version))"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# Wall time of one command in microseconds, stdout and stderr discarded (bash's own clock: the same
# fork + exec overhead for every command, which /bin/true shows).
time_us() {
  local t0=$EPOCHREALTIME
  "$@" >/dev/null 2>&1 || true
  local t1=$EPOCHREALTIME
  echo $(( ${t1/./} - ${t0/./} ))
}

declare -a t_true t_version t_run
for ((i = 0; i < n; ++i)); do
  t_true+=("$(time_us /bin/true)")
  t_version+=("$(time_us "$shmlab" --version)")
  t_run+=("$(time_us "$shmlab" run --delay none -q)")
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

# quantile Q(0..100) of the values given: nearest rank, in microseconds
quantile() {
  local q=$1; shift
  printf '%s\n' "$@" | sort -n | awk -v q="$q" '{ v[NR] = $1 } END {
    r = int((q / 100) * (NR - 1) + 0.5) + 1; print v[r] }'
}
ms() { awk -v us="$1" 'BEGIN { printf "%.2f ms", us / 1000 }'; }
report() {
  local name=$1; shift
  printf '%-34s median %9s   p10-p90 %s - %s\n' "$name" "$(ms "$(quantile 50 "$@")")" \
    "$(ms "$(quantile 10 "$@")")" "$(ms "$(quantile 90 "$@")")"
}
echo "$n rounds, interleaved:"
report "/bin/true" "${t_true[@]}"
report "shmlab --version" "${t_version[@]}"
report "shmlab run --delay none -q (3 x 5)" "${t_run[@]}"
m_true=$(quantile 50 "${t_true[@]}")
m_version=$(quantile 50 "${t_version[@]}")
m_run=$(quantile 50 "${t_run[@]}")
awk -v r="$m_run" -v v="$m_version" -v t="$m_true" 'BEGIN {
  printf "ratio of medians: run / --version = %.2f (SPEC §7: at most 3), --version / true = %.2f\n",
         r / v, v / t }'

if [[ ${EXPLORE:-0} == 1 ]]; then
  t0=$EPOCHREALTIME
  interleavings=$( ("$shmlab" explore --json 2>/dev/null || true) | sed -n 's/^  "interleavings": \([0-9]*\),*$/\1/p')
  t1=$EPOCHREALTIME
  explore_us=$(( ${t1/./} - ${t0/./} ))
  awk -v e="$explore_us" -v n="$interleavings" -v v="$m_version" 'BEGIN {
    printf "shmlab explore (2 x 3, %d interleavings): %.2f s, %.2f ms per interleaving = %.2f --version execs\n",
           n, e / 1e6, e / 1000 / n, (e / n) / v }'
  echo "load average after explore: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
