/*
 * fuzz_hub_incident.c - libFuzzer target: request bodies of the hub's
 * incident endpoints (incident_api.c) through wb_hub_handle on a real
 * database: new incidents, reports of every stage (the register's parsing,
 * cumulative state and required-field checks), handled, ask, comments and
 * share (which goes on through the events endpoint's path), and the
 * decisions on a proposal (approve, discard, withdraw). The first byte
 * picks the endpoint and the caller (the organisation or its CSIRT), the
 * rest is the body. Every answer must be JSON, and every refusal a 4xx or
 * 5xx with an error code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "weerbaar/hub.h"
#include "weerbaar/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static wb_hub *hub;
static char org_auth[WB_KEY_TEXT_LEN + 8], csirt_auth[WB_KEY_TEXT_LEN + 8];

static int org_cb(void *ud, const wb_org *o)
{
    *(int64_t *)ud = o->id;
    return 1;
}

static char dir[40], db[64];

/* The database goes when the run ends (it may be in memory, on tmpfs). */
static void cleanup(void)
{
    char p[96];
    static const char *const files[] = {"", "-wal", "-shm", "-journal"};
    if (hub) wb_hub_close(hub);
    hub = NULL;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s%s", db, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* One database for the whole run, with an organisation, its CSIRT and one
 * incident; failures here are the harness's, so they abort. */
static void setup(void)
{
    /* tmpfs when there is one: fsync per request on a disk is slow */
    snprintf(dir, sizeof dir, "%s/wb-fuzz-inc-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (mkdtemp(dir) == NULL) abort();
    snprintf(db, sizeof db, "%s/hub.db", dir);
    wb_store *st;
    wb_error err = {0};
    int64_t gamma = 0, ncsc = 0, ug = 0, un = 0, kid = 0, inc = 0, sg = 0;
    char key[WB_KEY_TEXT_LEN + 1];
    if (wb_store_open(&st, db, &err) != 0 ||
        wb_store_org_add(st, "Gamma", WB_ORG_ESSENTIAL, "energy", NULL, &gamma, &err) != 0 ||
        wb_store_org_add(st, "NCSC", WB_ORG_CSIRT, NULL, NULL, &ncsc, &err) != 0 ||
        wb_store_route_set(st, "*", ncsc, 0, &err) != 0 ||
        wb_store_user_add(st, "g@gamma.example", gamma, WB_ROLE_MEMBER, &ug, &err) != 0 ||
        wb_store_user_add(st, "n@ncsc.example", ncsc, WB_ROLE_MEMBER, &un, &err) != 0)
        abort();
    int64_t both[2] = {gamma, ncsc};
    if (wb_store_sgroup_add(st, "Energy", both, 2, &sg, &err) != 0) abort();
    if (wb_store_key_add(st, ug, key, &kid, &err) != 0) abort();
    snprintf(org_auth, sizeof org_auth, "Bearer %s", key);
    if (wb_store_key_add(st, un, key, &kid, &err) != 0) abort();
    snprintf(csirt_auth, sizeof csirt_auth, "Bearer %s", key);
    wb_incident_rec r = {.org_id = gamma,
                         .title = "fuzz",
                         .aware_at = wb_time_now() - (wb_time)3600 * 1000000,
                         .detected_at = WB_TIME_NONE,
                         .entity_type = "other",
                         .tlp = WB_TLP_AMBER};
    if (wb_store_incident_add(st, &r, &inc, &err) != 0) abort();
    (void)org_cb;
    wb_store_close(st);
    wb_hub_opts o = {.db = db, .connections = 1, .rate = 1e9, .burst = 1e9};
    if (wb_hub_open(&hub, &o, &err) != 0) abort();
    atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const stages[] = {"early-warning", "notification", "intermediate",
                                         "final",         "progress",     "gdpr-breach"};
    static const char *const tails[] = {"/reports", "/handled", "/share", "/ask", "/comments"};
    static const char *const decisions[] = {"approve", "discard", "withdraw"};
    if (hub == NULL) setup();
    if (size == 0) return 0;
    unsigned sel = data[0];
    char path[96];
    wb_hub_arg arg = {"stage", stages[(sel >> 3) % 6]};
    unsigned which = sel % 9;
    if (which >= 6)
        snprintf(path, sizeof path, "/api/v1/incidents/proposals/1/%s", decisions[which - 6]);
    else if (which == 5)
        snprintf(path, sizeof path, "/api/v1/incidents");
    else
        snprintf(path, sizeof path, "/api/v1/incidents/1%s", tails[which]);
    wb_hub_request req = {.method = "POST",
                          .path = path,
                          .args = &arg,
                          .nargs = which == 0 ? 1 : 0,
                          .authorization = (sel & 0x80) ? csirt_auth : org_auth,
                          .body = (const char *)data + 1,
                          .body_len = size - 1};
    wb_hub_response resp;
    wb_hub_handle(hub, &req, &resp);
    json_t *j = json_loadb(resp.body.data, resp.body.len, 0, NULL);
    if (j == NULL || resp.status < 200 || resp.status > 599) abort();
    if (resp.status >= 400 &&
        json_string_value(json_object_get(json_object_get(j, "error"), "code")) == NULL)
        abort();
    json_decref(j);
    wb_hub_response_free(&resp);
    return 0;
}
