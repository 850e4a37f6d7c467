/*
 * test_hub_assess.c - who sees an assessment on the hub, through the API
 * handler (wb_hub_handle): every read path (get, versions, list) x every
 * kind of caller (own organisation, its routed CSIRT and supervisor before
 * and after a share and after a revocation, another organisation, another
 * CSIRT, a sensor key, a site admin whose read is audited, no key); who may
 * write and share; and the sector view's k-anonymity at k-1 and k
 * organisations. A hidden assessment must answer 404 exactly as a missing
 * one.
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
#include <jansson.h>

#include "common/hubfix.h"
#include "weerbaar/hub.h"
#include "weerbaar/store.h"

enum {
    C_OWN,
    C_OWN_ADMIN,
    C_CSIRT,
    C_SUPERVISOR,
    C_OTHER,
    C_OTHER_CSIRT,
    C_SENSOR,
    C_ADMIN,
    C_NOKEY,
    C_W1,
    C_W2,
    C_W3,
    N_CALLERS
};
static const char *const names[N_CALLERS] = {"own org",      "own org admin",
                                             "routed CSIRT", "routed supervisor",
                                             "other org",    "other CSIRT",
                                             "sensor",       "site admin",
                                             "no key",       "w1",
                                             "w2",           "w3"};

typedef struct fixture {
    hubfix h;
} fixture;

static unsigned call(fixture *f, const char *method, const char *path, const char *qkey,
                     const char *qval, int caller, const char *body, json_t **out)
{
    wb_hub_arg args[1] = {{qkey, qval}};
    wb_hub_request req = {
        .method = method, .path = path, .args = args, .nargs = qkey ? 1 : 0, .body = body};
    return hubfix_call(f->h.hub, &req, caller == C_NOKEY ? NULL : f->h.key[caller], out);
}

enum { O_OWN, O_CSIRT, O_SUP, O_OTHER, O_OCSIRT, O_SITE, O_W1, O_W2, O_W3, N_ORGS };
static const hubfix_org orgs[N_ORGS] = {
    [O_OWN] = {"Own", WB_ORG_ESSENTIAL, "energy"},
    [O_CSIRT] = {"CSIRT-E", WB_ORG_CSIRT, NULL},
    [O_SUP] = {"RDI", WB_ORG_SUPERVISOR, NULL},
    [O_OTHER] = {"Other", WB_ORG_IMPORTANT, "energy"},
    [O_OCSIRT] = {"CSIRT-X", WB_ORG_CSIRT, NULL},
    [O_SITE] = {"Site", WB_ORG_OTHER, NULL},
    [O_W1] = {"W1", WB_ORG_ESSENTIAL, "drinking_water"},
    [O_W2] = {"W2", WB_ORG_ESSENTIAL, "drinking_water"},
    [O_W3] = {"W3", WB_ORG_ESSENTIAL, "drinking_water"},
};
static const hubfix_user users[N_CALLERS] = {
    [C_OWN] = {"a@own.example", O_OWN, WB_ROLE_MEMBER},
    [C_OWN_ADMIN] = {"boss@own.example", O_OWN, WB_ROLE_ORG_ADMIN},
    [C_CSIRT] = {"c@csirt.example", O_CSIRT, WB_ROLE_MEMBER},
    [C_SUPERVISOR] = {"s@rdi.example", O_SUP, WB_ROLE_MEMBER},
    [C_OTHER] = {"o@other.example", O_OTHER, WB_ROLE_ORG_ADMIN},
    [C_OTHER_CSIRT] = {"x@csirtx.example", O_OCSIRT, WB_ROLE_MEMBER},
    [C_SENSOR] = {"sensor@own.example", O_OWN, WB_ROLE_SENSOR},
    [C_ADMIN] = {"admin@site.example", O_SITE, WB_ROLE_SITE_ADMIN},
    [C_W1] = {"w1@w.example", O_W1, WB_ROLE_ORG_ADMIN},
    [C_W2] = {"w2@w.example", O_W2, WB_ROLE_ORG_ADMIN},
    [C_W3] = {"w3@w.example", O_W3, WB_ROLE_ORG_ADMIN},
};

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    hubfix_begin(&f->h, "hubassess", orgs, N_ORGS, users, N_CALLERS);
    wb_error err;
    assert_int_equal(
        wb_store_route_set(f->h.st, "energy", f->h.org[O_CSIRT], f->h.org[O_SUP], &err), 0);
    assert_int_equal(
        wb_store_route_set(f->h.st, "drinking_water", f->h.org[O_CSIRT], f->h.org[O_SUP], &err), 0);
    hubfix_open(&f->h, &(wb_hub_opts){.connections = 2,
                                      .rate = 1e6,
                                      .catalogues = WB_TEST_DATA "/../../data/catalogues"});
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    hubfix_end(&f->h);
    free(f);
    return 0;
}

/* Creates an assessment as `caller` and answers 1.1 with `level`. */
static int64_t new_assessment(fixture *f, int caller, int level)
{
    json_t *o;
    assert_int_equal(call(f, "POST", "/api/v1/assessments", NULL, NULL, caller,
                          "{\"catalogue\":\"cbw_nis2\",\"scope\":\"IT\"}", &o),
                     201);
    int64_t id = json_integer_value(json_object_get(o, "id"));
    json_decref(o);
    assert_true(id > 0);
    char path[96], body[64];
    snprintf(path, sizeof path, "/api/v1/assessments/%lld/answers", (long long)id);
    snprintf(body, sizeof body, "{\"ref\":\"1.1\",\"level\":%d}", level);
    assert_int_equal(call(f, "POST", path, NULL, NULL, caller, body, NULL), 201);
    return id;
}

