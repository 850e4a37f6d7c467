# lib.sh - helpers shared by the shell tests in tests/cli/. Source it with
#   . "$(dirname "$(readlink -f "$0")")/lib.sh"
# after setting the variables the helpers use. Two styles exist:
#
# Counting checks (pass/fail counters, the test exits 1 when fail > 0):
#   ok NAME, bad NAME, check NAME 'SHELL CONDITION'
#
# Runs of the program under test ($bin, output in $tmp/out and $tmp/err;
# any failure sets fail=1):
#   run WANT_RC ARGS..., has FILE TEXT (fixed string in $tmp/FILE)

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

run() { # run WANT_RC ARGS...: output in $tmp/out, $tmp/err
    local want=$1
    shift
    "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" != "$want" ]; then
        echo "FAIL: weerbaar $*: exit $rc (want $want)"
        cat "$tmp/out" "$tmp/err"
        fail=1
    fi
}
has() { # has FILE TEXT: fixed-string search
    grep -qF -- "$2" "$tmp/$1" || { echo "FAIL: '$2' not in $1 of the last run:"; cat "$tmp/$1"; fail=1; }
}

# A free TCP port on loopback (for a hub the test starts).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
