/*
 * test_web.c - the access log readers (Common/Combined/vhost_combined Log
 * Format, Squid native) on fixtures written from the Apache httpd and
 * Squid documentation (see tests/data/logs/README.md).
 */
#include "logs/logtest.h"

static void test_clf(void **st)
{
    (void)st;
    rec r;
    assert_int_equal(rec_run_file(&r, "clf", WB_TEST_DATA "/logs/clf.log", 0), 0);
    /* Common: only the client */
    EXPECT_VALUE(&r, 0, "client", "127.0.0.1", WB_V_IP);
    assert_int_equal(rec_count_line(&r, 0), 1);
    const ev *e = rec_find(&r, 'v', 0, "client", NULL);
    assert_string_equal(e->raw_ts, "10/Oct/2000:13:55:36 -0700");
    assert_int_equal(e->ts, T("2000-10-10T13:55:36-07:00"));
    /* Combined: the referer */
    EXPECT_VALUE(&r, 1, "referer", "http://www.example.com/start.html", WB_V_URL | WB_V_URL_HOST);
    assert_int_equal(rec_count_line(&r, 1), 2);
    /* a proxy's absolute-form request */
    EXPECT_VALUE(&r, 2, "request", "http://evil.example/payload.bin", WB_V_URL);
    EXPECT_VALUE(&r, 2, "host", "evil.example", WB_V_DOMAIN);
    assert_int_equal(rec_count_line(&r, 2), 3);
    /* CONNECT */
    EXPECT_VALUE(&r, 3, "request", "tunnel.example.net", WB_V_DOMAIN);
    e = rec_find(&r, 'v', 3, "request", NULL);
    assert_int_equal(e->ts, T("2024-01-01T09:00:01Z"));
    /* vhost_combined */
    EXPECT_VALUE(&r, 4, "vhost", "www.example.com", WB_V_DOMAIN);
    EXPECT_VALUE(&r, 4, "client", "198.51.100.5", WB_V_IP);
    EXPECT_VALUE(&r, 4, "vhost+request", "www.example.com/login.php?u=a%22b", WB_V_URL);
    /* "-" request, IPv6 client */
    EXPECT_VALUE(&r, 5, "client", "2001:db8::7", WB_V_IP);
    assert_int_equal(rec_count_line(&r, 5), 1);
    /* escaped quotes inside the request */
    EXPECT_VALUE(&r, 6, "client", "192.0.2.12", WB_V_IP);
    EXPECT_MALFORMED(&r, 7, "not a Common/Combined Log Format line");
    EXPECT_MALFORMED(&r, 8, "not a Common/Combined Log Format line");
    assert_int_equal(rec_count(&r, 'm', NULL), 2);
    assert_int_equal(r.records, 7);
    rec_free(&r);
}

static void test_squid(void **st)
{
    (void)st;
    rec r;
    assert_int_equal(rec_run_file(&r, "squid", WB_TEST_DATA "/logs/squid.log", 0), 0);
    EXPECT_VALUE(&r, 0, "client", "192.168.0.224", WB_V_IP);
    EXPECT_VALUE(&r, 0, "url", "http://evil.example/x", WB_V_URL);
    EXPECT_VALUE(&r, 0, "host", "evil.example", WB_V_DOMAIN);
    EXPECT_VALUE(&r, 0, "peer", "93.184.216.34", WB_V_IP);
    assert_int_equal(rec_count_line(&r, 0), 4);
    const ev *e = rec_find(&r, 'v', 0, "url", NULL);
    assert_int_equal(e->ts, 1286536309186000LL);
    EXPECT_VALUE(&r, 1, "host", "login.example.com", WB_V_DOMAIN);
    EXPECT_VALUE(&r, 1, "peer", "198.51.100.7", WB_V_IP);
    assert_int_equal(rec_count(&r, 'v', "user"), 0);
    EXPECT_VALUE(&r, 2, "host", "blocked.example", WB_V_DOMAIN);
    EXPECT_VALUE(&r, 2, "url", "http://blocked.example:8080/a?b=c", WB_V_URL);
    assert_null(rec_find(&r, 'v', 2, "peer", NULL));
    EXPECT_VALUE(&r, 3, "client", "2001:db8::20", WB_V_IP);
    EXPECT_VALUE(&r, 3, "host", "2001:db8::80", WB_V_IP);
    /* an invalid request has no host */
    assert_int_equal(rec_count_line(&r, 4), 1);
    EXPECT_MALFORMED(&r, 5, "not a Squid native access.log line");
    assert_int_equal(r.records, 5);
    rec_free(&r);
}

static void test_clf_ts(void **st)
{
    (void)st;
    wb_time t;
    assert_int_equal(wbi_ts_clf("29/Feb/2024:23:59:60 +0130", 26, &t), 0);
    assert_int_equal(t, T("2024-02-29T22:29:59Z"));
    assert_int_not_equal(wbi_ts_clf("29/Feb/2024:23:59:59 0130", 25, &t), 0);
    assert_int_not_equal(wbi_ts_clf("29/Feb/2024:23:59:59 *0130", 26, &t), 0);
    assert_int_not_equal(wbi_ts_clf("29/Fob/2024:23:59:59 +0130", 26, &t), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clf),
        cmocka_unit_test(test_squid),
        cmocka_unit_test(test_clf_ts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
