/*
 * test_hub_feed.c - MISP feeds and STIX export of the hub: MD5 against the
 * RFC 1321 suite; the feed files' format (MISP's manifest keys and integer
 * types, event files, hashes.csv lines with composite values split); the
 * policy inside a feed (hidden attributes left out, unpublished and deleted
 * events absent, the public feed); pulling the MISP project's own test feed
 * and pulling again (idempotent), newer timestamps, refusals that name the
 * file and JSON path; and the STIX bundle read back by weerbaar's own STIX
 * loader giving the indicators its MISP loader finds in the same event.
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

#include "core/core_internal.h"
#include "hub/hub_internal.h"
#include "common/hubfix.h"
#include "weerbaar/feed.h"
#include "weerbaar/normalize.h"

#define FEED_DIR WB_SHARED_DIR "/testdata/misp/feed-misp-tests"
#define CIRCL_EVENT "56bf399d-c46c-4fdb-a9cf-d9bb02de0b81"

enum { K_A, K_B, K_ADMIN, N_KEYS };

typedef struct fixture {
    hubfix h;
    wb_store *st; /* the hub's database, open beside the hub */
    int64_t org_a, org_b;
} fixture;

static const hubfix_org orgs[] = {{"Alpha", WB_ORG_CSIRT, NULL}, {"Beta", WB_ORG_ESSENTIAL, NULL}};
static const hubfix_user users[N_KEYS] = {
    [K_A] = {"a@alpha.example", 0, WB_ROLE_MEMBER},
    [K_B] = {"b@beta.example", 1, WB_ROLE_MEMBER},
    [K_ADMIN] = {"root@alpha.example", 0, WB_ROLE_SITE_ADMIN},
};

/* A request through the API handler; a streamed body is read to its end. */
static unsigned call(fixture *f, const char *method, const char *path, int key, const char *body,
                     wb_buf *out)
{
    char auth[WB_KEY_TEXT_LEN + 16];
    snprintf(auth, sizeof auth, "Bearer %s", key >= 0 ? f->h.key[key] : "");
    wb_hub_request req = {.method = method,
                          .path = path,
                          .authorization = key >= 0 ? auth : NULL,
                          .body = body,
                          .body_len = body ? strlen(body) : 0};
    wb_hub_response resp;
    wb_hub_handle(f->h.hub, &req, &resp);
    if (out) {
        wb_buf_reset(out);
        if (resp.stream) {
            char buf[4096];
            long n;
            while ((n = wb_hub_stream_read(resp.stream, buf, sizeof buf)) > 0)
                assert_int_equal(wb_buf_append(out, buf, (size_t)n), 0);
            assert_int_equal(n, 0);
        } else if (resp.body.len) {
            assert_int_equal(wb_buf_append(out, resp.body.data, resp.body.len), 0);
        }
        assert_int_equal(wb_buf_putc(out, '\0'), 0);
        out->len--;
    }
    unsigned st = resp.status;
    wb_hub_response_free(&resp);
    return st;
}

static json_t *call_json(fixture *f, const char *method, const char *path, int key,
                         const char *body, unsigned want)
{
    wb_buf b = {0};
    unsigned st = call(f, method, path, key, body, &b);
    if (st != want) fprintf(stderr, "%s %s: %u %s\n", method, path, st, b.data ? b.data : "");
    assert_int_equal(st, want);
    json_t *j = json_loads(b.data, 0, NULL);
    assert_non_null(j);
    wb_buf_free(&b);
    return j;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    hubfix_begin(&f->h, "feed", orgs, 2, users, N_KEYS);
    f->org_a = f->h.org[0];
    f->org_b = f->h.org[1];
    f->h.keep_store = true;
    hubfix_open(&f->h, NULL);
    f->st = f->h.st;
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

/* ---- MD5 ------------------------------------------------------------------------- */

static void test_md5_rfc1321(void **state)
{
    (void)state;
    static const char *const in[] = {
        "",
        "a",
        "abc",
        "message digest",
        "abcdefghijklmnopqrstuvwxyz",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        "12345678901234567890123456789012345678901234567890123456789012345678901234567890"};
    static const char *const want[] = {
        "d41d8cd98f00b204e9800998ecf8427e", "0cc175b9c0f1b6a831c399e269772661",
        "900150983cd24fb0d6963f7d28e17f72", "f96b697d7cb7938d525a2f31aaf161d0",
        "c3fcd3d76192e4007dfb496cca67e13b", "d174ab98d277d9f5a5611c2c9f419d9f",
        "57edf4a22be3c955ac49da2e2107b67a"};
    char hex[33];
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        wbi_core_md5_hex(in[i], strlen(in[i]), hex);
        assert_string_equal(hex, want[i]);
    }
    /* Lengths around the padding boundaries (Python's hashlib as the oracle). */
    static const struct {
        size_t n;
        const char *md5;
    } xs[] = {{55, "04364420e25c512fd958a70738aa8f72"},  {56, "668a72d5ba17f08e62dabcafad6db14b"},
              {63, "7dc2ca208106a2f703567bdff99d8981"},  {64, "c1bb4f81d892b2d57947682aeb252456"},
              {119, "ab347a5f68c8a443cfcddc633f12c24f"}, {120, "fb98667f98096de92620b64f46e1c5b5"},
              {129, "3926841d393c00c3f36260e5ace10dc1"}};
    char buf[129];
    memset(buf, 'x', sizeof buf);
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        wbi_core_md5_hex(buf, xs[i].n, hex);
        assert_string_equal(hex, xs[i].md5);
    }
}

/* ---- export ------------------------------------------------------------------------ */

