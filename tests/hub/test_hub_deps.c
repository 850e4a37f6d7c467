/*
 * test_hub_deps.c - who sees an organisation's dependency picture on the
 * hub, through the API handler (wb_hub_handle): every endpoint (share,
 * own, sectors) x every kind of caller (member, org admin, routed CSIRT
 * and supervisor, another CSIRT, a sensor, a site admin whose read is
 * audited, no key); the sector view over only shared pictures of only the
 * sectors routed to the viewer, before and after a revocation; k-anonymity
 * (a cell of k-1 organisations suppressed and null, never 0; a total that
 * adds only published cells; a country named by fewer than k organisations
 * not listed at all); the request check; and the hub's view equal to what
 * wb_depsdb_sectors gives on the same database (`deps sectors --db`).
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
#include "weerbaar/depsdb.h"
#include "weerbaar/hub.h"
#include "weerbaar/store.h"

enum {
    C_E1,       /* energy, member */
    C_E1_ADMIN, /* energy, org admin */
    C_E2,       /* energy, org admin */
    C_E3,       /* energy, org admin */
    C_W1,       /* drinking-water (routed to CSIRT-X), org admin */
    C_CSIRT,    /* CSIRT-E: energy */
    C_SUP,      /* RDI: energy's supervisor */
    C_XCSIRT,   /* CSIRT-X: drinking-water */
    C_SENSOR,
    C_ADMIN,
    C_NOKEY,
    N_CALLERS
};

typedef struct fixture {
    hubfix h;
} fixture;

static unsigned call(fixture *f, const char *method, const char *path, int caller, const char *body,
                     json_t **out)
{
    wb_hub_request req = {.method = method, .path = path, .body = body};
    return hubfix_call(f->h.hub, &req, caller == C_NOKEY ? NULL : f->h.key[caller], out);
}

enum { O_E1, O_E2, O_E3, O_W1, O_CSIRT, O_SUP, O_XCSIRT, O_SITE, N_ORGS };
static const hubfix_org orgs[N_ORGS] = {
    [O_E1] = {"E1", WB_ORG_ESSENTIAL, "energy"},
    [O_E2] = {"E2", WB_ORG_ESSENTIAL, "energy"},
    [O_E3] = {"E3", WB_ORG_IMPORTANT, "energy"},
    [O_W1] = {"W1", WB_ORG_ESSENTIAL, "drinking-water"},
    [O_CSIRT] = {"CSIRT-E", WB_ORG_CSIRT, NULL},
    [O_SUP] = {"RDI", WB_ORG_SUPERVISOR, NULL},
    [O_XCSIRT] = {"CSIRT-X", WB_ORG_CSIRT, NULL},
    [O_SITE] = {"Site", WB_ORG_OTHER, NULL},
};
static const hubfix_user users[N_CALLERS] = {
    [C_E1] = {"m@e1.example", O_E1, WB_ROLE_MEMBER},
    [C_E1_ADMIN] = {"boss@e1.example", O_E1, WB_ROLE_ORG_ADMIN},
    [C_E2] = {"boss@e2.example", O_E2, WB_ROLE_ORG_ADMIN},
    [C_E3] = {"boss@e3.example", O_E3, WB_ROLE_ORG_ADMIN},
    [C_W1] = {"boss@w1.example", O_W1, WB_ROLE_ORG_ADMIN},
    [C_CSIRT] = {"c@csirt.example", O_CSIRT, WB_ROLE_MEMBER},
    [C_SUP] = {"s@rdi.example", O_SUP, WB_ROLE_MEMBER},
    [C_XCSIRT] = {"x@csirtx.example", O_XCSIRT, WB_ROLE_MEMBER},
    [C_SENSOR] = {"sensor@e1.example", O_E1, WB_ROLE_SENSOR},
    [C_ADMIN] = {"admin@site.example", O_SITE, WB_ROLE_SITE_ADMIN},
};

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    hubfix_begin(&f->h, "hubdeps", orgs, N_ORGS, users, N_CALLERS);
    wb_error err;
    assert_int_equal(
        wb_store_route_set(f->h.st, "energy", f->h.org[O_CSIRT], f->h.org[O_SUP], &err), 0);
    assert_int_equal(wb_store_route_set(f->h.st, "drinking-water", f->h.org[O_XCSIRT], 0, &err), 0);
    hubfix_open(&f->h, NULL);
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

/* A share request: a picture whose traffic leaves the EU/EEA by `leave`,
 * with US always and CN when cn is true. */