static bool listed(fixture *f, int caller, int64_t id)
{
    json_t *o;
    if (call(f, "GET", "/api/v1/assessments", NULL, NULL, caller, NULL, &o) != 200) {
        json_decref(o);
        return false;
    }
    bool found = false;
    size_t i;
    json_t *e;
    json_array_foreach(o, i, e) if (json_integer_value(json_object_get(e, "id")) == id) found =
        true;
    json_decref(o);
    return found;
}

static size_t admin_reads(fixture *f)
{
    size_t n = 0;
    json_t *o;
    /* through the API: the audit endpoint is the site admin's */
    assert_int_equal(call(f, "GET", "/api/v1/audit", "limit", "1000", C_ADMIN, NULL, &o), 200);
    size_t i;
    json_t *e, *list = json_object_get(o, "response");
    json_array_foreach(list, i, e)
    {
        json_t *in = json_object_get(e, "Audit");
        const char *a = json_string_value(json_object_get(in, "action"));
        const char *d = json_string_value(json_object_get(in, "detail"));
        if (a && d && strcmp(a, "read.admin") == 0 && strstr(d, "assessment")) n++;
    }
    json_decref(o);
    return n;
}

/* What each caller gets on the three read paths: the expected status of
 * GET {id} and GET {id}/versions, and whether the list holds it. */
static void expect_reads(fixture *f, int64_t id, const unsigned want[N_CALLERS], const char *phase)
{
    char path[96], vpath[96];
    snprintf(path, sizeof path, "/api/v1/assessments/%lld", (long long)id);
    snprintf(vpath, sizeof vpath, "/api/v1/assessments/%lld/versions", (long long)id);
    size_t cells = 0;
    for (int c = 0; c <= C_NOKEY; c++) {
        unsigned got = call(f, "GET", path, NULL, NULL, c, NULL, NULL);
        unsigned gotv = call(f, "GET", vpath, NULL, NULL, c, NULL, NULL);
        if (got != want[c] || gotv != want[c])
            fail_msg("%s: %s: GET {id} %u, versions %u, want %u", phase, names[c], got, gotv,
                     want[c]);
        /* a site admin reads by id, audited; its list is its own org's */
        bool in_list = listed(f, c, id);
        bool want_list = want[c] == 200 && c != C_ADMIN;
        if (in_list != want_list)
            fail_msg("%s: %s: in list %d, want %d", phase, names[c], in_list, want_list);
        cells += 3;
    }
    assert_int_equal(cells, 3 * (C_NOKEY + 1));
}

