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

#include "weerbaar/assessdb.h"
#include "weerbaar/hub.h"
#include "weerbaar/picture.h"
#include "weerbaar/store.h"
#include "weerbaar/store_vulnscan.h"

#define HOUR ((wb_time)3600 * 1000000)
#define DAY (24 * HOUR)

static char dir[] = "/tmp/wb_picture_XXXXXX";
static wb_catalogue *cat, *principles;
static int64_t csirt;
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

static int64_t attr_id;
static int on_attr(void *ud, const wb_event_rec *ev, const wb_attr_rec *a)
{
    (void)ud;
    (void)ev;
    attr_id = a->id;
    return 0;
}

/* An event of org with n ip-dst attributes ("198.51.100.<base+i>"; their
 * ids into ids), TLP tlp, distribution dist, with a galaxy tag or none. */
static void event(wb_store *st, int64_t org, int no, wb_tlp tlp, int dist, const char *tag, int n,
                  int base, int64_t *ids)
{
    char uuid[40], json[256];
    snprintf(uuid, sizeof uuid, "00000000-0000-4000-8000-%012d", no);
    json_t *doc = tag ? json_pack("{s:[{s:s}]}", "Tag", "name", tag) : json_object();
    char *txt = json_dumps(doc, JSON_COMPACT);
    snprintf(json, sizeof json, "%s", txt);
    free(txt);
    json_decref(doc);
    wb_event_rec ev = {.uuid = uuid,
                       .org_id = org,
                       .info = "x",
                       .date = "2025-12-01",
                       .distribution = dist,
                       .tlp = tlp,
                       .timestamp = dec / 1000000,
                       .json = json};
    wb_attr_rec at[8];
    char vals[8][40], uuids[8][40];
    assert_true(n <= 8);
    for (int i = 0; i < n; i++) {
        snprintf(uuids[i], 40, "00000000-0000-4000-9000-%06d%06d", no, i);
        snprintf(vals[i], 40, "198.51.100.%d", base + i);
        at[i] = (wb_attr_rec){.uuid = uuids[i],
                              .type = "ip-dst",
                              .value = vals[i],
                              .distribution = 5,
                              .timestamp = dec / 1000000,
                              .json = "{}",
                              .nkeys = 1,
                              .key_kind = {WB_IOC_IP},
                              .key = {vals[i]}};
    }
    const char *tags[1] = {tag};
    wb_error err = {0};
    assert_int_equal(
        wb_store_event_put(st, &ev, tags, tag ? 1 : 0, at, (size_t)n, false, NULL, &err), 0);
    for (int i = 0; i < n; i++) {
        assert_int_equal(wb_store_attr_get(st, uuids[i], on_attr, NULL, &err), 0);
        ids[i] = attr_id;
    }
}

static void sighting(wb_store *st, int64_t org, int64_t attr, wb_time at)
{
    wb_sighting_rec r = {.attribute_id = attr,
                         .org_id = org,
                         .type = 0,
                         .source = "test",
                         .date_sighting = at / 1000000,
                         .count = 1 + rnd(3),
                         .first_seen = at / 1000000 - rnd(3600)};
    wb_error err = {0};
    assert_int_equal(wb_store_sighting_add(st, &r, NULL, &err), 0);
}

/* A scan of org named name at time at with nk KEV-and-overdue findings
 * and no others overdue. */
