/*
 * test_zeek.c - the Zeek TSV reader against Zeek's own test baselines and a
 * real capture (CTU Simda), plus every header and malformed-line path.
 */
#include "logs/logtest.h"

#define ZEEK WB_SHARED_DIR "/testdata/zeek/"

/* opt.basic_conn.log: BTest comment line, 8 header lines, masked times. */
static void test_conn_baseline(void **st)
{
    (void)st;
    rec r;
    assert_int_equal(rec_run_file(&r, "zeek", ZEEK "opt.basic_conn.log", 0), 0);
    assert_int_equal(rec_count(&r, 'm', NULL), 0);
    /* 9 header lines, the data, #close */
    assert_int_equal(r.lines, 44);
    assert_int_equal(r.records, 34);
    assert_int_equal(r.states_returned, 1);
    EXPECT_VALUE(&r, 9, "id.orig_h", "141.142.220.202", WB_V_IP);
    EXPECT_PORT(&r, 9, "id.orig_h", "141.142.220.202", 5353);
    EXPECT_VALUE(&r, 9, "id.resp_h", "224.0.0.251", WB_V_IP);
    EXPECT_PORT(&r, 9, "id.resp_h", "224.0.0.251", 5353);
    EXPECT_VALUE(&r, 9, "service", "dns", WB_V_AUTO);
    /* uid, conn_state and history are identifiers and enums: not values;
     * tunnel_parents is unset ("-"). */
    assert_int_equal(rec_count(&r, 'v', "uid"), 0);
    assert_int_equal(rec_count(&r, 'v', "history"), 0);
    assert_int_equal(rec_count(&r, 'v', "tunnel_parents"), 0);
    /* 2 addresses + service on line 9, and nothing else */
    assert_int_equal(rec_count_line(&r, 9), 5);
    /* a masked timestamp is passed on and just does not parse */
    const ev *e = rec_find(&r, 'v', 9, "id.orig_h", NULL);
    assert_string_equal(e->raw_ts, "XXXXXXXXXX.XXXXXX");
    assert_false(e->has_ts);
    EXPECT_VALUE(&r, 10, "id.orig_h", "fe80::217:f2ff:fed7:cf65", WB_V_IP);
    rec_free(&r);
}

static void test_dns_baseline(void **st)
{
    (void)st;
    rec r;
    assert_int_equal(rec_run_file(&r, "zeek", ZEEK "opt.basic_dns.log", 0), 0);
    assert_int_equal(rec_count(&r, 'm', NULL), 0);
    EXPECT_VALUE(&r, 9, "query", "gemini._sftp-ssh._tcp.local", WB_V_AUTO);
    EXPECT_VALUE(&r, 10, "answers", "gemini.local", WB_V_AUTO);
    /* qtype_name and rcode_name are enum-like names, TTLs intervals */
    assert_int_equal(rec_count(&r, 'v', "qtype_name"), 0);
    assert_int_equal(rec_count(&r, 'v', "TTLs"), 0);
    rec_free(&r);
}

/* "#open" and "#close" written with a space (masked by BTest) are headers. */
static void test_http_baseline(void **st)
{
    (void)st;
    rec r;
    assert_int_equal(rec_run_file(&r, "zeek", ZEEK "core.tcp-padding_http.log", 0), 0);
    assert_int_equal(r.records, 1);
    assert_int_equal(rec_count(&r, 'm', NULL), 0);
    EXPECT_VALUE(&r, 9, "id.orig_h", "167.221.30.181", WB_V_IP);
    EXPECT_PORT(&r, 9, "id.resp_h", "217.207.159.63", 27272);
    /* host is unset: no host+uri URL */
    assert_int_equal(rec_count(&r, 'v', "host+uri"), 0);
    EXPECT_VALUE(&r, 9, "uri", "/", WB_V_AUTO);
    assert_int_equal(rec_count(&r, 'v', "version"), 0);
    rec_free(&r);
}

