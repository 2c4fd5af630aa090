# Shared by the install tests: a scratch root removed on exit, fail(), and the install itself.
set -euo pipefail
build=$1
root=$(mktemp -d "${TMPDIR:-/tmp}/install-test.XXXXXX")
trap 'rm -rf "$root"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# cmake --install of the dev build into $root, prefix /usr (as the .deb does).
install_into_root() {
  DESTDIR=$root cmake --install "$build" --prefix /usr >/dev/null
}
# The commands of SPEC §2 that users run (the internal ones have no page and no completion).
commands=(run play explore bench inspect clean litmus)
strategies=(none mutex spinlock semaphore flock ofd atomic cas sharded transaction account-locks ordered-locks lease for-update advisory)
