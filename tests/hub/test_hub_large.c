/*
 * test_hub_large.c - answers stay linear and bounded on large data: an
 * event of 30,000 MISP objects is posted, read back, served as a feed file
 * and rendered in the change feed in a few seconds each (placing each
 * attribute in its object by a scan made this minutes: 40 s for the GET);
 * the limits of docs/hub.md hold (the event list and the change feed stop
 * a page at the attribute budget, sightings of one source on one attribute
 * are merged; anonymous reads and failed authentications are audited in
 * aggregate).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/hubfix.h"
#include "weerbaar/hub.h"
#include "weerbaar/store.h"

#ifndef NOBJ
#define NOBJ 30000
#endif
#define LARGE_UUID "7e000000-0000-4000-8000-000000000001"

#define PAGE_BYTES 32768

typedef struct fixture {
    hubfix h;
} fixture;

static const hubfix_org orgs[] = {{"Big", WB_ORG_CSIRT, NULL}};
static const hubfix_user users[] = {{"b@big.example", 0, WB_ROLE_MEMBER}};

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    hubfix_begin(&f->h, "large", orgs, 1, users, 1);
    /* A small page budget, so that a few events pass it. */
    hubfix_open(&f->h, &(wb_hub_opts){.connections = 2, .rate = 1e6, .max_page_bytes = PAGE_BYTES});
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

/* CPU time, not wall time: the machines that run the tests are shared,
 * and waiting for a core (or for fsync) says nothing about the code. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One request; the body (streamed or not) into *out when out is non-NULL. */
static unsigned call(fixture *f, const char *method, const char *path, const wb_hub_arg *args,
                     size_t nargs, const char *body, size_t body_len, wb_buf *out)
{
    char auth[WB_KEY_TEXT_LEN + 16];
    snprintf(auth, sizeof auth, "Bearer %s", f->h.key[0]);
    wb_hub_request req = {.method = method,
                          .path = path,
                          .args = args,
                          .nargs = nargs,
                          .authorization = auth,
                          .body = body,
                          .body_len = body_len};
    wb_hub_response resp;
    wb_hub_handle(f->h.hub, &req, &resp);
    if (out) {
        wb_buf_reset(out);
        if (resp.stream) {
            char buf[65536];
            long n;
            while ((n = wb_hub_stream_read(resp.stream, buf, sizeof buf)) > 0)
                assert_int_equal(wb_buf_append(out, buf, (size_t)n), 0);
            assert_int_equal(n, 0);
        } else {
            assert_int_equal(wb_buf_append(out, resp.body.data, resp.body.len), 0);
        }
        assert_int_equal(wb_buf_putc(out, '\0'), 0);
        out->len--;
    }
    unsigned st = resp.status;
    wb_hub_response_free(&resp);
    return st;
}

/* Objects and their attributes in an event object as served. */
static void count(json_t *ev, size_t *nobj, size_t *nattr)
{
    *nobj = json_array_size(json_object_get(ev, "Object"));
    *nattr = json_array_size(json_object_get(ev, "Attribute"));
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(ev, "Object"), i, o) *nattr +=
        json_array_size(json_object_get(o, "Attribute"));
}

/* Generous bounds in CPU seconds (the sanitizer build takes about 5 s to
 * store the event, 2 s to read it back); the quadratic code took 40 s for
 * the GET without sanitizers. */
#define BOUND_S 15.0