#define EV1 "7c000000-0000-4000-8000-000000000001"
#define EV2 "7c000000-0000-4000-8000-000000000002"
#define EV3 "7c000000-0000-4000-8000-000000000003"
#define EV4 "7c000000-0000-4000-8000-000000000004"

/* Alpha's events: EV1 green, community, with a RED organisation-only
 * attribute, an object, a local tag and composite values; EV2 CLEAR for
 * all communities (the public feed); EV3 unpublished; EV4 published then
 * deleted. */
static void post_events(fixture *f)
{
    static bool done = false;
    if (done) return;
    done = true;
    const char *e1 =
        "{\"Event\":{\"uuid\":\"" EV1 "\",\"info\":\"feed one\",\"distribution\":1,"
        "\"threat_level_id\":\"1\",\"analysis\":\"1\",\"published\":true,"
        "\"Tag\":[{\"name\":\"tlp:green\",\"colour\":\"#33ff00\"},{\"name\":\"mine\",\"local\":1}],"
        "\"Attribute\":["
        "{\"uuid\":\"7c000000-0000-4000-8000-0000000000a1\",\"type\":\"domain|ip\","
        "\"value\":\"c2.example|198.51.100.7\",\"to_ids\":true,\"category\":\"Network activity\"},"
        "{\"uuid\":\"7c000000-0000-4000-8000-0000000000a2\",\"type\":\"ip-dst\","
        "\"value\":\"192.0.2.99\",\"to_ids\":true,\"distribution\":0,"
        "\"Tag\":[{\"name\":\"tlp:red\"}]},"
        "{\"uuid\":\"7c000000-0000-4000-8000-0000000000a3\",\"type\":\"filename|sha1\","
        "\"value\":\"drop.exe|da39a3ee5e6b4b0d3255bfef95601890afd80709\",\"to_ids\":true},"
        "{\"uuid\":\"7c000000-0000-4000-8000-0000000000a4\",\"type\":\"url\","
        "\"value\":\"http://c2.example/gate.php\",\"to_ids\":true},"
        "{\"uuid\":\"7c000000-0000-4000-8000-0000000000a5\",\"type\":\"email-src\","
        "\"value\":\"boss@c2.example\",\"to_ids\":true,\"Tag\":[{\"name\":\"tlp:amber\"}]},"
        "{\"uuid\":\"7c000000-0000-4000-8000-0000000000a6\",\"type\":\"ip-dst|port\","
        "\"value\":\"203.0.113.5|8443\",\"to_ids\":true},"
        "{\"uuid\":\"7c000000-0000-4000-8000-0000000000a7\",\"type\":\"link\","
        "\"value\":\"https://blog.example/report\",\"to_ids\":false}],"
        "\"Object\":[{\"uuid\":\"7c000000-0000-4000-8000-0000000000b1\",\"name\":\"file\","
        "\"meta-category\":\"file\",\"Attribute\":["
        "{\"uuid\":\"7c000000-0000-4000-8000-0000000000c1\",\"type\":\"md5\","
        "\"object_relation\":\"md5\",\"value\":\"d41d8cd98f00b204e9800998ecf8427e\","
        "\"to_ids\":true}]},"
        "{\"uuid\":\"7c000000-0000-4000-8000-0000000000b2\",\"name\":\"file\",\"Attribute\":["
        "{\"uuid\":\"7c000000-0000-4000-8000-0000000000c2\",\"type\":\"sha256\","
        "\"object_relation\":\"sha256\",\"distribution\":0,"
        "\"value\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
        "\"to_ids\":true}]}]}}";
    const char *e2 = "{\"Event\":{\"uuid\":\"" EV2 "\",\"info\":\"public one\",\"distribution\":3,"
                     "\"published\":true,\"Tag\":[{\"name\":\"tlp:clear\"}],\"Attribute\":["
                     "{\"type\":\"domain\",\"value\":\"public.example\",\"to_ids\":true}]}}";
    const char *e3 = "{\"Event\":{\"uuid\":\"" EV3 "\",\"info\":\"draft\",\"distribution\":3,"
                     "\"Tag\":[{\"name\":\"tlp:clear\"}],\"Attribute\":["
                     "{\"type\":\"domain\",\"value\":\"draft.example\",\"to_ids\":true}]}}";
    const char *e4 = "{\"Event\":{\"uuid\":\"" EV4 "\",\"info\":\"gone\",\"distribution\":3,"
                     "\"published\":true,\"Tag\":[{\"name\":\"tlp:clear\"}],\"Attribute\":["
                     "{\"type\":\"domain\",\"value\":\"gone.example\",\"to_ids\":true}]}}";
    assert_int_equal(call(f, "POST", "/api/v1/events", K_A, e1, NULL), 201);
    assert_int_equal(call(f, "POST", "/api/v1/events", K_A, e2, NULL), 201);
    assert_int_equal(call(f, "POST", "/api/v1/events", K_A, e3, NULL), 201);
    assert_int_equal(call(f, "POST", "/api/v1/events", K_A, e4, NULL), 201);
    assert_int_equal(call(f, "DELETE", "/api/v1/events/" EV4, K_A, NULL, NULL), 200);
}

static size_t attr_count(json_t *event)
{
    size_t n = json_array_size(json_object_get(event, "Attribute"));
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(event, "Object"), i, o) n +=
        json_array_size(json_object_get(o, "Attribute"));
    return n;
}

