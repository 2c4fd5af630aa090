#!/usr/bin/env python3
"""Regenerates the strategy x crash point table of docs/faults.md by running shmlab.

Each cell is one run: 3 workers x 20 increments, 1 ms before each READ, worker 2 SIGKILLed at
POINT of its 2nd operation, watchdog --timeout 1. Prints the markdown table, then a line with
the runs made and the objects leaked (files left in /dev/shm or the run's TMPDIR; must be 0).

Usage: scripts/faults-table.py [path/to/shmlab] > /tmp/table.md
"""
import json
import os
import subprocess
import sys
import tempfile

SHMLAB = sys.argv[1] if len(sys.argv) > 1 else "build/shmlab"
POINTS = ["before-lock", "locked", "after-read", "after-write", "before-unlock"]
# (strategy, backend) in the order of SPEC §2; each on a backend it fits.
PAIRS = [("none", "file"), ("mutex", "file"), ("spinlock", "file"), ("semaphore", "file"),
         ("flock", "file"), ("ofd", "file"), ("atomic", "shm"), ("cas", "shm"),
         ("sharded", "shm"), ("transaction", "sqlite")]


def shm_objects():
    return {n for n in os.listdir("/dev/shm") if "shmlab-" in n}


def run(args, tmp):
    env = dict(os.environ, TMPDIR=tmp, NO_COLOR="1")
    return subprocess.run([SHMLAB, "run", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def cell(strategy, backend, point, tmp):
    p = run(["-w", "3", "-n", "20", "--delay", "1:0:0", "--strategy", strategy, "--backend",
             backend, "--crash", f"2@{point}:2", "--timeout", "1", "--json"], tmp)
    if p.returncode == 2:
        return "refused (exit 2)" if "never passes" in p.stderr else "not built"
    try:
        r = json.loads(p.stdout)
    except json.JSONDecodeError:
        return f"exit {p.returncode}: {p.stderr.strip().splitlines()[-1:]}"
    dead = r["per_worker"][1]
    others = [w["status"] for i, w in enumerate(r["per_worker"]) if i != 1]
    fate = dead.get("unfinished_op", {}).get("write", "?")
    if "watchdog" in r and "died holding" in r["watchdog"]:
        how = "others stuck: watchdog names the dead holder"
    elif all(s == "ok" for s in others):
        how = "others finish"
    else:
        how = "others " + "/".join(sorted(set(others)))
    bits = [how, f"its write: {fate}"]
    if r["recoveries"]:
        bits.append(f"{r['recoveries']} recovery (EOWNERDEAD)")
    bits.append("exact" if r["final"] == r["expected"] else f"{r['lost_updates']} lost")
    return f"exit {p.returncode}: " + ", ".join(bits)


def main():
    before = shm_objects()
    runs = leaked = 0
    print("| strategy | backend | " + " | ".join(POINTS) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in POINTS) + " |")
    for strategy, backend in PAIRS:
        with tempfile.TemporaryDirectory(prefix="shmlab-faults-") as tmp:
            built = run(["-w", "1", "-n", "1", "--delay", "none", "-q", "--strategy", strategy,
                         "--backend", backend], tmp).returncode == 0
        if not built:
            print(f"| {strategy} | {backend} | " + " | ".join("not built yet" for _ in POINTS)
                  + " |")
            continue
        cells = []
        for point in POINTS:
            with tempfile.TemporaryDirectory(prefix="shmlab-faults-") as tmp:
                cells.append(cell(strategy, backend, point, tmp))
                runs += 1
                leaked += len(os.listdir(tmp))
        print(f"| {strategy} | {backend} | " + " | ".join(cells) + " |")
    leaked += len(shm_objects() - before)
    print(f"\n{runs} runs, {leaked} objects leaked.")


if __name__ == "__main__":
    main()
