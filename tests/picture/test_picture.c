/*
 * test_picture.c - the threat picture's privacy rules (picture.h) over a
 * generated constituency of 500 organisations, checked against SQL written
 * here independently of the library: the same fixpoint, computed with
 * DELETE statements over the hub's own tables.
 *
 * Adversarial cases: a sector of one organisation, a sector of three (two
 * of which could collude: published at k = 3, suppressed at k = 4), and a
 * sector whose cell differs by exactly one organisation from the previous
 * period (the change must be withheld).
 */
#include <jansson.h>
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

#include "weerbaar/picture.h"
#include "weerbaar/store.h"

#define HOUR ((wb_time)3600 * 1000000)
#define DAY (24 * HOUR)

static char dir[] = "/tmp/wb_picture_XXXXXX";
static char db[256];
static wb_time jan, dec, feb;

static uint64_t rng = 88172645463325252ull;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static const char *const classes[] = {"availability", "malicious-code", "intrusions", "fraud"};
static const char *const sevs[] = {"low", "medium", "high", "critical"};

static void report(wb_store *st, int64_t inc, const char *stage, wb_time at, const char *sev)
{
    char json[128];
    snprintf(json, sizeof json,
             sev ? "{\"summary\":\"x\",\"severity\":\"%s\"}" : "{\"summary\":\"x\"}", sev);
    wb_incident_report_rec r = {.incident_id = inc,
                                .stage = stage,
                                .json = json,
                                .submitted_at = at,
                                .channel = WB_CHANNEL_RECORDED,
                                .author = "cli"};
    wb_error err = {0};
    assert_int_equal(wb_store_incident_report_add(st, &r, NULL, &err), 0);
}

/* An incident with its reports; cls NULL: a random RSIT class. */
static void incident(wb_store *st, int64_t org, wb_time aware, const char *cls)
{
    char rsit[64];
    snprintf(rsit, sizeof rsit, "rsit:%s=\"x\"", cls ? cls : classes[rnd(4)]);
    wb_incident_rec r = {.org_id = org,
                         .title = "t",
                         .aware_at = aware,
                         .detected_at = WB_TIME_NONE,
                         .entity_type = "other",
                         .rsit = rsit,
                         .tlp = WB_TLP_AMBER};
    wb_error err = {0};
    int64_t id;
    assert_int_equal(wb_store_incident_add(st, &r, &id, &err), 0);
    wb_time ew = aware + (wb_time)rnd(48) * HOUR;
    report(st, id, "early-warning", ew, rnd(5) ? sevs[rnd(4)] : NULL);
    wb_time nt = aware + (wb_time)rnd(120) * HOUR;
    report(st, id, "notification", nt, rnd(2) ? sevs[rnd(4)] : NULL);
    if (rnd(2)) report(st, id, "final", nt + (wb_time)rnd(40) * DAY, NULL);
    if (rnd(3)) {
        wb_incident_action_rec a = {.incident_id = id,
                                    .kind = WB_ACTION_ACK,
                                    .at = ew + (wb_time)rnd(48) * HOUR,
                                    .by = WB_TIME_NONE,
                                    .author = "csirt"};
        assert_int_equal(wb_store_incident_action_add(st, &a, NULL, &err), 0);
    }
}

static int setup(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/hub.db", dir);
    assert_int_equal(wb_time_parse("2025-12-01", 10, &dec), 0);
    assert_int_equal(wb_time_parse("2026-01-01", 10, &jan), 0);
    assert_int_equal(wb_time_parse("2026-02-01", 10, &feb), 0);
    wb_store *st;
    wb_error err = {0};
    assert_int_equal(wb_store_open(&st, db, &err), 0);
    /* one transaction: thousands of rows, one sync */
    assert_int_equal(wb_store_begin(st, &err), 0);
    /* 200 energy, 150 water, 139 health, 1 solo, 3 trio, 3 quartet, 4 shift = 500 */
    static const struct {
        const char *sector;
        int n;
    } secs[] = {{"energy", 200}, {"water", 150}, {"health", 139}, {"solo", 1},
                {"trio", 3},     {"quartet", 3}, {"shift", 4}};
    int64_t ids[500];
    const char *sec_of[500];
    int n = 0;
    for (size_t s = 0; s < sizeof secs / sizeof secs[0]; s++)
        for (int i = 0; i < secs[s].n; i++) {
            char name[64];
            snprintf(name, sizeof name, "Org-%s-%d", secs[s].sector, i);
            assert_int_equal(
                wb_store_org_add(st, name, WB_ORG_ESSENTIAL, secs[s].sector, NULL, &ids[n], &err),
                0);
            sec_of[n++] = secs[s].sector;
        }
    assert_int_equal(n, 500);
    for (int i = 0; i < n; i++) {
        if (strcmp(sec_of[i], "shift") == 0 || strcmp(sec_of[i], "quartet") == 0) continue;
        int cnt =
            strcmp(sec_of[i], "solo") == 0 || strcmp(sec_of[i], "trio") == 0 ? 2 : (int)rnd(3);
        for (int j = 0; j < cnt; j++) {
            incident(st, ids[i], dec + (wb_time)rnd(31 * 24) * HOUR, NULL);
            incident(st, ids[i], jan + (wb_time)rnd(31 * 24) * HOUR, NULL);
        }
    }
    /* shift: three organisations in December, the same three and one more
     * in January */
    int first_shift = 500 - 4;
    for (int i = 0; i < 4; i++) {
        if (i < 3) incident(st, ids[first_shift + i], dec + 5 * DAY, NULL);
        incident(st, ids[first_shift + i], jan + 5 * DAY, NULL);
    }
    /* quartet: three organisations; the first reports only an RSIT class
     * that one other organisation (in energy) reports too. The class cell
     * (two organisations) goes, which leaves quartet with two: only a
     * second pass of the fixpoint catches that. */
    int first_quartet = 500 - 4 - 3;
    incident(st, ids[first_quartet], jan + 3 * DAY, "vulnerable");
    incident(st, ids[0], jan + 4 * DAY, "vulnerable");
    incident(st, ids[first_quartet + 1], jan + 6 * DAY, NULL);
    incident(st, ids[first_quartet + 2], jan + 7 * DAY, NULL);
    assert_int_equal(wb_store_commit(st, &err), 0);
    wb_store_close(st);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(db);
    rmdir(dir);
    return 0;
}

