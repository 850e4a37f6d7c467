/*
 * test_hub_misp.c - the parts of MISP's API that PyMISP does not reach in
 * tests/cli/misp_pymisp_more.sh: the galaxy file parser and the sightings
 * filter parser on their own (their refusals name the member), the object
 * templates table, and two rules through the hub: under an open sighting
 * policy a third organisation sees another's sighting by sector only, and
 * then neither its name nor its id picks it out (the org filter cannot
 * tell who reported what the answer hides), on MISP's sightings/restSearch
 * and on /api/v1/sightings?org= alike; a proposal applies once,
 * by the event's organisation only; and events/add answers a person in
 * MISP's shape with the numeric ids, and HEAD answers as GET without a
 * body, the policy's 404 included; sightings/delete by the reporting
 * organisation only (404 for a sighting the caller may not see, 403 for
 * one it sees).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/hubfix.h"
#include "share/share_internal.h"

/* ---- parsers -------------------------------------------------------------------------------- */

static void test_galaxy_parse(void **state)
{
    (void)state;
    wbi_galaxy_doc d;
    wbi_problem prob;
    const char *coll =
        "{\"type\":\"threat-actor\",\"name\":\"Threat actor\",\"uuid\":"
        "\"7cdff317-a673-4474-84ec-4f1754947823\",\"values\":[{\"value\":\"APT1\",\"uuid\":"
        "\"d5cbd1a2-78f6-11e7-a833-7b9bccca9649\"},{\"value\":\"a\\\"b\",\"uuid\":"
        "\"d5cbd1a2-78f6-11e7-a833-7b9bccca9640\"},{\"value\":\"no uuid\"}]}";
    assert_int_equal(wbi_galaxy_doc_parse(coll, strlen(coll), 32, &d, &prob), 0);
    assert_true(d.clusters);
    assert_int_equal(json_array_size(d.values), 3);
    const char *v, *u;
    char tag[256];
    assert_int_equal(wbi_galaxy_value(&d, 0, &v, &u, tag, sizeof tag, &prob), 0);
    assert_string_equal(tag, "misp-galaxy:threat-actor=\"APT1\"");
    assert_int_equal(wbi_galaxy_value(&d, 1, &v, &u, tag, sizeof tag, &prob), -1);
    assert_non_null(strstr(prob.msg, "$.values[1].value"));
    assert_int_equal(wbi_galaxy_value(&d, 2, &v, &u, tag, sizeof tag, &prob), -1);
    assert_non_null(strstr(prob.msg, "$.values[2].uuid"));
    wbi_galaxy_doc_free(&d);

    const char *def = "{\"type\":\"sector\",\"name\":\"Sector\",\"namespace\":\"misp\","
                      "\"uuid\":\"e1bb134c-ae4d-11e7-8aa9-f78a37325439\",\"version\":2}";
    assert_int_equal(wbi_galaxy_doc_parse(def, strlen(def), 32, &d, &prob), 0);
    assert_false(d.clusters);
    assert_string_equal(d.namespace_, "misp");
    wbi_galaxy_doc_free(&d);

    static const struct {
        const char *doc, *path;
    } bad[] = {
        {"[]", "$:"},
        {"{\"type\":\"a b\",\"name\":\"n\",\"uuid\":\"e1bb134c-ae4d-11e7-8aa9-f78a37325439\"}",
         "$.type"},
        {"{\"type\":\"a\",\"uuid\":\"e1bb134c-ae4d-11e7-8aa9-f78a37325439\"}", "$.name"},
        {"{\"type\":\"a\",\"name\":\"n\",\"uuid\":\"nope\"}", "$.uuid"},
        {"{\"type\":\"a\",\"name\":\"n\",\"uuid\":\"e1bb134c-ae4d-11e7-8aa9-f78a37325439\","
         "\"values\":{}}",
         "$.values"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(wbi_galaxy_doc_parse(bad[i].doc, strlen(bad[i].doc), 32, &d, &prob), -1);
        assert_non_null(strstr(prob.msg, bad[i].path));
        wbi_galaxy_doc_free(&d);
    }
}

static void test_sight_filter(void **state)
{
    (void)state;
    wbi_sight_filter f;
    wbi_problem prob;
    /* PyMISP's search_sightings sends every member, unset ones as null */
    const char *py = "{\"returnFormat\":\"json\",\"id\":17,\"type\":null,\"from\":\"2026-12-01\","
                     "\"to\":null,\"last\":\"1d\",\"org_id\":null,\"source\":null,"
                     "\"includeAttribute\":true,\"includeEvent\":null,\"context\":\"attribute\"}";
    int64_t now = 1797000000; /* 2026-12-12 */
    assert_int_equal(wbi_sight_filter_parse(py, strlen(py), "event", 32, now, &f, &prob), 0);
    assert_int_equal(f.context, WBI_SIGHT_EVENT); /* the path's context wins */
    assert_string_equal(f.id, "17");
    assert_int_equal(f.type, -1);
    assert_true(f.include_attribute);
    assert_false(f.include_event);
    /* from and last: the later of the two */
    assert_int_equal(f.from, now - 86400);
    wbi_sight_filter_free(&f);

    const char *csv = "{\"request\":{\"returnFormat\":\"csv\",\"type\":\"1\",\"org\":\"Beta\"}}";
    assert_int_equal(wbi_sight_filter_parse(csv, strlen(csv), NULL, 32, now, &f, &prob), 0);
    assert_int_equal(f.format, WBI_MISP_CSV);
    assert_int_equal(f.type, 1);
    assert_string_equal(f.org, "Beta");
    wbi_sight_filter_free(&f);

    static const struct {
        const char *doc, *path;
    } bad[] = {
        {"{\"type\":7}", "$.type"},
        {"{\"page\":2}", "$.page"},
        {"{\"returnFormat\":\"stix2\"}", "$.returnFormat"},
        {"{\"context\":\"object\"}", "$.context"},
        {"{\"from\":\"yesterday\"}", "$.from"},
        {"{\"id\":\"x\"}", "$.id"},
        {"{\"includeEvent\":\"maybe\"}", "$.includeEvent"},
        {"{\"colour\":\"red\"}", "$.colour"},
        {"[1]", "$."},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(
            wbi_sight_filter_parse(bad[i].doc, strlen(bad[i].doc), NULL, 32, now, &f, &prob), -1);
        assert_int_equal(prob.status, 400);
        assert_non_null(strstr(prob.msg, bad[i].path));
        wbi_sight_filter_free(&f);
    }
}

static void test_templates(void **state)
{
    (void)state;
    const wbi_template *t = wbi_template_find("domain-ip");
    assert_non_null(t);
    assert_string_equal(t->uuid, "43b3b146-77eb-4931-b4cc-b66c60f28734");
    bool ip = false;
    for (size_t i = 0; t->required_one_of[i]; i++)
        ip = ip || strcmp(t->required_one_of[i], "ip") == 0;
    assert_true(ip);
    const char *need[] = {"file", "url", "ip-port", "email"};
    for (size_t i = 0; i < 4; i++)
        assert_non_null(wbi_template_find(need[i]));
    assert_null(wbi_template_find("no-such-template"));
}

/* ---- through the hub ------------------------------------------------------------------------ */

enum { O_A, O_B, O_C, N_ORGS };
static const hubfix_org orgs[N_ORGS] = {
    [O_A] = {"Alpha", WB_ORG_ESSENTIAL, "energy"},
    [O_B] = {"Beta", WB_ORG_ESSENTIAL, "water"},
    [O_C] = {"Gamma", WB_ORG_ESSENTIAL, "health"},
};
enum { U_A, U_B, U_C, N_USERS };
static const hubfix_user users[N_USERS] = {
    [U_A] = {"a@alpha.example", O_A, WB_ROLE_MEMBER},
    [U_B] = {"b@beta.example", O_B, WB_ROLE_MEMBER},
    [U_C] = {"c@gamma.example", O_C, WB_ROLE_MEMBER},
};

static unsigned post(hubfix *h, const char *path, int user, const char *body, json_t **out)
{
    wb_hub_request req = {.method = "POST", .path = path, .body = body};
    return hubfix_call(h->hub, &req, h->key[user], out);
}

static void test_sighting_org_hidden(void **state)
{
    (void)state;
    hubfix h;
    hubfix_begin(&h, "misp", orgs, N_ORGS, users, N_USERS);
    hubfix_open(&h, &(wb_hub_opts){.connections = 2, .sightings_open = true});
    const char *ev = "{\"Event\":{\"info\":\"community\",\"distribution\":1,\"Tag\":[{\"name\":"
                     "\"tlp:green\"}],\"Attribute\":[{\"type\":\"domain\",\"value\":"
                     "\"sighted.example\",\"to_ids\":true}]}}";
    assert_int_equal(post(&h, "/api/v1/events", U_A, ev, NULL), 201);
    assert_int_equal(post(&h, "/sightings/add", U_B, "{\"value\":\"sighted.example\"}", NULL), 201);
    json_t *j = NULL;
    /* Gamma sees the sighting (open policy), by Beta's sector only */
    assert_int_equal(post(&h, "/sightings/restSearch", U_C, "{\"value\":\"sighted.example\"}", &j),
                     200);
    json_t *rows = json_object_get(j, "response");
    assert_int_equal(json_array_size(rows), 1);
    json_t *s = json_object_get(json_array_get(rows, 0), "Sighting");
    assert_string_equal(json_string_value(json_object_get(s, "org_id")), "0");
    json_t *org = json_object_get(s, "Organisation");
    assert_null(json_object_get(org, "name"));
    assert_string_equal(json_string_value(json_object_get(org, "sector")), "water");
    json_decref(j);
    /* ... and cannot pick it out by Beta's name or id */
    char q[128];
    snprintf(q, sizeof q, "{\"org_id\":%lld}", (long long)h.org[O_B]);
    const char *asks[] = {"{\"org_id\":\"Beta\"}", q};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(post(&h, "/sightings/restSearch", U_C, asks[i], &j), 200);
        assert_int_equal(json_array_size(json_object_get(j, "response")), 0);
        json_decref(j);
        /* nor through /api/v1/sightings?org= */
        if (i == 0) {
            wb_hub_arg a[1] = {{"org", "Beta"}};
            wb_hub_request req = {
                .method = "GET", .path = "/api/v1/sightings", .args = a, .nargs = 1};
            assert_int_equal(hubfix_call(h.hub, &req, h.key[U_C], &j), 200);
            assert_int_equal(json_array_size(json_object_get(j, "response")), 0);
            json_decref(j);
            assert_int_equal(hubfix_call(h.hub, &req, h.key[U_A], &j), 200);
            assert_int_equal(json_array_size(json_object_get(j, "response")), 1);
            json_decref(j);
        }
        /* the event's organisation sees Beta named, and finds it so */
        assert_int_equal(post(&h, "/sightings/restSearch", U_A, asks[i], &j), 200);
        assert_int_equal(json_array_size(json_object_get(j, "response")), 1);
        json_decref(j);
    }
    hubfix_end(&h);
}

