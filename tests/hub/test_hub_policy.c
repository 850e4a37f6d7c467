/*
 * test_hub_policy.c - the TLP and distribution table of the hub as a
 * generated matrix, through the API handler (wb_hub_handle): every read
 * path (the API's, the MISP feed's and the public feed's manifest and event
 * files, the STIX export, MISP's restSearch over events and attributes by
 * value, id, uuid and tag, the change feed and its tombstones) x every TLP
 * (and no tag) x every distribution x every kind of caller, each cell
 * asserting exactly whether the caller sees the item; and every path that
 * serves an event naming only its effective TLP whatever MISP shape
 * (Tag, EventTag, AttributeTag) the levels came in.
 *
 * The expected answer comes from expect() below, a plain restatement of
 * the table in docs/hub.md written independently of src/share/policy.c. The
 * matrix's size is asserted so that no cell is silently dropped.
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

enum { C_CREATOR, C_PARTNER, C_OTHER, C_SENSOR, C_NOKEY, C_REVOKED, C_ADMIN, N_CALLERS };
static const char *const caller_names[N_CALLERS] = {
    "creator", "sharing-group org", "other org", "sensor", "no key", "revoked key", "site admin"};
/* P_CHANGES: the change feed from 0 (what match --hub loads); P_TOMBSTONE:
 * the feed after every event was deleted, from the cursor before. The
 * tombstone path deletes every cell's event, so it must stay the last. */
enum {
    P_LIST,
    P_GET,
    P_INDICATOR,
    P_SIGHTINGS,
    P_FEED_MANIFEST,
    P_FEED_EVENT,
    P_PUBLIC_MANIFEST,
    P_PUBLIC_EVENT,
    P_STIX,
    P_MISP_EV_VALUE, /* POST /events/restSearch {"value"} */
    P_MISP_EV_UUID,  /* POST /events/restSearch {"eventid"}, with a tag filter */
    P_MISP_AT_VALUE, /* POST /attributes/restSearch {"value"} */
    P_MISP_AT_UUID,  /* POST /attributes/restSearch {"uuid"} (the event's), csv */
    P_MISP_EV_VIEW,  /* GET /events/view/{uuid} */
    P_MISP_AT_VIEW,  /* GET /attributes/view/{numeric id} */
    P_MISP_SI_VALUE, /* POST /sightings/restSearch {"value"} */
    P_MISP_SI_EVENT, /* POST /sightings/restSearch/event {"id": the event's uuid} */
    P_CHANGES,
    P_TOMBSTONE,
    N_PATHS
};
static const char *const path_names[N_PATHS] = {"list",
                                                "get",
                                                "indicators",
                                                "sightings",
                                                "feed manifest",
                                                "feed event",
                                                "public manifest",
                                                "public feed event",
                                                "STIX export",
                                                "MISP events by value",
                                                "MISP events by id and tag",
                                                "MISP attributes by value",
                                                "MISP attributes by event uuid (csv)",
                                                "MISP events/view",
                                                "MISP attributes/view by id",
                                                "MISP sightings by value",
                                                "MISP sightings by event",
                                                "changes",
                                                "tombstone"};
/* "" is an event without a tlp: tag (amber). */
static const char *const tlps[] = {"tlp:clear",        "tlp:green", "tlp:amber",
                                   "tlp:amber+strict", "tlp:red",   ""};
#define N_TLPS 6
#define N_DISTS 5

typedef struct fixture {
    hubfix h;
    char sg_uuid[WB_UUID_LEN + 1];
} fixture;

static int sg_cb(void *ud, const wb_sgroup *g)
{
    memcpy(ud, g->uuid, WB_UUID_LEN + 1);
    return 1;
}

/* Sends a request; returns the status and the parsed body in *out. */
static unsigned call_q(fixture *f, const char *method, const char *path, const wb_hub_arg *args,
                       size_t nargs, int caller, const char *body, json_t **out)
{
    wb_hub_request req = {
        .method = method, .path = path, .args = args, .nargs = nargs, .body = body};
    return hubfix_call(f->h.hub, &req, caller == C_NOKEY ? NULL : f->h.key[caller], out);
}

static unsigned call(fixture *f, const char *method, const char *path, const char *query_value,
                     int caller, const char *body, json_t **out)
{
    wb_hub_arg args[1] = {{"value", query_value}};
    return call_q(f, method, path, args, query_value ? 1 : 0, caller, body, out);
}

/* The change feed after `after`, one page of up to 1000. */
static unsigned call_changes(fixture *f, int64_t after, int caller, json_t **out)
{
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long)after);
    wb_hub_arg args[2] = {{"after", a}, {"limit", "1000"}};
    return call_q(f, "GET", "/api/v1/events", args, 2, caller, NULL, out);
}

/* Whether a change-feed answer holds a tombstone ({"uuid", "deleted": true}
 * and nothing else) for uuid. */
static bool tomb_has(json_t *j, const char *uuid)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(j, "response"), i, e)
    {
        json_t *ev = json_object_get(e, "Event");
        const char *u = json_string_value(json_object_get(ev, "uuid"));
        if (u && strcmp(u, uuid) == 0)
            return json_is_true(json_object_get(ev, "deleted")) && json_object_size(ev) == 2;
    }
    return false;
}

