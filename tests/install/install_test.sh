#!/usr/bin/env bash
# cmake --install into a scratch DESTDIR: the installed binary names its version and commit and
# runs real workers (it execs itself from its installed path); every command has a man page that
# `man -l` renders without a groff warning; the docs are installed.
. "$(dirname "$0")/common.sh"
install_into_root
bin=$root/usr/bin/shmlab
[ -x "$bin" ] || fail "no executable $bin"

version=$("$bin" --version)
[[ $version =~ ^shmlab\ [0-9]+\.[0-9]+\.[0-9]+\ \(commit\ [^\)]+\)$ ]] ||
  fail "--version printed '$version'"

# A schedule's known outcome (SPEC §3): 2 workers x 1, "1R 2R 1W 2W" ends at 1, one update lost.
rc=0
out=$("$bin" run -w 2 -n 1 --schedule "1R 2R 1W 2W" --json 2>/dev/null) || rc=$?
[ "$rc" -eq 3 ] || fail "installed shmlab run exited $rc, expected 3"
grep -q '"final": 1,' <<<"$out" || fail "final is not 1: $out"
grep -q '"lost_updates": 1,' <<<"$out" || fail "lost_updates is not 1: $out"

man1=$root/usr/share/man/man1
render() {  # page → the rendered text; groff's warnings fail the test
  local err
  err=$(mktemp "$root/err.XXXXXX")
  MANWIDTH=100 LC_ALL=C.UTF-8 man --warnings -l -P cat "$1" 2>"$err"
  [ ! -s "$err" ] || fail "man -l $1 warned: $(cat "$err")"
}
top=$(render "$man1/shmlab.1")
grep -q '^NAME' <<<"$top" || fail "shmlab.1 has no NAME section"
for c in "${commands[@]}"; do
  [ -f "$man1/shmlab-$c.1" ] || fail "no man page shmlab-$c.1"
  grep -q "shmlab-$c(1)" <<<"$top" || fail "shmlab(1) does not point to shmlab-$c(1)"
done
[ ! -e "$man1/shmlab-worker.1" ] || fail "the internal worker command has a man page"
for page in "$man1"/shmlab*.1; do
  grep -q '^OPTIONS' <<<"$(render "$page")" || fail "$page has no OPTIONS section"
done
run=$(render "$man1/shmlab-run.1")
# The paragraph of --strategy, joined: it names every strategy.
strategy=$(tr -s ' \n' ' ' <<<"$run" | sed -n 's/.*--strategy [A-Z]* \([^(]*\)(default: none).*/\1/p')
[ -n "$strategy" ] || fail "shmlab-run(1) has no --strategy VALUE ... (default: none): $run"
for s in "${strategies[@]}"; do
  grep -Eq "[ ,]$s[,.]? " <<<"$strategy " || fail "shmlab-run(1) does not list strategy $s: $strategy"
done
grep -Eq -- "--workers [A-Z]+" <<<"$run" || fail "shmlab-run(1) lacks --workers"
grep -q '^EXAMPLES' <<<"$run" || fail "shmlab-run(1) has no EXAMPLES"

[ -f "$root/usr/share/doc/shmlab/README.md" ] || fail "README.md not installed"
[ -f "$root/usr/share/doc/shmlab/docs/schedules.md" ] || fail "docs/ not installed"
echo "ok: installed binary, man pages and docs under $root"