static void test_proposal_once(void **state)
{
    (void)state;
    hubfix h;
    hubfix_begin(&h, "misp", orgs, N_ORGS, users, N_USERS);
    hubfix_open(&h, NULL);
    const char *ev = "{\"Event\":{\"uuid\":\"5acc88e9-265c-4f22-9d2b-b702950d210f\",\"info\":"
                     "\"x\",\"distribution\":1,\"Tag\":[{\"name\":\"tlp:green\"}],"
                     "\"Attribute\":[{\"type\":\"domain\",\"value\":\"a.example\"}]}}";
    assert_int_equal(post(&h, "/api/v1/events", U_A, ev, NULL), 201);
    json_t *j = NULL;
    assert_int_equal(post(&h, "/shadow_attributes/add/5acc88e9-265c-4f22-9d2b-b702950d210f", U_B,
                          "{\"type\":\"domain\",\"value\":\"b.example\"}", &j),
                     200);
    char path[96];
    snprintf(path, sizeof path, "/shadow_attributes/accept/%s",
             json_string_value(json_object_get(json_object_get(j, "ShadowAttribute"), "id")));
    json_decref(j);
    /* Gamma may read the event but neither accept nor see the proposal:
     * 404 as for one that does not exist; Beta made it: 403 */
    assert_int_equal(post(&h, path, U_C, NULL, NULL), 404);
    assert_int_equal(post(&h, path, U_B, NULL, NULL), 403);
    assert_int_equal(post(&h, path, U_A, NULL, NULL), 200);
    assert_int_equal(post(&h, path, U_A, NULL, NULL), 404);
    assert_int_equal(post(&h, "/attributes/restSearch", U_C, "{\"value\":\"b.example\"}", &j), 200);
    assert_int_equal(json_array_size(json_object_get(json_object_get(j, "response"), "Attribute")),
                     1);
    json_decref(j);
    hubfix_end(&h);
}

