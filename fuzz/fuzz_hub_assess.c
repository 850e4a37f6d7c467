/*
 * fuzz_hub_assess.c - libFuzzer target: request bodies of the hub's
 * assessment endpoints (assess_api.c) through wb_hub_handle on a real
 * database with the built-in catalogues: new assessments, answers (the
 * level, the due date, the catalogue's references), imports of an answers
 * file (the answers reader behind the API) and shares. The first byte picks
 * the endpoint (bits 0-1) and the caller (bit 6: the organisation's admin or
 * its CSIRT, which may not write); the rest is the body. Every answer must
 * be JSON, and every refusal a 4xx or 5xx with an error code. The database
 * starts afresh every RESET inputs, so that versions piling up on one
 * assessment cannot slow the run down or reach the version limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "weerbaar/hub.h"
#include "weerbaar/store.h"

#define RESET 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static wb_hub *hub;
static char dir[32], db[64];
static char admin_auth[WB_KEY_TEXT_LEN + 8], csirt_auth[WB_KEY_TEXT_LEN + 8];
static unsigned runs;

static void request(const char *method, const char *path, const char *auth, const char *body,
                    size_t len, wb_hub_response *resp)
{
    wb_hub_request req = {
        .method = method, .path = path, .authorization = auth, .body = body, .body_len = len};
    wb_hub_handle(hub, &req, resp);
}

static void teardown(void)
{
    if (hub == NULL) return;
    wb_hub_close(hub);
    hub = NULL;
    char p[96];
    static const char *const files[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s%s", db, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* A database with an organisation (energy), its admin, its routed CSIRT and
 * supervisor, and assessment 1 of cbw_nis2; failures are the harness's, so
 * they abort. */
static void setup(void)
{
    /* tmpfs when there is one: a commit per request, and fsync on a disk
     * would make this target a hundred times slower */
    snprintf(dir, sizeof dir, "%s/wb-fuzz-as-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (mkdtemp(dir) == NULL) abort();
    snprintf(db, sizeof db, "%s/hub.db", dir);
    wb_store *st;
    wb_error err = {0};
    int64_t own = 0, csirt = 0, sup = 0, ua = 0, uc = 0;
    char key[WB_KEY_TEXT_LEN + 1];
    if (wb_store_open(&st, db, &err) != 0 ||
        wb_store_org_add(st, "Own", WB_ORG_ESSENTIAL, "energy", NULL, &own, &err) != 0 ||
        wb_store_org_add(st, "CSIRT-E", WB_ORG_CSIRT, NULL, NULL, &csirt, &err) != 0 ||
        wb_store_org_add(st, "RDI", WB_ORG_SUPERVISOR, NULL, NULL, &sup, &err) != 0 ||
        wb_store_route_set(st, "energy", csirt, sup, &err) != 0 ||
        wb_store_user_add(st, "boss@own.example", own, WB_ROLE_ORG_ADMIN, &ua, &err) != 0 ||
        wb_store_user_add(st, "c@csirt.example", csirt, WB_ROLE_MEMBER, &uc, &err) != 0)
        abort();
    if (wb_store_key_add(st, ua, key, NULL, &err) != 0) abort();
    snprintf(admin_auth, sizeof admin_auth, "Bearer %s", key);
    if (wb_store_key_add(st, uc, key, NULL, &err) != 0) abort();
    snprintf(csirt_auth, sizeof csirt_auth, "Bearer %s", key);
    wb_store_close(st);
    wb_hub_opts o = {.db = db,
                     .connections = 1,
                     .rate = 1e9,
                     .burst = 1e9,
                     .catalogues = WB_SOURCE_DIR "/data/catalogues"};
    if (wb_hub_open(&hub, &o, &err) != 0) abort();
    static const char first[] = "{\"catalogue\":\"cbw_nis2\",\"scope\":\"IT\"}";
    wb_hub_response resp;
    request("POST", "/api/v1/assessments", admin_auth, first, sizeof first - 1, &resp);
    if (resp.status != 201) abort();
    wb_hub_response_free(&resp);
    runs = 0;
}

static void at_exit(void)
{
    teardown();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const paths[] = {"/api/v1/assessments", "/api/v1/assessments/1/answers",
                                        "/api/v1/assessments/1/versions",
                                        "/api/v1/assessments/1/share"};
    if (hub == NULL) {
        setup();
        atexit(at_exit);
    } else if (++runs >= RESET) {
        teardown();
        setup();
    }
    if (size == 0) return 0;
    unsigned sel = data[0];
    wb_hub_response resp;
    request("POST", paths[sel % 4], (sel & 0x40) ? csirt_auth : admin_auth, (const char *)data + 1,
            size - 1, &resp);
    if (getenv("WB_FUZZ_VERBOSE")) /* what each seed reaches, when writing seeds */
        fprintf(stderr, "%u %.*s\n", resp.status, (int)(resp.body.len < 160 ? resp.body.len : 160),
                resp.body.data ? resp.body.data : "");
    json_t *j = json_loadb(resp.body.data, resp.body.len, 0, NULL);
    if (j == NULL || resp.status < 200 || resp.status > 599) abort();
    if (resp.status >= 400 &&
        json_string_value(json_object_get(json_object_get(j, "error"), "code")) == NULL)
        abort();
    json_decref(j);
    wb_hub_response_free(&resp);
    return 0;
}
