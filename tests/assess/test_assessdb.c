/*
 * test_assessdb.c - assessments in a store: create, answer and import make
 * numbered versions that are never rewritten (the database refuses), a
 * version loads with the one before it, a bad import writes nothing, shares
 * and revocations, ID@VERSION, and the sector view's k-anonymity: cells at
 * k-1 organisations suppressed, at k shown, and the total made only of what
 * is shown.
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

#include "weerbaar/assessdb.h"

#define DATA WB_TEST_DATA "/../../data/catalogues/"

static char dir[64], db[96];
static wb_catalogue *cbw, *pr;

static int setup(void **state)
{
    (void)state;
    wb_error err = {0};
    snprintf(dir, sizeof dir, "/tmp/wb-adb-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/t.db", dir);
    if (cbw == NULL) {
        assert_int_equal(wb_catalogue_load(DATA "cbw_nis2.yaml", &cbw, &err), 0);
        assert_int_equal(wb_catalogue_load(DATA "ncsc-basic-principles.yaml", &pr, &err), 0);
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static int all_done(void **state)
{
    (void)state;
    wb_catalogue_free(cbw);
    wb_catalogue_free(pr);
    return 0;
}

static wb_store *open_with_orgs(void)
{
    wb_store *st;
    wb_error err = {0};
    assert_int_equal(wb_store_open(&st, db, &err), 0);
    assert_int_equal(wb_store_schema_version(st), 7); /* the newest migration */
    assert_int_equal(wb_store_org_add(st, "Gamma", WB_ORG_ESSENTIAL, "energy", NULL, NULL, &err),
                     0);
    assert_int_equal(wb_store_org_add(st, "NCSC", WB_ORG_CSIRT, NULL, NULL, NULL, &err), 0);
    return st;
}

static wb_answer ans(const char *ref, int level)
{
    return (wb_answer){.ref = ref, .level = level, .due = WB_TIME_NONE};
}

typedef struct hist {
    int versions[8];
    char actions[8][128];
    size_t n;
} hist;

static int hist_cb(void *ud, const wb_assessment_version_rec *v)
{
    hist *h = ud;
    assert_null(v->json);
    if (h->n < 8) {
        h->versions[h->n] = v->version;
        snprintf(h->actions[h->n], sizeof h->actions[h->n], "%s", v->action);
        h->n++;
    }
    return 0;
}

