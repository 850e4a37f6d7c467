#!/usr/bin/env bash
# cmdtab.sh - the command tables (src/cli/cmdtab.h) against what the user
# sees and what the parsers accept:
#   - `weerbaar help [GROUP [ACTION]]` prints exactly what `--help` at that
#     level prints, with the same exit status;
#   - every option a converted group's help text names is in its table and
#     every option in the table is in its help text (so the generated
#     completion offers exactly what the help documents);
#   - every option in the tables is accepted by the parser in the form the
#     usage shows (`GROUP [ACTION] OPTION [VALUE] --help` exits 0 with the
#     help text, so nothing runs);
#   - the generated bash and zsh completion scripts parse (bash -n, zsh -n
#     when zsh is installed) and complete groups, actions, options and values;
#   - progress only on a terminal, silenced by --quiet;
#   - scripts/gen-man makes a page per group from the same help text.
set -u
bin=$1
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
err() {
    echo "FAIL: $*"
    fail=1
}

"$bin" completion list > "$tmp/list" || err "completion list"
groups=$(awk '{print $1}' "$tmp/list" | uniq)
[ -n "$groups" ] || err "no groups in 'completion list'"

# help == --help, at every level
"$bin" --help > "$tmp/a" 2>&1
"$bin" help > "$tmp/b" 2>&1
cmp -s "$tmp/a" "$tmp/b" || err "'help' differs from '--help'"
for g in $groups; do
    "$bin" "$g" --help > "$tmp/a" 2>&1
    ra=$?
    "$bin" help "$g" > "$tmp/b" 2>&1
    rb=$?
    { [ $ra = 0 ] && [ $rb = 0 ] && cmp -s "$tmp/a" "$tmp/b"; } ||
        err "'help $g' differs from '$g --help' (exit $rb, $ra)"
    cp "$tmp/a" "$tmp/help.$g"
    for a in $(awk -v g="$g" '$1 == g && $2 != "-" {print $2}' "$tmp/list" | uniq); do
        "$bin" "$g" "$a" --help > "$tmp/a" 2>&1
        ra=$?
        "$bin" help "$g" "$a" > "$tmp/b" 2>&1
        rb=$?
        { [ $ra = 0 ] && [ $rb = 0 ] && cmp -s "$tmp/a" "$tmp/b"; } ||
            err "'help $g $a' differs from '$g $a --help' (exit $rb, $ra)"
        cat "$tmp/a" >> "$tmp/help.$g"
    done
done
"$bin" help nosuch > /dev/null 2>&1 && err "'help nosuch' exits 0"
"$bin" help vers nosuch > /dev/null 2>&1 && err "'help vers nosuch' exits 0"

# help text and table name the same options
for g in $groups; do
    # --options: the "[--options]" of a usage line; --qf: dpkg-query's, in an example
    grep -oE -- '--[a-z][a-z0-9-]*' "$tmp/help.$g" | grep -vxE -- '--(help|options|qf)' |
        sort -u > "$tmp/h"
    awk -v g="$g" '$1 == g && $3 ~ /^--/ {print $3}' "$tmp/list" | sort -u > "$tmp/t"
    if ! cmp -s "$tmp/h" "$tmp/t"; then
        err "$g: help text and table differ in options (< help only, > table only):"
        diff "$tmp/h" "$tmp/t" | grep '^[<>]'
    fi
done

# the value an option is given in the test, from the form its usage shows
value() {
    case $1 in
    *[A-Z]*) ;;
    *'|'*)
        echo "${1%%|*}"
        return
        ;;
    esac
    case $1 in
    N) if [ "$2" = --max-connections ]; then echo 64; else echo 2; fi ;;
    SOURCE) echo kev ;;
    TYPE) echo cloud ;;
    S | SECONDS | DAYS) echo 10 ;;
    BYTES) echo 1048576 ;;
    TIME | DATE) echo 2026-01-01T00:00:00Z ;;
    ADDR:PORT) echo 127.0.0.1:8080 ;;
    CIDR,...) echo 10.0.0.0/8 ;;
    X) echo 0.5 ;;
    STAGE=TIME) echo early-warning=2026-01-01T00:00:00Z ;;
    STAGE) echo early-warning ;;
    LEVEL) echo green ;;
    *) echo x ;;
    esac
}