static json_t *picture(unsigned k)
{
    wb_picture_opts o = {.from = jan, .to = feb, .k = k};
    wb_buf b = {0};
    wb_error err = {0};
    assert_int_equal(wb_picture_build_db(db, &o, &b, &err), 0);
    /* No organisation's name ever appears. */
    assert_null(strstr(b.data, "Org-"));
    json_t *j = json_loadb(b.data, b.len, 0, NULL);
    assert_non_null(j);
    wb_buf_free(&b);
    return j;
}

static json_t *cell(json_t *j, const char *theme, const char *by, const char *key)
{
    json_t *arr = json_object_get(
        json_object_get(json_object_get(json_object_get(j, "themes"), theme), "by"), by);
    size_t i;
    json_t *c;
    json_array_foreach(arr, i, c) if (strcmp(json_string_value(json_object_get(c, "key")), key) ==
                                      0) return c;
    return NULL;
}

/* The SQL oracle: the records of the incidents theme in a period, the four
 * dimensions as SQL expressions, and the fixpoint by DELETE. */
static const char *const dims_sql[] = {
    "o.sector",
    "CASE WHEN i.rsit LIKE 'rsit:%' THEN substr(i.rsit, 6, instr(i.rsit, '=') - 6) ELSE 'unknown' "
    "END",
    "strftime('%Y-%m', i.aware_at / 1000000, 'unixepoch')",
    "coalesce((SELECT json_extract(r.json, '$.severity') FROM incident_reports r WHERE "
    "r.incident_id = i.id AND json_extract(r.json, '$.severity') IS NOT NULL ORDER BY "
    "r.submitted_at DESC, r.id DESC LIMIT 1), 'unknown')"};

static void oracle(sqlite3 *d, wb_time from, wb_time to, unsigned k)
{
    char sql[2048];
    assert_int_equal(sqlite3_exec(d, "DROP TABLE IF EXISTS rec", NULL, NULL, NULL), SQLITE_OK);
    snprintf(sql, sizeof sql,
             "CREATE TEMP TABLE rec AS SELECT i.id AS id, i.org_id AS org, %s AS d0, %s AS d1, %s "
             "AS d2, %s AS d3 FROM incidents i JOIN orgs o ON o.id = i.org_id WHERE i.aware_at >= "
             "%lld AND i.aware_at < %lld",
             dims_sql[0], dims_sql[1], dims_sql[2], dims_sql[3], (long long)from, (long long)to);
    assert_int_equal(sqlite3_exec(d, sql, NULL, NULL, NULL), SQLITE_OK);
    for (int changed = 1; changed;) {
        changed = 0;
        for (int dim = 0; dim < 4; dim++) {
            snprintf(sql, sizeof sql,
                     "DELETE FROM rec WHERE d%d IN (SELECT d%d FROM rec GROUP BY d%d HAVING "
                     "count(DISTINCT org) < %u)",
                     dim, dim, dim, k);
            assert_int_equal(sqlite3_exec(d, sql, NULL, NULL, NULL), SQLITE_OK);
            changed |= sqlite3_changes(d) > 0;
        }
    }
}

