/*
 * test_hub_routes.c - route access as a matrix: every route of the hub's
 * table (api.c) x every kind of caller (site admin, org admin, member,
 * sensor, no key, revoked key, expired key, a key of a disabled
 * organisation),
 * each cell sent through wb_hub_handle and asserting whether the router
 * admitted the caller (the handler ran: any answer but the router's 401 or
 * 403) or refused it.
 *
 * The expectation below is written out route by route from docs/hub.md
 * (API, "Who may call what"), independently of the table; a route in the
 * table without an expectation, or an expectation without a route, fails
 * the test, so a new route must say whom it admits. Paths with '*' are
 * asked with a uuid that names nothing: an admitted call answers 404, 400
 * or 422 from its handler and changes nothing.
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

#include "hub/router.h"
#include "common/hubfix.h"
#include "weerbaar/hub.h"
#include "weerbaar/store.h"

enum {
    C_SITE_ADMIN,
    C_ORG_ADMIN,
    C_MEMBER,
    C_SENSOR,
    C_NOKEY,
    C_REVOKED,
    C_EXPIRED,
    C_DISABLED,
    N_CALLERS
};
static const char *const caller_names[N_CALLERS] = {
    "site admin", "org admin",   "member",      "sensor",
    "no key",     "revoked key", "expired key", "disabled organisation's key"};

/* The expectation, one bit per caller kind (E_*), written from the docs. */
#define E_SA (1u << C_SITE_ADMIN)
#define E_OA (1u << C_ORG_ADMIN)
#define E_MB (1u << C_MEMBER)
#define E_SE (1u << C_SENSOR)
#define E_NK (1u << C_NOKEY)
#define E_RV (1u << C_REVOKED)
#define E_EX (1u << C_EXPIRED)
#define E_DO (1u << C_DISABLED)
#define E_PEOPLE (E_SA | E_OA | E_MB)
#define E_ADMINS (E_SA | E_OA)
#define E_ALL (E_PEOPLE | E_SE | E_NK | E_RV | E_EX | E_DO)

typedef struct expect {
    const char *method, *pattern;
    unsigned admitted;
} expect;

