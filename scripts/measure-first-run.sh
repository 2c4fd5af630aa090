#!/usr/bin/env bash
# Measures what a new user waits for on a fresh Debian 12: `make demo` in a clean clone, packages
# included, until the seed demo's first line. The "fresh machine" is a `debootstrap
# --variant=minbase bookworm` root (Debian's required packages only) with git, make and
# ca-certificates added, as a user who cloned the repository has them; the clone is this
# repository's HEAD. Prints the time for the packages and configure, for the build and run, and
# the total, with the load average at the start (README "The two commands").
#
#   sudo scripts/measure-first-run.sh [MIRROR]     # needs root, debootstrap and the network
#
# Everything it makes (the root, its mounts) is removed on every path. Takes 5–10 minutes, most of
# it debootstrap, which is not timed.
set -euo pipefail
mirror=${1:-http://deb.debian.org/debian}
repo=$(cd "$(dirname "$0")/.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
  echo "measure-first-run: run as root (debootstrap and chroot need it)" >&2
  exit 1
fi
command -v debootstrap >/dev/null || {
  echo "measure-first-run: needs debootstrap (apt-get install debootstrap)" >&2
  exit 1
}

work=$(mktemp -d "${TMPDIR:-/var/tmp}/shmlab-first-run.XXXXXX")
root=$work/root
mounts=(proc dev dev/pts dev/shm tmp)
cleanup() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    mountpoint -q "$root/${mounts[i]}" && umount "$root/${mounts[i]}"
  done
  rm -rf "$work"
}
trap cleanup EXIT

echo "measure-first-run: debootstrap --variant=minbase bookworm (not timed)" >&2
debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t tmpfs tmpfs "$root/dev/shm"
mount -t tmpfs tmpfs "$root/tmp"
cp /etc/resolv.conf "$root/etc/"
chroot "$root" bash -c 'export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends git make ca-certificates \
    >/dev/null && apt-get clean'
git clone -q "$repo" "$root/root/shmlab"

# Inside the root: start `make demo` under script(1) (a terminal, as a user has), note when the
# build starts and when the demo's first line appears.
cat >"$root/root/measure.sh" <<'EOF'
#!/bin/bash
cd /root/shmlab
now() { date +%s.%N; }
start=$(now)
load=$(cut -d' ' -f1 /proc/loadavg)
script -qfc "make demo" /root/demo.log >/dev/null 2>&1 &
pid=$!
built=""
while ! grep -aq "shmlab run: 3 workers" /root/demo.log 2>/dev/null; do
  kill -0 $pid 2>/dev/null || break
  [ -z "$built" ] && grep -aq "Building CXX" /root/demo.log && built=$(now)
  sleep 0.2
done
first=$(now)
wait $pid
rc=$?
awk -v s="$start" -v b="${built:-$start}" -v f="$first" -v l="$load" -v rc=$rc 'BEGIN {
  printf "packages and configure %.1f s, build and run to the first demo line %.1f s, total %.1f s (load average %s at the start; make demo exit %s)\n", b - s, f - b, f - s, l, rc }'
grep -aq "shmlab run: 3 workers" /root/demo.log || { echo "no demo line: see the log below" >&2; tail -20 /root/demo.log >&2; exit 1; }
EOF
chmod +x "$root/root/measure.sh"
chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM="${TERM:-xterm}" \
  /root/measure.sh