static void test_visibility(void **state)
{
    fixture *f = *state;
    int64_t id = new_assessment(f, C_OWN, 2);
    char path[96];

    /* missing and hidden answer alike */
    assert_int_equal(call(f, "GET", "/api/v1/assessments/999", NULL, NULL, C_OWN, NULL, NULL), 404);
    assert_int_equal(call(f, "GET", "/api/v1/assessments/x", NULL, NULL, C_OWN, NULL, NULL), 404);

    unsigned before[N_CALLERS] = {200, 200, 404, 404, 404, 404, 403, 200, 401};
    size_t audited = admin_reads(f);
    expect_reads(f, id, before, "before share");
    /* GET {id} and GET versions by the site admin: two audited reads */
    assert_int_equal(admin_reads(f), audited + 2);

    /* sharing: only an admin of the organisation */
    snprintf(path, sizeof path, "/api/v1/assessments/%lld/share", (long long)id);
    const char *to_csirt = "{\"with\":\"csirt\"}";
    assert_int_equal(call(f, "POST", path, NULL, NULL, C_OWN, to_csirt, NULL), 403);
    assert_int_equal(call(f, "POST", path, NULL, NULL, C_CSIRT, to_csirt, NULL), 404);
    assert_int_equal(call(f, "POST", path, NULL, NULL, C_ADMIN, to_csirt, NULL), 403);
    assert_int_equal(call(f, "POST", path, NULL, NULL, C_OWN_ADMIN, "{\"with\":\"board\"}", NULL),
                     422);
    json_t *o;
    assert_int_equal(call(f, "POST", path, NULL, NULL, C_OWN_ADMIN, to_csirt, &o), 200);
    assert_true(json_is_true(json_object_get(json_object_get(o, "shared_with"), "csirt")));
    json_decref(o);
    unsigned csirt[N_CALLERS] = {200, 200, 200, 404, 404, 404, 403, 200, 401};
    expect_reads(f, id, csirt, "shared with the CSIRT");

    assert_int_equal(
        call(f, "POST", path, NULL, NULL, C_OWN_ADMIN, "{\"with\":\"supervisor\"}", NULL), 200);
    unsigned both[N_CALLERS] = {200, 200, 200, 200, 404, 404, 403, 200, 401};
    expect_reads(f, id, both, "shared with both");

    /* revocable: the CSIRT loses sight, the supervisor keeps it */
    assert_int_equal(call(f, "POST", path, NULL, NULL, C_OWN_ADMIN,
                          "{\"with\":\"csirt\",\"shared\":false}", NULL),
                     200);
    unsigned revoked[N_CALLERS] = {200, 200, 404, 200, 404, 404, 403, 200, 401};
    expect_reads(f, id, revoked, "CSIRT share revoked");

    /* writes: the organisation only */
    snprintf(path, sizeof path, "/api/v1/assessments/%lld/answers", (long long)id);
    const char *ans = "{\"ref\":\"2.1\",\"level\":3,\"owner\":\"CISO\",\"due\":\"2026-06-30\"}";
    assert_int_equal(call(f, "POST", path, NULL, NULL, C_SUPERVISOR, ans, NULL), 403);
    assert_int_equal(call(f, "POST", path, NULL, NULL, C_ADMIN, ans, NULL), 403);
    assert_int_equal(call(f, "POST", path, NULL, NULL, C_OTHER, ans, NULL), 404);
    assert_int_equal(call(f, "POST", path, NULL, NULL, C_SENSOR, ans, NULL), 403);
    assert_int_equal(call(f, "POST", path, NULL, NULL, C_OWN, ans, &o), 201);
    assert_int_equal(json_integer_value(json_object_get(o, "version")), 2);
    json_decref(o);
    assert_int_equal(call(f, "POST", path, NULL, NULL, C_OWN, "{\"ref\":\"2.1\",\"level\":6}", &o),
                     422);
    assert_non_null(strstr(
        json_string_value(json_object_get(json_object_get(o, "error"), "message")), "$.level"));
    json_decref(o);
    assert_int_equal(call(f, "POST", path, NULL, NULL, C_OWN,
                          "{\"ref\":\"zorgplicht-(art.-21)\",\"level\":1}", NULL),
                     422);

    /* an import: all or nothing */
    snprintf(path, sizeof path, "/api/v1/assessments/%lld/versions", (long long)id);
    assert_int_equal(call(f, "POST", path, NULL, NULL, C_OWN,
                          "{\"answers\":[{\"ref\":\"1.1\",\"level\":4},"
                          "{\"ref\":\"99.9\",\"level\":1}]}",
                          &o),
                     422);
    assert_non_null(strstr(
        json_string_value(json_object_get(json_object_get(o, "error"), "message")), "[1].ref"));
    json_decref(o);
    assert_int_equal(call(f, "POST", path, NULL, NULL, C_OWN,
                          "{\"answers\":[{\"ref\":\"1.1\",\"level\":4}],\"name\":\"a.csv\"}", &o),
                     201);
    assert_int_equal(json_integer_value(json_object_get(o, "version")), 3);
    json_decref(o);
    /* version 2 is still there, unchanged */
    snprintf(path, sizeof path, "/api/v1/assessments/%lld", (long long)id);
    assert_int_equal(call(f, "GET", path, "version", "2", C_OWN, NULL, &o), 200);
    assert_int_equal(json_integer_value(json_object_get(o, "version")), 2);
    assert_int_equal(json_array_size(json_object_get(o, "answers")), 2);
    assert_int_equal(json_integer_value(json_object_get(o, "previous_version")), 1);
    json_decref(o);
    assert_int_equal(call(f, "GET", path, "version", "9", C_OWN, NULL, NULL), 404);

    /* an organisation creates assessments for itself only */
    assert_int_equal(call(f, "POST", "/api/v1/assessments", NULL, NULL, C_OWN,
                          "{\"catalogue\":\"cbw_nis2\",\"organisation\":\"Other\"}", NULL),
                     403);
    assert_int_equal(
        call(f, "POST", "/api/v1/assessments", NULL, NULL, C_OWN, "{\"catalogue\":\"nope\"}", NULL),
        422);
}

