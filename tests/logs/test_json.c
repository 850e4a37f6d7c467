/*
 * test_json.c - the JSON-lines readers: Zeek JSON on real Zeek logs
 * (Stratosphere's slips-json set), Suricata EVE on a fixture written from
 * Suricata's EVE documentation, and generic JSON lines.
 */
#include "logs/logtest.h"

#define SLIPS WB_SHARED_DIR "/testdata/zeek/slips-json/"

static void test_zeek_json_conn(void **st)
{
    (void)st;
    rec r;
    assert_int_equal(rec_run_file(&r, "zeek-json", SLIPS "conn.log", 0), 0);
    assert_int_equal(r.records, 576);
    assert_int_equal(rec_count(&r, 'm', NULL), 0);
    EXPECT_VALUE(&r, 0, "id.orig_h", "fe80::1cf4:44d2:904a:14f7", WB_V_IP);
    EXPECT_PORT(&r, 0, "id.orig_h", "fe80::1cf4:44d2:904a:14f7", 61099);
    EXPECT_VALUE(&r, 0, "id.resp_h", "ff02::1:3", WB_V_IP);
    EXPECT_PORT(&r, 0, "id.resp_h", "ff02::1:3", 5355);
    EXPECT_VALUE(&r, 0, "service", "dns", WB_V_AUTO);
    /* uid, proto, conn_state, history: identifiers and enums */
    assert_int_equal(rec_count_line(&r, 0), 5);
    const ev *e = rec_find(&r, 'v', 0, "service", NULL);
    assert_true(e->has_ts);
    assert_int_equal(e->ts, 22335172);
    rec_free(&r);
}

static void test_zeek_json_others(void **st)
{
    (void)st;
    rec r;
    assert_int_equal(rec_run_file(&r, "zeek-json", SLIPS "http.log", 0), 0);
    assert_int_equal(rec_count(&r, 'm', NULL), 0);
    EXPECT_VALUE(&r, 0, "host+uri", "112.255.161.10/bin.sh", WB_V_URL);
    EXPECT_VALUE(&r, 0, "host", "112.255.161.10", WB_V_AUTO);
    EXPECT_VALUE(&r, 1, "user_agent", "Microsoft NCSI", WB_V_AUTO);
    assert_int_equal(rec_count(&r, 'v', "resp_fuids"), 0);
    rec_free(&r);

    assert_int_equal(rec_run_file(&r, "zeek-json", SLIPS "files.log", 0), 0);
    EXPECT_VALUE(&r, 0, "tx_hosts", "147.32.80.7", WB_V_IP);
    EXPECT_VALUE(&r, 0, "rx_hosts", "10.0.2.15", WB_V_IP);
    EXPECT_VALUE(&r, 0, "md5", "df7c845e4eadd7bac6cbfe2087bbd482", WB_V_AUTO);
    EXPECT_VALUE(&r, 0, "sha1", "8800350f53cb7bfc883962e965461d94ab5d2616", WB_V_AUTO);
    assert_int_equal(rec_count(&r, 'v', "fuid"), 0);
    assert_int_equal(rec_count(&r, 'v', "conn_uids"), 0);
    rec_free(&r);

    assert_int_equal(rec_run_file(&r, "zeek-json", SLIPS "ssl.log", 0), 0);
    EXPECT_VALUE(&r, 0, "server_name", "ieonline.microsoft.com", WB_V_AUTO);
    EXPECT_VALUE(&r, 0, "subject", "CN=www.bing.com", WB_V_AUTO);
    rec_free(&r);

    assert_int_equal(rec_run_file(&r, "zeek-json", SLIPS "x509.log", 0), 0);
    EXPECT_VALUE(&r, 0, "san.dns", "www.bing.com", WB_V_AUTO);
    EXPECT_VALUE(&r, 0, "san.dns", "ieonline.microsoft.com", WB_V_AUTO);
    assert_int_equal(rec_count(&r, 'v', "certificate.serial"), 0);
    rec_free(&r);

    assert_int_equal(rec_run_file(&r, "zeek-json", SLIPS "dns.log", 0), 0);
    EXPECT_VALUE(&r, 0, "query", "isatap.felk.cvut.cz", WB_V_AUTO);
    assert_int_equal(rec_count(&r, 'v', "qtype_name"), 0);
    rec_free(&r);
}

static void test_zeek_json_iso_ts(void **st)
{
    (void)st;
    rec r;
    assert_int_equal(rec_run_str(&r, "zeek-json",
                                 "{\"ts\":\"2024-01-01T10:00:00.5Z\",\"uid\":\"C1\","
                                 "\"id\":{\"orig_h\":\"10.0.0.1\",\"orig_p\":80}}",
                                 0),
                     0);
    /* a nested (non-flattened) id record pairs too */
    EXPECT_VALUE(&r, 0, "id.orig_h", "10.0.0.1", WB_V_IP);
    EXPECT_PORT(&r, 0, "id.orig_h", "10.0.0.1", 80);
    const ev *e = rec_find(&r, 'v', 0, "id.orig_h", NULL);
    assert_true(e->has_ts);
    assert_int_equal(e->ts, T("2024-01-01T10:00:00.5Z"));
    assert_int_equal(rec_count(&r, 'v', "ts"), 0);
    rec_free(&r);
}