static void request(char *out, size_t cap, const char *with, double leave, bool cn)
{
    snprintf(out, cap,
             "{\"with\":\"%s\",\"shared\":true,\"picture\":{\"schema\":\"" WB_DEPS_PICTURE_SCHEMA
             "\",\"observed_days\":7,\"share_leaving_eu_eea\":%.2f,"
             "\"share_country_unknown\":0,\"by_country\":[{\"country\":\"US\",\"eu_eea\":false,"
             "\"share\":%.2f}%s],\"by_provider\":[{\"provider\":\"AMAZON-02\",\"eu_eea\":false,"
             "\"share\":%.2f}],\"critical_assets\":2,\"critical_dependencies\":4,"
             "\"critical_dependencies_leaving_eu_eea\":2,\"critical_leaving_by_country\":"
             "[{\"country\":\"US\",\"dependencies\":2}],\"critical_leaving_by_provider\":[],"
             "\"exposures_by_class\":[{\"class\":\"inverter\",\"devices\":5}]}}",
             with, leave, cn ? leave / 2 : leave,
             cn ? ",{\"country\":\"CN\",\"eu_eea\":false,\"share\":0.05}" : "", leave);
}

static unsigned share(fixture *f, int caller, const char *with, double leave, bool cn)
{
    char body[2048];
    request(body, sizeof body, with, leave, cn);
    return call(f, "POST", "/api/v1/deps/pictures", caller, body, NULL);
}

static json_t *sector(json_t *view, const char *name)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(view, "sectors"), i, s)
    {
        const char *n = json_string_value(json_object_get(s, "sector"));
        if (n && strcmp(n, name) == 0) return s;
    }
    return NULL;
}

static json_t *country(json_t *row, const char *cc)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(row, "by_country"), i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "country")), cc) == 0) return c;
    }
    return NULL;
}

static void assert_suppressed(json_t *cell, const char *vkey)
{
    assert_non_null(cell);
    assert_true(json_is_true(json_object_get(cell, "suppressed")));
    assert_true(json_is_null(json_object_get(cell, vkey))); /* marked, never 0 */
    assert_true(json_is_null(json_object_get(cell, "organisations")));
}

static void test_roles(void **state)
{
    fixture *f = *state;
    /* sharing: the organisation's admins only */
    assert_int_equal(share(f, C_E1, "csirt", 0.5, false), 403);
    assert_int_equal(share(f, C_SENSOR, "csirt", 0.5, false), 403);
    assert_true(share(f, C_NOKEY, "csirt", 0.5, false) >= 400);
    assert_int_equal(share(f, C_E1_ADMIN, "csirt", 0.5, false), 200);
    /* the own picture: the organisation's members, nobody else's */
    json_t *o;
    assert_int_equal(call(f, "GET", "/api/v1/deps/pictures/own", C_E1, NULL, &o), 200);
    assert_string_equal(json_string_value(json_object_get(o, "organisation")), "E1");
    assert_int_equal(json_integer_value(json_object_get(o, "version")), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(o, "shared_with"), 0)),
                        "csirt");
    json_decref(o);
    assert_int_equal(call(f, "GET", "/api/v1/deps/pictures/own", C_E2, NULL, NULL), 404);
    assert_int_equal(call(f, "GET", "/api/v1/deps/pictures/own", C_CSIRT, NULL, NULL), 404);
    assert_int_equal(call(f, "GET", "/api/v1/deps/pictures/own", C_SENSOR, NULL, NULL), 403);
    /* the sector view: CSIRTs, supervisors, site admins */
    assert_int_equal(call(f, "GET", "/api/v1/deps/sectors", C_E1, NULL, NULL), 403);
    assert_int_equal(call(f, "GET", "/api/v1/deps/sectors", C_E1_ADMIN, NULL, NULL), 403);
    assert_int_equal(call(f, "GET", "/api/v1/deps/sectors", C_SENSOR, NULL, NULL), 403);
    assert_true(call(f, "GET", "/api/v1/deps/sectors", C_NOKEY, NULL, NULL) >= 400);
    assert_int_equal(call(f, "GET", "/api/v1/deps/sectors", C_CSIRT, NULL, NULL), 200);
    assert_int_equal(call(f, "GET", "/api/v1/deps/sectors", C_SUP, NULL, NULL), 200);
    assert_int_equal(call(f, "GET", "/api/v1/deps/sectors", C_XCSIRT, NULL, NULL), 200);
    assert_int_equal(call(f, "GET", "/api/v1/deps/sectors", C_ADMIN, NULL, NULL), 200);
    /* the site admin's read is in the audit log */
    assert_int_equal(call(f, "GET", "/api/v1/audit", C_ADMIN, NULL, &o), 200);
    size_t i, reads = 0;
    json_t *e;
    json_array_foreach(json_object_get(o, "response"), i, e)
    {
        const char *a = json_string_value(json_object_get(json_object_get(e, "Audit"), "action"));
        if (a && strcmp(a, "deps.sectors.read") == 0) reads++;
    }
    json_decref(o);
    assert_int_equal(reads, 1);
}