static const expect table[] = {
    {"GET", "/", E_ALL},
    {"GET", "/api/v1", E_ALL},
    /* the web page's sign-in: a key's user may use the session routes
     * too (GET answers its user; DELETE says there is no session) */
    {"POST", "/api/v1/session", E_ALL},
    {"GET", "/api/v1/session", E_PEOPLE},
    {"DELETE", "/api/v1/session", E_PEOPLE},
    {"POST", "/api/v1/session/password", E_PEOPLE},
    {"POST", "/api/v1/session/first-login", E_ALL},
    {"POST", "/api/v1/session/totp/setup", E_PEOPLE},
    {"POST", "/api/v1/session/totp/confirm", E_PEOPLE},
    /* vulnerability scans: the policy decides each scan (docs/web.md) */
    {"POST", "/api/v1/vuln/scans", E_PEOPLE},
    {"GET", "/api/v1/vuln/scans", E_PEOPLE},
    {"GET", "/api/v1/vuln/scans/*", E_PEOPLE},
    {"GET", "/api/v1/vuln/scans/*/csv", E_PEOPLE},
    {"POST", "/api/v1/vuln/scans/*/share", E_PEOPLE},
    {"GET", "/healthz", E_ALL},
    {"GET", "/metrics", E_SA}, /* and any caller from loopback */
    /* without ?after= (the event list); the change feed is asked apart */
    {"GET", "/api/v1/events", E_PEOPLE},
    {"POST", "/api/v1/events", E_PEOPLE},
    {"GET", "/api/v1/events/*", E_PEOPLE},
    {"PUT", "/api/v1/events/*", E_PEOPLE},
    {"DELETE", "/api/v1/events/*", E_PEOPLE},
    {"POST", "/api/v1/events/*/publish", E_PEOPLE},
    {"GET", "/api/v1/events/*/sightings", E_PEOPLE},
    {"GET", "/api/v1/events/*/stix", E_PEOPLE},
    {"GET", "/feeds/misp/manifest.json", E_PEOPLE | E_SE},
    {"GET", "/feeds/misp/hashes.csv", E_PEOPLE | E_SE},
    {"GET", "/feeds/misp/*", E_PEOPLE | E_SE},
    {"GET", "/feeds/public/manifest.json", E_ALL},
    {"GET", "/feeds/public/hashes.csv", E_ALL},
    {"GET", "/feeds/public/*", E_ALL},
    {"GET", "/api/v1/indicators", E_PEOPLE | E_SE},
    {"POST", "/api/v1/sightings", E_PEOPLE | E_SE},
    {"GET", "/api/v1/sightings", E_PEOPLE},
    {"GET", "/api/v1/audit", E_SA},
    {"GET", "/api/v1/incidents/due", E_PEOPLE},
    {"POST", "/api/v1/incidents/significance", E_PEOPLE},
    {"GET", "/api/v1/incidents/proposals", E_PEOPLE},
    {"POST", "/api/v1/incidents/proposals/*/approve", E_PEOPLE},
    {"POST", "/api/v1/incidents/proposals/*/discard", E_PEOPLE},
    {"POST", "/api/v1/incidents/proposals/*/withdraw", E_PEOPLE},
    {"GET", "/api/v1/incidents", E_PEOPLE},
    {"POST", "/api/v1/incidents", E_PEOPLE},
    {"GET", "/api/v1/incidents/*", E_PEOPLE},
    {"POST", "/api/v1/incidents/*/reports", E_PEOPLE},
    {"POST", "/api/v1/incidents/*/ack", E_PEOPLE},
    {"POST", "/api/v1/incidents/*/ask", E_PEOPLE},
    {"POST", "/api/v1/incidents/*/comments", E_PEOPLE},
    {"POST", "/api/v1/incidents/*/handled", E_PEOPLE},
    {"POST", "/api/v1/incidents/*/share", E_PEOPLE},
    {"GET", "/api/v1/incidents/*/pdf", E_PEOPLE},
    {"GET", "/api/v1/assessments", E_PEOPLE},
    {"POST", "/api/v1/assessments", E_PEOPLE},
    {"GET", "/api/v1/assessments/sectors", E_PEOPLE},
    {"GET", "/api/v1/assessments/*", E_PEOPLE},
    {"GET", "/api/v1/assessments/*/versions", E_PEOPLE},
    {"POST", "/api/v1/assessments/*/versions", E_PEOPLE},
    {"POST", "/api/v1/assessments/*/answers", E_PEOPLE},
    {"POST", "/api/v1/assessments/*/share", E_PEOPLE},
    {"GET", "/api/v1/assessments/*/score", E_PEOPLE},
    {"GET", "/api/v1/assessments/*/report", E_PEOPLE},
    {"GET", "/api/v1/catalogues", E_PEOPLE},
    {"GET", "/api/v1/catalogues/*", E_PEOPLE},
    {"POST", "/api/v1/deps/pictures", E_PEOPLE},
    {"GET", "/api/v1/deps/pictures/own", E_PEOPLE},
    {"GET", "/api/v1/deps/sectors", E_PEOPLE},
    {"GET", "/api/v1/picture", E_PEOPLE},
    /* MISP's sync routes (misp_sync_api.c) */
    {"GET", "/events/index", E_PEOPLE},
    {"POST", "/events/index", E_PEOPLE},
    {"GET", "/events/view/*", E_PEOPLE},
    {"POST", "/events/add", E_PEOPLE},
    {"POST", "/events/edit/*", E_PEOPLE},
    {"POST", "/sightings/bulkSaveSightings/*", E_PEOPLE},
    /* administration: the accounts service narrows an org admin further */
    {"POST", "/api/v1/admin/import", E_SA},
    {"GET", "/api/v1/admin/*", E_ADMINS},
    {"GET", "/api/v1/admin/sharing-groups/members", E_SA},
    {"POST", "/api/v1/admin/*/*", E_ADMINS},
    {"POST", "/admin/organisations/add", E_SA},
    {"POST", "/admin/organisations/edit/*", E_SA},
    {"POST", "/admin/organisations/delete/*", E_SA},
    {"GET", "/admin/users/index", E_ADMINS},
    {"POST", "/admin/users/add", E_ADMINS},
    {"POST", "/admin/users/edit/*", E_ADMINS},
    {"POST", "/admin/users/delete/*", E_ADMINS},
    /* MISP's API (docs/hub.md, MISP routes) */
    {"GET", "/servers/getVersion", E_PEOPLE | E_SE},
    {"GET", "/servers/getVersion.json", E_PEOPLE | E_SE},
    {"GET", "/servers/getPyMISPVersion.json", E_PEOPLE | E_SE},
    {"GET", "/users/view/me", E_PEOPLE | E_SE},
    {"GET", "/users/view/me.json", E_PEOPLE | E_SE},
    {"GET", "/attributes/describeTypes.json", E_PEOPLE | E_SE},
    {"POST", "/events/restSearch", E_PEOPLE},
    {"POST", "/events/publish/*", E_PEOPLE},
    {"POST", "/events/delete/*", E_PEOPLE},
    {"DELETE", "/events/delete/*", E_PEOPLE},
    {"POST", "/attributes/restSearch", E_PEOPLE | E_SE},
    {"POST", "/attributes/add/*", E_PEOPLE},
    {"POST", "/attributes/edit/*", E_PEOPLE},
    {"POST", "/attributes/delete/*", E_PEOPLE},
    {"POST", "/objects/add/*", E_PEOPLE},
    {"GET", "/tags/index", E_PEOPLE},
    {"POST", "/tags/attachTagToObject", E_PEOPLE},
    {"POST", "/tags/removeTagFromObject", E_PEOPLE},
    {"GET", "/organisations/index", E_PEOPLE},
    {"GET", "/organisations/index/*", E_PEOPLE},
    {"GET", "/organisations/view/*", E_PEOPLE},
    {"GET", "/sharing_groups/index", E_PEOPLE},
    {"GET", "/sharingGroups/index", E_PEOPLE},
    {"GET", "/sharing_groups/view/*", E_PEOPLE},
    {"GET", "/feeds/index", E_PEOPLE},
    {"POST", "/sightings/add", E_PEOPLE | E_SE},
    /* sightings search, galaxies, proposals, attributes and objects by id
     * (misp_more_api.c): people, as the other MISP reads and writes */
    {"POST", "/sightings/restSearch", E_PEOPLE},
    {"POST", "/sightings/restSearch/*", E_PEOPLE},
    {"GET", "/sightings/index", E_PEOPLE},
    {"POST", "/sightings/index", E_PEOPLE},
    {"GET", "/sightings/index/*", E_PEOPLE},
    {"POST", "/sightings/index/*", E_PEOPLE},
    {"POST", "/sightings/listSightings", E_PEOPLE},
    {"POST", "/sightings/listSightings/*", E_PEOPLE},
    {"POST", "/sightings/delete/*", E_PEOPLE},
    {"DELETE", "/sightings/delete/*", E_PEOPLE},
    {"GET", "/galaxies/index", E_PEOPLE},
    {"POST", "/galaxies", E_PEOPLE},
    {"GET", "/galaxies/view/*", E_PEOPLE},
    {"GET", "/galaxy_clusters/view/*", E_PEOPLE},
    {"POST", "/galaxy_clusters/index/*", E_PEOPLE},
    {"POST", "/galaxies/attachCluster/*/*", E_PEOPLE},
    {"POST", "/galaxies/attachCluster/*/*/*", E_PEOPLE},
    {"POST", "/shadow_attributes/add/*", E_PEOPLE},
    {"POST", "/shadow_attributes/edit/*", E_PEOPLE},
    {"POST", "/shadow_attributes/delete/*", E_PEOPLE},
    {"POST", "/shadow_attributes/accept/*", E_PEOPLE},
    {"POST", "/shadow_attributes/discard/*", E_PEOPLE},
    {"GET", "/shadow_attributes/index", E_PEOPLE},
    {"GET", "/shadow_attributes/index/*", E_PEOPLE},
    {"GET", "/shadow_attributes/view/*", E_PEOPLE},
    {"POST", "/shadowAttributes/add/*", E_PEOPLE},
    {"POST", "/shadowAttributes/edit/*", E_PEOPLE},
    {"POST", "/shadowAttributes/delete/*", E_PEOPLE},
    {"POST", "/shadowAttributes/accept/*", E_PEOPLE},
    {"POST", "/shadowAttributes/discard/*", E_PEOPLE},
    {"GET", "/shadowAttributes/index", E_PEOPLE},
    {"GET", "/shadowAttributes/index/*", E_PEOPLE},
    {"GET", "/shadowAttributes/view/*", E_PEOPLE},
    {"GET", "/attributes/view/*", E_PEOPLE},
    {"POST", "/objects/delete/*", E_PEOPLE},
    {"DELETE", "/objects/delete/*", E_PEOPLE},
};
#define N_EXPECT (sizeof table / sizeof table[0])

