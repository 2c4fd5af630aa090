#!/usr/bin/env bash
# cpack's .deb of the dev build: Depends names libc6 alone outside sanitizer builds (the rest is
# linked statically); unpacked into a scratch root with dpkg -x, its shmlab runs real workers and
# its man page renders; then the root is removed.
. "$(dirname "$0")/common.sh"
cpack --config "$build/CPackConfig.cmake" -B "$root/out" >/dev/null
debs=("$root"/out/shmlab_*.deb)
[ -f "${debs[0]}" ] || fail "cpack made no .deb in $root/out"
deb=${debs[0]}

depends=$(dpkg-deb -f "$deb" Depends)
[[ $depends == *libc6* ]] || fail "Depends lacks libc6: '$depends'"
if [ -z "${SHMLAB_SANITIZE:-}" ]; then
  [[ $depends =~ ^libc6\ \(\>=\ [0-9.]+\)$ ]] || fail "Depends is not libc6 alone: '$depends'"
fi
files=$(dpkg-deb -c "$deb")
for f in ./usr/bin/shmlab ./usr/share/man/man1/shmlab-run.1 \
  ./usr/share/bash-completion/completions/shmlab ./usr/share/doc/shmlab/README.md; do
  grep -q " $f\$" <<<"$files" || fail "the .deb lacks $f"
done

dpkg -x "$deb" "$root/unpacked"
rc=0
out=$("$root/unpacked/usr/bin/shmlab" run -w 2 -n 1 --schedule "1R 2R 1W 2W" --json 2>/dev/null) ||
  rc=$?
[ "$rc" -eq 3 ] || fail "the packaged shmlab run exited $rc, expected 3"
grep -q '"final": 1,' <<<"$out" || fail "final is not 1: $out"
page=$(MANWIDTH=100 LC_ALL=C.UTF-8 man -l -P cat "$root/unpacked/usr/share/man/man1/shmlab.1")
grep -q '^NAME' <<<"$page" || fail "the packaged shmlab.1 does not render"
rm -rf "$root/unpacked"
[ ! -e "$root/unpacked" ] || fail "the unpacked package was not removed"
echo "ok: $(basename "$deb"), Depends: $depends"
