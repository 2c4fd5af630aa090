#!/usr/bin/env bash
# Installs the Debian packages shmlab needs: `install-deps.sh demo` what building the binary needs
# (make, make demo, make install), `install-deps.sh deb` that and dpkg-dev (make deb),
# `install-deps.sh` or `install-deps.sh test` all of it and what the tests, benchmarks, sanitizer
# and fuzz builds need (make test, .ci/run).
# Idempotent and quiet: prints nothing and touches nothing when everything is present.
set -euo pipefail

demo_packages=(
  g++ make cmake ninja-build
  libcli11-dev libfmt-dev nlohmann-json3-dev libsqlite3-dev
  pkg-config libpq-dev  # configuring finds libpq (src/CMakeLists.txt, shmlab_pg)
)
# Boost.Interprocess headers: the bench's peer, compiled into the binary. Not in the demo set:
# 155 MB and 15,500 files, most of a fresh machine's unpacking time (README "First run").
boost_packages=(libboost-dev)
test_packages=(
  build-essential git
  libgtest-dev libgmock-dev libbenchmark-dev
  clang clang-format libclang-rt-14-dev
  chromium libpng-dev   # the HTML report test screenshots the report
  jq                    # the README's examples read --json output with it
  man-db groff-base     # the install tests render the man pages with man -l
  dpkg-dev              # dpkg-shlibdeps: the .deb's Depends (make deb)
  zsh bash-completion   # the install tests check the completion scripts with both
  # PostgreSQL (--backend postgres, tests/pg): the server that every run and test starts as its
  # own throwaway instance (initdb, postgres in /usr/lib/postgresql). Its postgresql-<major> also
  # ships pgbench, which `bench --backends postgres` runs beside atomic and for-update.
  postgresql
  # run --hosts: network namespaces and veth links (ip); the tests drop capabilities (setpriv)
  iproute2 util-linux
)

case "${1:-test}" in
  demo) packages=("${demo_packages[@]}") ;;
  deb) packages=("${demo_packages[@]}" "${boost_packages[@]}" dpkg-dev) ;;
  test) packages=("${demo_packages[@]}" "${boost_packages[@]}" "${test_packages[@]}") ;;
  *)
    echo "usage: install-deps.sh [demo|deb|test]" >&2
    exit 2
    ;;
esac

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