enum { O_CREATOR, O_PARTNER, O_OTHER, O_CSIRT, N_ORGS };
static const hubfix_org orgs[N_ORGS] = {
    [O_CREATOR] = {"Creator", WB_ORG_ESSENTIAL, NULL},
    [O_PARTNER] = {"Partner", WB_ORG_ESSENTIAL, NULL},
    [O_OTHER] = {"Other", WB_ORG_ESSENTIAL, NULL},
    [O_CSIRT] = {"CSIRT", WB_ORG_ESSENTIAL, NULL},
};
static const hubfix_user users[N_CALLERS] = {
    [C_CREATOR] = {"c@creator.example", O_CREATOR, WB_ROLE_MEMBER},
    [C_PARTNER] = {"p@partner.example", O_PARTNER, WB_ROLE_MEMBER},
    [C_OTHER] = {"o@other.example", O_OTHER, WB_ROLE_MEMBER},
    /* The sensor belongs to the partner, so its answers vary with distribution. */
    [C_SENSOR] = {"s@partner.example", O_PARTNER, WB_ROLE_SENSOR},
    [C_REVOKED] = {"r@creator.example", O_CREATOR, WB_ROLE_MEMBER},
    [C_ADMIN] = {"admin@csirt.example", O_CSIRT, WB_ROLE_SITE_ADMIN},
};

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    hubfix_begin(&f->h, "policy", orgs, N_ORGS, users, N_CALLERS);
    wb_error err;
    int64_t members[2] = {f->h.org[O_CREATOR], f->h.org[O_PARTNER]};
    assert_int_equal(wb_store_sgroup_add(f->h.st, "Group", members, 2, NULL, &err), 0);
    assert_int_equal(wb_store_sgroup_find(f->h.st, 0, "Group", sg_cb, f->sg_uuid, &err), 0);
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

static void cell_uuid(int t, int d, char out[WB_UUID_LEN + 1])
{
    snprintf(out, WB_UUID_LEN + 1, "7a000000-0000-4000-8000-0000000%02d%03d", t, d);
}

static void cell_attr_uuid(int t, int d, char out[WB_UUID_LEN + 1])
{
    snprintf(out, WB_UUID_LEN + 1, "7b000000-0000-4000-8000-0000000%02d%03d", t, d);
}

static void cell_value(int t, int d, char *out, size_t cap)
{
    snprintf(out, cap, "cell-%d-%d.matrix.example", t, d);
}

static bool allowed_combo(int t, int d)
{
    bool strict = t == 3 || t == 4; /* amber+strict, red */
    return !strict || d == 0 || d == 4;
}

/* The table, restated: may `caller` see the item of cell (t, d) on `path`? */
static bool expect(int caller, int path, int t, int d)
{
    if (!allowed_combo(t, d)) return false; /* never stored */
    /* MISP's restSearch reads events as the event list does and
     * attributes as the indicator look-up does: no new path shows more. */
    if (path == P_MISP_EV_VALUE || path == P_MISP_EV_UUID) path = P_GET;
    if (path == P_MISP_AT_VALUE || path == P_MISP_AT_UUID) path = P_INDICATOR;
    /* events/view and attributes/view read as the event does; MISP's
     * sightings search as the sightings of the event. */
    if (path == P_MISP_EV_VIEW || path == P_MISP_AT_VIEW) path = P_GET;
    if (path == P_MISP_SI_VALUE || path == P_MISP_SI_EVENT) path = P_SIGHTINGS;
    /* The public feed: CLEAR with distribution 3, whoever asks (a key is
     * not looked at). */
    if (path == P_PUBLIC_MANIFEST || path == P_PUBLIC_EVENT) return t == 0 && d == 3;
    /* The partner could not see distribution 0, so made no sighting there. */
    if (path == P_SIGHTINGS && d == 0) return false;
    switch (caller) {
    case C_NOKEY:
    case C_REVOKED:
        return false; /* the API needs a valid key */
    case C_ADMIN:
        return true;
    case C_CREATOR:
        return true;
    case C_SENSOR:
        /* A sensor reads indicators, the MISP feed and the change feed (how it
         * loads indicators): the same rule. */
        if (path != P_INDICATOR && path != P_FEED_MANIFEST && path != P_FEED_EVENT &&
            path != P_CHANGES && path != P_TOMBSTONE)
            return false;
        return d >= 1; /* the partner's audience: 1-3 everyone, 4 the group */
    case C_PARTNER:
        return d >= 1; /* made the sighting, so sees it too */
    case C_OTHER:
        if (path == P_SIGHTINGS) return false; /* neither creator nor sighting org */
        return d >= 1 && d <= 3;
    }
    fail();
    return false;
}

/* The status a denied read answers with. */
static unsigned denied_status(int caller, int path)
{
    if (path == P_MISP_EV_VALUE || path == P_MISP_EV_UUID) path = P_GET;
    if (path == P_MISP_AT_VALUE || path == P_MISP_AT_UUID) path = P_INDICATOR;
    if (path == P_MISP_EV_VIEW || path == P_MISP_AT_VIEW) path = P_GET;
    if (path == P_MISP_SI_VALUE || path == P_MISP_SI_EVENT) path = P_SIGHTINGS;
    if (path == P_PUBLIC_MANIFEST || path == P_PUBLIC_EVENT) return 404;
    if (caller == C_NOKEY || caller == C_REVOKED) return 401;
    if (caller == C_SENSOR && path != P_INDICATOR && path != P_FEED_MANIFEST &&
        path != P_FEED_EVENT && path != P_CHANGES && path != P_TOMBSTONE)
        return 403;
    return 404;
}

static bool list_has(json_t *j, const char *uuid)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(j, "response"), i, e)
    {
        const char *u = json_string_value(json_object_get(json_object_get(e, "Event"), "uuid"));
        if (u && strcmp(u, uuid) == 0) return true;
    }
    return false;
}

static int event_id_cb(void *ud, const wb_event_rec *e)
{
    wb_event_rec *out = ud;
    out->id = e->id;
    out->published = e->published;
    out->timestamp = e->timestamp;
    return 1;
}