static void test_ctu_simda(void **st)
{
    (void)st;
    rec r, small;
    assert_int_equal(rec_run_file(&r, "zeek", ZEEK "ctu-simda/conn.log", 0), 0);
    assert_int_equal(r.records, 992);
    assert_int_equal(rec_count(&r, 'm', NULL), 0);
    EXPECT_VALUE(&r, 8, "id.resp_h", "8.8.8.8", WB_V_IP);
    EXPECT_PORT(&r, 8, "id.resp_h", "8.8.8.8", 53);
    const ev *e = rec_find(&r, 'v', 8, "id.orig_h", "192.168.1.116");
    assert_non_null(e);
    assert_true(e->has_ts);
    assert_int_equal(e->ts, 13184015);
    /* Cut into 4 KiB blocks, the state carries the header: same events. */
    assert_int_equal(rec_run_file(&small, "zeek", ZEEK "ctu-simda/conn.log", 4096), 0);
    assert_int_equal(small.records, r.records);
    assert_int_equal(small.n, r.n);
    for (size_t i = 0; i < r.n; i++) {
        assert_int_equal(small.ev[i].line, r.ev[i].line);
        assert_string_equal(small.ev[i].value, r.ev[i].value);
    }
    rec_free(&r);
    rec_free(&small);

    assert_int_equal(rec_run_file(&r, "zeek", ZEEK "ctu-simda/dns.log", 0), 0);
    assert_int_equal(rec_count(&r, 'm', NULL), 0);
    EXPECT_VALUE(&r, 8, "query", "dns.msftncsi.com", WB_V_AUTO);
    EXPECT_VALUE(&r, 8, "answers", "131.107.255.255", WB_V_AUTO);
    EXPECT_VALUE(&r, 9, "answers", "fd3e:4f5a:5b81::1", WB_V_AUTO);
    rec_free(&r);

    assert_int_equal(rec_run_file(&r, "zeek", ZEEK "ctu-simda/http.log", 0), 0);
    assert_int_equal(rec_count(&r, 'm', NULL), 0);
    assert_int_equal(r.records, 992);
    EXPECT_VALUE(&r, 8, "host+uri", "gatyfus.com/login.php", WB_V_URL);
    EXPECT_VALUE(&r, 8, "host", "gatyfus.com", WB_V_AUTO);
    EXPECT_VALUE(&r, 8, "referrer", "http://www.google.com", WB_V_AUTO);
    EXPECT_VALUE(&r, 8, "user_agent",
                 "Mozilla/4.0 (compatible; MSIE 2.0; Windows NT 5.0; Trident/4.0; SLCC2; .NET "
                 "CLR 2.0.50727; .NET CLR 3.5.30729; .NET CLR 3.0.30729; Media Center PC 6.0)",
                 WB_V_AUTO);
    assert_int_equal(rec_count(&r, 'v', "resp_mime_types"), 0);
    assert_int_equal(rec_count(&r, 'v', "resp_fuids"), 0);
    rec_free(&r);
}

#define HDR(fields, types)                                                                         \
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\ttest\n"   \
    "#fields\t" fields "\n#types\t" types "\n"

static void test_sets_and_escapes(void **st)
{
    (void)st;
    rec r;
    const char *log =
        HDR("ts\tid.orig_h\tid.orig_p\tnames\tips\tn",
            "time\taddr\tport\tset[string]\tvector[addr]\tcount") "1700000000.5\t10.0.0.1\t1234\ta."
                                                                  "example,b\\x2cc.example,-\t10.0."
                                                                  "0.2,10.0.0.3\t7\n"
                                                                  "1700000001.5\t10.0.0.9\t99999\t("
                                                                  "empty)\t(empty)\t8";
    assert_int_equal(rec_run_str(&r, "zeek", log, 0), 0);
    assert_int_equal(rec_count(&r, 'm', NULL), 0);
    EXPECT_VALUE(&r, 7, "names", "a.example", WB_V_AUTO);
    EXPECT_VALUE(&r, 7, "names", "b,c.example", WB_V_AUTO);
    EXPECT_NO_VALUE(&r, 7, "names", "-");
    EXPECT_VALUE(&r, 7, "ips", "10.0.0.2", WB_V_IP);
    EXPECT_VALUE(&r, 7, "ips", "10.0.0.3", WB_V_IP);
    assert_int_equal(rec_count(&r, 'v', "n"), 0);
    const ev *e = rec_find(&r, 'v', 7, "id.orig_h", "10.0.0.1");
    assert_true(e->has_ts);
    assert_int_equal(e->ts, 1700000000500000LL);
    /* last line without '\n': read; port 99999 is no port; empty sets skipped */
    EXPECT_VALUE(&r, 8, "id.orig_h", "10.0.0.9", WB_V_IP);
    assert_null(rec_find(&r, 'p', 8, NULL, NULL));
    assert_int_equal(rec_count_line(&r, 8), 1);
    rec_free(&r);
}