static void test_request_check(void **state)
{
    fixture *f = *state;
    char body[2048];
    request(body, sizeof body, "csirt", 0.5, false);
    /* an asset smuggled into the picture, or beside it */
    char *p = strstr(body, "\"observed_days\"");
    char bad[2200];
    snprintf(bad, sizeof bad, "%.*s\"assets\":[{\"asset\":\"plc-7\"}],%s", (int)(p - body), body,
             p);
    assert_int_equal(call(f, "POST", "/api/v1/deps/pictures", C_E1_ADMIN, bad, NULL), 422);
    snprintf(bad, sizeof bad, "{\"address\":\"10.0.0.7\",%s", body + 1);
    assert_int_equal(call(f, "POST", "/api/v1/deps/pictures", C_E1_ADMIN, bad, NULL), 422);
    assert_int_equal(call(f, "POST", "/api/v1/deps/pictures", C_E1_ADMIN,
                          "{\"with\":\"csirt\",\"shared\":true}", NULL),
                     422);
    assert_int_equal(call(f, "POST", "/api/v1/deps/pictures", C_E1_ADMIN,
                          "{\"with\":\"everyone\",\"shared\":false}", NULL),
                     422);
    /* a share that failed stored nothing */
    assert_int_equal(call(f, "GET", "/api/v1/deps/pictures/own", C_E1, NULL, NULL), 404);
}

static void test_sectors(void **state)
{
    fixture *f = *state;
    json_t *v;
    /* two energy organisations: k-1, suppressed */
    assert_int_equal(share(f, C_E1_ADMIN, "csirt", 0.2, true), 200);
    assert_int_equal(share(f, C_E2, "csirt", 0.4, true), 200);
    assert_int_equal(share(f, C_E3, "supervisor", 0.6, false), 200); /* not the CSIRT's */
    assert_int_equal(call(f, "GET", "/api/v1/deps/sectors", C_CSIRT, NULL, &v), 200);
    json_t *en = sector(v, "energy");
    assert_non_null(en);
    assert_true(json_is_true(json_object_get(en, "suppressed")));
    assert_suppressed(json_object_get(en, "share_leaving_eu_eea"), "share");
    json_decref(v);
    /* the third shares with the CSIRT too: published, the mean of three */
    assert_int_equal(share(f, C_E3, "csirt", 0.6, false), 200);
    assert_int_equal(call(f, "GET", "/api/v1/deps/sectors", C_CSIRT, NULL, &v), 200);
    en = sector(v, "energy");
    assert_int_equal(json_integer_value(json_object_get(en, "organisations")), 3);
    json_t *c = json_object_get(en, "share_leaving_eu_eea");
    assert_false(json_is_true(json_object_get(c, "suppressed")));
    assert_true(json_number_value(json_object_get(c, "share")) > 0.399 &&
                json_number_value(json_object_get(c, "share")) < 0.401);
    json_t *inv = json_array_get(json_object_get(en, "exposures_by_class"), 0);
    assert_int_equal(json_integer_value(json_object_get(inv, "devices")), 15);
    /* CN: two organisations of the view only: not even named */
    assert_null(country(en, "CN"));
    assert_non_null(country(en, "US"));
    json_decref(v);
    /* the other CSIRT sees no energy; the supervisor only what was shared
     * with it (one organisation: suppressed) */
    assert_int_equal(call(f, "GET", "/api/v1/deps/sectors", C_XCSIRT, NULL, &v), 200);
    assert_null(sector(v, "energy"));
    json_decref(v);
    assert_int_equal(call(f, "GET", "/api/v1/deps/sectors", C_SUP, NULL, &v), 200);
    en = sector(v, "energy");
    assert_non_null(en);
    assert_true(json_is_true(json_object_get(en, "suppressed")));
    assert_true(json_is_null(json_object_get(en, "organisations")));
    json_decref(v);
    /* W1 (another sector, CN too): now three organisations name CN, so the
     * column is listed; but no sector cell of CN has k organisations, and
     * the total adds only published cells: suppressed, not 3 */
    assert_int_equal(share(f, C_W1, "csirt", 0.9, true), 200);
    assert_int_equal(call(f, "GET", "/api/v1/deps/sectors", C_ADMIN, NULL, &v), 200);
    en = sector(v, "energy");
    assert_suppressed(country(en, "CN"), "share");
    assert_suppressed(country(sector(v, "drinking-water"), "CN"), "share");
    json_t *total = json_object_get(v, "total");
    assert_suppressed(country(total, "CN"), "share");
    /* the total counts only the published rows: energy's three */
    assert_int_equal(json_integer_value(json_object_get(total, "organisations")), 3);
    c = json_object_get(total, "share_leaving_eu_eea");
    assert_int_equal(json_integer_value(json_object_get(c, "organisations")), 3);
    /* the hub's answer is what `deps sectors --db` prints */
    wb_store *st;
    wb_error err;
    wb_buf b = {0};
    assert_int_equal(wb_store_open(&st, f->h.db, &err), 0);
    assert_int_equal(wb_depsdb_sectors(st, 0, WB_SHARE_CSIRT, 3, &b, &err), 0);
    json_t *local = json_loadb(b.data, b.len, 0, NULL);
    assert_true(json_equal(local, v));
    json_decref(local);
    wb_buf_free(&b);
    wb_store_close(st);
    json_decref(v);
    /* a revocation takes E3 out: energy back to two, suppressed */
    assert_int_equal(call(f, "POST", "/api/v1/deps/pictures", C_E3,
                          "{\"with\":\"csirt\",\"shared\":false}", NULL),
                     200);
    assert_int_equal(call(f, "GET", "/api/v1/deps/sectors", C_CSIRT, NULL, &v), 200);
    en = sector(v, "energy");
    assert_true(json_is_true(json_object_get(en, "suppressed")));
    assert_suppressed(json_object_get(en, "share_leaving_eu_eea"), "share");
    json_decref(v);
}

