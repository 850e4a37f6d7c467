/*
 * test_store.c - the SQLite store: schema migrations at open, integrity
 * errors (duplicates, unknown references), API keys (hash only, stable
 * secret across reopen, revocation), the append-only audit log, event
 * replacement marking vanished attributes deleted, and (hub-sync) the change
 * sequence, the CIDR prefix lengths in use and the warninglists table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/testdb.h"
#include "weerbaar/store.h"

static char dir[64], db[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/wb-store-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char file[96];
    snprintf(file, sizeof file, "%s/t.db", dir);
    testdb_path(file, db, sizeof db);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static int id_cb(void *ud, const wb_org *o)
{
    *(int64_t *)ud = o->id;
    return 1;
}

static void test_store(void **state)
{
    (void)state;
    wb_store *st;
    wb_error err = {0};
    assert_int_equal(wb_store_open(&st, db, &err), 0);
    assert_true(wb_store_schema_version(st) >= 6); /* migrations 1-6 at least */
    /* The page cache can be set per connection (feed pulls raise it). */
    assert_int_equal(wb_store_cache_size(st, (size_t)8 << 20, &err), 0);
    assert_int_equal(wb_store_cache_size(st, 0, &err), 0);
    int64_t a = 0, b = 0, uid = 0, found = 0;
    assert_int_equal(wb_store_org_add(st, "Alpha", WB_ORG_CSIRT, "energy", "12345678", &a, &err),
                     0);
    assert_int_equal(wb_store_org_add(st, "ALPHA", WB_ORG_OTHER, NULL, NULL, &b, &err), WB_EINVAL);
    assert_non_null(strstr(err.msg, "exists"));
    assert_int_equal(wb_store_org_add(st, "Beta", WB_ORG_OTHER, NULL, "123", &b, &err), WB_EINVAL);
    assert_int_equal(wb_store_org_find(st, "alpha", id_cb, &found, &err), 0);
    assert_int_equal(found, a);
    assert_int_equal(wb_store_org_find(st, "Nope", id_cb, &found, &err), WB_ENOTFOUND);
    assert_non_null(strstr(err.msg, "Nope"));
    assert_int_equal(wb_store_user_add(st, "u@alpha.example", a, WB_ROLE_MEMBER, &uid, &err), 0);
    assert_int_equal(wb_store_user_add(st, "U@alpha.example", a, WB_ROLE_MEMBER, NULL, &err),
                     WB_EINVAL);
    assert_int_equal(wb_store_user_add(st, "v@alpha.example", 999, WB_ROLE_MEMBER, NULL, &err),
                     WB_EINVAL); /* foreign key */
    assert_int_equal(wb_store_user_add(st, "no-at-sign", a, WB_ROLE_MEMBER, NULL, &err), WB_EINVAL);
    char key[WB_KEY_TEXT_LEN + 1];
    int64_t kid = 0;
    assert_int_equal(wb_store_key_add(st, uid, key, &kid, &err), 0);
    assert_int_equal(strlen(key), WB_KEY_TEXT_LEN);
    wb_store_close(st);

    /* Reopen: migrations do not run twice, the secret is the same. */
    assert_int_equal(wb_store_open(&st, db, &err), 0);
    assert_true(wb_store_schema_version(st) >= 6); /* migrations 1-6 at least */
    wb_keyowner ko;
    assert_int_equal(wb_store_key_auth(st, key, strlen(key), &ko, &err), 0);
    assert_int_equal(ko.key_id, kid);
    assert_int_equal(ko.org_id, a);
    assert_false(ko.revoked);
    assert_string_equal(ko.email, "u@alpha.example");
    char wrong[WB_KEY_TEXT_LEN + 1];
    memcpy(wrong, key, sizeof wrong);
    wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
    assert_int_equal(wb_store_key_auth(st, wrong, strlen(wrong), &ko, &err), WB_ENOTFOUND);
    assert_int_equal(wb_store_key_auth(st, key, 10, &ko, &err), WB_ENOTFOUND);
    int64_t n = 0;
    assert_int_equal(wb_store_key_revoke(st, 0, uid, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(wb_store_key_auth(st, key, strlen(key), &ko, &err), 0);
    assert_true(ko.revoked);

    /* Events: replacing drops attributes missing from the new version. */
    wb_event_rec ev = {.uuid = "11111111-1111-4111-8111-111111111111",
                       .org_id = a,
                       .info = "x",
                       .date = "2026-01-01",
                       .tlp = WB_TLP_GREEN,
                       .timestamp = 1,
                       .json = "{}"};
    wb_attr_rec at[2] = {
        {.uuid = "22222222-2222-4222-8222-222222222222",
         .type = "domain",
         .value = "a.example",
         .distribution = 5,
         .json = "{}",
         .nkeys = 1,
         .key_kind = {WB_IOC_DOMAIN},
         .key = {"a.example"}},
        {.uuid = "33333333-3333-4333-8333-333333333333",
         .type = "domain",
         .value = "b.example",
         .distribution = 5,
         .json = "{}",
         .nkeys = 1,
         .key_kind = {WB_IOC_DOMAIN},
         .key = {"b.example"}},
    };
    int64_t eid = 0;
    assert_int_equal(wb_store_event_put(st, &ev, NULL, 0, at, 2, false, &eid, &err), 0);
    assert_int_equal(wb_store_event_put(st, &ev, NULL, 0, at, 2, false, &eid, &err), WB_EINVAL);
    assert_int_equal(wb_store_event_put(st, &ev, NULL, 0, at, 1, true, &eid, &err), 0);
    wb_store_close(st);

    /* The audit log refuses changes, whoever asks. */
    assert_int_equal(wb_store_open(&st, db, &err), 0);
    wb_audit_rec rec = {.user = "cli", .org = "-", .action = "test", .object = "o"};
    assert_int_equal(wb_store_audit(st, &rec, &err), 0);
    wb_store_close(st);
    assert_int_not_equal(testdb_exec(db, "UPDATE audit SET action='x'"), 0);
    assert_int_not_equal(testdb_exec(db, "DELETE FROM audit"), 0);
    char got[64];
    testdb_query(db, "SELECT deleted FROM attributes ORDER BY id", got, sizeof got);
    assert_string_equal(got, "0,1");
    /* A schema from the future is refused, not guessed at. */
    assert_int_equal(testdb_exec(db, "INSERT INTO schema_version VALUES(99)"), 0);
    assert_int_equal(wb_store_open(&st, db, &err), WB_EFORMAT);
    assert_non_null(strstr(err.msg, "newer"));
}

static void test_uuid(void **state)
{
    (void)state;
    char u[WB_UUID_LEN + 1];
    wb_uuid_v4(u);
    assert_true(wb_uuid_valid(u, strlen(u)));
    assert_int_equal(u[14], '4');
    assert_false(wb_uuid_valid("not-a-uuid", 10));
    assert_false(wb_uuid_valid("11111111-1111-4111-8111-11111111111g", 36));
}

typedef struct seen {
    int n;
    int64_t id;
    char stage[32], sector[64], route[64], sup[64];
    wb_time handled, by;
    wb_incident_status status;
    wb_report_channel channel;
} seen;

static int inc_seen(void *ud, const wb_incident_rec *r)
{
    seen *s = ud;
    s->n++;
    s->id = r->id;
    s->status = r->status;
    s->handled = r->handled_at;
    snprintf(s->sector, sizeof s->sector, "%s", r->org_sector ? r->org_sector : "");
    return 0;
}

static int rep_seen(void *ud, const wb_incident_report_rec *r)
{
    seen *s = ud;
    s->n++;
    snprintf(s->stage, sizeof s->stage, "%s", r->stage);
    s->channel = r->channel;
    return 0;
}

static int act_seen(void *ud, const wb_incident_action_rec *a)
{
    seen *s = ud;
    s->n++;
    if (a->kind == WB_ACTION_ASK) s->by = a->by;
    return 0;
}

static int route_seen(void *ud, const wb_route_rec *r)
{
    seen *s = ud;
    s->n++;
    snprintf(s->route, sizeof s->route, "%s:%s", r->sector, r->csirt_name);
    snprintf(s->sup, sizeof s->sup, "%s", r->supervisor_name ? r->supervisor_name : "");
    return 0;
}

/* The incident register's tables: integrity, status, append-only reports
 * and actions, and routes falling back to the national CSIRT ('*'). */
static void test_incidents(void **state)
{
    (void)state;
    wb_store *st;
    wb_error err = {0};
    char file[128], idb[256];
    snprintf(file, sizeof file, "%s/incidents.db", dir);
    testdb_path(file, idb, sizeof idb);
    assert_int_equal(wb_store_open(&st, idb, &err), 0);
    int64_t org = 0, csirt = 0, sup = 0, id = 0, rid = 0, aid = 0;
    assert_int_equal(wb_store_org_add(st, "Gamma", WB_ORG_ESSENTIAL, "energy", NULL, &org, &err),
                     0);
    assert_int_equal(wb_store_org_add(st, "NCSC", WB_ORG_CSIRT, NULL, NULL, &csirt, &err), 0);
    assert_int_equal(wb_store_org_add(st, "RDI", WB_ORG_SUPERVISOR, NULL, NULL, &sup, &err), 0);

    wb_incident_rec r = {.org_id = org,
                         .title = "t",
                         .aware_at = 1000,
                         .detected_at = WB_TIME_NONE,
                         .entity_type = "other",
                         .tlp = WB_TLP_AMBER};
    assert_int_equal(wb_store_incident_add(st, &r, &id, &err), 0);
    r.title = "";
    assert_int_equal(wb_store_incident_add(st, &r, NULL, &err), WB_EINVAL);
    r.title = "t";
    r.aware_at = WB_TIME_NONE;
    assert_int_equal(wb_store_incident_add(st, &r, NULL, &err), WB_EINVAL);
    r.aware_at = 1000;
    r.org_id = 999;
    assert_int_equal(wb_store_incident_add(st, &r, NULL, &err), WB_EINVAL);

    seen s = {0};
    assert_int_equal(wb_store_incident_get(st, id, inc_seen, &s, &err), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.sector, "energy");
    assert_int_equal(s.status, WB_INCIDENT_OPEN);
    assert_true(s.handled == WB_TIME_NONE);
    assert_int_equal(wb_store_incident_get(st, id + 1, inc_seen, &s, &err), WB_ENOTFOUND);
    assert_int_equal(wb_store_incident_set_status(st, id, WB_INCIDENT_HANDLED, 5000, &err), 0);
    assert_int_equal(wb_store_incident_set_status(st, id, WB_INCIDENT_CLOSED, WB_TIME_NONE, &err),
                     0);
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_incident_list(st, inc_seen, &s, &err), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.status, WB_INCIDENT_CLOSED);
    assert_true(s.handled == 5000); /* kept when closing */
    assert_int_equal(wb_store_incident_set_status(st, 77, WB_INCIDENT_OPEN, 1, &err), WB_ENOTFOUND);

    wb_incident_report_rec rep = {.incident_id = id,
                                  .stage = "early-warning",
                                  .json = "{}",
                                  .submitted_at = 2000,
                                  .channel = WB_CHANNEL_RECORDED,
                                  .author = "cli"};
    assert_int_equal(wb_store_incident_report_add(st, &rep, &rid, &err), 0);
    rep.incident_id = 999;
    assert_int_equal(wb_store_incident_report_add(st, &rep, NULL, &err), WB_EINVAL);
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_incident_report_list(st, id, rep_seen, &s, &err), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.stage, "early-warning");
    assert_int_equal(s.channel, WB_CHANNEL_RECORDED);

    wb_incident_action_rec a = {
        .incident_id = id, .kind = WB_ACTION_ASK, .at = 3000, .by = WB_TIME_NONE, .author = "x"};
    assert_int_equal(wb_store_incident_action_add(st, &a, NULL, &err), WB_EINVAL); /* no date */
    a.by = 9000;
    assert_int_equal(wb_store_incident_action_add(st, &a, &aid, &err), 0);
    a.kind = WB_ACTION_COMMENT;
    assert_int_equal(wb_store_incident_action_add(st, &a, NULL, &err), WB_EINVAL); /* no text */
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_incident_action_list(st, id, act_seen, &s, &err), 0);
    assert_int_equal(s.n, 1);
    assert_true(s.by == 9000);

    /* Routes: the sector's own, else '*'; none at all is WB_ENOTFOUND. */
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_route_for(st, "energy", route_seen, &s, &err), WB_ENOTFOUND);
    assert_int_equal(wb_store_route_set(st, "*", csirt, 0, &err), 0);
    assert_int_equal(wb_store_route_for(st, "energy", route_seen, &s, &err), 0);
    assert_string_equal(s.route, "*:NCSC");
    assert_int_equal(wb_store_route_set(st, "energy", csirt, sup, &err), 0);
    assert_int_equal(wb_store_route_for(st, "energy", route_seen, &s, &err), 0);
    assert_string_equal(s.route, "energy:NCSC");
    assert_string_equal(s.sup, "RDI");
    assert_int_equal(wb_store_route_for(st, NULL, route_seen, &s, &err), 0);
    assert_string_equal(s.route, "*:NCSC");
    assert_int_equal(wb_store_route_set(st, "energy", 999, 0, &err), WB_EINVAL);
    assert_int_equal(wb_store_route_set(st, "", csirt, 0, &err), WB_EINVAL);
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_route_list(st, route_seen, &s, &err), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.route, "*:NCSC"); /* the fallback last */
    wb_store_close(st);

    /* Reports and actions are immutable whatever path reaches the file. */
    const char *const refused[] = {
        "UPDATE incident_reports SET json='{\"summary\":\"x\"}'",
        "DELETE FROM incident_reports",
        "UPDATE incident_actions SET by_time=1",
        "DELETE FROM incident_actions",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_int_not_equal(testdb_exec(idb, refused[i]), 0);
}

