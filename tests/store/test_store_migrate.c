/*
 * test_store_migrate.c - databases made by older versions of weerbaar open
 * and migrate forward without loss. Each dump in tests/data/ is loaded
 * into a fresh file; every table's rows (every column it had) are read
 * before and after wb_store_open and must be the same, the schema must be
 * current, and a few values per domain must read back through the store.
 *
 *   hub-schema5.sql  main at d713795 (before migration 6): accounts, audit
 *   hub-schema8.sql  main at 8ab34465 (migrations 1-8): rows in every table,
 *                    made through the store API of that build (orgs, users,
 *                    keys, one revoked, a sharing group, events with tags,
 *                    attributes, a CIDR, a replace and a deletion, merged
 *                    sightings, a warninglist, an archived audit log,
 *                    incidents with reports, actions, routes, shares and a
 *                    decided proposal, hooks with deliveries, one removed,
 *                    an assessment with versions and shares, dependency
 *                    pictures with a share), then `sqlite3 .dump`.
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
#include <sqlite3.h>

#include "common/testdb.h"
#include "weerbaar/store.h"

/* The first API key of hub-schema8.sql (admin@ncsc.test): it authenticates
 * only if the key-hashing secret in table meta survived. */
#define KEY8 "2e67cf8d33139112150b0193fe6c4ff98dd9fc43f26da84ec821dce710f86511"

typedef struct fixture {
    char dir[64], db[96];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/wb-migrate-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/hub.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void load(const char *db, const char *dump)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", WB_TEST_DATA, dump);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    static char sql[256 * 1024];
    size_t n = fread(sql, 1, sizeof sql - 1, fp);
    assert_true(feof(fp));
    fclose(fp);
    sql[n] = '\0';
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

/* Every table's rows as text: the columns it has now, every row ordered
 * by all of them. */
#define MAX_TABLES 64
typedef struct table_snap {
    char name[64];
    char cols[1024]; /* quote(a)||'|'||quote(b)... */
    char *rows;
    int64_t count;
} table_snap;

typedef struct snap {
    table_snap t[MAX_TABLES];
    int n;
} snap;

static void sappend(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t k = strlen(s);
    if (*len + k + 2 > *cap) {
        *cap = (*len + k + 2) * 2;
        *buf = realloc(*buf, *cap);
        assert_non_null(*buf);
    }
    memcpy(*buf + *len, s, k);
    *len += k;
    (*buf)[(*len)++] = '\n';
    (*buf)[*len] = '\0';
}

static void read_rows(sqlite3 *h, table_snap *t)
{
    char sql[1400];
    snprintf(sql, sizeof sql, "SELECT %s FROM \"%s\" ORDER BY 1", t->cols, t->name);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    size_t len = 0, cap = 0;
    t->rows = NULL;
    t->count = 0;
    sappend(&t->rows, &len, &cap, "");
    while (sqlite3_step(st) == SQLITE_ROW) {
        sappend(&t->rows, &len, &cap, (const char *)sqlite3_column_text(st, 0));
        t->count++;
    }
    sqlite3_finalize(st);
}

static void take(const char *db, snap *s)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "SELECT name FROM sqlite_master WHERE type='table' AND"
                                        " name NOT LIKE 'sqlite_%' ORDER BY name",
                                        -1, &st, NULL),
                     SQLITE_OK);
    s->n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        assert_true(s->n < MAX_TABLES);
        table_snap *t = &s->t[s->n++];
        snprintf(t->name, sizeof t->name, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    for (int i = 0; i < s->n; i++) {
        table_snap *t = &s->t[i];
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s') ORDER BY cid", t->name);
        assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
        t->cols[0] = '\0';
        while (sqlite3_step(st) == SQLITE_ROW) {
            size_t k = strlen(t->cols);
            snprintf(t->cols + k, sizeof t->cols - k, "%squote(\"%s\")", k ? "||'|'||" : "",
                     (const char *)sqlite3_column_text(st, 0));
        }
        sqlite3_finalize(st);
        read_rows(h, t);
    }
    sqlite3_close(h);
}

static void snap_free(snap *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->t[i].rows);
}

/* Opens the loaded file with the store and compares every table's rows
 * (the columns it had before) with what was there before; returns the
 * open store. */
