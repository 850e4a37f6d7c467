/*
 * test_hub_http_head.c - the check of a request head the hub's connection
 * gate makes before libmicrohttpd reads it (http_head.c): complete heads
 * accepted with what the server needs from them, incomplete ones asked
 * for more, and each refusal with its status and code (the JSON answers of
 * docs/hub.md, "Limits"), including every prefix of an accepted head.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hub/hub_internal.h"

static int check(const char *s, wbi_hub_http_head *h, wbi_problem *p)
{
    return wbi_hub_http_head_check(s, strlen(s), 16384, 8192, h, p);
}

static void test_accepted(void **state)
{
    (void)state;
    wbi_hub_http_head h;
    wbi_problem p;
    const char *get = "GET /api/v1/indicators?value=a HTTP/1.1\r\nHost: x\r\n"
                      "Authorization: Bearer k\r\n\r\nGET / HTTP/1.1";
    assert_int_equal(check(get, &h, &p), 0);
    assert_int_equal(h.len, strlen(get) - strlen("GET / HTTP/1.1"));
    assert_true(h.has_auth);
    assert_false(h.has_length);
    const char *post = "\r\nPOST /api/v1/events HTTP/1.1\r\nhost: x\r\nContent-Length: 12\r\n"
                       "content-length: 12\r\n\r\n";
    assert_int_equal(check(post, &h, &p), 0);
    assert_true(h.has_length);
    assert_int_equal(h.length, 12);
    assert_false(h.has_auth);
    /* HTTP/1.0 needs no Host; LF-only lines are what MHD accepts too. */
    assert_int_equal(check("GET / HTTP/1.0\n\n", &h, &p), 0);
    assert_true(h.http10);
    assert_int_equal(check("OPTIONS * HTTP/1.1\r\nHost: x\r\nX-A:\r\n\r\n", &h, &p), 0);
    /* every prefix asks for more */
    for (size_t n = 0; n < strlen(post); n++)
        assert_int_equal(wbi_hub_http_head_check(post, n, 16384, 8192, &h, &p), 1);
}

typedef struct refusal {
    const char *head;
    unsigned status;
    const char *code;
} refusal;

static void test_refused(void **state)
{
    (void)state;
    static const refusal cases[] = {
        {"garbage\r\n\r\n", 400, "invalid_request"},
        {"\x16\x03\x01", 400, "invalid_request"}, /* TLS to the plain port: at once */
        {"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "http_version_not_supported"},
        {"GET / HTTP/1.1x\r\nHost: x\r\n\r\n", 400, "invalid_request"},
        {"GET /\r\n\r\n", 400, "invalid_request"},
        {"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "invalid_request"},
        {"GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", 400, "invalid_request"},
        {"GET /a\x01 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "invalid_request"},
        {"GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n", 400, "invalid_request"},
        {"GET / HTTP/1.1\r\n\r\n", 400, "invalid_request"},
        {"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400, "invalid_request"},
        {"GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n", 400, "invalid_request"},
        {"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 400, "invalid_request"},
        {"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, "invalid_request"},
        {"GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400, "invalid_request"},
        {"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x7f\r\n\r\n", 400, "invalid_request"},
        {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400,
         "invalid_request"},
        {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n", 400, "invalid_request"},
        {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n", 400,
         "invalid_request"},
        {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
         400, "invalid_request"},
        {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 411,
         "length_required"},
        {"AVERYLONGMETHODNAMETHATGOESONANDONANDON / HTTP/1.1\r\n", 400, "invalid_request"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wbi_hub_http_head h;
        wbi_problem p = {0};
        int rc = check(cases[i].head, &h, &p);
        if (rc != -1 || p.status != cases[i].status || strcmp(p.code, cases[i].code) != 0)
            fail_msg("case %zu (%s): rc %d, %u %s", i, cases[i].head, rc, p.status,
                     p.code ? p.code : "-");
    }
    /* A NUL byte in a header value (strlen would cut "Bearer KEY\0junk"). */
    static const char nul[] = "GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\0junk\r\n\r\n";
    wbi_hub_http_head h;
    wbi_problem p;
    assert_int_equal(wbi_hub_http_head_check(nul, sizeof nul - 1, 16384, 8192, &h, &p), -1);
    assert_int_equal(p.status, 400);
}

static void test_sizes(void **state)
{
    (void)state;
    static char buf[40000];
    wbi_hub_http_head h;
    wbi_problem p;
    /* a target over the limit: 414 once the line is complete, and before
     * it is when the line alone is too long already */
    memset(buf, 'a', sizeof buf);
    memcpy(buf, "GET /", 5);
    memcpy(buf + 9000, " HTTP/1.1\r\nHost: x\r\n\r\n", 23);
    assert_int_equal(wbi_hub_http_head_check(buf, 9023, 16384, 8192, &h, &p), -1);
    assert_int_equal(p.status, 414);
    assert_int_equal(wbi_hub_http_head_check(buf, 8230, 16384, 8192, &h, &p), 1);
    assert_int_equal(wbi_hub_http_head_check(buf, 8300, 16384, 8192, &h, &p), -1);
    assert_int_equal(p.status, 414);
    /* a header block over the limit, complete or not */
    memset(buf, 'a', sizeof buf);
    memcpy(buf, "GET / HTTP/1.1\r\nHost: x\r\nX-A: ", 30);
    assert_int_equal(wbi_hub_http_head_check(buf, 16000, 16384, 8192, &h, &p), 1);
    assert_int_equal(wbi_hub_http_head_check(buf, 16385, 16384, 8192, &h, &p), -1);
    assert_int_equal(p.status, 431);
    assert_string_equal(p.code, "headers_too_large");
    /* more than 100 fields */
    size_t n = (size_t)snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\n");
    for (int i = 0; i < 101; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "X-%d: 1\r\n", i);
    n += (size_t)snprintf(buf + n, sizeof buf - n, "\r\n");
    assert_int_equal(wbi_hub_http_head_check(buf, n, 16384, 8192, &h, &p), -1);
    assert_int_equal(p.status, 431);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