static void test_manifest_format(void **state)
{
    fixture *f = *state;
    post_events(f);
    json_t *m = call_json(f, "GET", "/feeds/misp/manifest.json", K_B, NULL, 200);
    assert_int_equal(json_object_size(m), 2); /* EV1, EV2: not the draft, not the deleted */
    json_t *e = json_object_get(m, EV1);
    assert_non_null(e);
    /* PyMISP's manifest: exactly these keys, integers where MISP writes them. */
    const char *keys[] = {"Orgc",     "Tag", "info", "date", "analysis", "threat_level_id",
                          "timestamp"};
    assert_int_equal(json_object_size(e), 7);
    for (size_t i = 0; i < 7; i++)
        assert_non_null(json_object_get(e, keys[i]));
    assert_true(json_is_integer(json_object_get(e, "analysis")));
    assert_int_equal(json_integer_value(json_object_get(e, "threat_level_id")), 1);
    assert_true(json_is_integer(json_object_get(e, "timestamp")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(e, "Orgc"), "name")),
                        "Alpha");
    /* The local tag stays home. */
    json_t *tags = json_object_get(e, "Tag");
    assert_int_equal(json_array_size(tags), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(tags, 0), "name")),
                        "tlp:green");
    json_decref(m);
    /* The public feed: the CLEAR, all-communities event only, without a key. */
    m = call_json(f, "GET", "/feeds/public/manifest.json", -1, NULL, 200);
    assert_int_equal(json_object_size(m), 1);
    assert_non_null(json_object_get(m, EV2));
    json_decref(m);
    /* The feed needs a key; MISP's "Authorization: KEY" form is taken too. */
    assert_int_equal(call(f, "GET", "/feeds/misp/manifest.json", -1, NULL, NULL), 401);
    char raw[WB_KEY_TEXT_LEN + 1];
    memcpy(raw, f->h.key[K_B], sizeof raw);
    wb_hub_request req = {
        .method = "GET", .path = "/feeds/misp/" EV1 ".json", .authorization = raw};
    wb_hub_response resp;
    wb_hub_handle(f->h.hub, &req, &resp);
    assert_int_equal(resp.status, 200);
    wb_hub_response_free(&resp);
}

static void test_event_file_policy(void **state)
{
    fixture *f = *state;
    post_events(f);
    /* Beta sees the event without the RED organisation-only attribute and
     * without the organisation-only attribute of the second object, and so
     * without that object. */
    json_t *j = call_json(f, "GET", "/feeds/misp/" EV1 ".json", K_B, NULL, 200);
    json_t *e = json_object_get(j, "Event");
    assert_int_equal(attr_count(e), 7);
    assert_int_equal(json_array_size(json_object_get(e, "Object")), 1);
    char *text = json_dumps(e, 0);
    assert_null(strstr(text, "192.0.2.99"));
    free(text);
    /* No audience of this hub in a feed. */
    assert_null(json_object_get(e, "distribution"));
    assert_null(
        json_object_get(json_array_get(json_object_get(e, "Attribute"), 0), "distribution"));
    assert_true(json_is_true(json_object_get(e, "published")));
    assert_true(json_is_string(json_object_get(e, "timestamp")));
    json_decref(j);
    /* Alpha sees all nine. */
    j = call_json(f, "GET", "/feeds/misp/" EV1 ".json", K_A, NULL, 200);
    assert_int_equal(attr_count(json_object_get(j, "Event")), 9);
    assert_int_equal(json_array_size(json_object_get(json_object_get(j, "Event"), "Object")), 2);
    json_decref(j);
    /* Unpublished, deleted, unknown, not in the public view, not a uuid: 404. */
    assert_int_equal(call(f, "GET", "/feeds/misp/" EV3 ".json", K_A, NULL, NULL), 404);
    assert_int_equal(call(f, "GET", "/feeds/misp/" EV4 ".json", K_A, NULL, NULL), 404);
    assert_int_equal(
        call(f, "GET", "/feeds/misp/7c000000-0000-4000-8000-00000000dead.json", K_A, NULL, NULL),
        404);
    assert_int_equal(call(f, "GET", "/feeds/public/" EV1 ".json", -1, NULL, NULL), 404);
    assert_int_equal(call(f, "GET", "/feeds/public/" EV2 ".json", -1, NULL, NULL), 200);
    assert_int_equal(call(f, "GET", "/feeds/misp/" EV1, K_A, NULL, NULL), 404);
}

static bool has_line(const char *text, const char *value, const char *uuid)
{
    char hex[33], line[80];
    wbi_core_md5_hex(value, strlen(value), hex);
    snprintf(line, sizeof line, "%s,%s\n", hex, uuid);
    return strstr(text, line) != NULL;
}

static void test_hashes(void **state)
{
    fixture *f = *state;
    post_events(f);
    wb_buf b = {0};
    assert_int_equal(call(f, "GET", "/feeds/misp/hashes.csv", K_B, NULL, &b), 200);
    /* Composite values hashed part by part, as MISP does. */
    assert_true(has_line(b.data, "c2.example", EV1));
    assert_true(has_line(b.data, "198.51.100.7", EV1));
    assert_true(has_line(b.data, "drop.exe", EV1));
    assert_true(has_line(b.data, "da39a3ee5e6b4b0d3255bfef95601890afd80709", EV1));
    assert_true(has_line(b.data, "d41d8cd98f00b204e9800998ecf8427e", EV1));
    assert_true(has_line(b.data, "public.example", EV2));
    /* Not what Beta may not see, not drafts, not deleted events. */
    assert_false(has_line(b.data, "192.0.2.99", EV1));
    assert_false(has_line(b.data, "draft.example", EV3));
    assert_false(has_line(b.data, "gone.example", EV4));
    size_t lines = 0;
    for (const char *p = b.data; *p; p++)
        lines += *p == '\n';
    /* a1: 2, a3: 2, a4, a5, a6: 2, a7, c1; EV2: 1 */
    assert_int_equal(lines, 11);
    assert_int_equal(call(f, "GET", "/feeds/public/hashes.csv", -1, NULL, &b), 200);
    assert_true(has_line(b.data, "public.example", EV2));
    assert_false(has_line(b.data, "c2.example", EV1));
    wb_buf_free(&b);
}