static wb_store *open_and_compare(const char *db, int64_t *tables)
{
    static snap before;
    take(db, &before);
    assert_true(before.n > 0);
    wb_store *st;
    wb_error err;
    assert_int_equal(wb_store_open(&st, db, &err), 0);
    int64_t in_db = 0;
    int known = 0;
    assert_int_equal(wb_store_schema_check(st, &in_db, &known, &err), 0);
    assert_int_equal(in_db, known);
    assert_int_equal(wb_store_schema_version(st), known);
    assert_true(known >= 8);

    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    for (int i = 0; i < before.n; i++) {
        table_snap *t = &before.t[i], now = *t;
        if (strcmp(t->name, "schema_version") == 0) continue; /* grows */
        read_rows(h, &now);
        if (strcmp(t->rows, now.rows) != 0) fail_msg("table %s changed on migration", t->name);
        assert_int_equal(now.count, t->count);
        free(now.rows);
    }
    /* schema_version: every migration recorded once, the newest the one this
     * build knows (the numbers have gaps while other branches hold theirs) */
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "SELECT count(*), count(DISTINCT version), max(version)"
                                        " FROM schema_version",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    /* numbers may have gaps while a numbered migration is still on its way
     * to main (the runner applies every one not yet recorded) */
    assert_int_equal(sqlite3_column_int(q, 0), sqlite3_column_int(q, 1));
    assert_true(sqlite3_column_int(q, 0) >= 8 && sqlite3_column_int(q, 0) <= known);
    assert_int_equal(sqlite3_column_int(q, 2), known);
    sqlite3_finalize(q);
    sqlite3_close(h);
    *tables = before.n;
    snap_free(&before);
    return st;
}

/* ---- callbacks that copy what the checks look at -------------------------------------- */

typedef struct seen {
    int n;
    char a[8][160];
    int64_t i[8];
    bool b[8];
} seen;

static void put(seen *s, int k, const char *v)
{
    snprintf(s->a[k], sizeof s->a[k], "%s", v ? v : "(null)");
}

static int org_cb(void *ud, const wb_org *o)
{
    seen *s = ud;
    put(s, 0, o->sector);
    put(s, 1, o->kvk);
    s->i[0] = o->kind;
    s->n++;
    return 0;
}

static int user_cb(void *ud, const wb_user *u)
{
    seen *s = ud;
    put(s, 0, u->org_name);
    s->i[0] = u->role;
    s->n++;
    return 0;
}

static int key_cb(void *ud, const wb_apikey *k)
{
    seen *s = ud;
    if (k->revoked != WB_TIME_NONE) s->i[0]++;
    s->n++;
    return 0;
}

static int sg_cb(void *ud, const wb_sgroup *g)
{
    seen *s = ud;
    put(s, 0, g->orgs);
    s->i[0] = g->id;
    s->n++;
    return 0;
}

static int ev_cb(void *ud, const wb_event_rec *e)
{
    seen *s = ud;
    if (s->n < 8) {
        put(s, s->n, e->info);
        s->i[s->n] = e->id;
        s->b[s->n] = e->deleted;
    }
    s->n++;
    return 0;
}

static int attr_cb(void *ud, const wb_event_rec *e, const wb_attr_rec *a)
{
    seen *s = ud;
    if (s->n < 8) {
        put(s, s->n, a->value);
        s->i[s->n] = e ? e->id : a->event_id;
    }
    s->n++;
    return 0;
}

static int sight_cb(void *ud, const wb_sighting_rec *r)
{
    seen *s = ud;
    if (s->n < 8) {
        put(s, s->n, r->source);
        s->i[s->n] = r->count;
    }
    s->n++;
    return 0;
}

static int wl_cb(void *ud, const wb_warninglist_rec *w)
{
    seen *s = ud;
    put(s, 0, w->name);
    s->n++;
    return 0;
}

static int inc_cb(void *ud, const wb_incident_rec *r)
{
    seen *s = ud;
    if (s->n < 8) {
        put(s, s->n, r->title);
        s->i[s->n] = r->status;
    }
    s->n++;
    return 0;
}

static int rep_cb(void *ud, const wb_incident_report_rec *r)
{
    seen *s = ud;
    if (s->n < 8) put(s, s->n, r->stage);
    s->n++;
    return 0;
}

static int act_cb(void *ud, const wb_incident_action_rec *a)
{
    seen *s = ud;
    if (s->n < 8) {
        put(s, s->n, a->text);
        s->i[s->n] = a->kind;
    }
    s->n++;
    return 0;
}

static int route_cb(void *ud, const wb_route_rec *r)
{
    seen *s = ud;
    put(s, 0, r->csirt_name);
    put(s, 1, r->supervisor_name);
    s->n++;
    return 0;
}

static int ish_cb(void *ud, const wb_incident_share_rec *r)
{
    seen *s = ud;
    put(s, 0, r->status);
    put(s, 1, r->event_uuid);
    put(s, 2, r->decided_by);
    s->n++;
    return 0;
}

