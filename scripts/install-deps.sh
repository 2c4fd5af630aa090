#!/usr/bin/env bash
# Installs the Debian packages shmlab needs to build, test and benchmark.
# Idempotent and quiet: prints nothing and touches nothing when everything is present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libcli11-dev libfmt-dev nlohmann-json3-dev libsqlite3-dev
  libgtest-dev libgmock-dev libbenchmark-dev libboost-dev
  clang clang-format libclang-rt-14-dev
  chromium libpng-dev
  jq  # the README's examples read --json output with it
)
# PostgreSQL (--backend postgres, tests/pg): libpq's headers for the client, and the server that
# every run and test starts as its own throwaway instance (initdb, postgres in /usr/lib/postgresql).
packages+=(libpq-dev postgresql)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