static void test_misp_add_head(void **state)
{
    (void)state;
    hubfix h;
    hubfix_begin(&h, "misp", orgs, N_ORGS, users, N_USERS);
    hubfix_open(&h, NULL);
    const char *ev = "{\"Event\":{\"info\":\"own\",\"distribution\":0,\"Tag\":[{\"name\":"
                     "\"tlp:amber\"}],\"Attribute\":[{\"type\":\"domain\",\"value\":"
                     "\"own.example\"}]}}";
    json_t *j = NULL;
    assert_int_equal(post(&h, "/events/add", U_A, ev, &j), 200);
    json_t *e = json_object_get(j, "Event");
    const char *id = json_string_value(json_object_get(e, "id"));
    assert_non_null(id);
    assert_true(id[0] >= '1' && id[0] <= '9');
    assert_non_null(json_object_get(e, "uuid"));
    assert_non_null(json_object_get(e, "Orgc"));
    json_t *a = json_array_get(json_object_get(e, "Attribute"), 0);
    assert_non_null(json_string_value(json_object_get(a, "id")));
    assert_string_equal(json_string_value(json_object_get(a, "event_id")), id);
    char path[96];
    snprintf(path, sizeof path, "/events/view/%s", id);
    json_decref(j);
    wb_hub_request req = {.method = "HEAD", .path = path};
    assert_int_equal(hubfix_call(h.hub, &req, h.key[U_A], NULL), 200);
    /* an organisation-only event: 404 to another organisation, as GET */
    assert_int_equal(hubfix_call(h.hub, &req, h.key[U_C], NULL), 404);
    req.method = "GET";
    assert_int_equal(hubfix_call(h.hub, &req, h.key[U_C], NULL), 404);
    req = (wb_hub_request){.method = "HEAD", .path = "/events/view/99999999"};
    assert_int_equal(hubfix_call(h.hub, &req, h.key[U_A], NULL), 404);
    /* HEAD stands for GET only: a POST-only path is 405 */
    req = (wb_hub_request){.method = "HEAD", .path = "/events/add"};
    assert_int_equal(hubfix_call(h.hub, &req, h.key[U_A], NULL), 405);
    hubfix_end(&h);
}