static void test_matrix(void **state)
{
    fixture *f = *state;
    char body[1024], uuid[WB_UUID_LEN + 1], value[64], path[128];
    /* The creator posts one event per cell; forbidden combinations answer 422. */
    int stored = 0;
    for (int t = 0; t < N_TLPS; t++) {
        for (int d = 0; d < N_DISTS; d++) {
            cell_uuid(t, d, uuid);
            cell_value(t, d, value, sizeof value);
            char auuid[WB_UUID_LEN + 1];
            cell_attr_uuid(t, d, auuid);
            char tag[64] = "";
            if (tlps[t][0]) snprintf(tag, sizeof tag, "{\"name\":\"%s\"}", tlps[t]);
            snprintf(body, sizeof body,
                     "{\"Event\":{\"uuid\":\"%s\",\"info\":\"cell %d %d\",\"distribution\":\"%d\","
                     "%s\"Tag\":[%s],\"Attribute\":[{\"type\":\"domain\",\"value\":\"%s\","
                     "\"to_ids\":true,\"uuid\":\"%s\"}]}}",
                     uuid, t, d, d, d == 4 ? "\"SharingGroup\":{\"uuid\":\"" : "", tag, value,
                     auuid);
            if (d == 4) {
                /* splice the group's uuid in after SharingGroup */
                char tmp[1024];
                snprintf(tmp, sizeof tmp,
                         "{\"Event\":{\"uuid\":\"%s\",\"info\":\"cell %d %d\",\"distribution\":"
                         "\"4\",\"SharingGroup\":{\"uuid\":\"%s\"},\"Tag\":[%s],\"Attribute\":[{"
                         "\"type\":\"domain\",\"value\":\"%s\",\"to_ids\":true,\"uuid\":\"%s\"}]}}",
                         uuid, t, d, f->sg_uuid, tag, value, auuid);
                memcpy(body, tmp, sizeof tmp);
            }
            json_t *j;
            unsigned st = call(f, "POST", "/api/v1/events", NULL, C_CREATOR, body, &j);
            if (allowed_combo(t, d)) {
                assert_int_equal(st, 201);
                stored++;
                /* Feeds carry published events. */
                char pub[128];
                snprintf(pub, sizeof pub, "/api/v1/events/%s/publish", uuid);
                assert_int_equal(call(f, "POST", pub, NULL, C_CREATOR, NULL, NULL), 200);
            } else {
                assert_int_equal(st, 422);
                assert_string_equal(
                    json_string_value(json_object_get(json_object_get(j, "error"), "code")),
                    "invalid_tlp_distribution");
            }
            json_decref(j);
            /* The partner reports a sighting wherever it can see the value. */
            if (allowed_combo(t, d)) {
                snprintf(body, sizeof body, "{\"value\":\"%s\",\"source\":\"test\"}", value);
                st = call(f, "POST", "/api/v1/sightings", NULL, C_PARTNER, body, NULL);
                assert_int_equal(st, d >= 1 ? 201 : 404);
            }
        }
    }
    assert_int_equal(stored, 6 * 5 - 2 * 3);
    /* The revoked key is revoked now, after it could have been used. */
    {
        wb_store *st;
        wb_error err;
        int64_t n = 0;
        assert_int_equal(wb_store_open(&st, f->h.db, &err), 0);
        wb_keyowner ko;
        assert_int_equal(wb_store_key_auth(st, f->h.key[C_REVOKED], WB_KEY_TEXT_LEN, &ko, &err), 0);
        assert_int_equal(wb_store_key_revoke(st, ko.key_id, 0, &n, &err), 0);
        assert_int_equal(n, 1);
        wb_store_close(st);
    }
    /* The lists and the change feed from 0, once per caller; the cursor
     * the tombstones are asked for from. */
    json_t *lists[N_CALLERS], *feeds[N_CALLERS], *tombs[N_CALLERS] = {NULL};
    unsigned list_status[N_CALLERS], feed_status[N_CALLERS], tomb_status[N_CALLERS] = {0};
    for (int c = 0; c < N_CALLERS; c++) {
        list_status[c] = call(f, "GET", "/api/v1/events", NULL, c, NULL, &lists[c]);
        feed_status[c] = call_changes(f, 0, c, &feeds[c]);
    }
    int64_t cursor = json_integer_value(json_object_get(feeds[C_ADMIN], "last_seq"));
    assert_true(cursor > 0);
    assert_false(json_is_true(json_object_get(feeds[C_ADMIN], "more")));
    /* The feeds' manifests, once per caller. */
    json_t *manifests[2][N_CALLERS];
    unsigned manifest_status[2][N_CALLERS];
    for (int c = 0; c < N_CALLERS; c++) {
        manifest_status[0][c] =
            call(f, "GET", "/feeds/misp/manifest.json", NULL, c, NULL, &manifests[0][c]);
        manifest_status[1][c] =
            call(f, "GET", "/feeds/public/manifest.json", NULL, c, NULL, &manifests[1][c]);
    }
    int cells = 0;
    for (int p = 0; p < N_PATHS; p++) {
        for (int t = 0; t < N_TLPS; t++) {
            for (int d = 0; d < N_DISTS; d++) {
                for (int c = 0; c < N_CALLERS; c++) {
                    cell_uuid(t, d, uuid);
                    cell_value(t, d, value, sizeof value);
                    bool want = expect(c, p, t, d);
                    bool got = false;
                    unsigned st = 0;
                    json_t *j = NULL;
                    switch (p) {
                    case P_LIST:
                        st = list_status[c];
                        got = st == 200 && list_has(lists[c], uuid);
                        if (!want && c != C_NOKEY && c != C_REVOKED && c != C_SENSOR) st = 404;
                        break;
                    case P_GET:
                        snprintf(path, sizeof path, "/api/v1/events/%s", uuid);
                        st = call(f, "GET", path, NULL, c, NULL, &j);
                        got = st == 200;
                        break;
                    case P_INDICATOR:
                        st = call(f, "GET", "/api/v1/indicators", value, c, NULL, &j);
                        got = st == 200 && json_array_size(json_object_get(
                                               json_object_get(j, "response"), "Attribute")) == 1;
                        if (st == 200 && !want) st = 404; /* an empty answer, for the check */
                        break;
                    case P_SIGHTINGS:
                        snprintf(path, sizeof path, "/api/v1/events/%s/sightings", uuid);
                        st = call(f, "GET", path, NULL, c, NULL, &j);
                        got = st == 200 && json_array_size(json_object_get(j, "response")) == 1;
                        /* An event the caller sees whose sightings it may not: 200, empty. */
                        if (st == 200 && !want) st = 404;
                        break;
                    case P_FEED_MANIFEST:
                    case P_PUBLIC_MANIFEST: {
                        int m = p == P_PUBLIC_MANIFEST;
                        st = manifest_status[m][c];
                        got = st == 200 && json_object_get(manifests[m][c], uuid) != NULL;
                        if (st == 200 && !want) st = 404; /* absent from the manifest */
                        break;
                    }
                    case P_FEED_EVENT:
                    case P_PUBLIC_EVENT:
                        snprintf(path, sizeof path, "/feeds/%s/%s.json",
                                 p == P_PUBLIC_EVENT ? "public" : "misp", uuid);
                        st = call(f, "GET", path, NULL, c, NULL, &j);
                        got = st == 200;
                        break;
                    case P_STIX:
                        snprintf(path, sizeof path, "/api/v1/events/%s/stix", uuid);
                        st = call(f, "GET", path, NULL, c, NULL, &j);
                        /* The cell's one attribute is a domain: one indicator. */
                        {
                            char *txt = st == 200 ? json_dumps(j, 0) : NULL;
                            got = txt && strstr(txt, value) != NULL;
                            free(txt);
                        }
                        break;
                    case P_MISP_EV_VALUE:
                    case P_MISP_EV_UUID: {
                        char q[256];
                        if (p == P_MISP_EV_VALUE)
                            snprintf(q, sizeof q, "{\"value\":\"%s\"}", value);
                        else
                            snprintf(q, sizeof q,
                                     "{\"eventid\":\"%s\",\"tags\":[\"!no-such-tag\"],"
                                     "\"published\":1}",
                                     uuid);
                        st = call(f, "POST", "/events/restSearch", NULL, c, q, &j);
                        got = st == 200 && list_has(j, uuid);
                        if (st == 200 && !want) {
                            /* nothing else either: an empty answer */
                            assert_int_equal(json_array_size(json_object_get(j, "response")), 0);
                            st = 404;
                        }
                        break;
                    }
                    case P_MISP_AT_VALUE:
                    case P_MISP_AT_UUID: {
                        char q[256];
                        if (p == P_MISP_AT_VALUE)
                            snprintf(q, sizeof q, "{\"value\":\"%s\",\"to_ids\":true}", value);
                        else
                            snprintf(q, sizeof q, "{\"uuid\":\"%s\",\"returnFormat\":\"csv\"}",
                                     uuid);
                        wb_hub_arg none[1];
                        char auth[WB_KEY_TEXT_LEN + 16];
                        snprintf(auth, sizeof auth, "%s", f->h.key[c]); /* MISP's raw key */
                        wb_hub_request req = {.method = "POST",
                                              .path = "/attributes/restSearch",
                                              .args = none,
                                              .authorization = c == C_NOKEY ? NULL : auth,
                                              .body = q,
                                              .body_len = strlen(q)};
                        wb_hub_response resp;
                        wb_hub_handle(f->h.hub, &req, &resp);
                        st = resp.status;
                        assert_int_equal(wb_buf_putc(&resp.body, '\0'), 0);
                        got = st == 200 && strstr(resp.body.data, value) != NULL;
                        if (st == 200 && p == P_MISP_AT_VALUE) {
                            j = json_loads(resp.body.data, 0, NULL);
                            size_t n = json_array_size(
                                json_object_get(json_object_get(j, "response"), "Attribute"));
                            assert_int_equal(n, got ? 1 : 0); /* nothing else either */
                        }
                        if (st == 200 && p == P_MISP_AT_UUID && !got) /* only the csv header */
                            assert_null(strchr(strchr(resp.body.data, '\n') + 1, '\n'));
                        if (st >= 400) {
                            json_t *e = json_loads(resp.body.data, 0, NULL);
                            assert_true(json_is_string(json_object_get(e, "message")));
                            json_decref(e);
                        }
                        wb_hub_response_free(&resp);
                        if (st == 200 && !want) st = 404;
                        break;
                    }
                    case P_MISP_EV_VIEW:
                        snprintf(path, sizeof path, "/events/view/%s", uuid);
                        st = call(f, "GET", path, NULL, c, NULL, &j);
                        got = st == 200 &&
                              json_is_string(json_object_get(json_object_get(j, "Event"), "id"));
                        break;
                    case P_MISP_AT_VIEW: {
                        /* MISP's numeric id of the cell's attribute, as its
                         * creator learns it; asked by every caller */
                        char au[WB_UUID_LEN + 1];
                        json_t *cj = NULL;
                        cell_attr_uuid(t, d, au);
                        snprintf(path, sizeof path, "/attributes/view/%s", au);
                        if (allowed_combo(t, d)) {
                            assert_int_equal(call(f, "GET", path, NULL, C_CREATOR, NULL, &cj), 200);
                            snprintf(path, sizeof path, "/attributes/view/%s",
                                     json_string_value(
                                         json_object_get(json_object_get(cj, "Attribute"), "id")));
                            json_decref(cj);
                        } else {
                            /* never stored: an id of nothing */
                            snprintf(path, sizeof path, "/attributes/view/99999999");
                        }
                        st = call(f, "GET", path, NULL, c, NULL, &j);
                        got = st == 200 && strcmp(json_string_value(json_object_get(
                                                      json_object_get(j, "Attribute"), "value")),
                                                  value) == 0;
                        break;
                    }
                    case P_MISP_SI_VALUE:
                    case P_MISP_SI_EVENT: {
                        char q[256];
                        if (p == P_MISP_SI_VALUE) {
                            snprintf(q, sizeof q, "{\"value\":\"%s\"}", value);
                            st = call(f, "POST", "/sightings/restSearch", NULL, c, q, &j);
                        } else {
                            snprintf(q, sizeof q, "{\"id\":\"%s\"}", uuid);
                            st = call(f, "POST", "/sightings/restSearch/event", NULL, c, q, &j);
                        }
                        size_t n = json_array_size(json_object_get(j, "response"));
                        got = st == 200 && n == 1;
                        if (st == 200) assert_true(n <= 1); /* nothing else either */
                        if (st == 200 && !want) st = 404;
                        break;
                    }
                    case P_CHANGES:
                        st = feed_status[c];
                        got = st == 200 && list_has(feeds[c], uuid);
                        if (st == 200 && !want) st = 404; /* left out, for the check */
                        break;
                    case P_TOMBSTONE:
                        if (tombs[0] == NULL && tomb_status[0] == 0) {
                            /* Every stored event deleted by its creator, then
                             * the feed from the cursor before, per caller. */
                            for (int t2 = 0; t2 < N_TLPS; t2++)
                                for (int d2 = 0; d2 < N_DISTS; d2++) {
                                    if (!allowed_combo(t2, d2)) continue;
                                    char u2[WB_UUID_LEN + 1];
                                    cell_uuid(t2, d2, u2);
                                    snprintf(path, sizeof path, "/api/v1/events/%s", u2);
                                    assert_int_equal(
                                        call(f, "DELETE", path, NULL, C_CREATOR, NULL, NULL), 200);
                                }
                            for (int c2 = 0; c2 < N_CALLERS; c2++)
                                tomb_status[c2] = call_changes(f, cursor, c2, &tombs[c2]);
                        }
                        st = tomb_status[c];
                        got = st == 200 && tomb_has(tombs[c], uuid);
                        if (st == 200 && !want) st = 404;
                        break;
                    }
                    json_decref(j);
                    if (got != want || (!want && st != denied_status(c, p))) {
                        fprintf(stderr,
                                "cell path=%s tlp=%s dist=%d caller=%s: expected %s, got %s "
                                "(status %u)\n",
                                path_names[p], tlps[t][0] ? tlps[t] : "(none)", d, caller_names[c],
                                want ? "visible" : "hidden", got ? "visible" : "hidden", st);
                        fail();
                    }
                    cells++;
                }
            }
        }
    }
    for (int c = 0; c < N_CALLERS; c++) {
        json_decref(lists[c]);
        json_decref(manifests[0][c]);
        json_decref(manifests[1][c]);
        json_decref(feeds[c]);
        json_decref(tombs[c]);
    }
    assert_int_equal(cells, N_PATHS * N_TLPS * N_DISTS * N_CALLERS);
    assert_int_equal(cells, 3990);
    /* The tests after this one read the cells' events: undelete them. */
    wb_store *st;
    wb_error err;
    assert_int_equal(wb_store_open(&st, f->h.db, &err), 0);
    for (int t = 0; t < N_TLPS; t++)
        for (int d = 0; d < N_DISTS; d++) {
            if (!allowed_combo(t, d)) continue;
            wb_event_rec ev = {0};
            cell_uuid(t, d, uuid);
            assert_int_equal(wb_store_event_get(st, uuid, event_id_cb, &ev, &err), 0);
            assert_int_equal(
                wb_store_event_flag(st, ev.id, ev.published, false, ev.timestamp, &err), 0);
        }
    wb_store_close(st);
}

