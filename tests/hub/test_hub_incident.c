/*
 * test_hub_incident.c - who sees an incident on the hub, as a generated
 * matrix through the API handler (wb_hub_handle): every incident read path
 * (get, list, due) and every write path (report, ack, ask, comment,
 * handled, share) x every
 * kind of caller (own organisation, routed CSIRT, routed supervisor, another
 * organisation, another CSIRT, a sensor key, a site admin), for an incident
 * in a sector with its own route and one that falls back to the national
 * route ('*'). A hidden incident must answer 404 exactly as a missing one;
 * a site admin's read must land in the audit log. The matrix's size is
 * asserted so that no cell is silently dropped.
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

enum { C_OWN, C_CSIRT, C_SUPERVISOR, C_OTHER, C_OTHER_CSIRT, C_SENSOR, C_ADMIN, N_CALLERS };
static const char *const caller_names[N_CALLERS] = {
    "own org",     "routed CSIRT", "routed supervisor", "other org",
    "other CSIRT", "sensor",       "site admin"};
enum { P_GET, P_LIST, P_DUE, N_READS };
enum { W_REPORT, W_ACK, W_ASK, W_COMMENT, W_HANDLED, W_SHARE, N_WRITES };
#define N_INCIDENTS 2 /* energy (own route), health (national route) */

typedef struct fixture {
    hubfix h;
    int64_t inc[N_INCIDENTS];
} fixture;

static unsigned call(fixture *f, const char *method, const char *path, const char *stage,
                     int caller, const char *body, json_t **out)
{
    wb_hub_arg args[1] = {{"stage", stage}};
    wb_hub_request req = {
        .method = method, .path = path, .args = args, .nargs = stage ? 1 : 0, .body = body};
    return hubfix_call(f->h.hub, &req, f->h.key[caller], out);
}

static const char ew[] = "{\"summary\":\"portal down\",\"malicious\":\"unknown\","
                         "\"cross_border\":\"no\",\"contact\":{\"name\":\"Jan\","
                         "\"email\":\"jan@example.nl\",\"phone\":\"+31 20 555 0100\"}}";

/* An early warning that names indicators already (any stage may). */
static const char ew_ind[] = "{\"summary\":\"portal down\",\"malicious\":\"unknown\","
                             "\"cross_border\":\"no\",\"contact\":{\"name\":\"Jan\","
                             "\"email\":\"jan@example.nl\",\"phone\":\"+31 20 555 0100\"},"
                             "\"indicators\":[{\"type\":\"ip-dst\",\"value\":\"192.0.2.77\"}]}";