static void test_eve(void **st)
{
    (void)st;
    rec r;
    assert_int_equal(rec_run_file(&r, "eve", WB_TEST_DATA "/logs/eve.json", 0), 0);
    assert_int_equal(r.lines, 11);
    assert_int_equal(r.records, 8);
    /* alert */
    EXPECT_VALUE(&r, 0, "src_ip", "192.168.2.7", WB_V_IP);
    EXPECT_PORT(&r, 0, "src_ip", "192.168.2.7", 1041);
    EXPECT_VALUE(&r, 0, "dest_ip", "203.0.113.50", WB_V_IP);
    EXPECT_PORT(&r, 0, "dest_ip", "203.0.113.50", 80);
    assert_int_equal(rec_count_line(&r, 0), 4); /* signature, category, iface: no */
    const ev *e = rec_find(&r, 'v', 0, "src_ip", NULL);
    assert_true(e->has_ts);
    assert_int_equal(e->ts, T("2009-11-24T20:27:09.534255Z"));
    /* dns v2 answer */
    EXPECT_VALUE(&r, 1, "dns.rrname", "www.suricata-ids.org", WB_V_DOMAIN);
    EXPECT_VALUE(&r, 1, "dns.answers.rrname", "suricata-ids.org", WB_V_DOMAIN);
    EXPECT_VALUE(&r, 1, "dns.answers.rdata", "192.0.78.24", WB_V_AUTO);
    EXPECT_VALUE(&r, 1, "dns.answers.rdata", "suricata-ids.org", WB_V_AUTO);
    EXPECT_VALUE(&r, 1, "dns.grouped.A", "192.0.78.24", WB_V_IP);
    EXPECT_VALUE(&r, 1, "dns.grouped.CNAME", "suricata-ids.org", WB_V_DOMAIN);
    assert_int_equal(rec_count(&r, 'v', "dns.rrtype"), 0);
    assert_int_equal(rec_count(&r, 'v', "dns.rcode"), 0);
    /* dns v3 request */
    EXPECT_VALUE(&r, 2, "dns.queries.rrname", "evil.example", WB_V_DOMAIN);
    /* http */
    EXPECT_VALUE(&r, 3, "http.hostname", "www.example.org", WB_V_DOMAIN);
    EXPECT_VALUE(&r, 3, "http.hostname+http.url", "www.example.org/download/x.exe", WB_V_URL);
    EXPECT_VALUE(&r, 3, "http.http_refer", "http://ref.example.net/page", WB_V_URL | WB_V_URL_HOST);
    EXPECT_VALUE(&r, 3, "http.http_user_agent", "Mozilla/5.0", WB_V_AUTO);
    assert_int_equal(rec_count(&r, 'v', "http.url"), 0);
    assert_int_equal(rec_count(&r, 'v', "http.http_method"), 0);
    /* tls */
    EXPECT_VALUE(&r, 4, "tls.sni", "login.example.com", WB_V_DOMAIN);
    EXPECT_VALUE(&r, 4, "tls.ja3.hash", "e7eca2baf4458d095b7f45da28c16c34", WB_V_AUTO);
    EXPECT_VALUE(&r, 4, "tls.subject", "CN=*.example.com", WB_V_AUTO);
    /* fileinfo */
    EXPECT_VALUE(&r, 5, "fileinfo.md5", "44d88612fea8a8f36de82e1278abb02f", WB_V_HASH);
    EXPECT_VALUE(&r, 5, "fileinfo.sha1", "3395856ce81f2b7382dee72602f798b642f14140", WB_V_HASH);
    EXPECT_VALUE(&r, 5, "fileinfo.sha256",
                 "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f", WB_V_HASH);
    EXPECT_VALUE(&r, 5, "fileinfo.filename", "/download/x.exe", WB_V_AUTO);
    assert_int_equal(rec_count(&r, 'v', "fileinfo.magic"), 0);
    /* smtp and email */
    EXPECT_VALUE(&r, 6, "smtp.mail_from", "<bad@evil.example>", WB_V_EMAIL);
    EXPECT_VALUE(&r, 6, "smtp.rcpt_to", "<victim@example.org>", WB_V_EMAIL);
    EXPECT_VALUE(&r, 6, "smtp.rcpt_to", "<other@example.org>", WB_V_EMAIL);
    EXPECT_VALUE(&r, 6, "email.from", "Bad Guy <bad@evil.example>", WB_V_EMAIL);
    EXPECT_VALUE(&r, 6, "email.to", "victim@example.org", WB_V_EMAIL);
    EXPECT_VALUE(&r, 6, "smtp.helo", "client.example", WB_V_AUTO);
    /* broken lines; the blank line is nothing */
    EXPECT_MALFORMED(&r, 7, "broken JSON");
    EXPECT_MALFORMED(&r, 8, "not a JSON object");
    assert_int_equal(rec_count(&r, 'm', NULL), 2);
    /* alert source/target objects pair ip with port */
    EXPECT_PORT(&r, 10, "alert.source.ip", "2001:db8::1", 443);
    EXPECT_PORT(&r, 10, "alert.target.ip", "2001:db8::2", 51000);
    rec_free(&r);
}