/* A site admin's reads of AMBER or stricter data its own organisation could
 * not read are audited; reads it could make anyway are not. */
static void test_admin_reads_audited(void **state)
{
    fixture *f = *state;
    char uuid[WB_UUID_LEN + 1], path[128];
    json_t *j;
    cell_uuid(4, 0, uuid); /* red, organisation only: audited */
    snprintf(path, sizeof path, "/api/v1/events/%s", uuid);
    assert_int_equal(call(f, "GET", path, NULL, C_ADMIN, NULL, NULL), 200);
    cell_uuid(1, 1, uuid); /* green, community: not audited */
    snprintf(path, sizeof path, "/api/v1/events/%s", uuid);
    assert_int_equal(call(f, "GET", path, NULL, C_ADMIN, NULL, NULL), 200);
    cell_uuid(0, 0, uuid); /* clear, organisation only: not audited (not AMBER) */
    snprintf(path, sizeof path, "/api/v1/events/%s", uuid);
    assert_int_equal(call(f, "GET", path, NULL, C_ADMIN, NULL, NULL), 200);
    wb_hub_arg args[1] = {{"limit", "1000"}};
    char auth[WB_KEY_TEXT_LEN + 16];
    snprintf(auth, sizeof auth, "Bearer %s", f->h.key[C_ADMIN]);
    wb_hub_request req = {
        .method = "GET", .path = "/api/v1/audit", .args = args, .nargs = 1, .authorization = auth};
    wb_hub_response resp;
    wb_hub_handle(f->h.hub, &req, &resp);
    assert_int_equal(resp.status, 200);
    j = json_loads(resp.body.data, 0, NULL);
    wb_hub_response_free(&resp);
    int red = 0, green = 0, clear = 0;
    char red_uuid[WB_UUID_LEN + 1], green_uuid[WB_UUID_LEN + 1], clear_uuid[WB_UUID_LEN + 1];
    cell_uuid(4, 0, red_uuid);
    cell_uuid(1, 1, green_uuid);
    cell_uuid(0, 0, clear_uuid);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(j, "response"), i, e)
    {
        json_t *a = json_object_get(e, "Audit");
        if (strcmp(json_string_value(json_object_get(a, "action")), "read.admin") != 0) continue;
        const char *obj = json_string_value(json_object_get(a, "object"));
        if (obj == NULL) continue;
        red += strcmp(obj, red_uuid) == 0;
        green += strcmp(obj, green_uuid) == 0;
        clear += strcmp(obj, clear_uuid) == 0;
    }
    json_decref(j);
    assert_true(red >= 1);
    assert_int_equal(green, 0);
    assert_int_equal(clear, 0);
    /* Members may not read the audit log. */
    assert_int_equal(call(f, "GET", "/api/v1/audit", NULL, C_CREATOR, NULL, NULL), 403);
}

