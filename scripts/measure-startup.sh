#!/usr/bin/env bash
# The start-up figures of README "Measured", taken side by side so that their ratio holds on any
# machine and under load: a zero-delay 3 x 5 `shmlab run` (the whole command: 4 processes, spawn
# to cleanup), one `shmlab --version` exec and `/bin/true`, interleaved N times. For each: the
# median and p10-p90 of the wall time and of the CPU time (user + sys of the process and every
# child it reaped, from wait4: what load does not inflate), and the ratios SPEC §7 quotes (the
# run against one --version exec: at most 3x). With EXPLORE=1 it also times `shmlab explore`
# (all 924 interleavings of 2 x 3 on real processes) per interleaving, against --version: with new
# processes per interleaving (--fresh-processes) and with explore's pool of reused workers.
# Prints the machine and the load average before and after.
# Usage: [EXPLORE=1] scripts/measure-startup.sh [SHMLAB] [N]      (defaults: ./build/shmlab, 30)
set -euo pipefail

shmlab=${1:-./build/shmlab}
n=${2:-30}
[[ -x $shmlab ]] || { echo "measure-startup: $shmlab is not an executable (build it first)" >&2; exit 1; }
[[ $n =~ ^[0-9]+$ && $n -ge 3 ]] || { echo "measure-startup: N must be a number >= 3" >&2; exit 2; }

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "machine: ${cpu:-unknown CPU}, $(nproc) CPU(s), $(uname -sr)"
echo "binary:  $shmlab ($("$shmlab" --version))"

exec python3 - "$shmlab" "$n" "${EXPLORE:-0}" <<'PY'
import json, os, subprocess, sys, time

shmlab, n, explore = os.path.abspath(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"

def load():
    return " ".join(open("/proc/loadavg").read().split()[:3])

def run(argv):
    """Wall and CPU time (user + sys, the process and the children it reaped) in ms."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, os.environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1),
                                       (os.POSIX_SPAWN_DUP2, devnull, 2)])
    _, _, ru = os.wait4(pid, 0)
    wall = (time.perf_counter_ns() - t0) / 1e6
    os.close(devnull)
    return wall, (ru.ru_utime + ru.ru_stime) * 1e3

def q(values, p):  # nearest rank
    v = sorted(values)
    return v[int(p / 100 * (len(v) - 1) + 0.5)]

commands = {
    "/bin/true": ["/bin/true"],
    "shmlab --version": [shmlab, "--version"],
    "shmlab run --delay none -q (3 x 5)": [shmlab, "run", "--delay", "none", "-q"],
}
print(f"load average before: {load()}")
times = {name: [] for name in commands}
for _ in range(n):
    for name, argv in commands.items():
        times[name].append(run(argv))
print(f"load average after:  {load()}")
print(f"{n} rounds, interleaved; median (p10-p90) in ms")
print(f"{'':36} {'wall':>24} {'CPU (user + sys)':>24}")
med = {}
for name, samples in times.items():
    wall = [w for w, _ in samples]
    cpu = [c for _, c in samples]
    med[name] = (q(wall, 50), q(cpu, 50))
    print(f"{name:36} {q(wall, 50):8.2f} ({q(wall, 10):.2f}-{q(wall, 90):.2f})"
          f"   {q(cpu, 50):8.2f} ({q(cpu, 10):.2f}-{q(cpu, 90):.2f})")
r, v, t = (med[k] for k in commands.keys().__reversed__())
print(f"ratio run / --version (SPEC §7: at most 3): wall {r[0] / v[0]:.2f}, CPU {r[1] / v[1]:.2f}")
print(f"ratio --version / /bin/true:                wall {v[0] / t[0]:.2f}, CPU {v[1] / t[1]:.2f}")

if explore:
    for mode in (["--fresh-processes"], []):
        t0 = time.perf_counter_ns()
        out = subprocess.run([shmlab, "explore", "--json", "--limit", "1000"] + mode,
                             capture_output=True, text=True)
        wall = (time.perf_counter_ns() - t0) / 1e6
        k = json.loads(out.stdout)["interleavings"]
        print(f"shmlab explore {mode[0] if mode else '(pool)'} (2 x 3, {k} interleavings): "
              f"{wall / 1e3:.2f} s wall, {wall / k:.2f} ms per interleaving = "
              f"{wall / k / v[0]:.2f} --version execs")
    print(f"load average after explore: {load()}")
PY