/* Streamed answers are capped: each holds a thread and a connection. */
static void test_stream_cap(void **state)
{
    fixture *f = *state;
    post_events(f);
    char auth[WB_KEY_TEXT_LEN + 16];
    snprintf(auth, sizeof auth, "Bearer %s", f->h.key[K_B]);
    wb_hub_request req = {
        .method = "GET", .path = "/feeds/misp/manifest.json", .authorization = auth};
    wb_hub_response held[16], extra;
    for (int i = 0; i < 16; i++) {
        wb_hub_handle(f->h.hub, &req, &held[i]);
        assert_int_equal(held[i].status, 200);
        assert_non_null(held[i].stream);
    }
    wb_hub_handle(f->h.hub, &req, &extra);
    assert_int_equal(extra.status, 503);
    assert_int_equal(extra.retry_after, 1);
    wb_hub_response_free(&extra);
    /* A client that leaves without reading: the producer stops, the slot is
     * free again. */
    for (int i = 0; i < 16; i++)
        wb_hub_response_free(&held[i]);
    wb_hub_handle(f->h.hub, &req, &extra);
    assert_int_equal(extra.status, 200);
    wb_hub_response_free(&extra);
}

/* The offline export writes what the hub serves. */
static void test_export_dir(void **state)
{
    fixture *f = *state;
    post_events(f);
    char out[128], path[200];
    snprintf(out, sizeof out, "%s/export", f->h.dir);
    wb_principal who;
    wb_error err;
    wb_feed_stats stats = {0};
    assert_int_equal(wb_feed_principal(f->st, "Beta", &who, &err), 0);
    assert_int_equal(wb_feed_export(f->st, &who, out, &stats, &err), 0);
    assert_int_equal(stats.events, 2);
    assert_int_equal(stats.attributes, 8);
    /* A stale file from an earlier export goes. */
    snprintf(path, sizeof path, "%s/" EV3 ".json", out);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
    memset(&stats, 0, sizeof stats);
    assert_int_equal(wb_feed_export(f->st, &who, out, &stats, &err), 0);
    assert_int_not_equal(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/" EV1 ".json", out);
    json_t *file = json_load_file(path, 0, NULL);
    json_t *served = call_json(f, "GET", "/feeds/misp/" EV1 ".json", K_B, NULL, 200);
    assert_true(json_equal(file, served));
    json_decref(file);
    json_decref(served);
    /* Unknown organisation. */
    assert_int_equal(wb_feed_principal(f->st, "Nobody", &who, &err), WB_ENOTFOUND);
    assert_non_null(strstr(err.msg, "Nobody"));
}

/* ---- pull -------------------------------------------------------------------------- */

typedef struct notes {
    char reasons[8][WB_ERROR_MSG_MAX];
    size_t n;
} notes;

static void on_note(void *ud, const char *uuid, wb_feed_outcome o, const char *reason)
{
    (void)uuid;
    notes *n = ud;
    if (o == WB_FEED_SKIPPED && n->n < 8)
        snprintf(n->reasons[n->n++], WB_ERROR_MSG_MAX, "%s", reason);
}

/* Whether one of the skip reasons holds `what` (reasons of fetched events
 * come when their batch is stored, so order is not asserted). */
static bool has_reason(const notes *n, const char *what)
{
    for (size_t i = 0; i < n->n; i++)
        if (strstr(n->reasons[i], what)) return true;
    return false;
}

static int event_cb(void *ud, const wb_event_rec *e)
{
    *(wb_event_rec *)ud = *e;
    ((wb_event_rec *)ud)->json = NULL;
    return 1;
}

static void test_pull_misp_test_feed(void **state)
{
    fixture *f = *state;
    wb_error err;
    wb_feed_pull_counts c;
    wb_feed_pull_opts o = {.source = FEED_DIR, .org = "Beta", .distribution = 3};
    assert_int_equal(wb_feed_pull(f->st, &o, &c, &err), 0);
    assert_int_equal(c.listed, 1);
    assert_int_equal(c.added, 1);
    assert_int_equal(c.attributes, 1);
    wb_event_rec e;
    assert_int_equal(wb_store_event_get(f->st, CIRCL_EVENT, event_cb, &e, &err), 0);
    assert_int_equal(e.org_id, f->org_b);
    assert_int_equal(e.tlp, WB_TLP_CLEAR); /* tlp:white kept */
    assert_int_equal(e.timestamp, 1455373240);
    assert_true(e.published);
    /* Served with CIRCL as Orgc and the tags of the feed. */
    json_t *j = call_json(f, "GET", "/api/v1/events/" CIRCL_EVENT, K_A, NULL, 200);
    json_t *ev = json_object_get(j, "Event");
    assert_string_equal(json_string_value(json_object_get(json_object_get(ev, "Orgc"), "name")),
                        "CIRCL");
    assert_string_equal(json_string_value(json_object_get(json_object_get(ev, "Org"), "name")),
                        "Beta");
    char *tags = json_dumps(json_object_get(ev, "Tag"), 0);
    assert_non_null(strstr(tags, "type:OSINT"));
    free(tags);
    json_decref(j);
    /* ... and it is in the public feed: CLEAR, distribution 3. */
    j = call_json(f, "GET", "/feeds/public/manifest.json", -1, NULL, 200);
    assert_non_null(json_object_get(j, CIRCL_EVENT));
    json_decref(j);
    /* Again: nothing fetched, nothing changed. */
    assert_int_equal(wb_feed_pull(f->st, &o, &c, &err), 0);
    assert_int_equal(c.unchanged, 1);
    assert_int_equal(c.added + c.updated, 0);
    /* Another organisation may not take the event over. */
    o.org = "Alpha";
    notes n = {0};
    o.note = on_note;
    o.ud = &n;
    char dir[128], cmd[1024];
    snprintf(dir, sizeof dir, "%s/newer", f->h.dir);
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s && sed 's/1455373240/1455373999/' %s/manifest.json > %s/manifest.json && "
             "sed 's/\"timestamp\": \"1455373240\"/\"timestamp\": \"1455373999\"/' %s/" CIRCL_EVENT
             ".json > %s/" CIRCL_EVENT ".json",
             dir, FEED_DIR, dir, FEED_DIR, dir);
    assert_int_equal(system(cmd), 0);
    o.source = dir;
    assert_int_equal(wb_feed_pull(f->st, &o, &c, &err), 0);
    assert_int_equal(c.skipped, 1);
    assert_true(has_reason(&n, "created by Beta"));
    /* The owner takes the newer version. */
    o.org = "Beta";
    assert_int_equal(wb_feed_pull(f->st, &o, &c, &err), 0);
    assert_int_equal(c.updated, 1);
    assert_int_equal(wb_store_event_get(f->st, CIRCL_EVENT, event_cb, &e, &err), 0);
    assert_int_equal(e.timestamp, 1455373999);
    /* Unknown organisation, bad distribution, missing feed: errors. */
    o.org = "Nobody";
    assert_int_equal(wb_feed_pull(f->st, &o, &c, &err), WB_ENOTFOUND);
    o.org = "Beta";
    o.source = "/nonexistent/feed";
    assert_int_not_equal(wb_feed_pull(f->st, &o, &c, &err), 0);
    assert_non_null(strstr(err.msg, "/nonexistent/feed/manifest.json"));
}