/* The context of a record that hit: found by name wherever the columns
 * stand (uid after the last column the matcher needs), unset ones left
 * out, and asked for only once per record. */
static void test_context(void **st)
{
    (void)st;
    rec r;
    const char *log = HDR(
        "ts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tn\tproto\tuid",
        "time\taddr\tport\taddr\tport\tcount\tenum\tstring") "1700000000.5\t10.0.0.1\t1234\t203.0."
                                                             "113.9\t53\t7\tudp\tCabc123\n"
                                                             "1700000001.5\t10.0.0.2\t-\t203.0.113."
                                                             "9\t53\t7\t-\tCdef456\n";
    rec_want_ctx = true;
    assert_int_equal(rec_run_str(&r, "zeek", log, 0), 0);
    rec_want_ctx = false;
    assert_string_equal(rec_ctx(&r, 7, "uid"), "Cabc123");
    assert_string_equal(rec_ctx(&r, 7, "orig_h"), "10.0.0.1");
    assert_string_equal(rec_ctx(&r, 7, "orig_p"), "1234");
    assert_string_equal(rec_ctx(&r, 7, "resp_h"), "203.0.113.9");
    assert_string_equal(rec_ctx(&r, 7, "resp_p"), "53");
    assert_string_equal(rec_ctx(&r, 7, "proto"), "udp");
    assert_null(rec_ctx(&r, 7, "flow_id"));
    assert_string_equal(rec_ctx(&r, 8, "uid"), "Cdef456");
    assert_null(rec_ctx(&r, 8, "orig_p"));
    assert_null(rec_ctx(&r, 8, "proto"));
    assert_int_equal(rec_count(&r, 'c', "uid"), 2);
    rec_free(&r);
}

/* Two logs concatenated, cut into one block per line: the second header
 * replaces the first and each block gets the state in force. */
static void test_header_change(void **st)
{
    (void)st;
    rec r;
    const char *log =
        HDR("ts\tid.orig_h\tquery", "time\taddr\tstring") "1.0\t10.0.0.1\tfirst.example\n"
                                                          "#close\t2024\n"
                                                          "#separator \\x7c\n"
                                                          "#fields|ts|host|uri|client\n"
                                                          "#types|time|string|string|addr\n"
                                                          "2.0|evil.example|/x?a=1|10.0.0.2\n"
                                                          "3.0|-|/y|10.0.0.3\n";
    for (size_t block = 0; block <= 1; block++) {
        assert_int_equal(rec_run_str(&r, "zeek", log, block), 0);
        assert_int_equal(rec_count(&r, 'm', NULL), 0);
        EXPECT_VALUE(&r, 7, "query", "first.example", WB_V_AUTO);
        EXPECT_VALUE(&r, 12, "host+uri", "evil.example/x?a=1", WB_V_URL);
        EXPECT_VALUE(&r, 12, "client", "10.0.0.2", WB_V_IP);
        EXPECT_VALUE(&r, 12, "host", "evil.example", WB_V_AUTO);
        EXPECT_VALUE(&r, 13, "client", "10.0.0.3", WB_V_IP);
        assert_int_equal(rec_count(&r, 'v', "host+uri"), 1);
        assert_int_equal(r.records, 3);
        assert_true(r.states_returned >= 1);
        rec_free(&r);
    }
}

/* The state a block receives is shared: scanning with it twice gives the
 * same result, and a block without headers returns no state. */