/* A uuid that names nothing on the hub. */
#define NOBODY "0badc0de-0000-4000-8000-000000000000"

typedef struct fixture {
    hubfix h;
} fixture;

static const hubfix_org orgs[] = {{"Org", WB_ORG_ESSENTIAL, NULL}, {"Off", WB_ORG_OTHER, NULL}};
static const hubfix_user users[N_CALLERS] = {
    [C_SITE_ADMIN] = {"sa@org.example", 0, WB_ROLE_SITE_ADMIN},
    [C_ORG_ADMIN] = {"oa@org.example", 0, WB_ROLE_ORG_ADMIN},
    [C_MEMBER] = {"m@org.example", 0, WB_ROLE_MEMBER},
    [C_SENSOR] = {"s@org.example", 0, WB_ROLE_SENSOR},
    [C_REVOKED] = {"r@org.example", 0, WB_ROLE_MEMBER},
    [C_EXPIRED] = {"x@org.example", 0, WB_ROLE_MEMBER},
    [C_DISABLED] = {"d@off.example", 1, WB_ROLE_SITE_ADMIN},
};

/* The id of the (only) key of a user. */
static int key_of_cb(void *ud, const wb_apikey *k)
{
    int64_t *want = ud;
    if (k->user_id != want[0]) return 0;
    want[1] = k->id;
    return 1;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    hubfix_begin(&f->h, "routes", orgs, 2, users, N_CALLERS);
    int64_t nrev = 0;
    wb_error err;
    assert_int_equal(wb_store_key_revoke(f->h.st, 0, f->h.user[C_REVOKED], &nrev, &err), 0);
    assert_int_equal(nrev, 1);
    int64_t kx[2] = {f->h.user[C_EXPIRED], 0};
    assert_true(wb_store_key_list(f->h.st, key_of_cb, kx, &err) >= 0);
    assert_true(kx[1] > 0);
    assert_int_equal(wb_store_key_set(f->h.st, kx[1], wb_time_now() - 1000000, NULL, &err), 0);
    assert_int_equal(wb_store_org_update(f->h.st, f->h.org[1], NULL, NULL, NULL, NULL, 1, &err), 0);
    /* with advisories: a scan's route answers 400 to an empty body, not 503 */
    hubfix_open(&f->h, &(wb_hub_opts){.connections = 2,
                                      .rate = 1e6,
                                      .advisories = WB_TEST_DATA "/vuln/abc-csaf.json"});
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

/* The path to ask for a pattern: '*' as a uuid ("{uuid}.json" in a feed). */
static void path_of(const char *pattern, char *out, size_t cap)
{
    const char *star = strchr(pattern, '*');
    if (star == NULL) {
        snprintf(out, cap, "%s", pattern);
        return;
    }
    bool feed = strncmp(pattern, "/feeds/", 7) == 0;
    snprintf(out, cap, "%.*s%s%s%s", (int)(star - pattern), pattern, NOBODY, feed ? ".json" : "",
             star + 1);
}

/* Whether the router let the caller through: false for its 401 and for its
 * 403 (told from a handler's own 403 by the router's messages). */
static bool call_admitted(fixture *f, const char *method, const char *path, const wb_hub_arg *args,
                          size_t nargs, int caller)
{
    char auth[WB_KEY_TEXT_LEN + 16];
    snprintf(auth, sizeof auth, "Bearer %s", f->h.key[caller]);
    wb_hub_request req = {.method = method,
                          .path = path,
                          .args = args,
                          .nargs = nargs,
                          .authorization = caller == C_NOKEY ? NULL : auth,
                          /* not loopback: /metrics admits any caller from loopback */
                          .peer = "192.0.2.10"};
    wb_hub_response resp;
    wb_hub_handle(f->h.hub, &req, &resp);
    unsigned status = resp.status;
    if (resp.stream) {
        char buf[4096];
        while (wb_hub_stream_read(resp.stream, buf, sizeof buf) > 0)
            ;
        assert_int_equal(wb_buf_putc(&resp.body, '\0'), 0);
    } else {
        assert_int_equal(wb_buf_putc(&resp.body, '\0'), 0);
    }
    const char *msg = "";
    json_t *j = resp.body.data ? json_loads(resp.body.data, 0, NULL) : NULL;
    if (j) msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
    /* MISP's paths answer in MISP's shape: {"name", "message", "url", "errors"} */
    if (j && msg == NULL) msg = json_string_value(json_object_get(j, "message"));
    if (msg == NULL) msg = "";
    bool refused =
        status == 401 || (status == 403 && (strncmp(msg, "a sensor key may only", 21) == 0 ||
                                            strcmp(msg, "only site admins may read this") == 0 ||
                                            strncmp(msg, "a key of role ", 14) == 0));
    /* Nothing but the router answers 401; a 5xx would hide the answer. */
    if (status >= 500)
        print_error("%s %s as %s: %u %s\n", method, path, caller_names[caller], status,
                    resp.body.data ? resp.body.data : "");
    assert_true(status < 500);
    json_decref(j);
    wb_hub_response_free(&resp);
    return !refused;
}

static void test_route_matrix(void **state)
{
    fixture *f = *state;
    size_t n = 0;
    const wbi_hub_route *routes = wbi_hub_routes(&n);
    /* Every route has an expectation and every expectation a route. */
    assert_int_equal(n, N_EXPECT);
    size_t cells = 0, failures = 0;
    for (size_t i = 0; i < n; i++) {
        const expect *e = NULL;
        for (size_t k = 0; k < N_EXPECT && e == NULL; k++)
            if (strcmp(table[k].method, routes[i].method) == 0 &&
                strcmp(table[k].pattern, routes[i].pattern) == 0)
                e = &table[k];
        if (e == NULL)
            fail_msg("route %s %s has no expectation", routes[i].method, routes[i].pattern);
        char path[160];
        path_of(routes[i].pattern, path, sizeof path);
        for (int c = 0; c < N_CALLERS; c++) {
            bool want = (e->admitted >> c) & 1u,
                 got = call_admitted(f, e->method, path, NULL, 0, c);
            cells++;
            if (want != got) {
                print_error("%s %s by %s: %s, expected %s\n", e->method, path, caller_names[c],
                            got ? "admitted" : "refused", want ? "admitted" : "refused");
                failures++;
            }
        }
    }
    assert_int_equal(cells, N_EXPECT * N_CALLERS);
    assert_int_equal(failures, 0);
}

/* The change feed: a sensor reads GET /api/v1/events only with ?after=. */
static void test_sensor_change_feed(void **state)
{
    fixture *f = *state;
    wb_hub_arg after[1] = {{"after", "0"}};
    for (int c = 0; c < N_CALLERS; c++) {
        bool want = c <= C_SENSOR;
        assert_true(call_admitted(f, "GET", "/api/v1/events", after, 1, c) == want);
    }
}

/* The role bits: every role this build knows has one, and they differ; a
 * role it does not know (a newer database) has none, so it is admitted
 * nowhere. */
static void test_admit_bits(void **state)
{
    (void)state;
    unsigned seen = 0;
    for (int r = WB_ROLE_SITE_ADMIN; r <= WB_ROLE_SENSOR; r++) {
        unsigned b = wbi_hub_admit_bit((wb_role)r);
        assert_int_not_equal(b, 0);
        assert_int_equal(seen & b, 0);
        seen |= b;
    }
    assert_int_equal(wbi_hub_admit_bit((wb_role)(WB_ROLE_SENSOR + 1)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route_matrix),
        cmocka_unit_test(test_sensor_change_feed),
        cmocka_unit_test(test_admit_bits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
