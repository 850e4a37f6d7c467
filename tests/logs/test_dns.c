/*
 * test_dns.c - the DNS server log readers (BIND querylog, Unbound,
 * dnsmasq) on fixtures written from each server's documentation (see
 * tests/data/logs/README.md), and their timestamp parsers.
 */
#include "logs/logtest.h"

static void test_bind(void **st)
{
    (void)st;
    rec r;
    assert_int_equal(rec_run_file(&r, "dns-bind", WB_TEST_DATA "/logs/bind.log", 0), 0);
    assert_int_equal(r.records, 3);
    EXPECT_VALUE(&r, 0, "client", "192.0.2.1", WB_V_IP);
    EXPECT_VALUE(&r, 0, "query", "www.example.com", WB_V_DOMAIN);
    EXPECT_VALUE(&r, 0, "server", "192.0.2.53", WB_V_IP);
    assert_int_equal(rec_count_line(&r, 0), 3);
    const ev *e = rec_find(&r, 'v', 0, "query", NULL);
    assert_string_equal(e->raw_ts, "01-Jan-2024 10:00:00.123");
    assert_int_equal(e->ts, T("2024-01-01T10:00:00.123Z"));
    /* IPv6, a view, no category prefix */
    EXPECT_VALUE(&r, 1, "client", "2001:db8::10", WB_V_IP);
    EXPECT_VALUE(&r, 1, "query", "evil.example", WB_V_DOMAIN);
    EXPECT_VALUE(&r, 1, "server", "2001:db8::53", WB_V_IP);
    /* old BIND via syslog: no @0x, no server address */
    EXPECT_VALUE(&r, 2, "client", "198.51.100.7", WB_V_IP);
    EXPECT_VALUE(&r, 2, "query", "old.example.net", WB_V_DOMAIN);
    assert_int_equal(rec_count_line(&r, 2), 2);
    e = rec_find(&r, 'v', 2, "query", NULL);
    assert_string_equal(e->raw_ts, "Jan  1 10:00:02");
    assert_true(e->has_ts);
    EXPECT_MALFORMED(&r, 3, "not a BIND query log line");
    rec_free(&r);
}

static void test_unbound(void **st)
{
    (void)st;
    rec r;
    assert_int_equal(rec_run_file(&r, "dns-unbound", WB_TEST_DATA "/logs/unbound.log", 0), 0);
    assert_int_equal(r.records, 4);
    EXPECT_VALUE(&r, 0, "client", "192.0.2.1", WB_V_IP);
    EXPECT_VALUE(&r, 0, "query", "www.example.com", WB_V_DOMAIN);
    const ev *e = rec_find(&r, 'v', 0, "query", NULL);
    assert_int_equal(e->ts, 1700000000LL * 1000000);
    EXPECT_VALUE(&r, 1, "query", "evil.example", WB_V_DOMAIN); /* log-replies */
    EXPECT_VALUE(&r, 1, "client", "2001:db8::10", WB_V_IP);
    EXPECT_VALUE(&r, 2, "query", "mail.example.org", WB_V_DOMAIN); /* syslog */
    e = rec_find(&r, 'v', 2, "query", NULL);
    assert_string_equal(e->raw_ts, "Jan  1 10:00:00");
    assert_int_equal(rec_count_line(&r, 3), 0); /* start of service: not a query */
    EXPECT_VALUE(&r, 4, "client", "192.0.2.3", WB_V_IP);
    assert_int_equal(rec_count_line(&r, 4), 1); /* the root is no name */
    EXPECT_MALFORMED(&r, 5, "not an Unbound log line");
    assert_int_equal(rec_count(&r, 'm', NULL), 1);
    rec_free(&r);
}