enum { O_OWN, O_OWN2, O_CSIRT, O_SUP, O_OTHER, O_OCSIRT, O_SITE, N_ORGS };
static const hubfix_org orgs[N_ORGS] = {
    [O_OWN] = {"Own", WB_ORG_ESSENTIAL, "energy"},
    [O_OWN2] = {"Own2", WB_ORG_ESSENTIAL, "health"},
    [O_CSIRT] = {"CSIRT-E", WB_ORG_CSIRT, NULL},
    [O_SUP] = {"RDI", WB_ORG_SUPERVISOR, NULL},
    [O_OTHER] = {"Other", WB_ORG_IMPORTANT, "energy"},
    [O_OCSIRT] = {"CSIRT-X", WB_ORG_CSIRT, NULL},
    [O_SITE] = {"Site", WB_ORG_OTHER, NULL},
};
static const hubfix_user users[N_CALLERS] = {
    [C_OWN] = {"a@own.example", O_OWN, WB_ROLE_MEMBER},
    [C_CSIRT] = {"c@csirt.example", O_CSIRT, WB_ROLE_MEMBER},
    [C_SUPERVISOR] = {"s@rdi.example", O_SUP, WB_ROLE_MEMBER},
    [C_OTHER] = {"o@other.example", O_OTHER, WB_ROLE_ORG_ADMIN},
    [C_OTHER_CSIRT] = {"x@csirtx.example", O_OCSIRT, WB_ROLE_MEMBER},
    [C_SENSOR] = {"sensor@own.example", O_OWN, WB_ROLE_SENSOR},
    [C_ADMIN] = {"admin@site.example", O_SITE, WB_ROLE_SITE_ADMIN},
};

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    hubfix_begin(&f->h, "incident", orgs, N_ORGS, users, N_CALLERS);
    wb_store *st = f->h.st;
    wb_error err;
    int64_t csirt = f->h.org[O_CSIRT], sup = f->h.org[O_SUP];
    /* energy routes to CSIRT-E and RDI; every other sector to the same
     * CSIRT and supervisor nationally, so both incidents have one audience
     * shape; CSIRT-X is routed nowhere. */
    assert_int_equal(wb_store_route_set(st, "energy", csirt, sup, &err), 0);
    assert_int_equal(wb_store_route_set(st, "*", csirt, sup, &err), 0);
    wb_incident_rec r = {.org_id = f->h.org[O_OWN],
                         .title = "energy incident",
                         .aware_at = wb_time_now() - 3600 * (int64_t)1000000,
                         .detected_at = WB_TIME_NONE,
                         .entity_type = "other",
                         .tlp = WB_TLP_AMBER};
    assert_int_equal(wb_store_incident_add(st, &r, &f->inc[0], &err), 0);
    r.org_id = f->h.org[O_OWN2];
    r.title = "health incident";
    assert_int_equal(wb_store_incident_add(st, &r, &f->inc[1], &err), 0);
    /* Incident 1 is Own2's: for it the "own org" caller is just another
     * organisation. */
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

/* The table of docs/hub.md, restated independently of src/share/policy.c. */
static bool sees(int caller, int incident)
{
    switch (caller) {
    case C_OWN:
        return incident == 0; /* incident 1 is Own2's */
    case C_CSIRT:
    case C_SUPERVISOR:
    case C_ADMIN:
        return true;
    default:
        return false;
    }
}

static bool listed(json_t *arr, int64_t id)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        json_t *key = json_object_get(v, "incident");
        if (key == NULL) key = json_object_get(v, "id");
        if (json_integer_value(key) == id) return true;
    }
    return false;
}

/* The id of the newest audit entry; *incident_read tells whether it is a
 * site admin's read of an incident. */
static int64_t newest_audit(fixture *f, bool *incident_read)
{
    json_t *j = NULL;
    assert_int_equal(call(f, "GET", "/api/v1/audit", NULL, C_ADMIN, NULL, &j), 200);
    json_t *a = json_object_get(json_array_get(json_object_get(j, "response"), 0), "Audit");
    int64_t id = (int64_t)json_integer_value(json_object_get(a, "id"));
    const char *act = json_string_value(json_object_get(a, "action"));
    const char *d = json_string_value(json_object_get(a, "detail"));
    *incident_read = act && d && strcmp(act, "read.admin") == 0 && strstr(d, "incident");
    json_decref(j);
    return id;
}