static int hook_cb(void *ud, const wb_hook_rec *h)
{
    seen *s = ud;
    if (s->n < 8) {
        put(s, s->n, h->url);
        s->b[s->n] = h->removed != WB_TIME_NONE;
    }
    s->n++;
    return 0;
}

static int dlv_cb(void *ud, const wb_delivery_rec *d)
{
    seen *s = ud;
    if (s->n < 8) {
        put(s, s->n, d->event_key);
        s->i[s->n] = d->status;
    }
    s->n++;
    return 0;
}

static int iev_cb(void *ud, const wb_incident_event_rec *e)
{
    seen *s = ud;
    put(s, 0, e->event_uuid);
    s->n++;
    return 0;
}

static int as_cb(void *ud, const wb_assessment_rec *a)
{
    seen *s = ud;
    put(s, 0, a->scope);
    s->i[0] = a->version;
    s->b[0] = a->shared_csirt;
    s->b[1] = a->shared_supervisor;
    s->n++;
    return 0;
}

static int aver_cb(void *ud, const wb_assessment_version_rec *v)
{
    seen *s = ud;
    put(s, 0, v->json);
    put(s, 1, v->action);
    s->n++;
    return 0;
}

static int ash_cb(void *ud, const wb_assessment_share_rec *r)
{
    seen *s = ud;
    (void)r;
    s->n++;
    return 0;
}

static int dpic_cb(void *ud, const wb_deps_picture_rec *r)
{
    seen *s = ud;
    put(s, 0, r->json);
    s->i[0] = r->version;
    s->b[0] = r->shared_csirt;
    s->b[1] = r->shared_supervisor;
    s->n++;
    return 0;
}

/* ---- the tests ---------------------------------------------------------------------- */

static void test_schema5(void **state)
{
    fixture *f = *state;
    load(f->db, "hub-schema5.sql");
    int64_t tables;
    wb_store *st = open_and_compare(f->db, &tables);
    wb_error err;
    seen s = {0};
    assert_int_equal(wb_store_org_list(st, org_cb, &s, &err), 0);
    assert_int_equal(s.n, 2);
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_key_list(st, key_cb, &s, &err), 0);
    assert_int_equal(s.n, 1);
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_sgroup_list(st, sg_cb, &s, &err), 0);
    assert_int_equal(s.n, 1);
    wb_audit_check k;
    assert_int_equal(wb_store_audit_verify(st, &k, &err), 0);
    assert_int_equal(k.bad_id, 0);
    assert_int_equal(k.rows, 5);
    wb_store_close(st);
}