static void test_large_event(void **state)
{
    fixture *f = *state;
    wb_buf b = {0};
    assert_int_equal(wb_buf_printf(&b, "{\"Event\":{\"uuid\":\"" LARGE_UUID "\",\"info\":\"large\","
                                       "\"distribution\":1,\"published\":true,\"Tag\":[{\"name\":"
                                       "\"tlp:green\"}],\"Attribute\":[],\"Object\":["),
                     0);
    for (int i = 0; i < NOBJ; i++)
        assert_int_equal(
            wb_buf_printf(&b,
                          "%s{\"name\":\"domain-ip\",\"uuid\":\"7e100000-0000-4000-8000-%012d\","
                          "\"Attribute\":[{\"type\":\"domain\",\"object_relation\":\"domain\","
                          "\"value\":\"d%d.large.example\",\"to_ids\":true}]}",
                          i ? "," : "", i, i),
            0);
    assert_int_equal(wb_buf_puts(&b, "]}}"), 0);
    wb_buf out = {0};
    double t0 = now_s();
    assert_int_equal(call(f, "POST", "/api/v1/events", NULL, 0, b.data, b.len, &out), 201);
    double t_post = now_s() - t0;
    json_t *j = json_loads(out.data, 0, NULL);
    size_t nobj, nattr;
    count(json_object_get(j, "Event"), &nobj, &nattr);
    assert_int_equal(nobj, NOBJ);
    assert_int_equal(nattr, NOBJ);
    json_decref(j);

    t0 = now_s();
    assert_int_equal(call(f, "GET", "/api/v1/events/" LARGE_UUID, NULL, 0, NULL, 0, &out), 200);
    double t_get = now_s() - t0;
    j = json_loads(out.data, 0, NULL);
    count(json_object_get(j, "Event"), &nobj, &nattr);
    assert_int_equal(nobj, NOBJ);
    assert_int_equal(nattr, NOBJ);
    /* Each attribute in its own object. */
    json_t *o = json_array_get(json_object_get(json_object_get(j, "Event"), "Object"), 12345);
    assert_string_equal(json_string_value(json_object_get(o, "uuid")),
                        "7e100000-0000-4000-8000-000000012345");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(o, "Attribute"), 0), "value")),
                        "d12345.large.example");
    json_decref(j);

    t0 = now_s();
    assert_int_equal(call(f, "GET", "/feeds/misp/" LARGE_UUID ".json", NULL, 0, NULL, 0, &out),
                     200);
    double t_feed = now_s() - t0;
    j = json_loads(out.data, 0, NULL);
    count(json_object_get(j, "Event"), &nobj, &nattr);
    assert_int_equal(nobj, NOBJ);
    assert_int_equal(nattr, NOBJ);
    json_decref(j);

    fprintf(stderr, "%d objects, CPU seconds: POST %.2f, GET %.2f, feed file %.2f\n", NOBJ, t_post,
            t_get, t_feed);
    assert_true(t_post < BOUND_S);
    assert_true(t_get < BOUND_S);
    assert_true(t_feed < BOUND_S);
    wb_buf_free(&out);
    wb_buf_free(&b);
}

/* Posts event number i with n domain attributes; returns its uuid. */
static void post_small(fixture *f, int i, int n, char uuid[WB_UUID_LEN + 1])
{
    snprintf(uuid, WB_UUID_LEN + 1, "7e200000-0000-4000-8000-%012d", i);
    wb_buf b = {0};
    assert_int_equal(wb_buf_printf(&b,
                                   "{\"Event\":{\"uuid\":\"%s\",\"info\":\"page %d\","
                                   "\"distribution\":1,\"Attribute\":[",
                                   uuid, i),
                     0);
    for (int k = 0; k < n; k++)
        assert_int_equal(wb_buf_printf(&b,
                                       "%s{\"type\":\"domain\",\"value\":\"a%d.e%d.page.example\","
                                       "\"comment\":\"padding padding padding padding\"}",
                                       k ? "," : "", k, i),
                         0);
    assert_int_equal(wb_buf_puts(&b, "]}}"), 0);
    assert_int_equal(call(f, "POST", "/api/v1/events", NULL, 0, b.data, b.len, NULL), 201);
    wb_buf_free(&b);
}

/* The event list and the change feed stop a page at the byte budget: the
 * list (offset paging) sends the events past it as stubs so that offsets
 * hold, the change feed ends the page early and the next pull goes on
 * where it stopped; every event arrives exactly once. */