static void test_read_matrix(void **state)
{
    fixture *f = *state;
    size_t cells = 0;
    for (int inc = 0; inc < N_INCIDENTS; inc++) {
        for (int c = 0; c < N_CALLERS; c++) {
            for (int p = 0; p < N_READS; p++) {
                char path[96];
                if (p == P_GET)
                    snprintf(path, sizeof path, "/api/v1/incidents/%lld", (long long)f->inc[inc]);
                else
                    snprintf(path, sizeof path, "/api/v1/incidents%s", p == P_DUE ? "/due" : "");
                bool audited = false;
                int64_t before = c == C_ADMIN ? newest_audit(f, &audited) : 0;
                json_t *j = NULL;
                unsigned st = call(f, "GET", path, NULL, c, NULL, &j);
                bool want = sees(c, inc);
                bool got;
                if (c == C_SENSOR) {
                    assert_int_equal(st, 403);
                    got = false;
                } else if (p == P_GET) {
                    assert_true(st == 200 || st == 404);
                    got = st == 200;
                } else {
                    assert_int_equal(st, 200);
                    got = listed(json_object_get(j, "response"), f->inc[inc]);
                }
                if (got != want)
                    fail_msg("incident %d, %s, path %d: got %d want %d", inc, caller_names[c], p,
                             got, want);
                if (c == C_ADMIN) {
                    assert_true(newest_audit(f, &audited) > before);
                    assert_true(audited);
                }
                json_decref(j);
                cells++;
            }
        }
    }
    assert_int_equal(cells, N_INCIDENTS * N_CALLERS * N_READS);
    /* A hidden incident and a missing one answer the same. */
    json_t *a = NULL, *b = NULL;
    char path[64];
    snprintf(path, sizeof path, "/api/v1/incidents/%lld", (long long)f->inc[0]);
    assert_int_equal(call(f, "GET", path, NULL, C_OTHER, NULL, &a), 404);
    assert_int_equal(call(f, "GET", "/api/v1/incidents/999999", NULL, C_OTHER, NULL, &b), 404);
    assert_true(json_equal(a, b));
    json_decref(a);
    json_decref(b);
}

static void test_write_matrix(void **state)
{
    fixture *f = *state;
    size_t cells = 0;
    for (int c = 0; c < N_CALLERS; c++) {
        for (int w = 0; w < N_WRITES; w++) {
            char path[96];
            static const char *const tails[N_WRITES] = {"reports",  "ack",     "ask",
                                                        "comments", "handled", "share"};
            snprintf(path, sizeof path, "/api/v1/incidents/%lld/%s", (long long)f->inc[0],
                     tails[w]);
            char handled[80], at[48];
            wb_time_format(wb_time_now() - 1800 * (int64_t)1000000, at, sizeof at);
            snprintf(handled, sizeof handled, "{\"at\":\"%s\"}", at);
            const char *body = w == W_REPORT    ? ew_ind
                               : w == W_ASK     ? "{\"by\":\"2099-01-01T00:00:00Z\"}"
                               : w == W_COMMENT ? "{\"text\":\"thanks\"}"
                               : w == W_HANDLED ? handled
                               : w == W_SHARE   ? "{\"tlp\":\"green\",\"distribution\":1}"
                                                : NULL;
            unsigned st =
                call(f, "POST", path, w == W_REPORT ? "early-warning" : NULL, c, body, NULL);
            unsigned want;
            if (c == C_SENSOR)
                want = 403;
            else if (!sees(c, 0))
                want = 404;
            else if (w == W_REPORT || w == W_SHARE)
                want = c == C_OWN ? 201 : 403;
            else if (w == W_HANDLED)
                want = c == C_OWN ? 200 : 403;
            else
                want = c == C_CSIRT ? 201 : 403;
            if (c == C_ADMIN) want = 403; /* sees it (audited), may not act */
            if (st != want) fail_msg("%s, write %d: got %u want %u", caller_names[c], w, st, want);
            cells++;
        }
    }
    assert_int_equal(cells, N_CALLERS * N_WRITES);
}