static void scan(wb_store *st, int64_t org, const char *name, wb_time at, int nk, bool shared)
{
    wb_buf body = {0};
    wb_buf_putc(&body, '[');
    for (int i = 0; i < nk; i++)
        wb_buf_printf(&body,
                      "{\"vulnerability\":\"CVE-2025-%04d\",\"kev\":true,\"overdue\":true,"
                      "\"deadline\":\"2025-11-0%dT00:00:00Z\"},",
                      1000 + i, 1 + i % 9);
    wb_buf_puts(&body, "{\"vulnerability\":\"CVE-2025-9999\",\"kev\":false,\"overdue\":false}]");
    wb_vscan_rec r = {.org_id = org,
                      .name = name,
                      .author = "t@example.org",
                      .created = at,
                      .components = 3,
                      .findings = nk + 1,
                      .kev = nk,
                      .overdue = nk,
                      .summary = "{}",
                      .body = body.data};
    wb_error err = {0};
    int64_t id;
    assert_int_equal(wb_store_vscan_add(st, &r, &id, &err), 0);
    wb_buf_free(&body);
    if (shared) assert_int_equal(wb_store_vscan_share(st, id, true, &err), 0);
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

    /* Sightings: a CLEAR event with a threat actor, a GREEN one with
     * none, both for every community; a RED one for its creator only,
     * whose indicators the water sector sees (a reader other than its
     * creator must not count those). */
    int64_t clear[8], green[8], red[4];
    assert_int_equal(wb_store_org_add(st, "Org-csirt", WB_ORG_CSIRT, NULL, NULL, &csirt, &err), 0);
    event(st, csirt, 1, WB_TLP_CLEAR, 3, "misp-galaxy:threat-actor=\"APT-T\"", 8, 0, clear);
    event(st, csirt, 2, WB_TLP_GREEN, 3, NULL, 8, 100, green);
    event(st, csirt, 3, WB_TLP_RED, 0, "misp-galaxy:threat-actor=\"APT-R\"", 4, 200, red);
    assert_int_equal(wb_store_begin(st, &err), 0);
    for (int i = 0; i < 489; i++) {
        int m = (int)rnd(3);
        for (int j = 0; j < m; j++) {
            wb_time t = (rnd(2) ? dec : jan) + (wb_time)rnd(31 * 24) * HOUR;
            sighting(st, ids[i], rnd(2) ? clear[rnd(8)] : green[rnd(8)], t);
        }
        if (strcmp(sec_of[i], "water") == 0)
            sighting(st, ids[i], red[rnd(4)], jan + (wb_time)rnd(31 * 24) * HOUR);
    }
    /* the solo organisation sees a CLEAR indicator */
    sighting(st, ids[489], clear[0], jan + DAY);
    /* Exposure: energy shares its scans (an older one of the same
     * inventory is replaced), water does not, the trio does, solo does. */
    for (int i = 0; i < 500; i++) {
        bool energy = strcmp(sec_of[i], "energy") == 0, water = strcmp(sec_of[i], "water") == 0,
             small = strcmp(sec_of[i], "trio") == 0 || strcmp(sec_of[i], "solo") == 0;
        if (!energy && !water && !small) continue;
        scan(st, ids[i], "servers", dec + (wb_time)rnd(20) * DAY, (int)rnd(4), !water);
        if (energy && rnd(2))
            scan(st, ids[i], "servers", jan + (wb_time)rnd(20) * DAY, (int)rnd(3), true);
        if (water || small) scan(st, ids[i], "desktops", jan + DAY, 2, !water);
    }
    assert_int_equal(wb_store_commit(st, &err), 0);

    /* Resilience: the CSIRT's route covers energy, health, trio and solo;
     * energy, trio and solo share their assessments with it, health does
     * not. Each has a version in December; half of energy a second one in
     * January, the other half one after the period (not counted). */
    static const char *const routed[] = {"energy", "health", "trio", "solo"};
    for (size_t r = 0; r < 4; r++)
        assert_int_equal(wb_store_route_set(st, routed[r], csirt, 0, &err), 0);
    char cdir[4096], path[4200];
    assert_int_equal(wb_catalogue_default_dir(cdir, sizeof cdir, &err), 0);
    snprintf(path, sizeof path, "%s/cbw_nis2.yaml", cdir);
    assert_int_equal(wb_catalogue_load(path, &cat, &err), 0);
    snprintf(path, sizeof path, "%s/%s.yaml", cdir, WB_PRINCIPLES_CATALOGUE);
    assert_int_equal(wb_catalogue_load(path, &principles, &err), 0);
    static const char *const refs[] = {"1.1", "2.1", "3.1", "4.1", "5.1", "6.1"};
    for (int i = 0; i < 500; i++) {
        bool energy = i < 30, health = i >= 350 && i < 360, small = i >= 489 && i <= 492;
        if (!energy && !health && !small) continue;
        char name[64];
        snprintf(name, sizeof name, "Org-%s-%d", sec_of[i],
                 i - (energy              ? 0
                      : health            ? 350
                      : small && i == 489 ? 489
                                          : 490));
        int64_t aid;
        assert_int_equal(wb_assessdb_create(st, cat, name, NULL, 3, "t", &aid, &err), 0);
        for (int v = 0; v < (energy ? 2 : 1); v++) {
            wb_answer a = {.ref = refs[rnd(6)], .level = (int)rnd(6), .due = WB_TIME_NONE};
            assert_int_equal(wb_assessdb_answer(st, aid, cat, &a, "t", NULL, &err), 0);
        }
        if (!health)
            assert_int_equal(wb_assessdb_share(st, aid, WB_SHARE_CSIRT, true, "t", &err), 0);
    }
    wb_store_close(st);
    /* the store stamps versions with the clock: set them by hand */
    sqlite3 *d;
    assert_int_equal(sqlite3_open(db, &d), SQLITE_OK);
    char sql[512];
    snprintf(sql, sizeof sql,
             "DROP TRIGGER assessment_versions_no_update; UPDATE assessment_versions SET created = "
             "CASE WHEN version = 1 THEN %lld WHEN assessment_id %% 2 = 0 THEN %lld ELSE %lld END",
             (long long)(dec + DAY), (long long)(jan + DAY), (long long)(feb + DAY));
    assert_int_equal(sqlite3_exec(d, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(d);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    wb_catalogue_free(cat);
    wb_catalogue_free(principles);
    unlink(db);
    rmdir(dir);
    return 0;
}

static json_t *picture_as(unsigned k, const wb_principal *reader)
{
    wb_picture_opts o = {.from = jan, .to = feb, .k = k, .reader = reader};
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

static json_t *picture(unsigned k)
{
    return picture_as(k, NULL);
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

/* The fixpoint of table rec (columns org, d0..d<ndims-1>) by DELETE. */
static void fixpoint_sql(sqlite3 *d, const char *rec, int ndims, unsigned k)
{
    char sql[512];
    for (int changed = 1; changed;) {
        changed = 0;
        for (int dim = 0; dim < ndims; dim++) {
            snprintf(sql, sizeof sql,
                     "DELETE FROM %s WHERE d%d IN (SELECT d%d FROM %s GROUP BY d%d HAVING "
                     "count(DISTINCT org) < %u)",
                     rec, dim, dim, rec, dim, k);
            assert_int_equal(sqlite3_exec(d, sql, NULL, NULL, NULL), SQLITE_OK);
            changed |= sqlite3_changes(d) > 0;
        }
    }
}

/* Every table of a theme against the SQL records: a published cell has
 * the records' count and organisations (>= k), a suppressed one has no
 * records left, and every table adds up to the total. */
static void tables_match(sqlite3 *d, json_t *th, const char *rec, const char *const *by, int ndims,
                         const char *count, unsigned k)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", rec);
    long long total = q1(d, sql);
    assert_true(total > 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(th, "total"), count)),
                     total);
    for (int dim = 0; dim < ndims; dim++) {
        json_t *arr = json_object_get(json_object_get(th, "by"), by[dim]), *c;
        size_t i;
        long long sum = 0;
        json_array_foreach(arr, i, c)
        {
            const char *key = json_string_value(json_object_get(c, "key"));
            snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE d%d = '%s'", rec, dim, key);
            long long n = q1(d, sql);
            if (json_is_true(json_object_get(c, "suppressed"))) {
                assert_int_equal(n, 0);
                assert_null(json_object_get(c, count));
                continue;
            }
            assert_int_equal(json_integer_value(json_object_get(c, count)), n);
            snprintf(sql, sizeof sql, "SELECT count(DISTINCT org) FROM %s WHERE d%d = '%s'", rec,
                     dim, key);
            long long orgs = q1(d, sql);
            assert_true(orgs >= (long long)k);
            assert_int_equal(json_integer_value(json_object_get(c, "organisations")), orgs);
            sum += n;
        }
        assert_int_equal(sum, total);
    }
}

static json_t *theme(json_t *j, const char *name)
{
    return json_object_get(json_object_get(j, "themes"), name);
}

/* Sightings, for the operator (every event) and for a member of an energy
 * organisation, who cannot read the RED event the water sector sighted:
 * those sightings must change nothing it sees. */
static void sightings_check(sqlite3 *d, unsigned k, const wb_principal *reader)
{
    json_t *j = picture_as(k, reader);
    char sql[2048];
    assert_int_equal(sqlite3_exec(d, "DROP TABLE IF EXISTS srec", NULL, NULL, NULL), SQLITE_OK);
    snprintf(sql, sizeof sql,
             "CREATE TEMP TABLE srec AS SELECT s.org_id AS org, o.sector AS d0, a.type AS d1, "
             "strftime('%%Y-%%m', s.date_sighting, 'unixepoch') AS d2, coalesce((SELECT "
             "substr(t.name, instr(t.name, '\"') + 1, length(t.name) - instr(t.name, '\"') - 1) "
             "FROM event_tags t WHERE t.event_id = e.id AND t.name LIKE 'misp-galaxy:%%' ORDER BY "
             "t.name LIKE 'misp-galaxy:threat-actor=%%' DESC LIMIT 1), '(none)') AS d3, s.count "
             "AS cnt FROM sightings s JOIN attributes a ON a.id = s.attribute_id JOIN events e ON "
             "e.id = a.event_id JOIN orgs o ON o.id = s.org_id WHERE s.type = 0 AND a.deleted = 0 "
             "AND e.deleted = 0 AND s.date_sighting >= %lld AND s.date_sighting < %lld%s",
             (long long)(jan / 1000000), (long long)(feb / 1000000),
             reader ? " AND e.distribution <> 0" : "");
    assert_int_equal(sqlite3_exec(d, sql, NULL, NULL, NULL), SQLITE_OK);
    fixpoint_sql(d, "srec", 4, k);
    static const char *const by[] = {"sector", "type", "month", "threat"};
    json_t *th = theme(j, "sightings");
    tables_match(d, th, "srec", by, 4, "sightings", k);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(th, "total"), "times_seen")),
        q1(d, "SELECT sum(cnt) FROM srec"));
    /* the solo organisation's sighting: suppressed, not a zero */
    json_t *c = cell(j, "sightings", "sector", "solo");
    assert_true(json_is_true(json_object_get(c, "suppressed")));
    /* indicator values only from TLP:CLEAR, each seen by >= k organisations */
    json_t *top = json_object_get(th, "top_indicators"), *t;
    size_t i;
    assert_true(json_array_size(top) > 0);
    json_array_foreach(top, i, t)
    {
        assert_true(json_integer_value(json_object_get(t, "organisations")) >= (json_int_t)k);
        assert_true(
            strncmp(json_string_value(json_object_get(t, "key")), "ip-dst 198.51.100.", 18) == 0);
    }
    char *txt = json_dumps(j, 0);
    assert_null(strstr(txt, "198.51.100.10")); /* GREEN */
    assert_null(strstr(txt, "198.51.100.20")); /* RED */
    if (reader) assert_null(strstr(txt, "APT-R"));
    free(txt);
    json_decref(j);
}