/* An attribute the caller may not see is left out of an event it may see. */
static void test_attribute_left_out(void **state)
{
    fixture *f = *state;
    const char *body =
        "{\"Event\":{\"uuid\":\"7b000000-0000-4000-8000-000000000001\",\"info\":\"mixed\","
        "\"distribution\":1,\"Tag\":[{\"name\":\"tlp:green\"}],\"Attribute\":["
        "{\"type\":\"ip-dst\",\"value\":\"192.0.2.10\",\"to_ids\":true},"
        "{\"type\":\"ip-dst\",\"value\":\"192.0.2.11\",\"to_ids\":true,\"distribution\":0,"
        "\"Tag\":[{\"name\":\"tlp:red\"}]}]}}";
    assert_int_equal(call(f, "POST", "/api/v1/events", NULL, C_CREATOR, body, NULL), 201);
    json_t *j;
    const char *path = "/api/v1/events/7b000000-0000-4000-8000-000000000001";
    assert_int_equal(call(f, "GET", path, NULL, C_OTHER, NULL, &j), 200);
    json_t *attrs = json_object_get(json_object_get(j, "Event"), "Attribute");
    assert_int_equal(json_array_size(attrs), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(attrs, 0), "value")),
                        "192.0.2.10");
    json_decref(j);
    assert_int_equal(call(f, "GET", path, NULL, C_CREATOR, NULL, &j), 200);
    assert_int_equal(json_array_size(json_object_get(json_object_get(j, "Event"), "Attribute")), 2);
    json_decref(j);
    /* ... and the look-up of the hidden value finds nothing for the other org. */
    assert_int_equal(call(f, "GET", "/api/v1/indicators", "192.0.2.11", C_OTHER, NULL, &j), 200);
    assert_int_equal(json_array_size(json_object_get(json_object_get(j, "response"), "Attribute")),
                     0);
    json_decref(j);
    /* ... nor MISP's restSearch, whichever way it is asked: by value (the
     * index), by a pattern (every attribute), by the event, by tag, in
     * any format, and no count or event gives it away. */
    static const char *const searches[] = {
        "/attributes/restSearch",
        "{\"value\":\"192.0.2.11\"}",
        "/attributes/restSearch",
        "{\"value\":\"192.0.2.1%\"}",
        "/attributes/restSearch",
        "{\"eventid\":\"7b000000-0000-4000-8000-000000000001\"}",
        "/attributes/restSearch",
        "{\"tags\":[\"tlp:red\"]}",
        "/attributes/restSearch",
        "{\"uuid\":\"7b000000-0000-4000-8000-000000000001\","
        "\"returnFormat\":\"text\"}",
        "/events/restSearch",
        "{\"value\":\"192.0.2.11\"}",
        "/events/restSearch",
        "{\"tags\":[\"tlp:red\"]}",
        "/events/restSearch",
        "{\"uuid\":\"7b000000-0000-4000-8000-000000000001\"}",
    };
    for (size_t i = 0; i < sizeof searches / sizeof searches[0]; i += 2) {
        for (int c = C_CREATOR; c <= C_OTHER; c += C_OTHER - C_CREATOR) {
            char auth[WB_KEY_TEXT_LEN + 16];
            snprintf(auth, sizeof auth, "Bearer %s", f->h.key[c]);
            wb_hub_request req = {.method = "POST",
                                  .path = searches[i],
                                  .authorization = auth,
                                  .body = searches[i + 1],
                                  .body_len = strlen(searches[i + 1])};
            wb_hub_response resp;
            wb_hub_handle(f->h.hub, &req, &resp);
            assert_int_equal(resp.status, 200);
            assert_int_equal(wb_buf_putc(&resp.body, '\0'), 0);
            bool has = strstr(resp.body.data, "192.0.2.11") != NULL;
            if (has != (c == C_CREATOR))
                fprintf(stderr, "%s %s by %s: %s\n", searches[i], searches[i + 1], caller_names[c],
                        resp.body.data);
            /* the creator finds it wherever it is asked for */
            assert_true(has == (c == C_CREATOR));
            wb_hub_response_free(&resp);
        }
    }
    /* A RED attribute with distribution 1 in a green event is refused. */
    const char *bad =
        "{\"Event\":{\"info\":\"bad\",\"distribution\":1,\"Attribute\":[{\"type\":\"ip-dst\","
        "\"value\":\"192.0.2.12\",\"Tag\":[{\"name\":\"tlp:red\"}]}]}}";
    assert_int_equal(call(f, "POST", "/api/v1/events", NULL, C_CREATOR, bad, &j), 422);
    assert_non_null(
        strstr(json_string_value(json_object_get(json_object_get(j, "error"), "message")),
               "$.Event.Attribute[0].distribution"));
    json_decref(j);
}