static void test_state_not_modified(void **st)
{
    (void)st;
    const wb_logfmt *z = wb_logfmt_find("zeek");
    const char *hdr = HDR("ts\tid.orig_h", "time\taddr");
    const char *data = "1.0\t10.0.0.1\n";
    rec r = {0};
    r.s.ops = &rec_ops;
    r.s.impl = &r;
    void *state = NULL, *next = NULL;
    assert_int_equal(z->scan(NULL, &state, &r.s, hdr, strlen(hdr), NULL), 0);
    assert_non_null(state);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(z->scan(state, &next, &r.s, data, strlen(data), NULL), 0);
        assert_null(next);
    }
    assert_int_equal(rec_count(&r, 'v', "id.orig_h"), 2);
    z->state_free(state);
    rec_free(&r);
}

static void test_malformed(void **st)
{
    (void)st;
    rec r;
    assert_int_equal(rec_run_str(&r, "zeek", "1.0\t10.0.0.1\n#fields\tts\n", 0), 0);
    EXPECT_MALFORMED(&r, 0, "Zeek: no #fields header before this line");
    rec_free(&r);

    const char *log =
        HDR("ts\tid.orig_h\tid.resp_h", "time\taddr\taddr") "1.0\t10.0.0.1\n"
                                                            "1.0\t10.0.0.1\t10.0.0.2\textra\n"
                                                            "\n"
                                                            "1.0\t10.0.0.3\t10.0.0.4\n"
                                                            "#types\ttime\taddr\n"
                                                            "#separator ab\n"
                                                            "#empty_field\t\n";
    assert_int_equal(rec_run_str(&r, "zeek", log, 0), 0);
    EXPECT_MALFORMED(&r, 7, "Zeek: wrong number of fields");
    EXPECT_MALFORMED(&r, 8, "Zeek: wrong number of fields");
    assert_null(rec_find(&r, 'm', 9, NULL, NULL)); /* blank line */
    EXPECT_VALUE(&r, 10, "id.resp_h", "10.0.0.4", WB_V_IP);
    EXPECT_MALFORMED(&r, 11, "Zeek header: #types and #fields differ in count");
    EXPECT_MALFORMED(&r, 12, "Zeek header: separator is not a single byte");
    EXPECT_MALFORMED(&r, 13, "Zeek header: empty or overlong marker");
    assert_int_equal(r.records, 1);
    rec_free(&r);
}

/* Columns after the last used one are counted, not split (the fast path):
 * the field-count check must still see too few and too many of them, with
 * tails shorter and longer than one 16-byte SIMD lane. */
static void test_unused_tail(void **st)
{
    (void)st;
    rec r;
    const char *log = HDR(
        "ts\tid.resp_h\ta\tb\tc",
        "time\taddr\tcount\tcount\tcount") "1.0\t10.0.0.1\t1\t2\t3\n"
                                           "1.0\t10.0.0.2\t1\t2\n"
                                           "1.0\t10.0.0.3\t1\t2\t3\t4\n"
                                           "1.0\t10.0.0."
                                           "4\t11111111111111111111\t22222222222222222222\t3\n"
                                           "1.0\t10.0.0."
                                           "5\t11111111111111111111\t22222222222222222222\t3\t\n"
                                           "1.0\t10.0.0.6\t1\t2\t3";
    assert_int_equal(rec_run_str(&r, "zeek", log, 0), 0);
    EXPECT_VALUE(&r, 7, "id.resp_h", "10.0.0.1", WB_V_IP);
    EXPECT_MALFORMED(&r, 8, "Zeek: wrong number of fields");
    EXPECT_MALFORMED(&r, 9, "Zeek: wrong number of fields");
    EXPECT_VALUE(&r, 10, "id.resp_h", "10.0.0.4", WB_V_IP);
    EXPECT_MALFORMED(&r, 11, "Zeek: wrong number of fields");
    EXPECT_VALUE(&r, 12, "id.resp_h", "10.0.0.6", WB_V_IP);
    assert_int_equal(r.records, 3);
    rec_free(&r);
}

/* A header without #types: columns are judged by name. */
static void test_no_types(void **st)
{
    (void)st;
    rec r;
    const char *log = "#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tquery\n"
                      "5.5\tCabc\t10.0.0.1\t53\twww.example.com\n";
    assert_int_equal(rec_run_str(&r, "zeek", log, 0), 0);
    EXPECT_VALUE(&r, 2, "id.orig_h", "10.0.0.1", WB_V_IP);
    EXPECT_PORT(&r, 2, "id.orig_h", "10.0.0.1", 53);
    EXPECT_VALUE(&r, 2, "query", "www.example.com", WB_V_AUTO);
    assert_int_equal(rec_count(&r, 'v', "uid"), 0);
    assert_int_equal(rec_count(&r, 'v', "id.orig_p"), 0);
    rec_free(&r);
}