static int buf_write(void *ud, const char *p, size_t n)
{
    return wb_buf_append(ud, p, n);
}

/* TLP:RED given in MISP's EventTag shape beside a stored tlp:clear Tag: the
 * feed must carry RED (the level the hub enforced), so that a second hub
 * pulling it stores RED and narrows it to its organisation, never
 * republishing it as CLEAR. */
static void test_pull_keeps_effective_tlp(void **state)
{
    fixture *f = *state;
    const char *red =
        "{\"Event\":{\"uuid\":\"7c000000-0000-4000-8000-0000000000e1\",\"info\":\"red\","
        "\"distribution\":0,\"published\":true,\"Tag\":[{\"name\":\"tlp:clear\"}],"
        "\"EventTag\":[{\"Tag\":{\"name\":\"tlp:red\"}}],\"Attribute\":["
        "{\"type\":\"domain\",\"value\":\"red.example\",\"to_ids\":true,"
        "\"Tag\":[{\"name\":\"tlp:clear\"}]},"
        "{\"type\":\"domain\",\"value\":\"red2.example\",\"to_ids\":true,"
        "\"AttributeTag\":[{\"Tag\":{\"name\":\"tlp:green\"}}]}]}}";
    assert_int_equal(call(f, "POST", "/api/v1/events", K_A, red, NULL), 201);
    /* The feed as the creator reads it names RED only. */
    wb_buf b = {0};
    assert_int_equal(
        call(f, "GET", "/feeds/misp/7c000000-0000-4000-8000-0000000000e1.json", K_A, NULL, &b),
        200);
    assert_non_null(strstr(b.data, "\"tlp:red\""));
    assert_null(strstr(b.data, "tlp:clear"));
    assert_null(strstr(b.data, "tlp:green"));
    wb_buf_free(&b);
    json_t *m = call_json(f, "GET", "/feeds/misp/manifest.json", K_A, NULL, 200);
    char *entry = json_dumps(json_object_get(m, "7c000000-0000-4000-8000-0000000000e1"), 0);
    assert_non_null(strstr(entry, "\"tlp:red\""));
    assert_null(strstr(entry, "tlp:clear"));
    free(entry);
    json_decref(m);
    /* The creator's feed exported and pulled by a second hub for Beta,
     * which would publish it to everyone (distribution 3). */
    char out[128], db2[128];
    snprintf(out, sizeof out, "%s/red-feed", f->h.dir);
    snprintf(db2, sizeof db2, "%s/second.db", f->h.dir);
    wb_principal who;
    wb_error err;
    wb_feed_stats stats = {0};
    assert_int_equal(wb_feed_principal(f->st, "Alpha", &who, &err), 0);
    assert_int_equal(wb_feed_export(f->st, &who, out, &stats, &err), 0);
    wb_store *st2;
    assert_int_equal(wb_store_open(&st2, db2, &err), 0);
    assert_int_equal(wb_store_org_add(st2, "Beta", WB_ORG_ESSENTIAL, NULL, NULL, NULL, &err), 0);
    wb_feed_pull_counts c;
    wb_feed_pull_opts o = {.source = out, .org = "Beta", .distribution = 3};
    assert_int_equal(wb_feed_pull(st2, &o, &c, &err), 0);
    assert_int_equal(c.skipped, 0);
    wb_event_rec e;
    assert_int_equal(
        wb_store_event_get(st2, "7c000000-0000-4000-8000-0000000000e1", event_cb, &e, &err), 0);
    assert_int_equal(e.tlp, WB_TLP_RED);
    assert_int_equal(e.distribution, 0); /* narrowed: RED travels with 0 or 4 only */
    /* ... and the second hub's public feed does not carry it. */
    wb_principal anon = {0};
    wb_buf pub = {0};
    memset(&stats, 0, sizeof stats);
    assert_int_equal(wb_feed_manifest(st2, &anon, buf_write, &pub, &stats, &err), 0);
    assert_int_equal(wb_buf_putc(&pub, '\0'), 0);
    assert_null(strstr(pub.data, "7c000000-0000-4000-8000-0000000000e1"));
    wb_buf_free(&pub);
    wb_store_close(st2);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_pull_refusals(void **state)
{
    fixture *f = *state;
    char dir[128], path[256];
    snprintf(dir, sizeof dir, "%s/bad", f->h.dir);
    snprintf(path, sizeof path, "mkdir -p %s", dir);
    assert_int_equal(system(path), 0);
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    write_file(path, "{\"7d000000-0000-4000-8000-000000000001\":{\"timestamp\":1},"
                     "\"7d000000-0000-4000-8000-000000000002\":{\"timestamp\":1},"
                     "\"7d000000-0000-4000-8000-000000000003\":{\"timestamp\":1},"
                     "\"7d000000-0000-4000-8000-000000000004\":{\"timestamp\":1},"
                     "\"not-a-uuid\":{\"timestamp\":1},"
                     "\"7d000000-0000-4000-8000-000000000005\":{\"timestamp\":\"soon\"},"
                     "\"7d000000-0000-4000-8000-000000000006\":{\"timestamp\":1}}");
    snprintf(path, sizeof path, "%s/7d000000-0000-4000-8000-000000000001.json", dir);
    write_file(path,
               "{\"Event\":{\"uuid\":\"7d000000-0000-4000-8000-000000000009\",\"info\":\"x\"}}");
    snprintf(path, sizeof path, "%s/7d000000-0000-4000-8000-000000000002.json", dir);
    write_file(path, "{\"Event\":{\"uuid\":\"7d000000-0000-4000-8000-000000000002\",\"info\":\"x\","
                     "\"Attribute\":[{\"type\":\"ip-dst\",\"value\":\"1.2.3.4\"},"
                     "{\"type\":\"ip-dst\",\"value\":7}]}}");
    snprintf(path, sizeof path, "%s/7d000000-0000-4000-8000-000000000003.json", dir);
    write_file(path, "{\"Event\":{\"uuid\":\"7d000000-0000-4000-8000-000000000003\",\"info\":\"r\","
                     "\"Tag\":[{\"name\":\"tlp:red\"}],\"Attribute\":[]}}");
    /* ...004 has no file at all; 006 is green with one RED attribute. */
    snprintf(path, sizeof path, "%s/7d000000-0000-4000-8000-000000000006.json", dir);
    write_file(
        path,
        "{\"Event\":{\"uuid\":\"7d000000-0000-4000-8000-000000000006\",\"info\":\"g\","
        "\"Tag\":[{\"name\":\"tlp:green\"}],\"Attribute\":[{\"type\":\"ip-dst\","
        "\"value\":\"192.0.2.5\",\"to_ids\":true,\"distribution\":\"3\"},{\"type\":\"ip-dst\","
        "\"value\":\"192.0.2.6\",\"to_ids\":true,\"Tag\":[{\"name\":\"tlp:red\"}]}]}}");
    wb_feed_pull_counts c;
    wb_error err;
    notes n = {0};
    wb_feed_pull_opts o = {
        .source = dir, .org = "Alpha", .distribution = 1, .note = on_note, .ud = &n};
    assert_int_equal(wb_feed_pull(f->st, &o, &c, &err), 0);
    assert_int_equal(c.listed, 7);
    assert_int_equal(c.skipped, 5);
    assert_int_equal(c.added, 2);
    /* Each reason names the file and the JSON path at fault. */
    assert_true(has_reason(&n, "$[\"not-a-uuid\"]"));
    assert_true(has_reason(&n, "7d000000-0000-4000-8000-000000000001.json: $.Event.uuid"));
    assert_true(
        has_reason(&n, "7d000000-0000-4000-8000-000000000002.json: $.Event.Attribute[1].value"));
    assert_true(has_reason(&n, "7d000000-0000-4000-8000-000000000004.json"));
    /* The RED event was asked to go to the community: it stays with Alpha. */
    wb_event_rec e;
    assert_int_equal(
        wb_store_event_get(f->st, "7d000000-0000-4000-8000-000000000003", event_cb, &e, &err), 0);
    assert_int_equal(e.distribution, 0);
    assert_int_equal(e.tlp, WB_TLP_RED);
    /* In the green event, the RED attribute stays with Alpha; the other one
     * inherits the community distribution (the file's "3" is dropped). */
    json_t *j =
        call_json(f, "GET", "/api/v1/events/7d000000-0000-4000-8000-000000000006", K_B, NULL, 200);
    json_t *attrs = json_object_get(json_object_get(j, "Event"), "Attribute");
    assert_int_equal(json_array_size(attrs), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(attrs, 0), "value")),
                        "192.0.2.5");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(attrs, 0), "distribution")), "5");
    json_decref(j);
    j = call_json(f, "GET", "/api/v1/events/7d000000-0000-4000-8000-000000000006", K_A, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(json_object_get(j, "Event"), "Attribute")), 2);
    json_decref(j);
    /* Distribution 4 needs a sharing group Alpha is in. */
    o.distribution = 4;
    assert_int_equal(wb_feed_pull(f->st, &o, &c, &err), WB_EINVAL);
    o.sgroup = "none";
    assert_int_equal(wb_feed_pull(f->st, &o, &c, &err), WB_ENOTFOUND);
}