static void test_reports(void **state)
{
    fixture *f = *state;
    char path[96];
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports", (long long)f->inc[0]);
    json_t *j = NULL;
    /* Missing fields: 422 listing every one. */
    assert_int_equal(call(f, "POST", path, "notification", C_OWN, "{\"summary\":\"x\"}", &j), 422);
    const char *msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
    assert_non_null(msg);
    assert_non_null(strstr(msg, "contact.email"));
    assert_non_null(strstr(msg, "severity"));
    assert_non_null(strstr(msg, "initial_assessment"));
    json_decref(j);
    assert_int_equal(call(f, "POST", path, "notification", C_OWN, "{", NULL), 400);
    /* Nested deeper than the hub's limit: refused before it is parsed. */
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 99);
    deep[199] = '\0';
    char body[260];
    snprintf(body, sizeof body, "{\"summary\":%s]}", deep);
    assert_int_equal(call(f, "POST", path, "notification", C_OWN, body, &j), 400);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
                        "invalid_json");
    json_decref(j);
    assert_int_equal(call(f, "POST", path, "bogus", C_OWN, ew, NULL), 400);
    /* The server's clock is the submission time; the first decides met. */
    assert_int_equal(call(f, "POST", path, "early-warning", C_OWN, ew, &j), 201);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "met");
    json_decref(j);
    assert_int_equal(call(f, "POST", path, "early-warning", C_OWN, ew, &j), 201);
    assert_true(json_is_true(json_object_get(j, "correction")));
    json_decref(j);
    /* The incident shows the reports as coming through the hub. */
    snprintf(path, sizeof path, "/api/v1/incidents/%lld", (long long)f->inc[0]);
    assert_int_equal(call(f, "GET", path, NULL, C_CSIRT, NULL, &j), 200);
    json_t *reps = json_object_get(json_object_get(j, "incident"), "reports");
    assert_true(json_array_size(reps) >= 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(reps, 0), "channel")),
                        "hub");
    json_decref(j);
    /* New incidents belong to the caller's organisation. */
    assert_int_equal(call(f, "POST", "/api/v1/incidents", NULL, C_OWN,
                          "{\"title\":\"new\",\"aware_at\":\"2026-01-01T10:00:00+01:00\"}", &j),
                     201);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "incident"), "org")),
                        "Own");
    json_decref(j);
    assert_int_equal(call(f, "POST", "/api/v1/incidents", NULL, C_OWN,
                          "{\"title\":\"new\",\"aware_at\":\"yesterday\"}", NULL),
                     422);
    assert_int_equal(call(f, "POST", "/api/v1/incidents", NULL, C_OWN,
                          "{\"title\":\"new\",\"aware_at\":\"2026-01-01T10:00:00Z\",\"x\":1}",
                          NULL),
                     422);
}

/* The id of the only proposal in a list answer, 0 when the list is empty. */
static int64_t only_proposal(json_t *j)
{
    json_t *arr = json_object_get(j, "response");
    if (json_array_size(arr) == 0) return 0;
    assert_int_equal(json_array_size(arr), 1);
    return json_integer_value(json_object_get(json_array_get(arr, 0), "id"));
}

/* incident share: anonymously, a proposal that only the reporter and the
 * routed CSIRT see, published in the CSIRT's name once it approves, with
 * nothing in the event that names the reporter; the audit keeps the real
 * users. A retry of a share changes nothing. */