/* Shares assessment id with the supervisor, as the organisation's admin. */
static void share_with_supervisor(fixture *f, int admin, int64_t id)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/assessments/%lld/share", (long long)id);
    assert_int_equal(call(f, "POST", path, NULL, NULL, admin, "{\"with\":\"supervisor\"}", NULL),
                     200);
}

static size_t sector_rows(fixture *f, int caller)
{
    json_t *o;
    assert_int_equal(call(f, "GET", "/api/v1/assessments/sectors", NULL, NULL, caller, NULL, &o),
                     200);
    size_t n = json_array_size(json_object_get(o, "sectors"));
    json_decref(o);
    return n;
}

static bool cell_suppressed(json_t *row)
{
    return json_is_true(json_object_get(json_object_get(row, "overall"), "suppressed"));
}

static void test_sectors(void **state)
{
    fixture *f = *state;
    json_t *o;
    const char *p = "/api/v1/assessments/sectors";
    /* what an organisation did not share counts in no one's view */
    int64_t own = new_assessment(f, C_OWN_ADMIN, 2), other = new_assessment(f, C_OTHER, 4),
            w1 = new_assessment(f, C_W1, 1), w2 = new_assessment(f, C_W2, 3);
    assert_int_equal(sector_rows(f, C_SUPERVISOR), 0);
    share_with_supervisor(f, C_OWN_ADMIN, own);
    share_with_supervisor(f, C_OTHER, other);
    share_with_supervisor(f, C_W1, w1);
    share_with_supervisor(f, C_W2, w2);
    /* shared with the supervisor: not the CSIRT's, and nothing of a CSIRT
     * the sectors do not route to */
    assert_int_equal(sector_rows(f, C_SUPERVISOR), 2);
    assert_int_equal(sector_rows(f, C_CSIRT), 0);
    assert_int_equal(sector_rows(f, C_OTHER_CSIRT), 0);
    /* who may look */
    assert_int_equal(call(f, "GET", p, NULL, NULL, C_OWN, NULL, NULL), 403);
    assert_int_equal(call(f, "GET", p, NULL, NULL, C_SENSOR, NULL, NULL), 403);
    assert_int_equal(call(f, "GET", p, NULL, NULL, C_NOKEY, NULL, NULL), 401);
    assert_int_equal(call(f, "GET", p, NULL, NULL, C_CSIRT, NULL, NULL), 200);
    assert_int_equal(call(f, "GET", p, NULL, NULL, C_ADMIN, NULL, NULL), 200);
    assert_int_equal(call(f, "GET", p, "catalogue", "nope", C_SUPERVISOR, NULL, NULL), 422);

    /* k-1 = 2 organisations per sector: everything suppressed, total too */
    assert_int_equal(call(f, "GET", p, "catalogue", "cbw_nis2", C_SUPERVISOR, NULL, &o), 200);
    assert_int_equal(json_integer_value(json_object_get(o, "k")), 3);
    json_t *rows = json_object_get(o, "sectors");
    assert_int_equal(json_array_size(rows), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *row = json_array_get(rows, i);
        assert_true(json_is_true(json_object_get(row, "suppressed")));
        assert_true(json_is_null(json_object_get(row, "organisations")));
        assert_true(cell_suppressed(row));
    }
    assert_true(cell_suppressed(json_object_get(o, "total")));
    json_decref(o);

    /* k = 3 in drinking water: that sector shows, energy stays hidden and
     * the total is drinking water's alone */
    int64_t w3 = new_assessment(f, C_W3, 5);
    /* not shared yet: drinking water stays at two organisations */
    assert_int_equal(call(f, "GET", p, NULL, NULL, C_SUPERVISOR, NULL, &o), 200);
    assert_true(cell_suppressed(json_array_get(json_object_get(o, "sectors"), 0)));
    json_decref(o);
    share_with_supervisor(f, C_W3, w3);
    assert_int_equal(call(f, "GET", p, NULL, NULL, C_SUPERVISOR, NULL, &o), 200);
    rows = json_object_get(o, "sectors");
    json_t *water = json_array_get(rows, 0), *energy = json_array_get(rows, 1);
    assert_string_equal(json_string_value(json_object_get(water, "sector")), "drinking_water");
    assert_string_equal(json_string_value(json_object_get(energy, "sector")), "energy");
    assert_false(cell_suppressed(water));
    assert_int_equal(json_integer_value(json_object_get(water, "organisations")), 3);
    assert_true(cell_suppressed(energy));
    json_t *total = json_object_get(o, "total");
    assert_int_equal(json_integer_value(json_object_get(total, "organisations")), 3);
    assert_true(json_real_value(json_object_get(json_object_get(total, "overall"), "score")) ==
                json_real_value(json_object_get(json_object_get(water, "overall"), "score")));
    json_decref(o);
}

/* An empty hub: no assessments at all (a NULL array once reached qsort,
 * undefined behaviour the sanitizer build stopped on). */
static void test_sectors_empty(void **state)
{
    fixture *f = *state;
    json_t *o;
    assert_int_equal(
        call(f, "GET", "/api/v1/assessments/sectors", NULL, NULL, C_SUPERVISOR, NULL, &o), 200);
    assert_int_equal(json_array_size(json_object_get(o, "sectors")), 0);
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_visibility, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sectors_empty, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
