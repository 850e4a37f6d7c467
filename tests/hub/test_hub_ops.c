/*
 * test_hub_ops.c - GET /healthz and GET /metrics through the API handler
 * (wb_hub_handle): the health check answers 200 on a current database and
 * 503 once another program has moved the schema on; /metrics is readable
 * from the loopback address without a key and otherwise only with a site
 * admin's key; its requests counter counts exactly the requests made, by
 * route and status, and agrees with the latency histogram's count; the
 * histogram's buckets never decrease; the feed sequence follows a posted
 * event.
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

#include "weerbaar/hub.h"
#include "common/hubfix.h"
#include "common/testdb.h"
#include "weerbaar/store.h"

enum { U_MEMBER, U_ADMIN, N_USERS };
typedef struct fixture {
    hubfix h;
} fixture;

static unsigned call(fixture *f, const char *method, const char *path, const char *peer,
                     const char *key, const char *body, char **out)
{
    char auth[WB_KEY_TEXT_LEN + 16];
    snprintf(auth, sizeof auth, "Bearer %s", key ? key : "");
    wb_hub_request req = {.method = method,
                          .path = path,
                          .authorization = key ? auth : NULL,
                          .peer = peer,
                          .body = body,
                          .body_len = body ? strlen(body) : 0};
    wb_hub_response resp;
    wb_hub_handle(f->h.hub, &req, &resp);
    unsigned status = resp.status;
    if (out) *out = strndup(resp.body.data ? resp.body.data : "", resp.body.len);
    wb_hub_response_free(&resp);
    return status;
}

static const hubfix_org orgs[] = {{"Own", WB_ORG_ESSENTIAL, "energy"},
                                  {"Site", WB_ORG_CSIRT, NULL}};
static const hubfix_user users[N_USERS] = {
    [U_MEMBER] = {"m@own.example", 0, WB_ROLE_MEMBER},
    [U_ADMIN] = {"a@site.example", 1, WB_ROLE_SITE_ADMIN},
};

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    hubfix_begin(&f->h, "hubops", orgs, 2, users, N_USERS);
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

/* The value of the sample line that starts with `name` (labels included,
 * exactly), or -1 when there is none. */
static double sample(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, name, n) == 0 && p[n] == ' ') return strtod(p + n + 1, NULL);
    }
    return -1;
}

static void test_healthz(void **state)
{
    fixture *f = *state;
    char *body;
    assert_int_equal(call(f, "GET", "/healthz", "192.0.2.7", NULL, NULL, &body), 200);
    json_t *j = json_loads(body, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "ok");
    assert_string_equal(json_string_value(json_object_get(j, "database")), "reachable");
    int schema = (int)json_integer_value(json_object_get(j, "schema"));
    assert_true(schema > 0);
    json_decref(j);
    free(body);
    /* a newer weerbaar migrated the database under the running hub */
    char sql[96];
    snprintf(sql, sizeof sql, "INSERT INTO schema_version(version) VALUES(%d)", schema + 1);
    assert_int_equal(testdb_exec(f->h.db, sql), 0);
    assert_int_equal(call(f, "GET", "/healthz", "127.0.0.1", NULL, NULL, &body), 503);
    j = json_loads(body, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "unavailable");
    assert_int_equal(json_integer_value(json_object_get(j, "schema")), schema + 1);
    json_decref(j);
    free(body);
}

static void test_metrics_access(void **state)
{
    fixture *f = *state;
    char *body;
    assert_int_equal(call(f, "GET", "/metrics", "127.0.0.1", NULL, NULL, &body), 200);
    assert_non_null(strstr(body, "# TYPE weerbaar_http_requests_total counter"));
    free(body);
    assert_int_equal(call(f, "GET", "/metrics", "::1", NULL, NULL, NULL), 200);
    assert_int_equal(call(f, "GET", "/metrics", "192.0.2.7", NULL, NULL, NULL), 401);
    assert_int_equal(call(f, "GET", "/metrics", "192.0.2.7", f->h.key[U_MEMBER], NULL, NULL), 403);
    assert_int_equal(call(f, "GET", "/metrics", "192.0.2.7", f->h.key[U_ADMIN], NULL, NULL), 200);
    assert_int_equal(call(f, "GET", "/metrics", "128.0.0.1", NULL, NULL, NULL), 401);
    assert_int_equal(call(f, "POST", "/metrics", "127.0.0.1", NULL, "{}", NULL), 405);
}

static void test_metrics_counts(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 3; i++)
        assert_int_equal(call(f, "GET", "/", "192.0.2.7", NULL, NULL, NULL), 200);
    assert_int_equal(call(f, "GET", "/nowhere", "192.0.2.7", NULL, NULL, NULL), 404);
    assert_int_equal(call(f, "GET", "/api/v1/events", "192.0.2.7", NULL, NULL, NULL), 401);
    assert_int_equal(call(f, "POST", "/api/v1/events", "192.0.2.7", f->h.key[U_MEMBER],
                          "{\"Event\":{\"info\":\"x\",\"Attribute\":[{\"type\":\"ip-dst\","
                          "\"value\":\"192.0.2.1\"}]}}",
                          NULL),
                     201);
    char *body;
    assert_int_equal(call(f, "GET", "/metrics", "127.0.0.1", NULL, NULL, &body), 200);
    assert_true(sample(body, "weerbaar_http_requests_total{method=\"GET\",route=\"/\","
                             "status=\"200\"}") == 3);
    assert_true(sample(body, "weerbaar_http_requests_total{method=\"\",route=\"(none)\","
                             "status=\"404\"}") == 1);
    assert_true(sample(body, "weerbaar_http_requests_total{method=\"GET\",route=\"/api/v1/"
                             "events\",status=\"401\"}") == 1);
    assert_true(sample(body, "weerbaar_http_requests_total{method=\"POST\",route=\"/api/v1/"
                             "events\",status=\"201\"}") == 1);
    /* the scrape itself is counted when it is answered: not in its own text */
    assert_true(sample(body, "weerbaar_http_requests_total{method=\"GET\",route=\"/metrics\","
                             "status=\"200\"}") == -1);
    assert_true(sample(body, "weerbaar_http_request_duration_seconds_count") == 6);
    assert_true(sample(body, "weerbaar_http_request_duration_seconds_bucket{le=\"+Inf\"}") == 6);
    double prev = 0;
    const char *p = body;
    while ((p = strstr(p, "weerbaar_http_request_duration_seconds_bucket{")) != NULL) {
        double v = strtod(strchr(p, ' ') + 1, NULL);
        assert_true(v >= prev);
        prev = v;
        p++;
    }
    assert_true(sample(body, "weerbaar_feed_sequence") >= 1);
    /* the SQLite file's size; PostgreSQL's files are the server's */
    if (!testdb_pg()) assert_true(sample(body, "weerbaar_database_bytes{file=\"main\"}") > 0);
    assert_true(sample(body, "weerbaar_schema_version") > 0);
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_healthz, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metrics_access, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metrics_counts, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