static void test_pages_bounded(void **state)
{
    fixture *f = *state;
    enum { NEV = 12 };
    char uuid[WB_UUID_LEN + 1];
    for (int i = 0; i < NEV; i++)
        post_small(f, i, 100, uuid);
    wb_buf out = {0};
    wb_hub_arg la[1] = {{"limit", "1000"}};
    assert_int_equal(call(f, "GET", "/api/v1/events", la, 1, NULL, 0, &out), 200);
    json_t *j = json_loads(out.data, 0, NULL);
    assert_non_null(j);
    json_t *resp = json_object_get(j, "response");
    assert_int_equal(json_array_size(resp), NEV);
    size_t full = 0, stubs = 0, largest = 0;
    size_t i;
    json_t *e;
    json_array_foreach(resp, i, e)
    {
        json_t *ev = json_object_get(e, "Event");
        if (json_is_true(json_object_get(ev, "attributes_omitted"))) {
            stubs++;
            assert_null(json_object_get(ev, "Attribute"));
        } else {
            assert_int_equal(stubs, 0); /* stubs only after the budget */
            assert_int_equal(json_array_size(json_object_get(ev, "Attribute")), 100);
            char *t = json_dumps(e, JSON_COMPACT);
            if (strlen(t) > largest) largest = strlen(t);
            free(t);
            full++;
        }
    }
    assert_true(full >= 1 && stubs >= 1);
    assert_true(out.len < PAGE_BYTES + largest + 4096);
    json_decref(j);

    /* The change feed, page by page. */
    int64_t after = 0;
    size_t seen = 0, pages = 0;
    bool more = true;
    while (more) {
        char a[24];
        snprintf(a, sizeof a, "%lld", (long long)after);
        wb_hub_arg ca[2] = {{"after", a}, {"limit", "1000"}};
        assert_int_equal(call(f, "GET", "/api/v1/events", ca, 2, NULL, 0, &out), 200);
        assert_true(out.len < PAGE_BYTES + largest + 4096);
        j = json_loads(out.data, 0, NULL);
        assert_non_null(j);
        json_array_foreach(json_object_get(j, "response"), i, e)
        {
            json_t *ev = json_object_get(e, "Event");
            assert_int_equal(json_array_size(json_object_get(ev, "Attribute")), 100);
            seen++;
        }
        more = json_is_true(json_object_get(j, "more"));
        int64_t next = json_integer_value(json_object_get(j, "last_seq"));
        assert_true(next > after);
        after = next;
        json_decref(j);
        assert_true(++pages <= NEV);
    }
    assert_int_equal(seen, NEV);
    assert_true(pages > 1);
    wb_buf_free(&out);
}

/* Sightings of one source on one attribute are one record with a count;
 * past 16 sources of an organisation, the rest share one record ("*").
 * A value that is no indicator answers 422 with a message that reads. */
static void test_sightings_merged(void **state)
{
    fixture *f = *state;
    char uuid[WB_UUID_LEN + 1], body[256], path[128];
    post_small(f, 500, 1, uuid);
    for (int k = 0; k < 30; k++) {
        snprintf(body, sizeof body,
                 "{\"value\":\"a0.e500.page.example\",\"source\":\"zeek\",\"count\":2}");
        assert_int_equal(call(f, "POST", "/api/v1/sightings", NULL, 0, body, strlen(body), NULL),
                         201);
    }
    for (int k = 0; k < 40; k++) {
        snprintf(body, sizeof body, "{\"value\":\"a0.e500.page.example\",\"source\":\"sensor-%d\"}",
                 k);
        assert_int_equal(call(f, "POST", "/api/v1/sightings", NULL, 0, body, strlen(body), NULL),
                         201);
    }
    wb_buf out = {0};
    snprintf(path, sizeof path, "/api/v1/events/%s/sightings", uuid);
    assert_int_equal(call(f, "GET", path, NULL, 0, NULL, 0, &out), 200);
    json_t *j = json_loads(out.data, 0, NULL);
    json_t *resp = json_object_get(j, "response");
    assert_int_equal(json_array_size(resp), 16 + 1);
    json_int_t total = 0, zeek = 0, other = 0;
    size_t i;
    json_t *e;
    json_array_foreach(resp, i, e)
    {
        json_t *s = json_object_get(e, "Sighting");
        const char *src = json_string_value(json_object_get(s, "source"));
        json_int_t c = json_integer_value(json_object_get(s, "count"));
        total += c;
        if (strcmp(src, "zeek") == 0) zeek = c;
        if (strcmp(src, "*") == 0) other = c;
    }
    assert_int_equal(zeek, 60);
    assert_int_equal(other, 40 - 15);
    assert_int_equal(total, 60 + 40);
    json_decref(j);

    /* Pages of sightings stop at the byte budget; after=last_id goes on. */
    char uuid2[WB_UUID_LEN + 1];
    post_small(f, 501, 300, uuid2);
    wb_buf arr = {0};
    assert_int_equal(wb_buf_putc(&arr, '['), 0);
    for (int k = 0; k < 300; k++)
        assert_int_equal(
            wb_buf_printf(&arr, "%s{\"value\":\"a%d.e501.page.example\"}", k ? "," : "", k), 0);
    assert_int_equal(wb_buf_putc(&arr, ']'), 0);
    assert_int_equal(call(f, "POST", "/api/v1/sightings", NULL, 0, arr.data, arr.len, NULL), 201);
    wb_buf_free(&arr);
    snprintf(path, sizeof path, "/api/v1/events/%s/sightings", uuid2);
    int64_t after = 0, last = 0;
    size_t got = 0, pages = 0;
    for (bool more = true; more; pages++) {
        char a[24];
        snprintf(a, sizeof a, "%lld", (long long)after);
        wb_hub_arg pa[1] = {{"after", a}};
        assert_int_equal(call(f, "GET", path, pa, 1, NULL, 0, &out), 200);
        assert_true(out.len < PAGE_BYTES + 4096);
        j = json_loads(out.data, 0, NULL);
        json_array_foreach(json_object_get(j, "response"), i, e)
        {
            int64_t id = 0;
            const char *sid =
                json_string_value(json_object_get(json_object_get(e, "Sighting"), "id"));
            assert_non_null(sid);
            id = strtoll(sid, NULL, 10);
            assert_true(id > last);
            last = id;
            got++;
        }
        more = json_is_true(json_object_get(j, "more"));
        after = json_integer_value(json_object_get(j, "last_id"));
        json_decref(j);
        assert_true(pages < 300);
    }
    assert_int_equal(got, 300);
    assert_true(pages > 1);

    /* An unclassifiable value: the look-up's reason, quoted once. */
    const char *bad = "{\"value\":\"%%%\"}";
    assert_int_equal(call(f, "POST", "/api/v1/sightings", NULL, 0, bad, strlen(bad), &out), 422);
    j = json_loads(out.data, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "message")),
                        "$.value: value: cannot tell what kind of indicator '%%%' is; add type=");
    json_decref(j);
    wb_buf_free(&out);
}