/* ---- the change feed (hub-sync) ---------------------------------------------- */

typedef struct changes {
    char seen[8][WB_UUID_LEN + 2]; /* uuid, then '+' or '-' (deleted) */
    int64_t seq[8];
    size_t n;
} changes;

static int change_seen(void *ud, const wb_event_rec *e)
{
    changes *c = ud;
    if (c->n == 8) return 1;
    snprintf(c->seen[c->n], sizeof c->seen[0], "%s%c", e->uuid, e->deleted ? '-' : '+');
    c->seq[c->n++] = e->seq;
    return 0;
}

static void put_event(wb_store *st, int64_t org, const char *uuid, wb_tlp tlp, int dist,
                      bool replace, int64_t *id)
{
    wb_error err = {0};
    wb_event_rec ev = {.uuid = uuid,
                       .org_id = org,
                       .info = "change feed",
                       .date = "2026-11-27",
                       .distribution = dist,
                       .tlp = tlp,
                       .timestamp = 1000,
                       .json = "{}"};
    assert_int_equal(wb_store_event_put(st, &ev, NULL, 0, NULL, 0, replace, id, &err), 0);
}

static int wl_seen(void *ud, const wb_warninglist_rec *w)
{
    char *out = ud;
    size_t n = strlen(out);
    snprintf(out + n, 64 - n, "%s=%s;", w->name, w->json);
    return 0;
}