/* A write that fails inside a batch (an attribute uuid another event of the
 * same pull holds) costs that event only. */
static void test_pull_batch_redo(void **state)
{
    fixture *f = *state;
    char dir[128], path[256];
    snprintf(dir, sizeof dir, "%s/clash", f->h.dir);
    snprintf(path, sizeof path, "mkdir -p %s", dir);
    assert_int_equal(system(path), 0);
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    write_file(path, "{\"7e000000-0000-4000-8000-000000000001\":{\"timestamp\":5},"
                     "\"7e000000-0000-4000-8000-000000000002\":{\"timestamp\":5},"
                     "\"7e000000-0000-4000-8000-000000000003\":{\"timestamp\":5}}");
    for (int i = 1; i <= 3; i++) {
        char body[512];
        /* Event 2 reuses event 1's attribute uuid. */
        snprintf(body, sizeof body,
                 "{\"Event\":{\"uuid\":\"7e000000-0000-4000-8000-00000000000%d\",\"info\":\"e%d\","
                 "\"Attribute\":[{\"uuid\":\"7e000000-0000-4000-8000-0000000000a%d\","
                 "\"type\":\"domain\",\"value\":\"e%d.example\",\"to_ids\":true}]}}",
                 i, i, i == 2 ? 1 : i, i);
        snprintf(path, sizeof path, "%s/7e000000-0000-4000-8000-00000000000%d.json", dir, i);
        write_file(path, body);
    }
    wb_feed_pull_counts c;
    wb_error err;
    notes n = {0};
    wb_feed_pull_opts o = {.source = dir, .org = "Alpha", .note = on_note, .ud = &n};
    assert_int_equal(wb_feed_pull(f->st, &o, &c, &err), 0);
    assert_int_equal(c.added, 2);
    assert_int_equal(c.skipped, 1);
    assert_true(has_reason(&n, "7e000000-0000-4000-8000-000000000002.json"));
    assert_true(has_reason(&n, "another event"));
    wb_event_rec e;
    assert_int_equal(
        wb_store_event_get(f->st, "7e000000-0000-4000-8000-000000000003", event_cb, &e, &err), 0);
    assert_int_equal(
        wb_store_event_get(f->st, "7e000000-0000-4000-8000-000000000002", event_cb, &e, &err),
        WB_ENOTFOUND);
}