/* Whether every "tlp:..." in text is "tlp:<level>" (and there is one). */
static bool only_tlp(const char *text, const char *level)
{
    char want[40];
    snprintf(want, sizeof want, "\"tlp:%s\"", level);
    size_t n = 0;
    for (const char *p = strstr(text, "\"tlp:"); p; p = strstr(p + 1, "\"tlp:")) {
        if (strncmp(p, want, strlen(want)) != 0) return false;
        n++;
    }
    return n > 0;
}

/* The TLP as MISP clients give it: a weaker level in Tag and the real one
 * in EventTag (or on an attribute, AttributeTag stronger than its Tag).
 * Every read path that serves the event (list, get, change feed, indicator
 * look-up, the MISP feed's event file and manifest, STIX) must name the
 * effective level only, never the weaker one it was posted with: once
 * written, a second hub pulling it would take the weaker one. Every pair
 * of levels x every path, read by the creator and by the sharing group's
 * partner. */
static void test_tlp_shapes(void **state)
{
    fixture *f = *state;
    static const char *const lv[] = {"clear", "green", "amber", "amber+strict", "red"};
    enum { S_LIST, S_GET, S_CHANGES, S_INDICATOR, S_FEED_EVENT, S_MANIFEST, S_STIX, N_SHAPE_PATHS };
    static const char *const spath[N_SHAPE_PATHS] = {
        "list", "get", "changes", "indicators", "feed event", "feed manifest", "STIX"};
    char body[2048], uuid[WB_UUID_LEN + 1], path[128], value[64];
    int cells = 0;
    for (int weak = 0; weak < 5; weak++) {
        for (int strong = weak + 1; strong < 5; strong++) {
            snprintf(uuid, sizeof uuid, "7d000000-0000-4000-8000-0000000000%d%d", weak, strong);
            snprintf(value, sizeof value, "shape-%d-%d.matrix.example", weak, strong);
            /* Distribution 4 (the group) admits every level. */
            snprintf(body, sizeof body,
                     "{\"Event\":{\"uuid\":\"%s\",\"info\":\"shape\",\"distribution\":4,"
                     "\"published\":true,\"SharingGroup\":{\"uuid\":\"%s\"},"
                     "\"Tag\":[{\"name\":\"tlp:%s\"}],"
                     "\"EventTag\":[{\"Tag\":{\"name\":\"tlp:%s\"}}],\"Attribute\":["
                     "{\"type\":\"domain\",\"value\":\"%s\",\"to_ids\":true,"
                     "\"Tag\":[{\"name\":\"tlp:%s\"}]}],"
                     "\"Object\":[{\"name\":\"domain-ip\",\"Attribute\":["
                     "{\"type\":\"domain\",\"value\":\"obj-%s\",\"to_ids\":true,"
                     "\"object_relation\":\"domain\","
                     "\"AttributeTag\":[{\"Tag\":{\"name\":\"tlp:%s\"}}]}]}]}}",
                     uuid, f->sg_uuid, lv[weak], lv[strong], value, lv[weak], value, lv[weak]);
            assert_int_equal(call(f, "POST", "/api/v1/events", NULL, C_CREATOR, body, NULL), 201);
            for (int c = C_CREATOR; c <= C_PARTNER; c++) {
                json_t *lst, *chg, *man;
                assert_int_equal(call(f, "GET", "/api/v1/events", NULL, c, NULL, &lst), 200);
                assert_int_equal(call_changes(f, 0, c, &chg), 200);
                assert_int_equal(call(f, "GET", "/feeds/misp/manifest.json", NULL, c, NULL, &man),
                                 200);
                for (int p = 0; p < N_SHAPE_PATHS; p++) {
                    json_t *j = NULL, *part = NULL;
                    unsigned st = 200;
                    switch (p) {
                    case S_LIST:
                    case S_CHANGES: {
                        size_t i;
                        json_t *e;
                        json_array_foreach(json_object_get(p == S_LIST ? lst : chg, "response"), i,
                                           e)
                        {
                            const char *u = json_string_value(
                                json_object_get(json_object_get(e, "Event"), "uuid"));
                            if (u && strcmp(u, uuid) == 0) part = e;
                        }
                        break;
                    }
                    case S_GET:
                        snprintf(path, sizeof path, "/api/v1/events/%s", uuid);
                        st = call(f, "GET", path, NULL, c, NULL, &j);
                        break;
                    case S_INDICATOR:
                        st = call(f, "GET", "/api/v1/indicators", value, c, NULL, &j);
                        break;
                    case S_FEED_EVENT:
                        snprintf(path, sizeof path, "/feeds/misp/%s.json", uuid);
                        st = call(f, "GET", path, NULL, c, NULL, &j);
                        break;
                    case S_MANIFEST:
                        part = json_object_get(man, uuid);
                        break;
                    case S_STIX:
                        snprintf(path, sizeof path, "/api/v1/events/%s/stix", uuid);
                        st = call(f, "GET", path, NULL, c, NULL, &j);
                        break;
                    }
                    if (j) part = j;
                    char *text = part ? json_dumps(part, 0) : NULL;
                    if (st != 200 || text == NULL || !only_tlp(text, lv[strong])) {
                        fprintf(stderr, "shape Tag tlp:%s EventTag tlp:%s path=%s caller=%s: %s\n",
                                lv[weak], lv[strong], spath[p], caller_names[c],
                                text ? text : "(absent)");
                        fail();
                    }
                    free(text);
                    json_decref(j);
                    cells++;
                }
                json_decref(lst);
                json_decref(chg);
                json_decref(man);
            }
        }
    }
    assert_int_equal(cells, 10 * N_SHAPE_PATHS * 2);
}

