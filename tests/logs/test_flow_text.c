/*
 * test_flow_text.c - CSV flows on a real nfdump export (CTU capture), other
 * CSV exports, free text, and format detection and lookup for every format.
 */
#include "logs/logtest.h"

#define NFDUMP WB_SHARED_DIR "/testdata/flows/ctu-malicious.nfdump.csv"

static void test_nfdump(void **st)
{
    (void)st;
    rec r, small;
    assert_int_equal(rec_run_file(&r, "nfdump-csv", NFDUMP, 0), 0);
    assert_int_equal(r.lines, 4597);
    assert_int_equal(r.records, 4593); /* header and summary are not records */
    assert_int_equal(rec_count(&r, 'm', NULL), 0);
    EXPECT_VALUE(&r, 1, "sa", "147.32.80.119", WB_V_IP);
    EXPECT_PORT(&r, 1, "sa", "147.32.80.119", 52324);
    EXPECT_VALUE(&r, 1, "da", "147.32.82.62", WB_V_IP);
    EXPECT_PORT(&r, 1, "da", "147.32.82.62", 902);
    /* nh and ra (router addresses) are not checked */
    assert_int_equal(rec_count_line(&r, 1), 4);
    const ev *e = rec_find(&r, 'v', 1, "sa", NULL);
    assert_int_equal(e->ts, T("2018-01-12T15:37:30Z"));
    assert_int_equal(rec_count(&r, 'v', "sa"), 4593);
    /* in 1 KiB blocks the header and the summary carry over as state */
    assert_int_equal(rec_run_file(&small, "nfdump-csv", NFDUMP, 1024), 0);
    assert_int_equal(small.records, 4593);
    assert_int_equal(small.n, r.n);
    assert_int_equal(rec_count(&small, 'm', NULL), 0);
    rec_free(&r);
    rec_free(&small);

    /* the summary cut from its header: still no record, no malformed */
    const char *tail = "ts,sa,da\n2024-01-01 00:00:00,10.0.0.1,10.0.0.2\nSummary\n"
                       "flows,bytes,packets\n1,2,3\n";
    for (size_t block = 0; block <= 1; block++) {
        assert_int_equal(rec_run_str(&r, "nfdump-csv", tail, block), 0);
        assert_int_equal(r.records, 1);
        assert_int_equal(rec_count(&r, 'm', NULL), 0);
        rec_free(&r);
    }
}

static void test_csv_exports(void **st)
{
    (void)st;
    rec r;
    const char *log = "StartTime,SrcAddr,Sport,DstAddr,Dport,Proto\n"
                      "2024-01-01T10:00:00Z,10.0.0.1,5000,\"203.0.113.9\",443,tcp\n"
                      "2024-01-01T10:00:01Z,10.0.0.1,5000,203.0.113.9\n"
                      "\n"
                      "2024-01-01T10:00:02Z,10.0.0.2,x,2001:db8::1,53,udp";
    assert_int_equal(rec_run_str(&r, "nfdump-csv", log, 0), 0);
    EXPECT_VALUE(&r, 1, "SrcAddr", "10.0.0.1", WB_V_IP);
    EXPECT_PORT(&r, 1, "SrcAddr", "10.0.0.1", 5000);
    EXPECT_VALUE(&r, 1, "DstAddr", "203.0.113.9", WB_V_IP);
    EXPECT_PORT(&r, 1, "DstAddr", "203.0.113.9", 443);
    const ev *e = rec_find(&r, 'v', 1, "SrcAddr", NULL);
    assert_int_equal(e->ts, T("2024-01-01T10:00:00Z"));
    EXPECT_MALFORMED(&r, 2, "CSV flows: wrong number of fields");
    assert_null(rec_find(&r, 'p', 4, "SrcAddr", NULL)); /* port "x" */
    EXPECT_PORT(&r, 4, "DstAddr", "2001:db8::1", 53);
    rec_free(&r);

    assert_int_equal(rec_run_str(&r, "nfdump-csv", "1,2,3\n", 0), 0);
    EXPECT_MALFORMED(&r, 0, "CSV flows: no header line naming the address columns");
    rec_free(&r);

    /* found by fuzzing: a second Summary line before any header */
    assert_int_equal(rec_run_str(&r, "nfdump-csv", "Summary\nSummary\n1,2\n", 1), 0);
    assert_int_equal(r.records, 0);
    assert_int_equal(rec_count(&r, 'm', NULL), 0);
    rec_free(&r);
}