static void test_sighting_delete(void **state)
{
    (void)state;
    hubfix h;
    hubfix_begin(&h, "misp", orgs, N_ORGS, users, N_USERS);
    hubfix_open(&h, NULL);
    const char *ev = "{\"Event\":{\"info\":\"community\",\"distribution\":1,\"Tag\":[{\"name\":"
                     "\"tlp:green\"}],\"Attribute\":[{\"type\":\"domain\",\"value\":"
                     "\"gone.example\",\"to_ids\":true}]}}";
    assert_int_equal(post(&h, "/api/v1/events", U_A, ev, NULL), 201);
    assert_int_equal(post(&h, "/sightings/add", U_B, "{\"value\":\"gone.example\"}", NULL), 201);
    json_t *j = NULL;
    assert_int_equal(post(&h, "/sightings/restSearch", U_B, "{\"value\":\"gone.example\"}", &j),
                     200);
    json_t *sg = json_object_get(json_array_get(json_object_get(j, "response"), 0), "Sighting");
    char by_id[64], by_uuid[80];
    snprintf(by_id, sizeof by_id, "/sightings/delete/%s",
             json_string_value(json_object_get(sg, "id")));
    snprintf(by_uuid, sizeof by_uuid, "/sightings/delete/%s",
             json_string_value(json_object_get(sg, "uuid")));
    json_decref(j);
    /* Gamma may not see Beta's sighting (closed policy): 404, as none;
     * Alpha sees it (its event) but did not report it: 403 */
    assert_int_equal(post(&h, by_id, U_C, NULL, NULL), 404);
    assert_int_equal(post(&h, "/sightings/delete/99999999", U_C, NULL, NULL), 404);
    assert_int_equal(post(&h, by_uuid, U_A, NULL, NULL), 403);
    assert_int_equal(post(&h, by_uuid, U_B, NULL, NULL), 200);
    assert_int_equal(post(&h, by_id, U_B, NULL, NULL), 404);
    assert_int_equal(post(&h, "/sightings/delete/not-a-ref", U_B, NULL, NULL), 404);
    assert_int_equal(post(&h, "/sightings/restSearch", U_B, "{\"value\":\"gone.example\"}", &j),
                     200);
    assert_int_equal(json_array_size(json_object_get(j, "response")), 0);
    json_decref(j);
    hubfix_end(&h);
}