static void test_changes(void **state)
{
    (void)state;
    char file[128], cdb[256];
    snprintf(file, sizeof file, "%s/changes.db", dir);
    testdb_path(file, cdb, sizeof cdb);
    wb_store *st;
    wb_error err = {0};
    assert_int_equal(wb_store_open(&st, cdb, &err), 0);
    int64_t org = 0, a = 0, b = 0;
    assert_int_equal(wb_store_org_add(st, "Alpha", WB_ORG_CSIRT, NULL, NULL, &org, &err), 0);
    const char *ua = "00000000-0000-4000-8000-00000000000a";
    const char *ub = "00000000-0000-4000-8000-00000000000b";
    put_event(st, org, ua, WB_TLP_GREEN, 1, false, &a);
    put_event(st, org, ub, WB_TLP_GREEN, 1, false, &b);
    changes c = {0};
    assert_int_equal(wb_store_event_changes(st, 0, change_seen, &c, &err), 0);
    assert_int_equal(c.n, 2);
    assert_true(c.seq[0] > 0 && c.seq[1] > c.seq[0]);
    int64_t s1 = c.seq[1];
    /* A replace and a delete each take the next number, in write order;
     * the timestamp standing still changes nothing. */
    put_event(st, org, ua, WB_TLP_RED, 0, true, NULL);
    assert_int_equal(wb_store_event_flag(st, b, false, true, 1000, &err), 0);
    memset(&c, 0, sizeof c);
    assert_int_equal(wb_store_event_changes(st, s1, change_seen, &c, &err), 0);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.seen[0], "00000000-0000-4000-8000-00000000000a+");
    assert_string_equal(c.seen[1], "00000000-0000-4000-8000-00000000000b-");
    assert_true(c.seq[0] > s1 && c.seq[1] == c.seq[0] + 1);
    /* Versions: what was in force at s1, and after. */
    wb_event_rec v = {0};
    assert_int_equal(wb_store_event_version_at(st, a, s1, &v, &err), 0);
    assert_int_equal(v.tlp, WB_TLP_GREEN);
    assert_int_equal(v.distribution, 1);
    assert_false(v.deleted);
    assert_int_equal(wb_store_event_version_at(st, a, c.seq[0], &v, &err), 0);
    assert_int_equal(v.tlp, WB_TLP_RED);
    assert_int_equal(v.distribution, 0);
    assert_int_equal(wb_store_event_version_at(st, b, c.seq[1], &v, &err), 0);
    assert_true(v.deleted);
    assert_int_equal(wb_store_event_version_at(st, b, 0, &v, &err), WB_ENOTFOUND);
    memset(&c, 0, sizeof c);
    assert_int_equal(wb_store_event_changes(st, INT64_MAX, change_seen, &c, &err), 0);
    assert_int_equal(c.n, 0);

    /* The block lengths in use grow with what is stored, IPv4 and IPv6
     * apart; a plain address adds none. */
    wb_prefix_set pf;
    assert_int_equal(wb_store_cidr_prefixes(st, &pf, &err), 0);
    assert_true(pf.v4 == 0 && pf.v6[0] == 0 && pf.v6[1] == 0 && pf.v6[2] == 0);
    wb_attr_rec at[3] = {
        {.uuid = "00000000-0000-4000-8000-0000000000c1",
         .type = "ip-dst",
         .value = "198.51.100.0/24",
         .distribution = 5,
         .json = "{}",
         .nkeys = 1,
         .key_kind = {WB_IOC_CIDR},
         .key = {"198.51.100.0/24"}},
        {.uuid = "00000000-0000-4000-8000-0000000000c2",
         .type = "ip-dst",
         .value = "2001:db8::/48",
         .distribution = 5,
         .json = "{}",
         .nkeys = 1,
         .key_kind = {WB_IOC_CIDR},
         .key = {"2001:db8::/48"}},
        {.uuid = "00000000-0000-4000-8000-0000000000c3",
         .type = "ip-dst",
         .value = "192.0.2.1",
         .distribution = 5,
         .json = "{}",
         .nkeys = 1,
         .key_kind = {WB_IOC_IP},
         .key = {"192.0.2.1"}},
    };
    wb_event_rec ev = {.uuid = "00000000-0000-4000-8000-00000000000c",
                       .org_id = org,
                       .info = "blocks",
                       .date = "2026-11-27",
                       .distribution = 1,
                       .tlp = WB_TLP_GREEN,
                       .timestamp = 1000,
                       .json = "{}"};
    assert_int_equal(wb_store_event_put(st, &ev, NULL, 0, at, 3, false, NULL, &err), 0);
    assert_int_equal(wb_store_cidr_prefixes(st, &pf, &err), 0);
    assert_true(pf.v4 == (uint64_t)1 << 24);
    assert_true(pf.v6[0] == (uint64_t)1 << 48 && pf.v6[1] == 0 && pf.v6[2] == 0);

    /* Warninglists: put replaces by name, list is in name order. */
    assert_int_equal(wb_store_warninglist_put(st, "B list", "{\"v\":1}", &err), 0);
    assert_int_equal(wb_store_warninglist_put(st, "A list", "{}", &err), 0);
    assert_int_equal(wb_store_warninglist_put(st, "B list", "{\"v\":2}", &err), 0);
    char names[64] = "";
    assert_int_equal(wb_store_warninglist_list(st, wl_seen, names, &err), 0);
    assert_string_equal(names, "A list={};B list={\"v\":2};");
    wb_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store),
        cmocka_unit_test(test_uuid),
        cmocka_unit_test(test_incidents),
        cmocka_unit_test(test_changes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