static void test_text(void **st)
{
    (void)st;
    rec r;
    const char *log =
        "Jan  1 10:00:00 host sshd[99]: Failed password for root from 203.0.113.5 port 22\n"
        "2024-01-01T10:00:00Z fetched <https://evil.example/dl?x=1>, mail from bad@evil.example.\n"
        "hash 44d88612fea8a8f36de82e1278abb02f at 10:00:00 mac 00:11:22:33:44:55 v6 2001:db8::1\n"
        "version 1.2.3.4.5 file x.log host sub.example.org:8080 ip=198.51.100.1:443 [::1]\n"
        "\n"
        "no indicators here";
    assert_int_equal(rec_run_str(&r, "text", log, 0), 0);
    EXPECT_VALUE(&r, 0, "text", "203.0.113.5", WB_V_AUTO);
    assert_int_equal(rec_count_line(&r, 0), 1);
    const ev *e = rec_find(&r, 'v', 0, "text", NULL);
    assert_string_equal(e->raw_ts, "Jan  1 10:00:00");
    EXPECT_VALUE(&r, 1, "text", "https://evil.example/dl?x=1", WB_V_AUTO);
    EXPECT_VALUE(&r, 1, "text", "evil.example", WB_V_AUTO);
    EXPECT_VALUE(&r, 1, "text", "bad@evil.example", WB_V_AUTO);
    assert_int_equal(rec_count_line(&r, 1), 3);
    e = rec_find(&r, 'v', 1, "text", NULL);
    assert_int_equal(e->ts, T("2024-01-01T10:00:00Z"));
    EXPECT_VALUE(&r, 2, "text", "44d88612fea8a8f36de82e1278abb02f", WB_V_AUTO);
    EXPECT_VALUE(&r, 2, "text", "2001:db8::1", WB_V_AUTO);
    assert_int_equal(rec_count_line(&r, 2), 2); /* not the time, not the MAC */
    EXPECT_VALUE(&r, 3, "text", "x.log", WB_V_AUTO);
    EXPECT_VALUE(&r, 3, "text", "sub.example.org", WB_V_AUTO);
    EXPECT_VALUE(&r, 3, "text", "198.51.100.1", WB_V_AUTO);
    EXPECT_VALUE(&r, 3, "text", "::1", WB_V_AUTO);
    EXPECT_NO_VALUE(&r, 3, "text", "1.2.3.4");
    assert_int_equal(rec_count_line(&r, 3), 4);
    assert_int_equal(rec_count_line(&r, 5), 0);
    assert_int_equal(r.records, 5);
    assert_int_equal(rec_count(&r, 'm', NULL), 0);
    rec_free(&r);
}

static const char *detect_file(const char *path)
{
    size_t len;
    char *data = rec_load(path, &len);
    const char *name = wb_logfmt_detect(data, len < 4096 ? len : 4096)->name;
    free(data);
    return name;
}

static void test_detect(void **st)
{
    (void)st;
    assert_string_equal(detect_file(WB_SHARED_DIR "/testdata/zeek/opt.basic_conn.log"), "zeek");
    assert_string_equal(detect_file(WB_SHARED_DIR "/testdata/zeek/ctu-simda/http.log"), "zeek");
    assert_string_equal(detect_file(WB_SHARED_DIR "/testdata/zeek/slips-json/conn.log"),
                        "zeek-json");
    assert_string_equal(detect_file(WB_SHARED_DIR "/testdata/zeek/slips-json/files.log"),
                        "zeek-json");
    assert_string_equal(detect_file(WB_TEST_DATA "/logs/eve.json"), "eve");
    assert_string_equal(detect_file(WB_TEST_DATA "/logs/bind.log"), "dns-bind");
    assert_string_equal(detect_file(WB_TEST_DATA "/logs/unbound.log"), "dns-unbound");
    assert_string_equal(detect_file(WB_TEST_DATA "/logs/dnsmasq.log"), "dnsmasq");
    assert_string_equal(detect_file(WB_TEST_DATA "/logs/clf.log"), "clf");
    assert_string_equal(detect_file(WB_TEST_DATA "/logs/squid.log"), "squid");
    assert_string_equal(detect_file(NFDUMP), "nfdump-csv");
    const char *jl = "{\"a\":\"b\"}\n{\"c\":1}\n";
    assert_string_equal(wb_logfmt_detect(jl, strlen(jl))->name, "jsonl");
    const char *tx = "Jan  1 10:00:00 host kernel: hello\n";
    assert_string_equal(wb_logfmt_detect(tx, strlen(tx))->name, "text");
    assert_string_equal(wb_logfmt_detect("", 0)->name, "text");
    /* a sample cut mid-line is judged on its whole lines */
    const char *cut = "{\"a\":\"b\"}\n{\"c\":";
    assert_string_equal(wb_logfmt_detect(cut, strlen(cut))->name, "jsonl");
}

static void test_registry(void **st)
{
    (void)st;
    static const char *const order[] = {"zeek",     "zeek-json",   "eve",     "jsonl",
                                        "dns-bind", "dns-unbound", "dnsmasq", "clf",
                                        "squid",    "nfdump-csv",  "text",    NULL};
    size_t i;
    for (i = 0; order[i]; i++) {
        assert_non_null(wb_logfmts[i]);
        assert_string_equal(wb_logfmts[i]->name, order[i]);
        assert_ptr_equal(wb_logfmt_find(order[i]), wb_logfmts[i]);
        assert_non_null(wb_logfmts[i]->summary);
        assert_non_null(wb_logfmts[i]->checks);
        /* stateful exactly when a header carries over */
        bool stateful = strcmp(order[i], "zeek") == 0 || strcmp(order[i], "nfdump-csv") == 0;
        assert_int_equal(wb_logfmts[i]->state_free != NULL, stateful);
    }
    assert_null(wb_logfmts[i]);
    assert_null(wb_logfmt_find("nope"));
    assert_null(wb_logfmt_find(NULL));
}

/* Every reader: an empty block and a block without a final newline. */
static void test_edges(void **st)
{
    (void)st;
    for (size_t i = 0; wb_logfmts[i]; i++) {
        rec r;
        assert_int_equal(rec_run(&r, wb_logfmts[i], "", 0, 0, NULL), 0);
        assert_int_equal(r.lines, 0);
        assert_int_equal(r.n, 0);
        rec_free(&r);
        const char *junk = "\xff\x00\t{[\"\n#\n\r\n x";
        assert_int_equal(rec_run(&r, wb_logfmts[i], junk, 12, 0, NULL), 0);
        assert_int_equal(r.lines, 4);
        rec_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nfdump),   cmocka_unit_test(test_csv_exports),
        cmocka_unit_test(test_text),     cmocka_unit_test(test_detect),
        cmocka_unit_test(test_registry), cmocka_unit_test(test_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