static long long q1(sqlite3 *d, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(d, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void check_against_sql(unsigned k)
{
    json_t *j = picture(k);
    sqlite3 *d;
    assert_int_equal(sqlite3_open_v2(db, &d, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    oracle(d, jan, feb, k);
    static const char *const by[] = {"sector", "type", "month", "severity"};
    long long total = q1(d, "SELECT count(*) FROM rec");
    assert_true(total > 0);
    assert_int_equal(
        json_integer_value(json_object_get(
            json_object_get(json_object_get(json_object_get(j, "themes"), "incidents"), "total"),
            "incidents")),
        total);
    for (int dim = 0; dim < 4; dim++) {
        json_t *arr = json_object_get(
            json_object_get(json_object_get(json_object_get(j, "themes"), "incidents"), "by"),
            by[dim]);
        size_t i;
        json_t *c;
        long long sum = 0;
        json_array_foreach(arr, i, c)
        {
            const char *key = json_string_value(json_object_get(c, "key"));
            char sql[512];
            snprintf(sql, sizeof sql, "SELECT count(*) FROM rec WHERE d%d = '%s'", dim, key);
            long long n = q1(d, sql);
            if (json_is_true(json_object_get(c, "suppressed"))) {
                assert_int_equal(n, 0); /* nothing of it counted anywhere */
                assert_null(json_object_get(c, "incidents"));
            } else {
                assert_int_equal(json_integer_value(json_object_get(c, "incidents")), n);
                snprintf(sql, sizeof sql, "SELECT count(DISTINCT org) FROM rec WHERE d%d = '%s'",
                         dim, key);
                long long orgs = q1(d, sql);
                assert_true(orgs >= (long long)k);
                assert_int_equal(json_integer_value(json_object_get(c, "organisations")), orgs);
                sum += n;
            }
        }
        /* every table adds up to the total: nothing to subtract */
        assert_int_equal(sum, total);
    }
    sqlite3_close(d);
    json_decref(j);
}

static void test_matches_sql_k3(void **state)
{
    (void)state;
    check_against_sql(3);
}

static void test_matches_sql_k5(void **state)
{
    (void)state;
    check_against_sql(5);
}

static void test_adversarial(void **state)
{
    (void)state;
    json_t *j = picture(3);
    /* a sector of one: suppressed, never a zero */
    json_t *c = cell(j, "incidents", "sector", "solo");
    assert_non_null(c);
    assert_true(json_is_true(json_object_get(c, "suppressed")));
    assert_null(json_object_get(c, "incidents"));
    /* three organisations: published at k = 3 ... */
    c = cell(j, "incidents", "sector", "trio");
    assert_int_equal(json_integer_value(json_object_get(c, "incidents")), 6);
    /* ... the shift sector: one organisation more than in December, so the
     * change would be that one's count: withheld, both sides shown */
    c = cell(j, "incidents", "sector", "shift");
    assert_non_null(c);
    assert_int_equal(json_integer_value(json_object_get(c, "incidents")), 4);
    assert_int_equal(json_integer_value(json_object_get(c, "previous")), 3);
    assert_null(json_object_get(c, "change"));
    assert_true(json_is_true(json_object_get(c, "change_withheld")));
    /* quartet: its cell fell below k in the second pass */
    c = cell(j, "incidents", "sector", "quartet");
    assert_true(json_is_true(json_object_get(c, "suppressed")));
    c = cell(j, "incidents", "type", "vulnerable");
    assert_true(json_is_true(json_object_get(c, "suppressed")));
    /* a large sector with a change: shown when the sets differ by >= k */
    c = cell(j, "incidents", "sector", "energy");
    assert_non_null(json_object_get(c, "change"));
    json_decref(j);
    /* ... and at k = 4, where two colluders of three would learn the third's
     * count, the trio is suppressed */
    j = picture(4);
    c = cell(j, "incidents", "sector", "trio");
    assert_true(json_is_true(json_object_get(c, "suppressed")));
    json_decref(j);
    /* k below 2 is refused */
    wb_picture_opts o = {.from = jan, .to = feb, .k = 1};
    wb_buf b = {0};
    wb_error err = {0};
    assert_int_equal(wb_picture_build_db(db, &o, &b, &err), WB_EINVAL);
    wb_buf_free(&b);
}

static void test_timeliness_sql(void **state)
{
    (void)state;
    json_t *j = picture(3);
    sqlite3 *d;
    assert_int_equal(sqlite3_open_v2(db, &d, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char sql[1024];
    /* early warnings within 24 h in energy: the sector table's only
     * dimension, so its cell is the plain count once >= k organisations */
    snprintf(sql, sizeof sql,
             "SELECT count(*), sum((SELECT min(r.submitted_at) FROM incident_reports r WHERE "
             "r.incident_id = i.id AND r.stage = 'early-warning') <= i.aware_at + %lld) FROM "
             "incidents i JOIN orgs o ON o.id = i.org_id WHERE o.sector = 'energy' AND i.aware_at "
             ">= %lld AND i.aware_at < %lld",
             (long long)(24 * HOUR), (long long)jan, (long long)feb);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(d, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    json_t *c = cell(j, "early_warning", "sector", "energy");
    assert_int_equal(json_integer_value(json_object_get(c, "reports")),
                     sqlite3_column_int64(st, 0));
    assert_int_equal(json_integer_value(json_object_get(c, "on_time")),
                     sqlite3_column_int64(st, 1));
    sqlite3_finalize(st);
    sqlite3_close(d);
    c = cell(j, "early_warning", "sector", "solo");
    assert_true(json_is_true(json_object_get(c, "suppressed")));
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_sql_k3),
        cmocka_unit_test(test_matches_sql_k5),
        cmocka_unit_test(test_adversarial),
        cmocka_unit_test(test_timeliness_sql),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
