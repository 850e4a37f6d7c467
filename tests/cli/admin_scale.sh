#!/usr/bin/env bash
# Administration of a sector's hub (issue 14) through its three front ends
# that must agree: `weerbaar admin ... --db`, the same commands with
# `--hub URL --key KEY`, and the HTTP API (/api/v1/admin/... and MISP's
# admin/users, admin/organisations paths).
#   - 300 organisations and 900 users from one CSV (the time is printed;
#     under 5 s), a second run changes nothing, a bad row changes nothing
#     and is named by file:line; the same as JSON;
#   - changes, disables and removals through each front end take effect at
#     once: a disabled organisation's (or user's) key gets 401 on the next
#     request (and its web session ends), an expired key 401 saying that it
#     expired, a removed user's key 401; an org admin manages only their
#     own organisation's users;
#   - org remove only when it owns nothing, or with --transfer-to;
#   - a sharing group that exists gets a member, and the member's next
#     change-feed pull brings the group's events;
#   - --db and --hub print the same JSON; the audit log lists every change.
# Usage: tests/cli/admin_scale.sh path/to/weerbaar
set -uo pipefail
bin=$(readlink -f "${1:?usage: admin_scale.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
tmp=$(mktemp -d)
SP=
trap '[ -n "$SP" ] && kill -9 $SP 2>/dev/null; rm -rf "$tmp"' EXIT
pass=0 fail=0
. tests/cli/lib.sh
DB=$tmp/hub.db
j() { python3 -c "import json,sys; d=json.load(open('$1')); sys.exit(0 if ($2) else 1)"; }
code() { # code KEY METHOD PATH [BODY]: the HTTP status, the body in $tmp/c.json
    if [ $# -ge 4 ]; then
        curl -s -o "$tmp/c.json" -w '%{http_code}' -X "$2" -H "Authorization: Bearer $1" \
            -H 'Content-Type: application/json' --data "$4" "$U$3"
    else
        curl -s -o "$tmp/c.json" -w '%{http_code}' -X "$2" -H "Authorization: Bearer $1" "$U$3"
    fi
}

# ---- bulk import ------------------------------------------------------------------
python3 - "$tmp" <<'PY'
import sys
d = sys.argv[1]
kinds = ["essential", "important", "other"]
with open(d + "/members.csv", "w") as f:
    f.write("organisation,kind,sector,kvk,email,role\n")
    for i in range(1, 301):
        org = "Member-%03d" % i
        sector = "drinking-water" if i % 2 else "energy"
        for u, role in (("admin", "org-admin"), ("soc", "member"), ("sensor", "sensor")):
            f.write('%s,%s,%s,%08d,%s@member-%03d.example,%s\n' % (org, kinds[i % 3], sector, i, u, i, role))
with open(d + "/bad.csv", "w") as f:
    f.write("organisation,kind,email,role\n")
    f.write("New-1,other,a@new-1.example,member\n")
    f.write("New-2,other,b@new-2.example,boss\n")
    f.write("New-1,important,c@new-1.example,member\n")
PY
"$bin" admin org add CSIRT-Sector --kind csirt --db "$DB" > /dev/null
"$bin" admin user add op@csirt.example --org CSIRT-Sector --role site-admin --db "$DB" > /dev/null
t0=$(date +%s.%N)
run 0 admin import "$tmp/members.csv" --db "$DB"
t1=$(date +%s.%N)
secs=$(python3 -c "print(f'{$t1 - $t0:.2f}')")
echo "import of 300 organisations and 900 users: $secs s"
has out "organisations 300 created, 0 changed, 0 unchanged; users 900 created"
check "the import takes under 5 s ($secs s)" "python3 -c 'import sys; sys.exit(0 if $secs < 5 else 1)'"
"$bin" admin org list --format json --db "$DB" > "$tmp/orgs.json"
"$bin" admin user list --format json --db "$DB" > "$tmp/users.json"
check "301 organisations, 901 users" "j $tmp/orgs.json 'len(d)==301' && j $tmp/users.json 'len(d)==901'"
n_audit=$("$bin" admin audit list --limit 100000 --format json --db "$DB" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
run 0 admin import "$tmp/members.csv" --db "$DB"
has out "organisations 0 created, 0 changed, 300 unchanged; users 0 created, 0 changed, 900 unchanged"
n2=$("$bin" admin audit list --limit 100000 --format json --db "$DB" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
check "a second run changes nothing (not even the audit log)" '[ "$n_audit" = "$n2" ]'
run 2 admin import "$tmp/bad.csv" --db "$DB"
has err "bad.csv:3: role: 'boss' is not site-admin, org-admin, member or sensor"
has err "bad.csv:4: kind of New-1: 'important' here, 'other' on line 2"
"$bin" admin org list --format json --db "$DB" > "$tmp/orgs2.json"
check "a file with a bad row imports nothing" "j $tmp/orgs2.json 'len(d)==301'"
cat > "$tmp/m.json" <<'EOF'
{"organisations": [{"name": "Member-001", "kind": "other", "sector": "energy"}],
 "users": [{"email": "soc@member-001.example", "organisation": "Member-002", "role": "org-admin"},
           {"email": "x@member-001.example", "organisation": "Member-001", "role": "nobody"}]}
EOF
run 2 admin import "$tmp/m.json" --db "$DB"
has err "m.json: \$.users[1]: role: 'nobody'"
cat > "$tmp/m.json" <<'EOF'
{"organisations": [{"name": "Member-001", "kind": "other", "sector": "energy"}],
 "users": [{"email": "soc@member-001.example", "organisation": "Member-002", "role": "org-admin"}]}
EOF
run 0 admin import "$tmp/m.json" --db "$DB"
has out "organisations 0 created, 1 changed, 1 unchanged; users 0 created, 1 changed, 0 unchanged"

# ---- keys; the hub ---------------------------------------------------------------------
key() { "$bin" admin key add "$@" --db "$DB" | awk '/^key:/ {print $2}'; }
KOP=$(key op@csirt.example)
K1=$(key soc@member-003.example)
K2=$(key soc@member-004.example)
K3=$(key soc@member-005.example)
K4=$(key soc@member-006.example)
KOA=$(key admin@member-007.example)
K7=$(key soc@member-007.example)
K18=$(key soc@member-018.example)
KX=$(key soc@member-008.example --expires "$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%SZ)" --comment "short-lived")
PORT=$(free_port)
U=http://127.0.0.1:$PORT
"$bin" serve --db "$DB" --listen 127.0.0.1:$PORT --rate 100000 > "$tmp/serve.log" 2>&1 &
SP=$!
for _ in $(seq 100); do curl -s -o /dev/null "$U/" && break; sleep 0.1; done
H=(--hub "$U" --key "$KOP")

for k in "$K1" "$K2" "$K3" "$K4" "$K7"; do
    [ "$(code "$k" GET /api/v1/events)" = 200 ] || bad "a member key works before any change"
done
# --db: the local operator disables an organisation; the running hub refuses its key at once
run 0 admin org disable Member-003 --db "$DB"
check "--db: a disabled organisation's key gets 401 on the next request" \
    '[ "$(code "$K1" GET /api/v1/events)" = 401 ] && grep -q "organisation is disabled" "$tmp/c.json"'
# --hub: the same command against the hub
# the web page: a session signed in with Member-004's key
sess() { curl -s -o "$tmp/s.json" -w '%{http_code}' -b "$tmp/jar" "$U/api/v1/session"; }
c=$(curl -s -c "$tmp/jar" -o "$tmp/s.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data "{\"key\":\"$K2\"}" "$U/api/v1/session")
check "web: a key signs in to a session" '[ "$c" = 200 ] && [ "$(sess)" = 200 ]'
run 0 admin org disable Member-004 "${H[@]}"
check "web: the session ends with its organisation's disabling" '[ "$(sess)" = 401 ]'
c=$(curl -s -o "$tmp/s.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data "{\"key\":\"$K1\"}" "$U/api/v1/session")
check "web: a disabled organisation's key cannot sign in" '[ "$c" = 401 ]'
has out "Member-004 disabled"
check "--hub: a disabled organisation's key gets 401 on the next request" '[ "$(code "$K2" GET /api/v1/events)" = 401 ]'
run 0 admin org enable Member-004 "${H[@]}"
check "--hub: enabled again, the key works again" '[ "$(code "$K2" GET /api/v1/events)" = 200 ]'
# the API: POST /api/v1/admin/orgs/disable
check "API: org disable answers 200" '[ "$(code "$KOP" POST /api/v1/admin/orgs/disable "{\"target\":\"Member-005\"}")" = 200 ]'
check "API: a disabled organisation's key gets 401 on the next request" '[ "$(code "$K3" GET /api/v1/events)" = 401 ]'
# MISP: admin/users/delete/ID removes the user and its keys
uid=$(python3 -c "import json; print([u['id'] for u in json.load(open('$tmp/users.json')) if u['email']=='soc@member-006.example'][0])")
check "MISP admin/users/delete answers success" \
    '[ "$(code "$KOP" POST /admin/users/delete/$uid)" = 200 ] && j $tmp/c.json "d[\"success\"] is True"'
check "MISP: a removed user's key gets 401 on the next request" '[ "$(code "$K4" GET /api/v1/events)" = 401 ]'
check "MISP admin/organisations/add" \
    '[ "$(code "$KOP" POST /admin/organisations/add "{\"name\":\"Member-301\",\"type\":\"important\"}")" = 200 ] && j $tmp/c.json "d[\"Organisation\"][\"name\"]==\"Member-301\""'
check "MISP admin/users/add with org_id and role_id" \
    '[ "$(code "$KOP" POST /admin/users/add "{\"email\":\"new@member-301.example\",\"org_id\":\"Member-301\",\"role_id\":3}")" = 200 ] && j $tmp/c.json "d[\"User\"][\"email\"]==\"new@member-301.example\" and d[\"Role\"][\"name\"]==\"User\""'
check "MISP admin/users/index lists users with their organisation" \
    '[ "$(code "$KOP" GET /admin/users/index)" = 200 ] && j $tmp/c.json "len(d)>=900 and all(\"Organisation\" in u for u in d)"'
# an org admin: their own organisation's users only
run 0 admin user disable soc@member-007.example --hub "$U" --key "$KOA"
check "an org admin disables a user of their own organisation; its key gets 401" '[ "$(code "$K7" GET /api/v1/events)" = 401 ]'
run 2 admin user disable soc@member-009.example --hub "$U" --key "$KOA"
has err "only their own organisation's users"
run 2 admin org disable Member-009 --hub "$U" --key "$KOA"
has err "only site admins"
run 0 admin user enable soc@member-007.example --hub "$U" --key "$KOA"
check "enabled again by the org admin" '[ "$(code "$K7" GET /api/v1/events)" = 200 ]'
# user set (role, organisation), org rename through --hub
run 0 admin user set soc@member-010.example --role org-admin --org Member-011 "${H[@]}" --format json
check "--hub: user set moves the user and changes the role" "j $tmp/out 'd[\"user\"][\"org\"]==\"Member-011\" and d[\"user\"][\"role\"]==\"org-admin\"'"
run 0 admin org rename Member-012 Waterbedrijf-12 "${H[@]}"
run 0 admin org set Waterbedrijf-12 --sector energy --kvk '' --db "$DB"
run 0 admin org list --format json --db "$DB"
check "rename and set took effect" "j $tmp/out 'any(o[\"name\"]==\"Waterbedrijf-12\" and o[\"sector\"]==\"energy\" and o[\"kvk\"] is None for o in d)'"

# expiry: 401 saying that the key expired
sleep 2.2
check "an expired key gets 401 saying that it expired" \
    '[ "$(code "$KX" GET /api/v1/events)" = 401 ] && grep -q "expired at" "$tmp/c.json" && j $tmp/c.json "d[\"error\"][\"code\"]==\"key_expired\""'
run 2 admin key add soc@member-009.example --expires 2001-01-01 --db "$DB"
has err "lies in the past"
run 0 admin key list --org Member-007 --format json --db "$DB"
today=$(date -u +%Y-%m-%d)
check "key list: created, last used (today, day resolution), state" \
    "j $tmp/out 'any(k[\"email\"]==\"soc@member-007.example\" and k[\"last_used\"]==\"$today\" and k[\"state\"]==\"valid\" for k in d)'"
run 0 admin key list --format json --db "$DB"
check "key list: the expired key says so, with its comment" \
    "j $tmp/out 'any(k[\"comment\"]==\"short-lived\" and k[\"state\"]==\"expired\" for k in d)'"

# remove: only when it owns nothing, or with --transfer-to
run 2 admin org remove Member-013 "${H[@]}"
has err "owns 3 users"
run 0 admin org remove Member-013 --transfer-to Member-014 "${H[@]}"
run 0 admin user list --org Member-014 --format json --db "$DB"
check "--transfer-to: the users now belong to the other organisation" "j $tmp/out 'len(d)==6'"
check "API: remove an organisation that owns nothing" \
    '[ "$(code "$KOP" POST /api/v1/admin/orgs/remove "{\"target\":\"Member-301\",\"transfer_to\":\"Member-300\"}")" = 200 ]'

# sharing groups: a member added to an existing group gets its events on the next pull
run 0 admin sharing-group add Drinkwater --orgs Member-017,CSIRT-Sector --db "$DB"
K17=$(key soc@member-017.example)
sgid=$("$bin" admin sharing-group list --format json --db "$DB" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
ev='{"Event":{"info":"drinkwater only","distribution":4,"sharing_group_id":"'$sgid'","Attribute":[{"type":"ip-dst","value":"198.51.100.77","to_ids":true}]}}'
check "an event for the group" '[ "$(code "$K17" POST /api/v1/events "$ev")" = 201 ]'
code "$K18" GET '/api/v1/events?after=0' > /dev/null
seq18=$(python3 -c "import json; print(json.load(open('$tmp/c.json'))['last_seq'])")
check "Member-018 does not see it yet" "! grep -q 'drinkwater only' $tmp/c.json"
run 0 admin sharing-group add Drinkwater --orgs Member-018 "${H[@]}"
has out "added Member-018"
check "Member-018's next change-feed pull brings the group's event" \
    '[ "$(code "$K18" GET "/api/v1/events?after=$seq18")" = 200 ] && grep -q "drinkwater only" "$tmp/c.json"'
run 0 admin sharing-group members Drinkwater --format json "${H[@]}"
check "members lists the organisations" "j $tmp/out 'sorted(o[\"name\"] for o in d)==[\"CSIRT-Sector\",\"Member-017\",\"Member-018\"]'"
code "$K18" GET "/api/v1/events?after=$seq18" > /dev/null
seq18b=$(python3 -c "import json; print(json.load(open('$tmp/c.json'))['last_seq'])")
run 0 admin sharing-group remove Drinkwater --orgs Member-018 --db "$DB"
check "removed again: the event is not visible to Member-018" \
    '[ "$(code "$K18" GET "/api/v1/events?page=1")" = 200 ] && ! grep -q "drinkwater only" "$tmp/c.json"'
check "Member-018's follower gets a tombstone for the group's event it held" \
    "[ \"\$(code \"\$K18\" GET \"/api/v1/events?after=\$seq18b\")\" = 200 ] && j $tmp/c.json 'any(e[\"Event\"].get(\"deleted\") is True and \"info\" not in e[\"Event\"] for e in d[\"response\"])'"
run 0 admin sharing-group rename Drinkwater Drinkwater-NL "${H[@]}"
has out "renamed Drinkwater-NL"

# the front ends agree
"$bin" admin org list --format json --db "$DB" > "$tmp/db.json"
"$bin" admin org list --format json "${H[@]}" > "$tmp/hub.json"
check "org list: --db and --hub print the same JSON" 'cmp -s "$tmp/db.json" "$tmp/hub.json"'
"$bin" admin audit list --action org --format json --db "$DB" > "$tmp/adb.json"
"$bin" admin audit list --action org --format json "${H[@]}" > "$tmp/ahub.json"
check "audit list: --db and --hub print the same JSON" 'cmp -s "$tmp/adb.json" "$tmp/ahub.json"'
check "audit list --action org: every organisation change, with who did it" \
    "j $tmp/adb.json '{\"org.disable\",\"org.enable\",\"org.rename\",\"org.remove\",\"org.set\"} <= {a[\"action\"] for a in d} and any(a[\"user\"]==\"op@csirt.example\" for a in d) and any(a[\"user\"]==\"cli\" for a in d)'"
run 0 admin audit list --since 2000-01-01 --org Member-007 --db "$DB"
run 2 admin org list "${H[@]}" --db "$DB"
has err "give --db PATH, or --hub URL with --key KEY"
c=$(code "$K1" GET /api/v1/admin/orgs)
check "a disabled organisation's admin API call: 401" '[ "$c" = 401 ]'
c=$(code "$K17" GET /api/v1/admin/orgs)
check "a member's admin API call: 403" '[ "$c" = 403 ]'

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