/* Whether the audit log holds `action` on `object`. */
static bool audited(fixture *f, const char *action, const char *object)
{
    json_t *j;
    wb_hub_arg args[1] = {{"limit", "1000"}};
    assert_int_equal(call_q(f, "GET", "/api/v1/audit", args, 1, C_ADMIN, NULL, &j), 200);
    bool found = false;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(j, "response"), i, e)
    {
        json_t *a = json_object_get(e, "Audit");
        const char *obj = json_string_value(json_object_get(a, "object"));
        if (strcmp(json_string_value(json_object_get(a, "action")), action) == 0 && obj &&
            strcmp(obj, object) == 0)
            found = true;
    }
    json_decref(j);
    return found;
}

/* A POST reusing the uuid of an attribute the caller cannot see answers
 * 409 like any taken uuid, and the collision is audited as an event
 * uuid's is (probing shows in the log); one it can see is not. */
static void test_attribute_uuid_conflict_audited(void **state)
{
    fixture *f = *state;
    const char *hidden = "7f000000-0000-4000-8000-0000000000a1";
    const char *open_ = "7f000000-0000-4000-8000-0000000000a2";
    char body[1024];
    snprintf(body, sizeof body,
             "{\"Event\":{\"info\":\"own\",\"distribution\":0,\"Attribute\":["
             "{\"uuid\":\"%s\",\"type\":\"domain\",\"value\":\"hidden.clash.example\"}]}}",
             hidden);
    assert_int_equal(call(f, "POST", "/api/v1/events", NULL, C_CREATOR, body, NULL), 201);
    snprintf(body, sizeof body,
             "{\"Event\":{\"info\":\"open\",\"distribution\":1,\"Attribute\":["
             "{\"uuid\":\"%s\",\"type\":\"domain\",\"value\":\"open.clash.example\"}]}}",
             open_);
    assert_int_equal(call(f, "POST", "/api/v1/events", NULL, C_CREATOR, body, NULL), 201);
    json_t *j;
    for (int k = 0; k < 2; k++) {
        snprintf(body, sizeof body,
                 "{\"Event\":{\"info\":\"probe\",\"Attribute\":[{\"uuid\":\"%s\","
                 "\"type\":\"domain\",\"value\":\"probe.clash.example\"}]}}",
                 k ? open_ : hidden);
        assert_int_equal(call(f, "POST", "/api/v1/events", NULL, C_OTHER, body, &j), 409);
        assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
                            "conflict");
        json_decref(j);
    }
    assert_true(audited(f, "attribute.uuid_conflict", hidden));
    assert_false(audited(f, "attribute.uuid_conflict", open_));
}