static void test_manifest_parse(void **state)
{
    (void)state;
    wbi_feed_entry *e;
    size_t n, bad;
    wbi_problem prob;
    const char *ok = "{\"56BF399D-C46C-4FDB-A9CF-D9BB02DE0B81\":{\"timestamp\":\"12\"}}";
    assert_int_equal(wbi_feed_manifest_parse(ok, strlen(ok), 32, 10, &e, &n, &bad, &prob), 0);
    assert_int_equal(n, 1);
    assert_string_equal(e[0].uuid, CIRCL_EVENT); /* lower-cased */
    assert_int_equal(e[0].timestamp, 12);
    free(e);
    assert_int_equal(wbi_feed_manifest_parse("[]", 2, 32, 10, &e, &n, &bad, &prob), -1);
    assert_int_equal(prob.status, 422);
    assert_int_equal(wbi_feed_manifest_parse("{", 1, 32, 10, &e, &n, &bad, &prob), -1);
    assert_string_equal(prob.code, "invalid_json");
    const char *two = "{\"56bf399d-c46c-4fdb-a9cf-d9bb02de0b81\":{\"timestamp\":1},"
                      "\"56bf399d-c46c-4fdb-a9cf-d9bb02de0b82\":{\"timestamp\":1}}";
    assert_int_equal(wbi_feed_manifest_parse(two, strlen(two), 32, 1, &e, &n, &bad, &prob), -1);
    assert_int_equal(prob.status, 413);
}

/* ---- STIX ---------------------------------------------------------------------------- */

typedef struct collect {
    wb_ioc_sink sink;
    char items[64][200];
    size_t n;
    size_t skipped;
} collect;

static int collect_add(wb_ioc_sink *s, const wb_ioc_in *in)
{
    collect *c = (collect *)s;
    wb_ioc_type t = in->type;
    wb_buf norm = {0};
    wb_error err;
    assert_int_equal(wb_ioc_normalize(&t, in->value, in->len, &norm, &err), 0);
    assert_true(c->n < 64);
    snprintf(c->items[c->n++], 200, "%d %s %s", (int)t, norm.data, wb_tlp_name(in->tlp));
    wb_buf_free(&norm);
    return 0;
}