# every option in the tables is accepted in the form shown: all options of
# an action in one run (a process per option is too slow under the
# sanitizers), one by one only to name the option a failing run refused.
# An action whose first argument is an id is given "1".
accepts() {
    local g=$1 a=$2
    shift 2
    local args=("$g")
    if [ "$a" != - ]; then
        args+=("$a")
        grep -qx "$g $a" "$tmp/ids" && args+=(1)
    fi
    local out rc
    out=$("$bin" "${args[@]}" "$@" --help 2> "$tmp/err")
    rc=$?
    [ $rc = 0 ] && [ "$out" = "$(cat "$tmp/want.$g.$a")" ]
}
awk '$3 == "ID" {print $1 " " $2}' "$tmp/list" > "$tmp/ids"
n=0
for key in $(awk '$3 ~ /^-/ {print $1 "/" $2}' "$tmp/list" | uniq); do
    g=${key%/*}
    a=${key#*/}
    # the help at that level, as the same command without options prints it
    want=("$g")
    if [ "$a" != - ]; then
        want+=("$a")
        grep -qx "$g $a" "$tmp/ids" && want+=(1)
    fi
    "$bin" "${want[@]}" --help > "$tmp/want.$g.$a" 2>&1
    all=()
    while read -r _ _ opt val; do
        all+=("$opt")
        [ -n "${val:-}" ] && all+=("$(value "$val" "$opt")")
        n=$((n + 1))
    done < <(awk -v g="$g" -v a="$a" '$1 == g && $2 == a && $3 ~ /^-/' "$tmp/list")
    accepts "$g" "$a" "${all[@]}" && continue
    while read -r _ _ opt val; do
        one=("$opt")
        [ -n "${val:-}" ] && one+=("$(value "$val" "$opt")")
        accepts "$g" "$a" "${one[@]}" ||
            err "'weerbaar $g $a ${one[*]} --help' is refused: $(head -c 300 "$tmp/err")"
    done < <(awk -v g="$g" -v a="$a" '$1 == g && $2 == a && $3 ~ /^-/' "$tmp/list")
done
[ $n -gt 100 ] || err "only $n options checked"

# completion scripts
"$bin" completion bash > "$tmp/weerbaar.bash" || err "completion bash"
bash -n "$tmp/weerbaar.bash" || err "bash -n on the bash completion"
"$bin" completion nosuch > /dev/null 2>&1 && err "'completion nosuch' exits 0"
complete_bash() {
    bash -c '
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        _weerbaar
        echo "${COMPREPLY[*]}"' _ "$tmp/weerbaar.bash" "$@"
}
check_complete() {
    local want=$1
    shift
    local got
    got=$(complete_bash weerbaar "$@")
    [ "$got" = "$want" ] || err "bash completion of '$*': '$got' (want '$want')"
}
check_complete "version vuln vers" v
check_complete "scan" vuln sc
check_complete "--scheme" vers --sch
check_complete "table json csv sarif" vuln scan --format ''
check_complete "--strict" purl parse --str
check_complete "export" help intel ''
check_complete "org" admin o
check_complete "hooks" incident hoo
if command -v zsh > /dev/null 2>&1; then
    "$bin" completion zsh > "$tmp/_weerbaar" || err "completion zsh"
    zsh -n "$tmp/_weerbaar" || err "zsh -n on the zsh completion"
    head -1 "$tmp/_weerbaar" | grep -qx '#compdef weerbaar' || err "zsh completion: no #compdef"
else
    echo "note: zsh not installed, zsh -n skipped"
fi

# progress goes to a terminal only, and -q/--quiet silences it (script(1)
# gives the program a terminal). The line is drawn only after 0.5 s, so the
# log comes through a pipe with a pause in it: on an idle machine the whole
# file would be scanned before the first line is due.
if command -v script > /dev/null 2>&1; then
    printf 'evil.example\n' > "$tmp/iocs"
    seq 1 150000 | sed 's/$/ host evil.example/' > "$tmp/log"
    slow="(cat '$tmp/log'; sleep 1; cat '$tmp/log')"
    script -qc "$slow | '$bin' match -i '$tmp/iocs' --ioc-format plain -c -" /dev/null \
        > "$tmp/tty" 2>&1
    grep -q 'scanned' "$tmp/tty" || err "match: no progress on a terminal"
    grep -q '300000' "$tmp/tty" || err "match -c through a pipe: wrong count"
    script -qc "$slow | '$bin' match -i '$tmp/iocs' --ioc-format plain --quiet -c -" /dev/null \
        > "$tmp/tty" 2>&1
    grep -q 'scanned' "$tmp/tty" && err "match --quiet: progress shown"
    sh -c "$slow" | "$bin" match -i "$tmp/iocs" --ioc-format plain -c - > "$tmp/out" 2>&1
    grep -q 'scanned' "$tmp/out" && err "match: progress without a terminal"
else
    echo "note: script(1) not installed, progress checks skipped"
fi

# man pages from the help text (two groups: each page runs the program often)
if [ -x scripts/gen-man ]; then
    for g in vers vuln; do
        scripts/gen-man "$bin" "$g" > "$tmp/man" || err "gen-man $g"
        grep -q "^\.TH WEERBAAR-$(echo "$g" | tr a-z A-Z) 1" "$tmp/man" || err "gen-man $g: no .TH"
        first=$("$bin" help "$g" | head -1 | sed 's/\\/\\e/g')
        grep -qF -- "$first" "$tmp/man" || err "gen-man $g: the usage line is missing"
    done
else
    err "scripts/gen-man missing"
fi

exit $fail