typedef struct audit_count {
    int feed, auth, feed_more, auth_more;
} audit_count;

static int audit_count_cb(void *ud, const wb_audit_rec *a)
{
    audit_count *c = ud;
    bool more = a->detail && strstr(a->detail, "49 more") != NULL;
    if (strcmp(a->action, "feed.export") == 0) {
        c->feed++;
        c->feed_more += more;
    } else if (strcmp(a->action, "auth.fail") == 0) {
        c->auth++;
        c->auth_more += more;
    }
    return 0;
}

/* Fifty anonymous fetches of the public feed and fifty failed
 * authentications are one audit entry each and one count, written when
 * the hub closes: a stranger no longer grows the log by 2 x --rate rows a
 * second. */
static void test_anonymous_audit_aggregated(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 50; i++) {
        wb_hub_request req = {.method = "GET", .path = "/feeds/public/manifest.json"};
        wb_hub_response resp;
        wb_hub_handle(f->h.hub, &req, &resp);
        assert_int_equal(resp.status, 200);
        char buf[4096];
        while (resp.stream && wb_hub_stream_read(resp.stream, buf, sizeof buf) > 0)
            ;
        wb_hub_response_free(&resp);
        wb_hub_request bad = {
            .method = "GET", .path = "/api/v1/events", .authorization = "Bearer 0123456789"};
        wb_hub_handle(f->h.hub, &bad, &resp);
        assert_int_equal(resp.status, 401);
        wb_hub_response_free(&resp);
    }
    wb_store *st;
    wb_error err;
    audit_count c = {0};
    assert_int_equal(wb_store_open(&st, f->h.db, &err), 0);
    assert_int_equal(wb_store_audit_walk(st, 0, audit_count_cb, &c, &err), 0);
    assert_int_equal(c.feed, 1);
    assert_int_equal(c.auth, 1);
    wb_hub_close(f->h.hub);
    f->h.hub = NULL;
    memset(&c, 0, sizeof c);
    assert_int_equal(wb_store_audit_walk(st, 0, audit_count_cb, &c, &err), 0);
    assert_int_equal(c.feed, 2);
    assert_int_equal(c.auth, 2);
    assert_int_equal(c.feed_more, 1);
    assert_int_equal(c.auth_more, 1);
    wb_audit_check k;
    assert_int_equal(wb_store_audit_verify(st, &k, &err), 0);
    assert_int_equal(k.bad_id, 0);
    wb_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_large_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pages_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sightings_merged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_anonymous_audit_aggregated, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
