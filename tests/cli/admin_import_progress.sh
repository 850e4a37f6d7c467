#!/usr/bin/env bash
# admin_import_progress.sh - `weerbaar admin import --db` draws its progress
# line (records written of how many, with a percentage) on a terminal
# (script(1) gives one) and nothing with --quiet or when standard error is
# not a terminal. 8000 organisations and users, about 1.5 s per run under
# the sanitizers: the line is drawn only after half a second of work.
set -u
bin=$1
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
err() { echo "FAIL: $*"; fail=1; }
command -v script >/dev/null 2>&1 || { echo "SKIP: script(1) not installed"; exit 77; }
command -v python3 >/dev/null || exit 77

python3 - "$tmp/members.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("organisation,kind,email,role\n")
    for i in range(1, 4001):
        f.write("M%d,other,a@m%d.example,member\n" % (i, i))
        f.write("M%d,other,b@m%d.example,member\n" % (i, i))
PY
for d in tty quiet plain; do
    "$bin" admin org add C --kind csirt --db "$tmp/$d.db" >/dev/null &&
        "$bin" admin user add op@c.example --org C --role site-admin --db "$tmp/$d.db" >/dev/null ||
        err "setup $d"
done
ok='organisations 4000 created, 0 changed, 0 unchanged; users 8000 created'

script -qec "'$bin' admin import '$tmp/members.csv' --db '$tmp/tty.db'" /dev/null >"$tmp/tty" 2>&1 ||
    err "import on a terminal: exit $?"
grep -aq "$ok" "$tmp/tty" || err "import on a terminal: $(cat -v "$tmp/tty" | tail -c 300)"
grep -aq 'weerbaar: records imported: *[0-9]*% [0-9]* of 12000' "$tmp/tty" ||
    { err "no progress on a terminal"; cat -v "$tmp/tty"; }

script -qec "'$bin' admin import '$tmp/members.csv' --quiet --db '$tmp/quiet.db'" /dev/null \
    >"$tmp/tty" 2>&1 || err "import --quiet: exit $?"
grep -aq "$ok" "$tmp/tty" || err "import --quiet: $(cat -v "$tmp/tty" | tail -c 300)"
grep -aq 'records imported' "$tmp/tty" && { err "progress with --quiet"; cat -v "$tmp/tty"; }

"$bin" admin import "$tmp/members.csv" --db "$tmp/plain.db" >"$tmp/out" 2>"$tmp/err" ||
    err "import: exit $?"
grep -q "$ok" "$tmp/out" || err "import: $(cat "$tmp/out")"
[ -s "$tmp/err" ] && { err "output on standard error when it is not a terminal"; cat -v "$tmp/err"; }
exit $fail