/* The policy function alone: anonymous callers see CLEAR with distribution 3 only. */
static void test_policy_anonymous(void **state)
{
    (void)state;
    wb_principal anon = {.authenticated = false};
    int seen = 0;
    for (int t = WB_TLP_UNSET; t <= WB_TLP_RED; t++)
        for (int d = 0; d <= 4; d++) {
            wb_policy_item it = {.kind = WB_ITEM_EVENT,
                                 .creator_org = 1,
                                 .event_tlp = t,
                                 .event_distribution = d,
                                 .attr_distribution = 5};
            bool want = t == WB_TLP_CLEAR && d == 3;
            assert_int_equal(wb_policy_read(&anon, WB_READ_EVENT_GET, &it) != WB_DENY, want);
            it.kind = WB_ITEM_ATTRIBUTE;
            assert_int_equal(wb_policy_read(&anon, WB_READ_INDICATOR, &it) != WB_DENY, want);
            it.kind = WB_ITEM_SIGHTING;
            assert_int_equal(wb_policy_read(&anon, WB_READ_SIGHTING, &it), WB_DENY);
            seen += want;
        }
    assert_int_equal(seen, 1);
    /* A stored combination the table forbids is narrowed, never widened. */
    wb_principal other = {.authenticated = true, .org_id = 2, .role = WB_ROLE_MEMBER};
    wb_policy_item red3 = {
        .kind = WB_ITEM_EVENT, .creator_org = 1, .event_tlp = WB_TLP_RED, .event_distribution = 3};
    assert_int_equal(wb_policy_read(&other, WB_READ_EVENT_GET, &red3), WB_DENY);
}

/* The hub's sighting policy, the function alone: by default (MISP's) the
 * event's creator and the sighting organisation; open (serve
 * --sighting-policy event), everyone who may read the attribute, with the
 * sighting organisation named only to itself, the creator and site
 * admins. A sensor and an anonymous caller read none either way; an
 * attribute the caller cannot read hides its sightings too. */
static void test_policy_sightings(void **state)
{
    (void)state;
    enum { CREATOR = 1, SIGHTER = 2, THIRD = 3 };
    wb_principal creator = {.authenticated = true, .org_id = CREATOR, .role = WB_ROLE_MEMBER};
    wb_principal sighter = {.authenticated = true, .org_id = SIGHTER, .role = WB_ROLE_MEMBER};
    wb_principal third = {.authenticated = true, .org_id = THIRD, .role = WB_ROLE_MEMBER};
    wb_principal sensor = {.authenticated = true, .org_id = THIRD, .role = WB_ROLE_SENSOR};
    wb_principal admin = {.authenticated = true, .org_id = 9, .role = WB_ROLE_SITE_ADMIN};
    wb_principal anon = {.authenticated = false};
    for (int open = 0; open <= 1; open++) {
        wb_policy_item it = {.kind = WB_ITEM_SIGHTING,
                             .creator_org = CREATOR,
                             .event_tlp = WB_TLP_GREEN,
                             .event_distribution = 1,
                             .attr_distribution = 5,
                             .sighting_org = SIGHTER,
                             .sightings_open = open};
        assert_int_not_equal(wb_policy_read(&creator, WB_READ_SIGHTING, &it), WB_DENY);
        assert_int_not_equal(wb_policy_read(&sighter, WB_READ_SIGHTING, &it), WB_DENY);
        assert_int_equal(wb_policy_read(&third, WB_READ_SIGHTING, &it) != WB_DENY, open);
        assert_int_equal(wb_policy_read(&sensor, WB_READ_SIGHTING, &it), WB_DENY);
        assert_int_equal(wb_policy_read(&anon, WB_READ_SIGHTING, &it), WB_DENY);
        assert_int_not_equal(wb_policy_read(&admin, WB_READ_SIGHTING, &it), WB_DENY);
        assert_true(wb_policy_sighting_named(&creator, &it));
        assert_true(wb_policy_sighting_named(&sighter, &it));
        assert_true(wb_policy_sighting_named(&admin, &it));
        assert_false(wb_policy_sighting_named(&third, &it));
        assert_false(wb_policy_sighting_named(&anon, &it));
        /* An attribute of distribution 0 is the creator's alone: the open
         * policy does not widen what the attribute itself allows. */
        it.attr_distribution = 0;
        assert_int_equal(wb_policy_read(&third, WB_READ_SIGHTING, &it), WB_DENY);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_admin_reads_audited),
        cmocka_unit_test(test_attribute_left_out),
        cmocka_unit_test(test_tlp_shapes),
        cmocka_unit_test(test_attribute_uuid_conflict_audited),
        cmocka_unit_test(test_policy_anonymous),
        cmocka_unit_test(test_policy_sightings),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