static void test_sightings_sql(void **state)
{
    (void)state;
    sqlite3 *d;
    assert_int_equal(sqlite3_open_v2(db, &d, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    wb_principal member = {.authenticated = true,
                           .org_id = q1(d, "SELECT id FROM orgs WHERE name = 'Org-energy-1'"),
                           .role = WB_ROLE_MEMBER};
    sightings_check(d, 3, NULL);
    long long all = q1(d, "SELECT count(*) FROM srec");
    sightings_check(d, 3, &member);
    /* the policy took the RED event's sightings out */
    assert_true(q1(d, "SELECT count(*) FROM srec") < all);
    sightings_check(d, 5, &member);
    sqlite3_close(d);
}

/* Exposure: each organisation's newest shared scan of each inventory
 * before the period's end; water shares nothing and must not show. */
static void test_exposure_sql(void **state)
{
    (void)state;
    json_t *j = picture(3);
    sqlite3 *d;
    assert_int_equal(sqlite3_open_v2(db, &d, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "CREATE TEMP TABLE xrec AS SELECT v.org_id AS org, o.sector AS d0, (SELECT count(*) "
             "FROM json_each(v.body) f WHERE json_extract(f.value, '$.kev') AND "
             "json_extract(f.value, '$.overdue')) AS ko FROM vuln_scans v JOIN orgs o ON o.id = "
             "v.org_id WHERE v.shared_csirt = 1 AND v.created < %lld AND NOT EXISTS (SELECT 1 FROM "
             "vuln_scans w WHERE w.org_id = v.org_id AND w.name = v.name AND w.created < %lld AND "
             "(w.created > v.created OR (w.created = v.created AND w.id > v.id)))",
             (long long)feb, (long long)feb);
    assert_int_equal(sqlite3_exec(d, sql, NULL, NULL, NULL), SQLITE_OK);
    fixpoint_sql(d, "xrec", 1, 3);
    static const char *const by[] = {"sector"};
    json_t *th = theme(j, "exposure");
    tables_match(d, th, "xrec", by, 1, "scans", 3);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(th, "total"), "kev_overdue_findings")),
        q1(d, "SELECT sum(ko) FROM xrec"));
    json_t *c = cell(j, "exposure", "sector", "energy");
    assert_int_equal(json_integer_value(json_object_get(c, "kev_overdue_findings")),
                     q1(d, "SELECT sum(ko) FROM xrec WHERE d0 = 'energy'"));
    assert_null(cell(j, "exposure", "sector", "water")); /* not shared */
    assert_true(json_is_true(json_object_get(cell(j, "exposure", "sector", "solo"), "suppressed")));
    c = cell(j, "exposure", "sector", "trio");
    assert_int_equal(json_integer_value(json_object_get(c, "scans")), 6);
    /* the vulnerabilities affecting the most organisations, each >= k */
    json_t *top = json_object_get(th, "top_vulnerabilities"), *t;
    size_t i;
    assert_true(json_array_size(top) > 0 && json_array_size(top) <= 10);
    json_array_foreach(top, i, t)
        assert_true(json_integer_value(json_object_get(t, "organisations")) >= 3);
    sqlite3_close(d);
    json_decref(j);
}