/* The reader cuts lines from 64-byte windows of separator and newline bits
 * that carry over from line to line: lines of every length, so that line
 * ends and separators fall on every window offset (63 included) and columns
 * span windows, both before and after the last used column; lines with one
 * column too few or too many, CRLF ends, a last line without a newline, and
 * blocks of several sizes. Checked against a plain splitter. */
static void test_windows(void **st)
{
    (void)st;
    wb_buf log = {0};
    assert_int_equal(
        wb_buf_puts(&log, HDR("h\tpad\ts\tt1\tt2", "addr\tcount\tstring\tcount\tcount")), 0);
    uint64_t first = 0;
    for (const char *p = log.data; *p; p++)
        first += *p == '\n';
    uint64_t x = 88172645463325252ULL;
    enum { LINES = 600 };
    int kind[LINES]; /* 0 good, 1 one column short, 2 one column long */
    for (int i = 0; i < LINES; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        kind[i] = i % 7 == 3 ? 1 : i % 11 == 5 ? 2 : 0;
        char line[1024];
        int k = snprintf(line, sizeof line, "10.0.%d.%d\t", i / 256, i % 256);
        for (unsigned j = (unsigned)(x % 150); j > 0; j--)
            line[k++] = 'p';
        k += snprintf(line + k, sizeof line - (size_t)k, "\td%d.example", i);
        unsigned cols = kind[i] == 1 ? 1 : kind[i] == 2 ? 3 : 2;
        for (unsigned c = 0; c < cols; c++) {
            line[k++] = '\t';
            for (unsigned j = 1 + (unsigned)(x >> (20 + 8 * c)) % 100; j > 0; j--)
                line[k++] = 'y';
        }
        if (i % 13 == 0) line[k++] = '\r';
        if (i != LINES - 1) line[k++] = '\n';
        assert_int_equal(wb_buf_append(&log, line, (size_t)k), 0);
    }
    static const size_t blocks[] = {0, 1000, 4097, 65};
    for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
        rec r;
        assert_int_equal(rec_run(&r, wb_logfmt_find("zeek"), log.data, log.len, blocks[b], NULL),
                         0);
        size_t good = 0;
        for (int i = 0; i < LINES; i++) {
            char h[32], d[32];
            snprintf(h, sizeof h, "10.0.%d.%d", i / 256, i % 256);
            snprintf(d, sizeof d, "d%d.example", i);
            if (kind[i]) {
                EXPECT_MALFORMED(&r, first + (uint64_t)i, "Zeek: wrong number of fields");
                assert_null(rec_find(&r, 'v', first + (uint64_t)i, "h", NULL));
            } else {
                EXPECT_VALUE(&r, first + (uint64_t)i, "h", h, WB_V_IP);
                EXPECT_VALUE(&r, first + (uint64_t)i, "s", d, WB_V_AUTO);
                good++;
            }
        }
        assert_int_equal(r.records, good);
        assert_int_equal(r.lines, first + LINES);
        rec_free(&r);
    }
    wb_buf_free(&log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conn_baseline),    cmocka_unit_test(test_dns_baseline),
        cmocka_unit_test(test_http_baseline),    cmocka_unit_test(test_ctu_simda),
        cmocka_unit_test(test_sets_and_escapes), cmocka_unit_test(test_context),
        cmocka_unit_test(test_header_change),    cmocka_unit_test(test_state_not_modified),
        cmocka_unit_test(test_malformed),        cmocka_unit_test(test_no_types),
        cmocka_unit_test(test_unused_tail),      cmocka_unit_test(test_windows),
    };
    /* Twice: with the block scan the CPU selects (AVX2 where it has it)
     * and with the baseline one. */
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    wbi_zeek_baseline_only = true;
    return failed + cmocka_run_group_tests(tests, NULL, NULL);
}
