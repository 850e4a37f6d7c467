/*
 * test_sync_rules.c - the sync service without HTTP: the table of what may
 * leave and how it arrives (every TLP x distribution x sharing-group
 * case), the parser of a remote /events/index, MISP's server rules, and
 * wb_sync_ingest on a database (newer wins, equal and older change
 * nothing, uuid/timestamp/Orgc kept, what may not arrive withheld or left
 * out attribute by attribute, an event of another organisation refused),
 * and the server key sealed at rest.
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

#include "store/store_internal.h"
#include "sync/sync_internal.h"

static void test_table(void **state)
{
    (void)state;
    static const wb_tlp tlps[] = {WB_TLP_UNSET, WB_TLP_CLEAR,        WB_TLP_GREEN,
                                  WB_TLP_AMBER, WB_TLP_AMBER_STRICT, WB_TLP_RED};
    for (size_t t = 0; t < sizeof tlps / sizeof tlps[0]; t++)
        for (int d = 0; d <= 4; d++)
            for (int sg = 0; sg < 2; sg++) {
                bool strict = tlps[t] == WB_TLP_AMBER_STRICT || tlps[t] == WB_TLP_RED;
                bool want = !strict && (d == 2 || d == 3 || (d == 4 && sg));
                assert_int_equal(wb_sync_may_leave(tlps[t], d, sg), want);
                int arr = wb_sync_arrival(tlps[t], d);
                int want_arr = strict || d < 2 ? -1 : d == 2 ? 1 : d;
                assert_int_equal(arr, want_arr);
            }
    assert_false(wb_sync_may_leave(WB_TLP_GREEN, 5, true));
    assert_int_equal(wb_sync_arrival(WB_TLP_GREEN, -1), -1);
}

static void test_index_parse(void **state)
{
    (void)state;
    const char *t = "[{\"uuid\":\"B0000000-0000-4000-8000-000000000002\",\"timestamp\":\"20\"},"
                    "{\"uuid\":\"a0000000-0000-4000-8000-000000000001\",\"timestamp\":20},"
                    "{\"uuid\":\"c0000000-0000-4000-8000-000000000003\",\"timestamp\":\"5\"},"
                    "{\"uuid\":\"nope\",\"timestamp\":\"5\"},{\"uuid\":"
                    "\"d0000000-0000-4000-8000-000000000004\"}]";
    wb_sync_entry *e = NULL;
    size_t n = 0, bad = 0;
    wb_error err = {0};
    assert_int_equal(wb_sync_index_parse(t, strlen(t), 32, 100, &e, &n, &bad, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(bad, 2);
    assert_string_equal(e[0].uuid, "c0000000-0000-4000-8000-000000000003");
    assert_string_equal(e[1].uuid, "a0000000-0000-4000-8000-000000000001");
    assert_string_equal(e[2].uuid, "b0000000-0000-4000-8000-000000000002"); /* lower-cased */
    assert_int_equal(e[2].timestamp, 20);
    free(e);
    const char *r = "{\"response\":[{\"Event\":{\"uuid\":\"a0000000-0000-4000-8000-000000000001\","
                    "\"timestamp\":\"7\"}}]}";
    assert_int_equal(wb_sync_index_parse(r, strlen(r), 32, 100, &e, &n, &bad, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(e[0].timestamp, 7);
    free(e);
    assert_int_equal(wb_sync_index_parse(t, strlen(t), 32, 2, &e, &n, &bad, &err), WB_ELIMIT);
    assert_int_equal(wb_sync_index_parse("{}", 2, 32, 2, &e, &n, &bad, &err), WB_EPARSE);
    assert_int_equal(wb_sync_index_parse("[[[[1]]]]", 9, 3, 2, &e, &n, &bad, &err), WB_EPARSE);
    assert_int_equal(wb_sync_index_parse("[", 1, 3, 2, &e, &n, &bad, &err), WB_EPARSE);
    assert_null(e);
}

static void test_rules(void **state)
{
    (void)state;
    wb_error err;
    assert_int_equal(wbi_sync_rules_check(NULL, &err), 0);
    assert_int_equal(wbi_sync_rules_check("{\"tags\":{\"OR\":[\"a\"]}}", &err), 0);
    assert_int_equal(wbi_sync_rules_check("{\"tags\":3}", &err), WB_EINVAL);
    assert_int_equal(wbi_sync_rules_check("{\"colour\":{}}", &err), WB_EINVAL);
    assert_int_equal(wbi_sync_rules_check("{\"orgs\":{\"OR\":[1]}}", &err), WB_EINVAL);
    json_t *ev = json_loads("{\"Event\":{\"Tag\":[{\"name\":\"tlp:green\"}],\"EventTag\":[{\"Tag\":"
                            "{\"name\":\"sector:health\"}}],\"Orgc\":{\"name\":\"CSIRT\",\"uuid\":"
                            "\"a0000000-0000-4000-8000-000000000001\"}}}",
                            0, NULL);
    assert_non_null(ev);
    struct {
        const char *rules;
        bool pass;
    } cases[] = {
        {"{}", true},
        {"{\"tags\":{\"OR\":[\"sector:health\"]}}", true},
        {"{\"tags\":{\"OR\":[\"sector:energy\"]}}", false},
        {"{\"tags\":{\"NOT\":[\"TLP:GREEN\"]}}", false}, /* names are case-insensitive */
        {"{\"orgs\":{\"OR\":[\"a0000000-0000-4000-8000-000000000001\"]}}", true},
        {"{\"orgs\":{\"NOT\":[\"csirt\"]}}", false},
        {"{\"orgs\":{\"OR\":[]},\"tags\":{\"NOT\":[]}}", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *r = json_loads(cases[i].rules, 0, NULL);
        assert_int_equal(wbi_sync_rules_pass(r, ev), cases[i].pass);
        json_decref(r);
    }
    assert_true(wbi_sync_rules_pass(NULL, ev));
    json_decref(ev);
}

/* ---- ingest on a database ------------------------------------------------------------ */

typedef struct fx {
    char dir[64], db[96];
    wb_store *st;
    int64_t server;
} fx;

#define ORGC "0c000000-0000-4000-8000-00000000c511"
#define EV1 "e1000000-0000-4000-8000-000000000001"
#define SGU "5e000000-0000-4000-8000-000000000001"

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/wb-sync-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/hub.db", f->dir);
    wb_error err = {0};
    assert_int_equal(wb_sync_open(&f->st, f->db, &err), 0);
    int64_t org = 0, sg = 0;
    assert_int_equal(wb_store_org_add(f->st, "Sector", WB_ORG_CSIRT, NULL, NULL, &org, &err), 0);
    assert_int_equal(wb_store_sgroup_add_uuid(f->st, SGU, "listed", &org, 1, &sg, &err), 0);
    bool created;
    wb_sync_server_opts so = {.name = "csirt",
                              .url = "http://127.0.0.1:1",
                              .key = "k",
                              .pull = true,
                              .sgroups = "listed"};
    assert_int_equal(wb_sync_server_add(f->st, &so, &created, &err), 0);
    assert_true(created);
    so.name = "other";
    so.sgroups = NULL;
    assert_int_equal(wb_sync_server_add(f->st, &so, &created, &err), 0);
    f->server = 1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    wb_sync_close(f->st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static wb_sync_outcome ingest(fx *f, int64_t server, const char *uuid, int64_t ts, int dist,
                              const char *tlp, const char *orgc, const char *extra_attr,
                              char *reason)
{
    char body[2048];
    snprintf(
        body, sizeof body,
        "{\"Event\":{\"uuid\":\"%s\",\"info\":\"t%lld\",\"timestamp\":\"%lld\","
        "\"distribution\":\"%d\",\"published\":true,%s"
        "\"Orgc\":{\"name\":\"CSIRT\",\"uuid\":\"%s\"},\"Tag\":[{\"name\":\"tlp:%s\"}],"
        "\"Attribute\":[{\"type\":\"domain\",\"value\":\"a%lld.example\",\"to_ids\":true}%s]}}",
        uuid, (long long)ts, (long long)ts, dist,
        dist == 4 ? "\"SharingGroup\":{\"uuid\":\"" SGU "\"}," : "", orgc, tlp, (long long)ts,
        extra_attr ? extra_attr : "");
    wb_sync_outcome oc;
    wb_error err = {0};
    char r[256];
    assert_int_equal(wb_sync_ingest(f->st, server, "t", "t", body, strlen(body), 32, 1000, &oc,
                                    NULL, reason ? reason : r, 256, &err),
                     0);
    return oc;
}

typedef struct got {
    int64_t ts, org_id;
    int dist, nattrs;
    char info[64];
} got;

static int got_cb(void *ud, const wb_event_rec *e)
{
    got *g = ud;
    g->ts = e->timestamp;
    g->org_id = e->org_id;
    g->dist = e->distribution;
    snprintf(g->info, sizeof g->info, "%s", e->info);
    return 1;
}

static int attr_cb(void *ud, const wb_event_rec *e, const wb_attr_rec *a)
{
    (void)e;
    if (!a->deleted) ((got *)ud)->nattrs++;
    return 0;
}

static got stored(fx *f, const char *uuid)
{
    got g = {0};
    wb_error err;
    int rc = wb_store_event_get(f->st, uuid, got_cb, &g, &err);
    if (rc == 0) {
        int64_t id = 0;
        assert_int_equal(wb_store_event_id_of(f->st, uuid, &id, &err), 0);
        assert_int_equal(wb_store_attr_list(f->st, id, attr_cb, &g, &err), 0);
    }
    return g;
}

static void test_ingest(void **state)
{
    fx *f = *state;
    char why[256];
    /* what may not arrive */
    assert_int_equal(ingest(f, 1, EV1, 100, 1, "green", ORGC, NULL, why), WB_SYNC_WITHHELD);
    assert_int_equal(ingest(f, 1, EV1, 100, 0, "green", ORGC, NULL, why), WB_SYNC_WITHHELD);
    assert_int_equal(ingest(f, 1, EV1, 100, 4, "red", ORGC, NULL, why), WB_SYNC_WITHHELD);
    /* a sharing group that does not list the server it came from */
    assert_int_equal(ingest(f, 2, EV1, 100, 4, "green", ORGC, NULL, why), WB_SYNC_WITHHELD);
    assert_int_equal(stored(f, EV1).ts, 0);
    /* 2 arrives as 1, with its timestamp and a new organisation for Orgc */
    assert_int_equal(ingest(f, 1, EV1, 100, 2, "green", ORGC, NULL, why), WB_SYNC_ADDED);
    got g = stored(f, EV1);
    assert_int_equal(g.ts, 100);
    assert_int_equal(g.dist, 1);
    int64_t org = 0;
    wb_error err;
    assert_int_equal(wb_store_org_by_uuid(f->st, ORGC, &org, &err), 0);
    assert_int_equal(g.org_id, org);
    /* equal and older change nothing; newer wins */
    assert_int_equal(ingest(f, 1, EV1, 100, 3, "green", ORGC, NULL, why), WB_SYNC_UNCHANGED);
    assert_int_equal(ingest(f, 1, EV1, 99, 3, "green", ORGC, NULL, why), WB_SYNC_UNCHANGED);
    assert_int_equal(stored(f, EV1).dist, 1);
    /* attributes that may not travel are left out: distribution 1 and RED */
    assert_int_equal(
        ingest(f, 1, EV1, 101, 3, "green", ORGC,
               ",{\"type\":\"domain\",\"value\":\"x1.example\",\"distribution\":\"1\"},"
               "{\"type\":\"domain\",\"value\":\"x2.example\",\"distribution\":4,"
               "\"SharingGroup\":{\"uuid\":\"" SGU "\"},\"Tag\":[{\"name\":\"tlp:red\"}]},"
               "{\"type\":\"domain\",\"value\":\"x3.example\",\"distribution\":4,"
               "\"SharingGroup\":{\"uuid\":\"" SGU "\"}},"
               "{\"type\":\"domain\",\"value\":\"x4.example\",\"distribution\":\"2\"}",
               why),
        WB_SYNC_UPDATED);
    g = stored(f, EV1);
    assert_int_equal(g.ts, 101);
    assert_int_equal(g.dist, 3);
    assert_int_equal(g.nattrs, 3); /* a101, x3 (its group lists the server), x4 */
    /* the same uuid from another organisation: refused */
    assert_int_equal(
        ingest(f, 1, EV1, 200, 3, "green", "0c000000-0000-4000-8000-0000000000ff", NULL, why),
        WB_SYNC_REFUSED);
    assert_non_null(strstr(why, "another organisation"));
    assert_int_equal(stored(f, EV1).ts, 101);
    /* origin recorded */
    int64_t from = 0, ts = 0;
    assert_int_equal(wb_store_sync_origin_get(f->st, EV1, &from, &ts, &err), 0);
    assert_int_equal(from, 1);
    assert_int_equal(ts, 101);
    /* an event made on this hub (no origin) is not rewritten by sync */
    const char *home = "ee000000-0000-4000-8000-000000000009";
    assert_int_equal(ingest(f, 1, home, 50, 3, "green", ORGC, NULL, why), WB_SYNC_ADDED);
    assert_int_equal(wb_store_begin(f->st, &err), 0);
    wbi_db_exec(wbi_sqlite_db(f->st),
                "DELETE FROM sync_origins WHERE event_uuid='ee000000-0000-4000-8000-000000000009'");
    assert_int_equal(wb_store_commit(f->st, &err), 0);
    assert_int_equal(ingest(f, 1, home, 60, 3, "green", ORGC, NULL, why), WB_SYNC_REFUSED);
    assert_non_null(strstr(why, "made on this hub"));
    assert_int_equal(stored(f, home).ts, 50);
    /* no uuid, no timestamp, no Orgc: refused */
    wb_sync_outcome oc;
    const char *bad = "{\"Event\":{\"info\":\"x\",\"distribution\":3}}";
    assert_int_equal(wb_sync_ingest(f->st, 1, "t", "t", bad, strlen(bad), 32, 10, &oc, NULL, why,
                                    sizeof why, &err),
                     0);
    assert_int_equal(oc, WB_SYNC_REFUSED);
}

static int key_cb(void *ud, const wb_sync_server_rec *r)
{
    snprintf(ud, 80, "%s", r->key ? r->key : "(null)");
    return 1;
}

/* The raw key column of a server. */
static void raw_key(fx *f, const char *name, char *out, size_t cap)
{
    wbi_stmt *st = NULL;
    assert_int_equal(
        wbi_db_prepare(wbi_sqlite_db(f->st), "SELECT key FROM sync_servers WHERE name=?", &st),
        WBI_DB_OK);
    wbi_db_bind_text(st, 1, name);
    assert_int_equal(wbi_db_step(st), WBI_DB_ROW);
    snprintf(out, cap, "%s", wbi_db_col_text(st, 0));
    wbi_db_finalize(st);
}

/* The server key is sealed at rest, opens on read, a key stored before
 * sealing is read as it is and sealed on the server's next write, and a
 * damaged or foreign ciphertext is an error, never a wrong key. */
static void test_key_sealed(void **state)
{
    fx *f = *state;
    wb_error err;
    bool created;
    const char *key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    wb_sync_server_opts so = {.name = "sealed", .url = "http://x", .key = key, .pull = true};
    assert_int_equal(wb_sync_server_add(f->st, &so, &created, &err), 0);
    char raw[512], opened[80];
    raw_key(f, "sealed", raw, sizeof raw);
    assert_int_equal(strncmp(raw, "v1:", 3), 0);
    assert_null(strstr(raw, "0123456789abcdef"));
    assert_int_equal(wb_store_server_find(f->st, "sealed", 0, key_cb, opened, &err), 0);
    assert_string_equal(opened, key);
    /* two seals of one key differ (a fresh nonce each) */
    char raw2[512];
    so.name = "sealed2";
    assert_int_equal(wb_sync_server_add(f->st, &so, &created, &err), 0);
    raw_key(f, "sealed2", raw2, sizeof raw2);
    assert_string_not_equal(raw, raw2);
    /* a row written before sealing: read as is, sealed on the next write */
    assert_int_equal(wbi_db_exec(wbi_sqlite_db(f->st),
                                 "UPDATE sync_servers SET key='plainkey' WHERE name='sealed'"),
                     WBI_DB_OK);
    assert_int_equal(wb_store_server_find(f->st, "sealed", 0, key_cb, opened, &err), 0);
    assert_string_equal(opened, "plainkey");
    int64_t sid = 0;
    wbi_stmt *st = NULL;
    wbi_db_prepare(wbi_sqlite_db(f->st), "SELECT id FROM sync_servers WHERE name='sealed'", &st);
    assert_int_equal(wbi_db_step(st), WBI_DB_ROW);
    sid = wbi_db_col_i64(st, 0);
    wbi_db_finalize(st);
    assert_int_equal(wb_store_server_progress(f->st, sid, false, 0, 1, "ok", &err), 0);
    raw_key(f, "sealed", raw, sizeof raw);
    assert_int_equal(strncmp(raw, "v1:", 3), 0);
    assert_null(strstr(raw, "plainkey"));
    assert_int_equal(wb_store_server_find(f->st, "sealed", 0, key_cb, opened, &err), 0);
    assert_string_equal(opened, "plainkey");
    /* one byte of the ciphertext changed: refused */
    size_t n = strlen(raw);
    raw[n - 3] = raw[n - 3] == 'A' ? 'B' : 'A';
    char sql[700];
    snprintf(sql, sizeof sql, "UPDATE sync_servers SET key='%s' WHERE name='sealed'", raw);
    assert_int_equal(wbi_db_exec(wbi_sqlite_db(f->st), sql), WBI_DB_OK);
    assert_int_equal(wb_store_server_find(f->st, "sealed", 0, key_cb, opened, &err), WB_EINVAL);
    assert_non_null(strstr(err.msg, "sealed"));
    /* another database's secret does not open it */
    memset(f->st->secret, 0x5a, sizeof f->st->secret);
    assert_int_equal(wb_store_server_find(f->st, "sealed2", 0, key_cb, opened, &err), WB_EINVAL);
    assert_non_null(strstr(err.msg, "re-add"));
}

static void test_servers(void **state)
{
    fx *f = *state;
    json_t *list = NULL;
    wb_error err;
    assert_int_equal(wb_sync_server_list(f->st, &list, &err), 0);
    assert_int_equal(json_array_size(list), 2);
    char *text = json_dumps(list, 0);
    assert_null(strstr(text, "\"key\"")); /* never the key */
    free(text);
    json_decref(list);
    bool created;
    wb_sync_server_opts so = {.name = "csirt", .url = "http://x", .key = "k", .pull = true};
    assert_int_equal(wb_sync_server_add(f->st, &so, &created, &err), WB_EINVAL); /* exists */
    so.name = "n2";
    so.url = "ftp://x";
    assert_int_equal(wb_sync_server_add(f->st, &so, &created, &err), WB_EINVAL);
    so.url = "http://x";
    so.key = "a b";
    assert_int_equal(wb_sync_server_add(f->st, &so, &created, &err), WB_EINVAL);
    so.key = "k";
    so.sgroups = "nosuch";
    assert_int_equal(wb_sync_server_add(f->st, &so, &created, &err), WB_ENOTFOUND);
    assert_int_equal(wb_sync_server_remove(f->st, "other", &err), 0);
    assert_int_equal(wb_sync_server_remove(f->st, "other", &err), WB_ENOTFOUND);
    int64_t sid = -1;
    assert_int_equal(wb_sync_caller(f->st, 999, &sid, &err), 0);
    assert_int_equal(sid, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_index_parse),
        cmocka_unit_test(test_rules),
        cmocka_unit_test_setup_teardown(test_ingest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_servers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_sealed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
