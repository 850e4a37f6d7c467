/*
 * fuzz_hub_http.c - libFuzzer target: the hub's whole API as a function of
 * raw requests, without sockets. The input is an HTTP/1.1 request as a
 * client would send it:
 *
 *   METHOD SP TARGET [SP HTTP/1.1] CRLF (HEADER: VALUE CRLF)* CRLF BODY
 *
 * split here the way libmicrohttpd hands it to src/hub/server.c (method,
 * path, query arguments percent-decoded, the Authorization header, the
 * body), then answered by wb_hub_handle on a database filled by wb_hub_demo
 * (organisations of every kind, users of every role, a sharing group,
 * events at every TLP level, a sighting). So the router, authentication,
 * every handler's argument and body parsing and every read path's policy
 * are reached from one input. An Authorization value "@0" .. "@9" stands
 * for the demo's n-th key ("Bearer @3"), so the fuzzer can be each caller.
 * Every answer must be a status from 200 to 599 whose body, unless it has
 * its own content type, is JSON, with an error code on every refusal; a
 * streamed body is read to its end. The database starts afresh every RESET
 * inputs, so that what the requests add cannot slow the run down.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "weerbaar/hub.h"
#include "weerbaar/store.h"

#define RESET 2048
#define MAX_ARGS 16
#define MAX_KEYS 10

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static wb_hub *hub;
static char dir[32], db[64];
static char keys[MAX_KEYS][WB_KEY_TEXT_LEN + 1];
static size_t nkeys;
static unsigned runs;

static void keep_key(void *ud, const char *email, const char *org, const char *role,
                     const char *key)
{
    (void)ud;
    (void)email;
    (void)org;
    (void)role;
    if (nkeys < MAX_KEYS) snprintf(keys[nkeys++], sizeof keys[0], "%s", key);
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

static void setup(void)
{
    /* tmpfs when there is one: fsync per request on a disk is slow */
    snprintf(dir, sizeof dir, "%s/wb-fuzz-http-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (mkdtemp(dir) == NULL) abort();
    snprintf(db, sizeof db, "%s/hub.db", dir);
    wb_store *st;
    wb_error err = {0};
    nkeys = 0;
    if (wb_store_open(&st, db, &err) != 0 || wb_hub_demo(st, db, keep_key, NULL, &err) != 0)
        abort();
    wb_store_close(st);
    wb_hub_opts o = {.db = db,
                     .connections = 1,
                     .max_body = 1 << 20,
                     .rate = 1e9,
                     .burst = 1e9,
                     .catalogues = WB_SOURCE_DIR "/data/catalogues"};
    if (wb_hub_open(&hub, &o, &err) != 0) abort();
    runs = 0;
}

static void at_exit(void)
{
    teardown();
}

static int hex(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s in place ('+' is a space in a query), as MHD does. */
static void unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r == '+') {
            *w++ = ' ';
        } else if (*r == '%' && hex(r[1]) >= 0 && hex(r[2]) >= 0) {
            *w++ = (char)(hex(r[1]) * 16 + hex(r[2]));
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

static bool header_is(const char *line, const char *name)
{
    size_t n = strlen(name);
    return strncasecmp(line, name, n) == 0 && line[n] == ':';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (hub == NULL) {
        setup();
        atexit(at_exit);
    } else if (++runs >= RESET) {
        teardown();
        setup();
    }
    /* The head is text up to the blank line; a NUL in it ends it (MHD
     * refuses such a request before the hub sees it). */
    char *copy = malloc(size + 1);
    if (copy == NULL) return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    const char *body = NULL;
    size_t body_len = 0;
    char *end = strstr(copy, "\r\n\r\n");
    if (end) {
        *end = '\0';
        body = end + 4;
        body_len = size - (size_t)(body - copy);
    }
    char *save = NULL;
    char *line = strtok_r(copy, "\r\n", &save);
    char *method = NULL, *target = NULL, *auth = NULL;
    char authbuf[WB_KEY_TEXT_LEN + 16];
    if (line) {
        char *sp = NULL;
        method = strtok_r(line, " ", &sp);
        target = strtok_r(NULL, " ", &sp);
    }
    for (char *h; (h = strtok_r(NULL, "\r\n", &save)) != NULL;) {
        if (!header_is(h, "Authorization")) continue;
        auth = h + 14;
        while (*auth == ' ')
            auth++;
        const char *at = strstr(auth, "@");
        if (at && at[1] >= '0' && at[1] <= '9' && (size_t)(at[1] - '0') < nkeys) {
            snprintf(authbuf, sizeof authbuf, "%.*s%s", (int)(at - auth), auth, keys[at[1] - '0']);
            auth = authbuf;
        }
    }
    if (method == NULL || target == NULL) {
        free(copy);
        return 0;
    }
    wb_hub_arg args[MAX_ARGS];
    size_t nargs = 0;
    char *q = strchr(target, '?');
    if (q) {
        *q++ = '\0';
        char *asave = NULL;
        for (char *a = strtok_r(q, "&", &asave); a && nargs < MAX_ARGS;
             a = strtok_r(NULL, "&", &asave)) {
            char *eq = strchr(a, '=');
            if (eq) {
                *eq = '\0';
                unescape(eq + 1);
            }
            unescape(a);
            args[nargs].key = a;
            args[nargs].value = eq ? eq + 1 : NULL;
            nargs++;
        }
    }
    unescape(target);
    wb_hub_request req = {.method = method,
                          .path = target,
                          .args = args,
                          .nargs = nargs,
                          .authorization = auth,
                          .body = body,
                          .body_len = body_len};
    wb_hub_response resp;
    wb_hub_handle(hub, &req, &resp);
    if (getenv("WB_FUZZ_VERBOSE")) /* what each seed reaches, when writing seeds */
        fprintf(stderr, "%u %.*s\n", resp.status, (int)(resp.body.len < 160 ? resp.body.len : 160),
                resp.body.data ? resp.body.data : "");
    if (resp.status < 200 || resp.status > 599) abort();
    if (resp.stream) {
        char buf[4096];
        long n;
        while ((n = wb_hub_stream_read(resp.stream, buf, sizeof buf)) > 0)
            ;
    } else if (resp.content_type == NULL) {
        json_t *j = json_loadb(resp.body.data, resp.body.len, 0, NULL);
        if (j == NULL) abort();
        if (resp.status >= 400 &&
            json_string_value(json_object_get(json_object_get(j, "error"), "code")) == NULL)
            abort();
        json_decref(j);
    }
    wb_hub_response_free(&resp);
    free(copy);
    return 0;
}