static void collect_skip(wb_ioc_sink *s, const char *where, const char *reason)
{
    (void)where;
    (void)reason;
    ((collect *)s)->skipped++;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void test_stix_round_trip(void **state)
{
    fixture *f = *state;
    post_events(f);
    wb_buf b = {0};
    assert_int_equal(call(f, "GET", "/api/v1/events/" EV1 "/stix", K_B, NULL, &b), 200);
    json_t *bundle = json_loads(b.data, 0, NULL);
    assert_non_null(bundle);
    assert_string_equal(json_string_value(json_object_get(bundle, "type")), "bundle");
    /* Every object is marked; the identity is Alpha; the RED attribute is absent. */
    size_t i, nind = 0, nmark = 0;
    json_t *o;
    json_array_foreach(json_object_get(bundle, "objects"), i, o)
    {
        const char *type = json_string_value(json_object_get(o, "type"));
        if (strcmp(type, "marking-definition") == 0) {
            nmark++;
            assert_non_null(json_object_get(json_object_get(o, "extensions"),
                                            "extension-definition--60a3c5c5-0d10-413e-aab3-"
                                            "9e08dde9e88d"));
            continue;
        }
        assert_int_equal(json_array_size(json_object_get(o, "object_marking_refs")), 1);
        if (strcmp(type, "identity") == 0) {
            assert_string_equal(json_string_value(json_object_get(o, "name")), "Alpha");
            continue;
        }
        assert_string_equal(type, "indicator");
        nind++;
        assert_non_null(json_object_get(o, "valid_from"));
        assert_string_equal(json_string_value(json_object_get(o, "pattern_type")), "stix");
        /* One tlp: label, the level of its marking (the effective TLP). */
        char *labels = json_dumps(json_object_get(o, "labels"), 0);
        const char *mark =
            json_string_value(json_array_get(json_object_get(o, "object_marking_refs"), 0));
        bool green = strstr(mark, "bab4a63c") != NULL;
        assert_true(green || strstr(mark, "55d920b0") != NULL);
        const char *tl = strstr(labels, "tlp:");
        assert_non_null(tl);
        assert_null(strstr(tl + 4, "tlp:"));
        assert_true(strncmp(tl, green ? "tlp:green\"" : "tlp:amber\"", 10) == 0);
        free(labels);
    }
    assert_int_equal(nmark, 2); /* green and amber */
    /* domain|ip gives two; a1 a3 a4 a5 a6 c1: 7 (a7 is not to_ids; a2, c2 hidden) */
    assert_int_equal(nind, 7);
    assert_null(strstr(b.data, "192.0.2.99"));
    assert_non_null(strstr(b.data, "network-traffic:dst_port = 8443"));
    json_decref(bundle);
    /* weerbaar's own loaders: the bundle and the MISP event give the same
     * indicators with the same TLP, except ip-dst|port, which STIX carries
     * as an AND of address and port that a value matcher cannot take. */
    collect fromstix = {.sink = {collect_add, collect_skip}};
    wb_intel_opts io = {.format = WB_INTEL_STIX};
    wb_error err;
    assert_int_equal(wb_intel_load_buffer("bundle", b.data, b.len, &io, &fromstix.sink, &err), 0);
    assert_int_equal(fromstix.skipped, 1);
    assert_int_equal(call(f, "GET", "/api/v1/events/" EV1, K_B, NULL, &b), 200);
    collect frommisp = {.sink = {collect_add, collect_skip}};
    io.format = WB_INTEL_MISP;
    assert_int_equal(wb_intel_load_buffer("event", b.data, b.len, &io, &frommisp.sink, &err), 0);
    /* Drop the ip:port indicator the MISP loader took. */
    size_t k = 0;
    for (size_t m = 0; m < frommisp.n; m++)
        if (strstr(frommisp.items[m], "203.0.113.5") == NULL)
            memmove(frommisp.items[k++], frommisp.items[m], 200);
    frommisp.n = k;
    qsort(fromstix.items, fromstix.n, 200, cmp);
    qsort(frommisp.items, frommisp.n, 200, cmp);
    assert_int_equal(fromstix.n, frommisp.n);
    for (size_t m = 0; m < frommisp.n; m++)
        assert_string_equal(fromstix.items[m], frommisp.items[m]);
    assert_int_equal(fromstix.n, 6);
    /* The MISP feed directory reads back to the same indicators too. */
    char out[128];
    snprintf(out, sizeof out, "%s/rt", f->h.dir);
    wb_principal who;
    wb_feed_stats stats = {0};
    assert_int_equal(wb_feed_principal(f->st, "Beta", &who, &err), 0);
    assert_int_equal(wb_feed_export(f->st, &who, out, &stats, &err), 0);
    collect fromfeed = {.sink = {collect_add, collect_skip}};
    assert_int_equal(wb_intel_load(out, &io, &fromfeed.sink, &err), 0);
    k = 0;
    for (size_t m = 0; m < fromfeed.n; m++)
        if (strstr(fromfeed.items[m], "203.0.113.5") == NULL &&
            strstr(fromfeed.items[m], "public.example") == NULL)
            memmove(fromfeed.items[k++], fromfeed.items[m], 200);
    fromfeed.n = k;
    qsort(fromfeed.items, fromfeed.n, 200, cmp);
    assert_int_equal(fromfeed.n, frommisp.n);
    for (size_t m = 0; m < frommisp.n; m++)
        assert_string_equal(fromfeed.items[m], frommisp.items[m]);
    /* Policy: unknown or hidden events answer 404, sensors are refused. */
    assert_int_equal(call(f, "GET", "/api/v1/events/" EV3 "/stix", K_B, NULL, NULL), 200);
    assert_int_equal(
        call(f, "GET", "/api/v1/events/7c000000-0000-4000-8000-00000000dead/stix", K_B, NULL, NULL),
        404);
    wb_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_md5_rfc1321),
        cmocka_unit_test(test_manifest_parse),
        cmocka_unit_test(test_manifest_format),
        cmocka_unit_test(test_event_file_policy),
        cmocka_unit_test(test_hashes),
        cmocka_unit_test(test_stream_cap),
        cmocka_unit_test(test_export_dir),
        cmocka_unit_test(test_stix_round_trip),
        cmocka_unit_test(test_pull_misp_test_feed),
        cmocka_unit_test(test_pull_keeps_effective_tlp),
        cmocka_unit_test(test_pull_refusals),
        cmocka_unit_test(test_pull_batch_redo),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