/* MISP's value match ('%' as SQL's LIKE): exact on the usual cases, and a
 * pattern of many '%' against a long value that does not match ends at
 * once (it was exponential: fuzz_misp_search's regress-timeout seed). */
static bool vm(const char *pat, const char *v)
{
    wbi_strlist l = {.v = {pat}, .n = 1};
    return wbi_misp_value_match(&l, v);
}

static void test_value_like(void **state)
{
    (void)state;
    assert_true(vm("evil.example", "EVIL.example"));
    assert_true(vm("%.example", "a.b.example"));
    assert_true(vm("ev%", "evil.example"));
    assert_true(vm("%il.ex%", "evil.example"));
    assert_true(vm("%", ""));
    assert_true(vm("a%b%c", "aXbYbZc"));
    assert_true(vm("a%%c", "ac"));
    assert_false(vm("a%b%c", "aXbYbZ"));
    assert_false(vm("%.example", "example"));
    assert_false(vm("evil", "evil.example"));
    assert_true(vm("evil.example", "evil.example|192.0.2.1"));
    assert_true(vm("192.0.2.%", "evil.example|192.0.2.1"));
    char pat[2048], val[4096];
    size_t n = 0;
    for (int i = 0; i < 600; i++) {
        pat[n++] = '%';
        pat[n++] = 'a';
    }
    pat[n++] = 'b';
    pat[n] = '\0';
    memset(val, 'a', sizeof val - 1);
    val[sizeof val - 1] = '\0';
    assert_false(vm(pat, val));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_galaxy_parse),    cmocka_unit_test(test_sight_filter),
        cmocka_unit_test(test_templates),       cmocka_unit_test(test_sighting_org_hidden),
        cmocka_unit_test(test_proposal_once),   cmocka_unit_test(test_misp_add_head),
        cmocka_unit_test(test_sighting_delete), cmocka_unit_test(test_value_like),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