static void test_versions(void **state)
{
    (void)state;
    wb_store *st = open_with_orgs();
    wb_error err = {0};
    int64_t id = 0;
    int v = 0;
    assert_int_equal(wb_assessdb_create(st, cbw, "Nobody", NULL, 3, "cli", &id, &err),
                     WB_ENOTFOUND);
    assert_int_equal(wb_assessdb_create(st, cbw, "Gamma", "IT", 9, "cli", &id, &err), WB_EINVAL);
    assert_int_equal(wb_assessdb_create(st, cbw, "gamma", "whole entity", 4, "cli", &id, &err), 0);
    assert_true(id > 0);

    /* no answers yet: version 0, empty sets */
    wb_assessdb_view *view = NULL;
    assert_int_equal(wb_assessdb_load(st, id, 0, &view, &err), 0);
    assert_int_equal(view->version, 0);
    assert_int_equal(view->answers->n, 0);
    assert_string_equal(view->a.org_name, "Gamma");
    assert_string_equal(view->a.org_sector, "energy");
    assert_string_equal(view->a.catalogue, "cbw_nis2");
    assert_string_equal(view->a.scope, "whole entity");
    assert_int_equal(view->a.target, 4);
    wb_assessdb_view_free(view);
    assert_int_equal(wb_assessdb_load(st, id, 1, &view, &err), WB_ENOTFOUND);
    assert_int_equal(wb_assessdb_load(st, id + 1, 0, &view, &err), WB_ENOTFOUND);

    /* answers: each a version */
    wb_answer a = ans("1.1", 2);
    a.owner = "CISO";
    assert_int_equal(wb_assessdb_answer(st, id, cbw, &a, "cli", &v, &err), 0);
    assert_int_equal(v, 1);
    a = ans("11.1", WB_LEVEL_NA);
    assert_int_equal(wb_assessdb_answer(st, id, cbw, &a, "cli", &v, &err), 0);
    assert_int_equal(v, 2);
    a = ans("1.1", 4);
    assert_int_equal(wb_assessdb_answer(st, id, cbw, &a, "cli", &v, &err), 0);
    assert_int_equal(v, 3);
    /* a heading is not answerable; nothing is written */
    a = ans("zorgplicht-(art.-21)", 1);
    assert_int_equal(wb_assessdb_answer(st, id, cbw, &a, "cli", &v, &err), WB_EINVAL);
    assert_non_null(strstr(err.msg, "not an assessable requirement of cbw_nis2"));
    a = ans("1.1", 7);
    assert_int_equal(wb_assessdb_answer(st, id, cbw, &a, "cli", &v, &err), WB_EINVAL);

    assert_int_equal(wb_assessdb_load(st, id, 0, &view, &err), 0);
    assert_int_equal(view->version, 3);
    assert_int_equal(view->prev_version, 2);
    assert_int_equal(wb_answers_find(view->answers, "1.1")->level, 4);
    assert_int_equal(wb_answers_find(view->previous, "1.1")->level, 2);
    assert_string_equal(wb_answers_find(view->previous, "1.1")->owner, "CISO");
    /* the owner was not given again: an answer replaces the whole row */
    assert_null(wb_answers_find(view->answers, "1.1")->owner);
    assert_int_equal(wb_answers_find(view->answers, "11.1")->level, WB_LEVEL_NA);
    assert_string_equal(view->version_action, "answer 1.1 level 4");
    wb_assessdb_view_free(view);
    assert_int_equal(wb_assessdb_load(st, id, 1, &view, &err), 0);
    assert_int_equal(view->version, 1);
    assert_int_equal(view->prev_version, 0);
    assert_int_equal(view->previous->n, 0);
    assert_null(wb_answers_find(view->answers, "11.1"));
    wb_assessdb_view_free(view);

    /* an import replaces the set as one new version; a bad one writes nothing */
    const char *bad = "ref,level\n1.1,3\n2.1,six\n";
    assert_int_equal(wb_assessdb_import(st, id, cbw, bad, strlen(bad), "bad.csv", "cli", &v, &err),
                     WB_EPARSE);
    assert_non_null(strstr(err.msg, "bad.csv:3: row 3, column level"));
    const char *good = "ref,level,owner\n1.1,3,CISO\n2.1,1,Risk\n";
    assert_int_equal(
        wb_assessdb_import(st, id, cbw, good, strlen(good), "dir/good.csv", "cli", &v, &err), 0);
    assert_int_equal(v, 4);
    hist h = {0};
    assert_int_equal(wb_store_assessment_version_list(st, id, hist_cb, &h, &err), 0);
    assert_int_equal(h.n, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(h.versions[i], i + 1);
    assert_string_equal(h.actions[3], "import good.csv (2 answers)");

    /* history is immutable, enforced by the database itself */
    assert_int_equal(wb_assessdb_share(st, id, WB_SHARE_CSIRT, true, "cli", &err), 0);
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
    assert_int_not_equal(
        sqlite3_exec(raw, "UPDATE assessment_versions SET json='{}'", NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(raw, "DELETE FROM assessment_versions", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(raw, "UPDATE assessments SET target=1", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(raw, "DELETE FROM assessment_shares", NULL, NULL, NULL),
                         SQLITE_OK);
    sqlite3_close(raw);

    /* another catalogue's answers are refused */
    assert_int_equal(wb_assessdb_answer(
                         st, id, pr, &(wb_answer){.ref = "BP1.1", .level = 1, .due = WB_TIME_NONE},
                         "cli", &v, &err),
                     WB_EINVAL);
    assert_non_null(strstr(err.msg, "is of catalogue cbw_nis2, not ncsc-basic-principles"));
    wb_store_close(st);
}

static int share_cb(void *ud, const wb_assessment_rec *a)
{
    *(wb_assessment_rec *)ud = *a;
    return 1;
}

static void test_share(void **state)
{
    (void)state;
    wb_store *st = open_with_orgs();
    wb_error err = {0};
    int64_t id = 0;
    wb_assessment_rec r;
    assert_int_equal(wb_assessdb_create(st, cbw, "Gamma", NULL, 3, "cli", &id, &err), 0);
    assert_int_equal(wb_store_assessment_get(st, id, share_cb, &r, &err), 0);
    assert_false(r.shared_csirt);
    assert_false(r.shared_supervisor);
    assert_int_equal(wb_assessdb_share(st, id, WB_SHARE_CSIRT, true, "cli", &err), 0);
    assert_int_equal(wb_store_assessment_get(st, id, share_cb, &r, &err), 0);
    assert_true(r.shared_csirt);
    assert_false(r.shared_supervisor);
    assert_int_equal(wb_assessdb_share(st, id, WB_SHARE_SUPERVISOR, true, "cli", &err), 0);
    assert_int_equal(wb_assessdb_share(st, id, WB_SHARE_CSIRT, false, "cli", &err), 0);
    assert_int_equal(wb_store_assessment_get(st, id, share_cb, &r, &err), 0);
    assert_false(r.shared_csirt);
    assert_true(r.shared_supervisor);
    assert_int_equal(wb_assessdb_share(st, id + 5, WB_SHARE_CSIRT, true, "cli", &err),
                     WB_ENOTFOUND);
    wb_share_audience au;
    assert_int_equal(wb_share_audience_parse("supervisor", &au), 0);
    assert_int_equal(au, WB_SHARE_SUPERVISOR);
    assert_int_equal(wb_share_audience_parse("board", &au), WB_EINVAL);
    wb_store_close(st);
}

static void test_parse_ref(void **state)
{
    (void)state;
    int64_t id;
    int v;
    assert_int_equal(wb_assessdb_parse_ref("12", &id, &v), 0);
    assert_int_equal(id, 12);
    assert_int_equal(v, 0);
    assert_int_equal(wb_assessdb_parse_ref("12@3", &id, &v), 0);
    assert_int_equal(v, 3);
    assert_int_equal(wb_assessdb_parse_ref("12@0", &id, &v), WB_EINVAL);
    assert_int_equal(wb_assessdb_parse_ref("12@", &id, &v), WB_EINVAL);
    assert_int_equal(wb_assessdb_parse_ref("@3", &id, &v), WB_EINVAL);
    assert_int_equal(wb_assessdb_parse_ref("0", &id, &v), WB_EINVAL);
    assert_int_equal(wb_assessdb_parse_ref("cbw_nis2", &id, &v), WB_EINVAL);
    assert_int_equal(wb_assessdb_parse_ref("12@3@4", &id, &v), WB_EINVAL);
}

/* One organisation in `sector` whose assessment answers 1.1 with `level`. */
static void org_with_level(wb_store *st, const char *name, const char *sector, int level)
{
    wb_error err = {0};
    int64_t id;
    assert_int_equal(wb_store_org_add(st, name, WB_ORG_ESSENTIAL, sector, NULL, NULL, &err), 0);
    assert_int_equal(wb_assessdb_create(st, cbw, name, NULL, 3, "cli", &id, &err), 0);
    wb_answer a = ans("1.1", level);
    assert_int_equal(wb_assessdb_answer(st, id, cbw, &a, "cli", NULL, &err), 0);
}

static int h1_cb(void *ud, const wb_assessment_rec *a)
{
    if (strcmp(a->org_name, "H1") == 0) *(int64_t *)ud = a->id;
    return 0;
}

static void test_sectors(void **state)
{
    (void)state;
    wb_store *st = open_with_orgs();
    wb_error err = {0};
    wb_sector_view *v = NULL;
    /* Gamma (energy) has no answers: it is not counted */
    int64_t unused;
    assert_int_equal(wb_assessdb_create(st, cbw, "Gamma", NULL, 3, "cli", &unused, &err), 0);
    /* energy: 2 organisations (k - 1), health: 3 (k) */
    org_with_level(st, "E1", "energy", 5);
    org_with_level(st, "E2", "energy", 5);
    org_with_level(st, "H1", "health", 1);
    org_with_level(st, "H2", "health", 2);
    org_with_level(st, "H3", "health", 3);
    assert_int_equal(wb_assessdb_sectors(st, cbw, pr, 1, &v, &err), WB_EINVAL);
    assert_int_equal(wb_assessdb_sectors(st, cbw, pr, 3, &v, &err), 0);
    assert_int_equal(v->nrows, 3);
    assert_true(v->mapped);
    assert_int_equal(v->nprinciples, 5);
    const wb_sector_row *energy = &v->rows[0], *health = &v->rows[1], *total = &v->rows[2];
    assert_string_equal(energy->sector, "energy");
    assert_true(energy->suppressed);
    assert_int_equal(energy->orgs, 0);
    assert_true(energy->overall.suppressed);
    assert_string_equal(health->sector, "health");
    assert_false(health->suppressed);
    assert_int_equal(health->orgs, 3);
    assert_int_equal(health->overall.n, 3);
    /* 1.1 is one of 27 requirements: each organisation's overall is the
     * catalogue's mean over its tree; their mean is what is shown */
    double sum = 0;
    for (int level = 1; level <= 3; level++) {
        wb_answers *a = wb_answers_new();
        wb_scores *sc = NULL;
        wb_answer x = ans("1.1", level);
        assert_int_equal(wb_answers_set(a, &x, &err), 0);
        assert_int_equal(wb_assess_score(cbw, a, pr, 3, &sc, &err), 0);
        sum += sc->overall.value;
        wb_scores_free(sc);
        wb_answers_free(a);
    }
    assert_true(health->overall.value > sum / 3 - 1e-9 && health->overall.value < sum / 3 + 1e-9);
    /* the total holds health only: energy cannot be had by subtraction */
    assert_int_equal(total->orgs, 3);
    assert_int_equal(total->overall.n, 3);
    assert_true(total->overall.value == health->overall.value);
    wb_buf out = {0};
    assert_int_equal(wb_sector_view_json(v, &out), 0);
    assert_non_null(strstr(out.data, "\"sector\": \"energy\",\n      \"organisations\": null,\n"
                                     "      \"suppressed\": true"));
    wb_buf_free(&out);
    wb_sector_view_free(v);

    /* a third energy organisation: k reached, both shown, total over 6 */
    org_with_level(st, "E3", "energy", 5);
    assert_int_equal(wb_assessdb_sectors(st, cbw, pr, 3, &v, &err), 0);
    assert_false(v->rows[0].suppressed);
    assert_int_equal(v->rows[0].orgs, 3);
    assert_int_equal(v->rows[2].orgs, 6);
    assert_int_equal(v->rows[2].overall.n, 6);
    assert_true(v->rows[0].overall.value > v->rows[1].overall.value);
    wb_sector_view_free(v);

    /* an organisation's newer assessment replaces its older one */
    int64_t again;
    assert_int_equal(wb_assessdb_create(st, cbw, "E3", NULL, 3, "cli", &again, &err), 0);
    wb_answer lo = ans("1.1", 0);
    assert_int_equal(wb_assessdb_answer(st, again, cbw, &lo, "cli", NULL, &err), 0);
    assert_int_equal(wb_assessdb_sectors(st, cbw, pr, 3, &v, &err), 0);
    assert_int_equal(v->rows[0].orgs, 3);
    /* E1, E2 at level 5, E3 now at 0: two thirds of a level-5 organisation */
    {
        wb_answers *five = wb_answers_new();
        wb_scores *sc = NULL;
        wb_answer x = ans("1.1", 5);
        assert_int_equal(wb_answers_set(five, &x, &err), 0);
        assert_int_equal(wb_assess_score(cbw, five, pr, 3, &sc, &err), 0);
        double want = 2 * sc->overall.value / 3;
        assert_true(v->rows[0].overall.value > want - 1e-9 &&
                    v->rows[0].overall.value < want + 1e-9);
        wb_scores_free(sc);
        wb_answers_free(five);
    }
    wb_sector_view_free(v);

    /* H1 finds principle 4 (access: cbw 10.1 and 11.1) not applicable: the
     * health cell of principle 4 has 2 < k values and is suppressed inside a
     * published row, and the total of that column is energy's alone */
    {
        int64_t h1 = 0;
        assert_int_equal(wb_store_assessment_list(st, 0, h1_cb, &h1, &err), 0);
        assert_true(h1 > 0);
        wb_answer na = ans("10.1", WB_LEVEL_NA);
        assert_int_equal(wb_assessdb_answer(st, h1, cbw, &na, "cli", NULL, &err), 0);
        na.ref = "11.1";
        assert_int_equal(wb_assessdb_answer(st, h1, cbw, &na, "cli", NULL, &err), 0);
    }
    assert_int_equal(wb_assessdb_sectors(st, cbw, pr, 3, &v, &err), 0);
    assert_string_equal(v->principle_refs[3], "BP4");
    assert_false(v->rows[1].suppressed);
    assert_true(v->rows[1].principles[3].suppressed);
    assert_false(v->rows[1].principles[0].suppressed);
    assert_int_equal(v->rows[2].principles[3].n, 3);
    assert_true(v->rows[2].principles[3].value == v->rows[0].principles[3].value);
    assert_int_equal(v->rows[2].principles[0].n, 6);
    wb_sector_view_free(v);

    /* with k = 4 nothing is shown, the total neither */
    assert_int_equal(wb_assessdb_sectors(st, cbw, pr, 4, &v, &err), 0);
    assert_true(v->rows[0].suppressed && v->rows[1].suppressed && v->rows[2].suppressed);
    assert_true(v->rows[2].overall.suppressed);
    wb_sector_view_free(v);
    wb_store_close(st);
}

static void test_view_json(void **state)
{
    (void)state;
    wb_store *st = open_with_orgs();
    wb_error err = {0};
    int64_t id;
    assert_int_equal(wb_assessdb_create(st, cbw, "Gamma", "IT", 2, "cli", &id, &err), 0);
    wb_answer a = ans("1.1", 3);
    a.owner = "CISO";
    assert_int_equal(wb_assessdb_answer(st, id, cbw, &a, "cli", NULL, &err), 0);
    a = ans("11.1", WB_LEVEL_NA);
    assert_int_equal(wb_time_parse("2026-06-30", 10, &a.due), 0);
    assert_int_equal(wb_assessdb_answer(st, id, cbw, &a, "cli", NULL, &err), 0);
    wb_assessdb_view *v = NULL, *w = NULL;
    assert_int_equal(wb_assessdb_load(st, id, 0, &v, &err), 0);
    wb_buf b = {0};
    assert_int_equal(wb_assessdb_view_json(v, &b), 0);
    assert_int_equal(wb_assessdb_view_parse(b.data, b.len, "hub", &w, &err), 0);
    assert_int_equal(w->a.id, id);
    assert_string_equal(w->a.org_name, "Gamma");
    assert_string_equal(w->a.scope, "IT");
    assert_int_equal(w->a.target, 2);
    assert_int_equal(w->version, 2);
    assert_int_equal(w->prev_version, 1);
    assert_int_equal(w->answers->n, 2);
    assert_int_equal(wb_answers_find(w->answers, "11.1")->due, a.due);
    assert_int_equal(wb_answers_find(w->previous, "1.1")->level, 3);
    assert_string_equal(w->version_action, "answer 11.1 level n/a");
    wb_assessdb_view_free(w);
    wb_buf_free(&b);
    wb_assessdb_view_free(v);

    /* what a broken or hostile hub might send */
    static const struct {
        const char *json, *msg;
    } bad[] = {
        {"[]", "expected an object"},
        {"{", "hub:"},
        {"{\"id\":0}", "$.id"},
        {"{\"id\":1,\"organisation\":3}", "$.organisation"},
        {"{\"id\":1,\"organisation\":\"G\",\"sector\":null,\"catalogue\":\"c\","
         "\"scope\":null,\"target\":9}",
         "$.target"},
        {"{\"id\":1,\"organisation\":\"G\",\"sector\":null,\"catalogue\":\"c\","
         "\"scope\":null,\"target\":3,\"author\":\"a\",\"created\":\"yesterday\"}",
         "$.created"},
        {"{\"id\":1,\"organisation\":\"G\",\"sector\":null,\"catalogue\":\"c\","
         "\"scope\":null,\"target\":3,\"author\":\"a\",\"created\":null,"
         "\"newest_version\":1,\"shared_with\":{\"csirt\":false,\"supervisor\":false},"
         "\"version\":1,\"version_time\":null,\"version_author\":null,"
         "\"version_action\":null,\"previous_version\":0,\"previous_time\":null,"
         "\"answers\":[{\"ref\":\"1.1\",\"level\":8}],\"previous\":[]}",
         "$.answers"},
        {"{\"id\":1,\"organisation\":\"G\",\"sector\":null,\"catalogue\":\"c\","
         "\"scope\":null,\"target\":3,\"author\":\"a\",\"created\":null,"
         "\"newest_version\":1,\"shared_with\":{\"csirt\":false,\"supervisor\":false},"
         "\"version\":1,\"version_time\":null,\"version_author\":null,"
         "\"version_action\":null,\"previous_version\":5,\"previous_time\":null,"
         "\"answers\":[],\"previous\":[]}",
         "versions out of order"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        w = NULL;
        int rc = wb_assessdb_view_parse(bad[i].json, strlen(bad[i].json), "hub", &w, &err);
        if (rc == 0 || w != NULL || strstr(err.msg, bad[i].msg) == NULL)
            fail_msg("case %zu: rc %d, message '%s', want '%s'", i, rc, err.msg, bad[i].msg);
    }
    wb_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_share, setup, teardown),
        cmocka_unit_test(test_parse_ref),
        cmocka_unit_test_setup_teardown(test_sectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_view_json, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, all_done);
}