/* Resilience as the CSIRT sees it: only assessments shared with it, of
 * the sectors routed to it, each organisation's newest version before the
 * period's end; checked against SQL; health did not share and must not
 * show, solo is a sector of one. */
static void test_resilience_sql(void **state)
{
    (void)state;
    wb_principal who = {.authenticated = true, .org_id = csirt, .role = WB_ROLE_MEMBER};
    wb_picture_opts o = {.from = jan,
                         .to = feb,
                         .k = 3,
                         .viewer = csirt,
                         .audience = WB_SHARE_CSIRT,
                         .reader = &who,
                         .catalogue = cat,
                         .principles = principles};
    wb_buf b = {0};
    wb_error err = {0};
    assert_int_equal(wb_picture_build_db(db, &o, &b, &err), 0);
    json_t *j = json_loadb(b.data, b.len, 0, NULL);
    wb_buf_free(&b);
    sqlite3 *d;
    assert_int_equal(sqlite3_open_v2(db, &d, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    char sql[1024];
    snprintf(
        sql, sizeof sql,
        "CREATE TEMP TABLE rrec AS SELECT a.org_id AS org, o.sector AS d0 FROM assessments a "
        "JOIN orgs o ON o.id = a.org_id WHERE a.catalogue = 'cbw_nis2' AND o.sector IN "
        "('energy', 'health', 'trio', 'solo') AND (SELECT s.shared FROM assessment_shares s "
        "WHERE s.assessment_id = a.id AND s.audience = 'csirt' ORDER BY s.id DESC LIMIT 1) = 1 "
        "AND EXISTS (SELECT 1 FROM assessment_versions v WHERE v.assessment_id = a.id AND "
        "v.created < %lld)",
        (long long)feb);
    assert_int_equal(sqlite3_exec(d, sql, NULL, NULL, NULL), SQLITE_OK);
    fixpoint_sql(d, "rrec", 1, 3);
    static const char *const by[] = {"sector"};
    json_t *th = theme(j, "resilience");
    tables_match(d, th, "rrec", by, 1, "assessments", 3);
    json_t *c = cell(j, "resilience", "sector", "health");
    assert_true(json_is_true(json_object_get(c, "suppressed"))); /* shared nothing */
    assert_true(
        json_is_true(json_object_get(cell(j, "resilience", "sector", "solo"), "suppressed")));
    c = cell(j, "resilience", "sector", "energy");
    assert_int_equal(json_integer_value(json_object_get(c, "organisations")), 30);
    double m = json_number_value(json_object_get(c, "mean_score"));
    assert_true(m >= 0 && m <= 5);
    /* every energy organisation had a version in December too */
    assert_non_null(json_object_get(c, "change"));
    assert_true(json_number_value(json_object_get(c, "coverage")) > 0.14 &&
                json_number_value(json_object_get(c, "coverage")) < 0.16); /* 30 of 200 */
    json_t *pr = json_object_get(json_object_get(th, "by"), "principle"), *p;
    size_t i;
    assert_true(json_array_size(pr) > 0);
    json_array_foreach(pr, i, p) if (!json_object_get(p, "suppressed"))
        assert_true(json_integer_value(json_object_get(p, "organisations")) >= 3);
    /* the same view without the share filter would count health */
    assert_int_equal(q1(d, "SELECT count(*) FROM rrec WHERE d0 = 'health'"), 0);
    sqlite3_close(d);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_sql_k3), cmocka_unit_test(test_matches_sql_k5),
        cmocka_unit_test(test_adversarial),    cmocka_unit_test(test_timeliness_sql),
        cmocka_unit_test(test_sightings_sql),  cmocka_unit_test(test_exposure_sql),
        cmocka_unit_test(test_resilience_sql),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