/* EVE's flow and Zeek JSON's connection as the context of a record. */
static void test_context(void **st)
{
    (void)st;
    rec r;
    rec_want_ctx = true;
    assert_int_equal(rec_run_file(&r, "eve", WB_TEST_DATA "/logs/eve.json", 0), 0);
    assert_string_equal(rec_ctx(&r, 0, "flow_id"), "1676750115612680");
    assert_string_equal(rec_ctx(&r, 0, "orig_h"), "192.168.2.7");
    assert_string_equal(rec_ctx(&r, 0, "orig_p"), "1041");
    assert_string_equal(rec_ctx(&r, 0, "resp_h"), "203.0.113.50");
    assert_string_equal(rec_ctx(&r, 0, "resp_p"), "80");
    assert_string_equal(rec_ctx(&r, 0, "proto"), "TCP");
    assert_null(rec_ctx(&r, 0, "uid"));
    rec_free(&r);
    const char *z = "{\"ts\":1.5,\"uid\":\"CZ1\",\"id.orig_h\":\"10.1.1.1\",\"id.orig_p\":5,"
                    "\"id.resp_h\":\"192.0.2.1\",\"id.resp_p\":443,\"proto\":\"tcp\","
                    "\"community_id\":\"1:abc=\",\"server_name\":\"x.example\"}\n";
    assert_int_equal(rec_run_str(&r, "zeek-json", z, 0), 0);
    rec_want_ctx = false;
    assert_string_equal(rec_ctx(&r, 0, "uid"), "CZ1");
    assert_string_equal(rec_ctx(&r, 0, "resp_p"), "443");
    assert_string_equal(rec_ctx(&r, 0, "community_id"), "1:abc=");
    rec_free(&r);
}

static void test_jsonl(void **st)
{
    (void)st;
    rec r;
    const char *log = "{\"time\":1700000000,\"msg\":\"login from 10.1.1.1\",\"user\":{\"name\":"
                      "\"bob\",\"mails\":[\"bob@example.org\",\"b@example.net\"]},\"n\":5}\n"
                      "{\"@timestamp\":\"2024-01-01T00:00:00Z\",\"ts\":\"bad\",\"a\":[[\"x\"]]}\n"
                      "{\"timestamp\":\"2024-01-01T00:00:00Z\",\"ok\":true}\n"
                      "not json\n";
    assert_int_equal(rec_run_str(&r, "jsonl", log, 0), 0);
    EXPECT_VALUE(&r, 0, "msg", "login from 10.1.1.1", WB_V_AUTO);
    EXPECT_VALUE(&r, 0, "user.name", "bob", WB_V_AUTO);
    EXPECT_VALUE(&r, 0, "user.mails", "bob@example.org", WB_V_AUTO);
    EXPECT_VALUE(&r, 0, "user.mails", "b@example.net", WB_V_AUTO);
    assert_int_equal(rec_count_line(&r, 0), 4);
    const ev *e = rec_find(&r, 'v', 0, "msg", NULL);
    assert_int_equal(e->ts, 1700000000LL * 1000000);
    /* "ts" comes first; it does not parse, so there is no time; the ts
     * string is the timestamp, not a value */
    e = rec_find(&r, 'v', 1, "a", "x");
    assert_non_null(e);
    assert_string_equal(e->raw_ts, "bad");
    assert_false(e->has_ts);
    EXPECT_VALUE(&r, 1, "@timestamp", "2024-01-01T00:00:00Z", WB_V_AUTO);
    assert_int_equal(rec_count(&r, 'v', "ts"), 0);
    assert_int_equal(rec_count_line(&r, 2), 0);
    assert_int_equal(r.records, 3);
    EXPECT_MALFORMED(&r, 3, "broken JSON");
    rec_free(&r);

    /* only the fields asked for, by exact dotted path */
    static const char *const fields[] = {"user.name", "msg"};
    wb_logopts o = {fields, 2};
    assert_int_equal(rec_run(&r, wb_logfmt_find("jsonl"), log, strlen(log), 0, &o), 0);
    assert_int_equal(rec_count(&r, 'v', NULL), 2);
    EXPECT_VALUE(&r, 0, "user.name", "bob", WB_V_AUTO);
    rec_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zeek_json_conn),
        cmocka_unit_test(test_zeek_json_others),
        cmocka_unit_test(test_zeek_json_iso_ts),
        cmocka_unit_test(test_eve),
        cmocka_unit_test(test_jsonl),
        cmocka_unit_test(test_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