static void test_schema8(void **state)
{
    fixture *f = *state;
    load(f->db, "hub-schema8.sql");
    int64_t tables;
    wb_store *st = open_and_compare(f->db, &tables);
    assert_true(tables >= 30);
    wb_error err;

    /* accounts */
    seen s = {0};
    assert_int_equal(wb_store_org_find(st, "waterbedrijf noord", org_cb, &s, &err), 0);
    assert_string_equal(s.a[0], "drinking-water");
    assert_string_equal(s.a[1], "12345678");
    assert_int_equal(s.i[0], WB_ORG_ESSENTIAL);
    int64_t ess_id = 2;
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_user_find(st, "ciso@water.test", user_cb, &s, &err), 0);
    assert_string_equal(s.a[0], "Waterbedrijf Noord");
    assert_int_equal(s.i[0], WB_ROLE_ORG_ADMIN);
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_key_list(st, key_cb, &s, &err), 0);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.i[0], 1); /* one revoked */
    wb_keyowner who;
    assert_int_equal(wb_store_key_auth(st, KEY8, strlen(KEY8), &who, &err), 0);
    assert_string_equal(who.email, "admin@ncsc.test");
    assert_int_equal(who.role, WB_ROLE_SITE_ADMIN);
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_sgroup_find(st, 0, "Water ISAC", sg_cb, &s, &err), 0);
    assert_string_equal(s.a[0], "NCSC Test,Waterbedrijf Noord");
    assert_true(wb_store_sgroup_has_org(st, s.i[0], ess_id));

    /* events */
    memset(&s, 0, sizeof s);
    wb_event_filter flt = {.include_deleted = true};
    assert_int_equal(wb_store_event_list(st, &flt, ev_cb, &s, &err), 0);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.a[0], "Phishing campaign");
    assert_string_equal(s.a[1], "Malware sample (updated)");
    assert_true(s.b[2]);
    int64_t ev1 = s.i[0];
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_attr_list(st, ev1, attr_cb, &s, &err), 0);
    assert_int_equal(s.n, 3);
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_attr_lookup(st, WB_IOC_CIDR, "203.0.113.0/24", attr_cb, &s, &err), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.i[0], ev1);
    wb_prefix_set ps;
    assert_int_equal(wb_store_cidr_prefixes(st, &ps, &err), 0);
    assert_true(ps.v4 & ((uint64_t)1 << 24));
    int64_t seq = 0;
    assert_int_equal(wb_store_event_seq_max(st, &seq, &err), 0);
    assert_int_equal(seq, 5); /* 3 inserts, a replace, a deletion */
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_sighting_list(st, ev1, sight_cb, &s, &err), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.a[0], "ids-1");
    assert_int_equal(s.i[0], 5); /* 3 + 2, merged */
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_warninglist_list(st, wl_cb, &s, &err), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.a[0], "RFC 5737 documentation");

    /* audit: the archive's anchor and the entries after it still chain */
    wb_audit_check k;
    assert_int_equal(wb_store_audit_verify(st, &k, &err), 0);
    assert_int_equal(k.bad_id, 0);
    assert_int_equal(k.rows, 3);
    int64_t upto = 0;
    uint8_t anchor[WB_AUDIT_HASH_LEN];
    assert_int_equal(wb_store_audit_anchor(st, &upto, anchor, &err), 0);
    assert_int_equal(upto, 2);

    /* register */
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_incident_list(st, inc_cb, &s, &err), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.a[0], "Ransomware on SCADA historian");
    assert_int_equal(s.i[1], WB_INCIDENT_HANDLED);
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_incident_report_list(st, 1, rep_cb, &s, &err), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.a[1], "notification");
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_incident_action_list(st, 1, act_cb, &s, &err), 0);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.i[0], WB_ACTION_ACK);
    assert_string_equal(s.a[2], "Isolate the historian");
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_route_for(st, "drinking-water", route_cb, &s, &err), 0);
    assert_string_equal(s.a[0], "NCSC Test");
    assert_string_equal(s.a[1], "ILT");
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_incident_share_find(st, 2, 0, NULL, ish_cb, &s, &err), 0);
    assert_string_equal(s.a[0], "approved");
    assert_string_equal(s.a[1], "5f0c1a2b-0000-4000-8000-000000000001");
    assert_string_equal(s.a[2], "admin@ncsc.test");

    /* hooks */
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_hook_list(st, 0, true, hook_cb, &s, &err), 0);
    assert_int_equal(s.n, 2);
    assert_false(s.b[0]);
    assert_true(s.b[1]);
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_delivery_list(st, 0, dlv_cb, &s, &err), 0);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.i[0], WB_DELIVERY_DELIVERED);
    assert_int_equal(s.i[1], WB_DELIVERY_PENDING);
    assert_int_equal(s.i[2], WB_DELIVERY_CANCELLED);
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_incident_event_list(st, 1, iev_cb, &s, &err), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.a[0], "5f0c1a2b-0000-4000-8000-000000000002");

    /* assessments */
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_assessment_get(st, 1, as_cb, &s, &err), 0);
    assert_string_equal(s.a[0], "OT");
    assert_int_equal(s.i[0], 2);
    assert_true(s.b[0]);
    assert_false(s.b[1]); /* shared, then revoked */
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_assessment_version_get(st, 1, 0, aver_cb, &s, &err), 0);
    assert_string_equal(s.a[1], "answer 1.1");
    assert_non_null(strstr(s.a[0], "\"1.1\""));
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_assessment_share_list(st, 1, ash_cb, &s, &err), 0);
    assert_int_equal(s.n, 3);

    /* dependency pictures */
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_deps_picture_list(st, ess_id, dpic_cb, &s, &err), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.i[0], 2);
    assert_non_null(strstr(s.a[0], "\"NL\":11"));
    assert_true(s.b[0]);
    assert_false(s.b[1]);

    /* and it takes new rows in every domain's chain and sequence */
    wb_audit_rec a = {.user = "t", .org = "-", .action = "test.after"};
    assert_int_equal(wb_store_audit(st, &a, &err), 0);
    assert_int_equal(wb_store_audit_verify(st, &k, &err), 0);
    assert_int_equal(k.bad_id, 0);
    assert_int_equal(k.rows, 4);
    assert_int_equal(wb_store_event_flag(st, ev1, true, false, 1764100000, &err), 0);
    assert_int_equal(wb_store_event_seq_max(st, &seq, &err), 0);
    assert_int_equal(seq, 6);
    wb_store_close(st);
}

int main(void)
{
    /* upgrades of SQLite files made by older builds: PostgreSQL databases
     * start at the base schema (src/store/pg.c) */
    if (testdb_pg()) return 77;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema5, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema8, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