/* The picture of a map report keeps no asset name, address, endpoint or
 * host name, whatever the report holds. */
static void test_picture_from_map(void **state)
{
    (void)state;
    static const char map[] =
        "{\"observed_days\":3,\"bytes\":1000,\"bytes_country_unknown\":100,"
        "\"share_leaving_eu_eea\":0.6,"
        "\"exposures\":[{\"asset\":\"secret-inverter-7\",\"class\":\"inverter\","
        "\"dependency\":{\"endpoint\":\"203.0.113.9\",\"names\":[\"api.vendor.example\"]}},"
        "{\"asset\":\"secret-inverter-7\",\"class\":\"inverter\",\"dependency\":{}}],"
        "\"assets\":[{\"asset\":\"secret-inverter-7\",\"address\":\"10.1.2.3\",\"class\":"
        "\"inverter\",\"criticality\":\"high\",\"owner\":\"ops@intern.example\",\"critical\":true,"
        "\"dependencies_leaving_eu_eea\":1,\"leaving_by_country\":{\"US\":1},"
        "\"leaving_by_provider\":{\"AMAZON-02\":1},\"dependencies\":[{\"endpoint\":"
        "\"203.0.113.9\",\"names\":[\"plc.intern.example\"]},{\"endpoint\":\"198.51.100.1\"}]},"
        "{\"asset\":\"laptop-9\",\"address\":\"10.1.2.4\",\"critical\":false,\"dependencies\":[]}],"
        "\"by_country\":[{\"country\":\"US\",\"eu_eea\":false,\"bytes\":600,\"share\":0.6,"
        "\"flows\":3}],\"by_provider\":[{\"provider\":\"AMAZON-02\",\"eu_eea\":false,\"bytes\":"
        "600,\"share\":0.6,\"flows\":3}]}";
    wb_buf b = {0};
    wb_error err;
    assert_int_equal(wb_deps_picture_from_map(map, strlen(map), "map.json", &b, &err), 0);
    char *text = strndup(b.data, b.len);
    assert_non_null(text);
    const char *banned[] = {"secret-inverter", "10.1.2",         "203.0.113", "198.51.100",
                            "intern",          "vendor.example", "laptop"};
    for (size_t i = 0; i < sizeof banned / sizeof banned[0]; i++)
        assert_null(strstr(text, banned[i]));
    free(text);
    json_t *p = json_loadb(b.data, b.len, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(p, "critical_dependencies")), 2);
    json_t *x = json_array_get(json_object_get(p, "exposures_by_class"), 0);
    assert_int_equal(json_integer_value(json_object_get(x, "devices")), 1); /* once per device */
    assert_true(json_number_value(json_object_get(p, "share_country_unknown")) > 0.099);
    /* and it passes the receivers' check */
    assert_int_equal(wb_deps_picture_check(b.data, b.len, "picture", NULL, &err), 0);
    json_decref(p);
    wb_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sectors, setup, teardown),
        cmocka_unit_test(test_picture_from_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
