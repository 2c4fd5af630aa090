#!/usr/bin/env bash
# The installed bash completion in plain bash (no bash-completion package functions): the function
# that `complete -p shmlab` names offers the commands, the options of a command and the values of
# --strategy and --backend. The zsh script parses.
. "$(dirname "$0")/common.sh"
install_into_root
comp=$root/usr/share/bash-completion/completions/shmlab
[ -f "$comp" ] || fail "no bash completion at $comp"

# WORD... (the last is the word being completed) → one candidate a line. Plain bash sources the
# script; with the bash-completion package (LOADER=package), its loader finds the script in the
# installed tree on demand.
complete_words() {
  env -i PATH="$PATH" LOADER="${LOADER:-plain}" XDG_DATA_DIRS="$root/usr/share" \
    bash --norc --noprofile -c '
    if [ "$LOADER" = package ]; then
      source /usr/share/bash-completion/bash_completion && __load_completion shmlab || exit 1
    else
      source "$1"
    fi
    shift
    spec=$(complete -p shmlab) || exit 1
    fn=$(sed -n "s/.*-F \([^ ]*\) .*/\1/p" <<<"$spec")
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    "$fn" shmlab "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$@"
}
expect_same() {  # what got expected...
  local what=$1 got=$2
  shift 2
  local want
  want=$(printf '%s\n' "$@" | sort)
  [ "$(sort <<<"$got")" = "$want" ] || fail "$what: got [$(echo $got)], want [$(echo $want)]"
}

expect_same "after --strategy" "$(complete_words shmlab run --strategy '')" "${strategies[@]}"
expect_same "after --strategy m" "$(complete_words shmlab run --strategy m)" mutex
expect_same "after --strategy=" "$(complete_words shmlab run --strategy = '')" "${strategies[@]}"
[ -f /usr/share/bash-completion/bash_completion ] ||
  fail "the bash-completion package is missing (scripts/install-deps.sh test installs it)"
expect_same "after --strategy, bash-completion's loader" \
  "$(LOADER=package complete_words shmlab run --strategy '')" "${strategies[@]}"
expect_same "after --backend" "$(complete_words shmlab run --backend '')" file mmap shm sqlite postgres
expect_same "after --scenario" "$(complete_words shmlab run -w 2 --scenario '')" counter inventory bank
expect_same "run --str" "$(complete_words shmlab run --str)" --strategy
got=$(complete_words shmlab '')
for c in "${commands[@]}"; do grep -qx "$c" <<<"$got" || fail "command $c not offered: $got"; done
! grep -qx worker <<<"$got" || fail "the internal worker command is offered"
expect_same "after --workers" "$(complete_words shmlab run --workers '')"
got=$(complete_words shmlab run --)
for o in --workers --increments --backend --strategy --delay --seed --schedule --json; do
  grep -qx -- "$o" <<<"$got" || fail "run option $o not offered: $got"
done

zsh_comp=$root/usr/share/zsh/vendor-completions/_shmlab
[ -f "$zsh_comp" ] || fail "no zsh completion at $zsh_comp"
zsh -n "$zsh_comp" || fail "the zsh completion does not parse"
grep -q "(${strategies[*]})" "$zsh_comp" || fail "the zsh completion lacks the strategies"
echo "ok: bash completion offers commands, options and values"