static void test_share(void **state)
{
    fixture *f = *state;
    char path[96], epath[128];
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/share", (long long)f->inc[0]);
    const char *sh = "{\"tlp\":\"green\",\"distribution\":1,\"anonymous\":true}";
    json_t *j = NULL;
    assert_int_equal(call(f, "POST", path, NULL, C_OWN, sh, &j), 422); /* no indicators yet */
    json_decref(j);
    snprintf(epath, sizeof epath, "/api/v1/incidents/%lld/reports", (long long)f->inc[0]);
    assert_int_equal(call(f, "POST", epath, "early-warning", C_OWN, ew_ind, NULL), 201);
    assert_int_equal(call(f, "POST", path, NULL, C_OWN, "{\"tlp\":\"red\",\"distribution\":1}", &j),
                     422);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
                        "invalid_tlp_distribution");
    json_decref(j);
    /* Anonymous: a pending proposal, no event yet. */
    assert_int_equal(call(f, "POST", path, NULL, C_OWN, sh, &j), 202);
    assert_true(json_is_true(json_object_get(j, "anonymous")));
    assert_string_equal(json_string_value(json_object_get(j, "status")), "pending");
    assert_true(json_is_null(json_object_get(j, "event")));
    assert_int_equal(json_integer_value(json_object_get(j, "attributes")), 1);
    int64_t pid = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    /* A retry is the same proposal. */
    assert_int_equal(call(f, "POST", path, NULL, C_OWN, sh, &j), 200);
    assert_int_equal(json_integer_value(json_object_get(j, "id")), pid);
    assert_true(json_is_true(json_object_get(j, "replayed")));
    json_decref(j);
    /* Who sees it: the reporter and the CSIRT, nobody else (not the
     * supervisor, another CSIRT or a site admin). */
    static const int sees[N_CALLERS] = {[C_OWN] = 1, [C_CSIRT] = 1};
    for (int c = 0; c < N_CALLERS; c++) {
        unsigned st = call(f, "GET", "/api/v1/incidents/proposals", NULL, c, NULL, &j);
        if (c == C_SENSOR) {
            assert_int_equal(st, 403);
        } else {
            assert_int_equal(st, 200);
            if (only_proposal(j) != (sees[c] ? pid : 0)) fail_msg("%s", caller_names[c]);
        }
        json_decref(j);
    }
    /* Approval: the CSIRT alone; the reporter may not, others get 404. */
    snprintf(epath, sizeof epath, "/api/v1/incidents/proposals/%lld/approve", (long long)pid);
    assert_int_equal(call(f, "POST", epath, NULL, C_OWN, "{}", NULL), 403);
    assert_int_equal(call(f, "POST", epath, NULL, C_OTHER_CSIRT, "{}", NULL), 404);
    assert_int_equal(call(f, "POST", epath, NULL, C_ADMIN, "{}", NULL), 404);
    assert_int_equal(call(f, "POST", epath, NULL, C_SUPERVISOR, "{}", NULL), 404);
    assert_int_equal(
        call(f, "POST", "/api/v1/incidents/proposals/99/approve", NULL, C_CSIRT, "{}", NULL), 404);
    assert_int_equal(call(f, "POST", epath, NULL, C_CSIRT, "{}", &j), 200);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "approved");
    assert_string_equal(json_string_value(json_object_get(j, "decided_by")), "c@csirt.example");
    char uuid[WB_UUID_LEN + 1];
    snprintf(uuid, sizeof uuid, "%s", json_string_value(json_object_get(j, "event")));
    json_decref(j);
    assert_int_equal(call(f, "POST", epath, NULL, C_CSIRT, "{}", NULL), 409); /* once */
    snprintf(epath, sizeof epath, "/api/v1/incidents/proposals/%lld/withdraw", (long long)pid);
    assert_int_equal(call(f, "POST", epath, NULL, C_OWN, "{}", NULL), 409); /* too late */
    /* Another organisation reads the event: the CSIRT's, nothing of Own. */
    snprintf(epath, sizeof epath, "/api/v1/events/%s", uuid);
    assert_int_equal(call(f, "GET", epath, NULL, C_OTHER, NULL, &j), 200);
    json_t *e = json_object_get(j, "Event");
    assert_string_equal(json_string_value(json_object_get(json_object_get(e, "Orgc"), "name")),
                        "CSIRT-E");
    char *text = json_dumps(j, 0);
    assert_null(strstr(text, "Own"));
    assert_null(strstr(text, "energy incident"));
    assert_non_null(strstr(text, "192.0.2.77"));
    free(text);
    json_decref(j);
    /* The audit log (site admins only) keeps who did what, newest first. */
    assert_int_equal(call(f, "GET", "/api/v1/audit", NULL, C_ADMIN, NULL, &j), 200);
    json_t *log = json_object_get(j, "response");
    bool proposed = false, approved = false;
    for (size_t i = 0; i < json_array_size(log); i++) {
        json_t *a = json_object_get(json_array_get(log, i), "Audit");
        const char *act = json_string_value(json_object_get(a, "action"));
        const char *user = json_string_value(json_object_get(a, "user"));
        if (strcmp(act, "incident.propose") == 0) proposed = strcmp(user, "a@own.example") == 0;
        if (strcmp(act, "incident.proposal.approve") == 0)
            approved = strcmp(user, "c@csirt.example") == 0;
    }
    assert_true(proposed && approved);
    json_decref(j);
    /* The incident lists the event for those who see it. */
    snprintf(epath, sizeof epath, "/api/v1/incidents/%lld", (long long)f->inc[0]);
    assert_int_equal(call(f, "GET", epath, NULL, C_CSIRT, NULL, &j), 200);
    json_t *ev = json_array_get(json_object_get(json_object_get(j, "incident"), "events"), 0);
    assert_string_equal(json_string_value(json_object_get(ev, "uuid")), uuid);
    assert_true(json_is_true(json_object_get(ev, "anonymous")));
    json_decref(j);
    /* A second proposal (another key) is withdrawn by the reporter and then
     * cannot be approved; discard is the CSIRT's. */
    assert_int_equal(
        call(f, "POST", path, NULL, C_OWN,
             "{\"tlp\":\"green\",\"distribution\":1,\"anonymous\":true,\"key\":\"k2\"}", &j),
        202);
    int64_t pid2 = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    snprintf(epath, sizeof epath, "/api/v1/incidents/proposals/%lld/discard", (long long)pid2);
    assert_int_equal(call(f, "POST", epath, NULL, C_OWN, "{}", NULL), 403);
    snprintf(epath, sizeof epath, "/api/v1/incidents/proposals/%lld/withdraw", (long long)pid2);
    assert_int_equal(call(f, "POST", epath, NULL, C_CSIRT, "{}", NULL), 403);
    assert_int_equal(call(f, "POST", epath, NULL, C_OWN, "{}", &j), 200);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "withdrawn");
    json_decref(j);
    snprintf(epath, sizeof epath, "/api/v1/incidents/proposals/%lld/approve", (long long)pid2);
    assert_int_equal(call(f, "POST", epath, NULL, C_CSIRT, "{}", NULL), 409);
    /* The same key for something else is a conflict, not a silent replay. */
    assert_int_equal(
        call(f, "POST", path, NULL, C_OWN,
             "{\"tlp\":\"amber\",\"distribution\":1,\"anonymous\":true,\"key\":\"k3\"}", NULL),
        202);
    assert_int_equal(
        call(f, "POST", path, NULL, C_OWN,
             "{\"tlp\":\"green\",\"distribution\":1,\"anonymous\":true,\"key\":\"k3\"}", &j),
        409);
    json_decref(j);
    /* Not anonymous: the organisation's own event at once; a retry answers
     * with the same event and makes no second one. */
    assert_int_equal(
        call(f, "POST", path, NULL, C_OWN, "{\"tlp\":\"green\",\"distribution\":1}", &j), 201);
    snprintf(uuid, sizeof uuid, "%s", json_string_value(json_object_get(j, "event")));
    json_decref(j);
    assert_int_equal(
        call(f, "POST", path, NULL, C_OWN, "{\"tlp\":\"green\",\"distribution\":1}", &j), 200);
    assert_string_equal(json_string_value(json_object_get(j, "event")), uuid);
    json_decref(j);
    snprintf(epath, sizeof epath, "/api/v1/events/%s", uuid);
    assert_int_equal(call(f, "GET", epath, NULL, C_OTHER, NULL, &j), 200);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(j, "Event"), "Orgc"), "name")),
                        "Own");
    json_decref(j);
    snprintf(epath, sizeof epath, "/api/v1/incidents/%lld", (long long)f->inc[0]);
    assert_int_equal(call(f, "GET", epath, NULL, C_OWN, NULL, &j), 200);
    assert_int_equal(json_array_size(json_object_get(json_object_get(j, "incident"), "events")), 2);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read_matrix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_matrix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_share, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