static void test_dnsmasq(void **st)
{
    (void)st;
    rec r;
    assert_int_equal(rec_run_file(&r, "dnsmasq", WB_TEST_DATA "/logs/dnsmasq.log", 0), 0);
    EXPECT_VALUE(&r, 0, "query", "www.example.com", WB_V_DOMAIN);
    EXPECT_VALUE(&r, 0, "client", "192.0.2.1", WB_V_IP);
    EXPECT_VALUE(&r, 1, "upstream", "8.8.8.8", WB_V_IP);
    EXPECT_VALUE(&r, 2, "answer", "93.184.216.34", WB_V_IP);
    EXPECT_VALUE(&r, 3, "answer", "93.184.216.34", WB_V_IP);
    EXPECT_VALUE(&r, 4, "query", "router.lan", WB_V_DOMAIN);
    EXPECT_VALUE(&r, 4, "answer", "192.168.1.1", WB_V_IP);
    EXPECT_VALUE(&r, 5, "query", "evil.example", WB_V_DOMAIN);
    assert_int_equal(rec_count_line(&r, 5), 1); /* <CNAME> is no value */
    assert_int_equal(rec_count_line(&r, 6), 1); /* nor NXDOMAIN */
    EXPECT_VALUE(&r, 7, "query", "v6.example", WB_V_DOMAIN);
    EXPECT_VALUE(&r, 7, "client", "192.0.2.1", WB_V_IP);
    EXPECT_VALUE(&r, 8, "query", "10.0.0.1", WB_V_IP); /* a PTR record from /etc/hosts */
    EXPECT_VALUE(&r, 8, "answer", "host.lan", WB_V_DOMAIN);
    assert_int_equal(rec_count_line(&r, 9), 0); /* dnsmasq-dhcp: no query */
    EXPECT_VALUE(&r, 10, "query", "rsyslog.example", WB_V_DOMAIN);
    const ev *e = rec_find(&r, 'v', 10, "query", NULL);
    assert_int_equal(e->ts, T("2024-01-01T09:00:08Z"));
    EXPECT_MALFORMED(&r, 11, "not a dnsmasq log line");
    assert_int_equal(rec_count(&r, 'm', NULL), 1);
    assert_int_equal(r.records, 10);
    rec_free(&r);
}

static void test_syslog_year(void **st)
{
    (void)st;
    wb_time t;
    wb_time now = T("2024-06-15T12:00:00Z");
    assert_int_equal(wbi_ts_syslog_at("Jan  1 10:00:00", 15, now, &t), 0);
    assert_int_equal(t, T("2024-01-01T10:00:00Z"));
    /* more than a day ahead: last year */
    assert_int_equal(wbi_ts_syslog_at("Dec 31 23:00:00", 15, now, &t), 0);
    assert_int_equal(t, T("2023-12-31T23:00:00Z"));
    /* within a day ahead (clock skew): this year */
    assert_int_equal(wbi_ts_syslog_at("Jun 16 06:00:00", 15, now, &t), 0);
    assert_int_equal(t, T("2024-06-16T06:00:00Z"));
    assert_int_equal(wbi_ts_syslog_at("Jun 05 06:00:00", 15, now, &t), 0);
    assert_int_equal(t, T("2024-06-05T06:00:00Z"));
    assert_int_not_equal(wbi_ts_syslog_at("Foo  1 10:00:00", 15, now, &t), 0);
    assert_int_not_equal(wbi_ts_syslog_at("Jan  1 25:00:00", 15, now, &t), 0);
    assert_int_not_equal(wbi_ts_syslog_at("Jan  1 10:00:0", 14, now, &t), 0);
    assert_int_equal(wbi_ts_bind("01-Jan-2024 10:00:00", 20, &t), 0);
    assert_int_equal(t, T("2024-01-01T10:00:00Z"));
    assert_int_not_equal(wbi_ts_bind("01-Xyz-2024 10:00:00", 20, &t), 0);
    assert_int_not_equal(wbi_ts_bind("01-Jan-2024 10:00:00.", 21, &t), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bind),
        cmocka_unit_test(test_unbound),
        cmocka_unit_test(test_dnsmasq),
        cmocka_unit_test(test_syslog_year),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
