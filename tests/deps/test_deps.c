/*
 * test_deps.c - src/deps/: the RIR, AS-name and .mmdb look-ups (against
 * MaxMind's test databases, answers read with mmdblookup), the IPv4 look-up
 * structure against a brute-force scan of the same ranges, the reference
 * data loaders, the flow readers of every format, and the map's rules:
 * regularity thresholds at their edges, the three countries and which one
 * decides, and the exposure rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "weerbaar/deps.h"

#define DATA WB_TEST_DATA "/deps/"

static wb_addr A(const char *s)
{
    wb_addr a;
    assert_int_equal(wb_addr_parse(s, strlen(s), &a), 0);
    return a;
}

static wb_ipdb *load_db(bool mmdb)
{
    wb_ipdb *db;
    wb_error err = {0};
    assert_int_equal(wb_ipdb_new(&db, &err), 0);
    assert_int_equal(wb_ipdb_add_rir_file(db, DATA "delegated-fragment.txt", &err), 0);
    assert_int_equal(wb_ipdb_add_asnames_file(db, DATA "asn.txt", &err), 0);
    if (mmdb) {
        assert_int_equal(wb_ipdb_add_mmdb(db, DATA "GeoLite2-ASN-Test.mmdb", &err), 0);
        assert_int_equal(wb_ipdb_add_mmdb(db, DATA "GeoIP2-Country-Test.mmdb", &err), 0);
    }
    assert_int_equal(wb_ipdb_build(db, &err), 0);
    return db;
}

static void test_rir(void **state)
{
    (void)state;
    wb_ipdb *db = load_db(false);
    wb_ipinfo in;
    wb_addr a = A("193.0.6.139");
    wb_ipdb_lookup(db, &a, &in);
    assert_string_equal(in.reg_cc, "NL");
    assert_string_equal(in.registry, "ripencc");
    assert_int_equal(in.asn, 3333); /* through the opaque holder id */
    assert_true(in.asn_from_holder);
    assert_string_equal(in.as_name,
                        "RIPE-NCC-AS Reseaux IP Europeens Network Coordination Centre (RIPE NCC)");
    assert_string_equal(in.as_cc, "NL");
    a = A("8.8.8.8");
    wb_ipdb_lookup(db, &a, &in);
    assert_string_equal(in.reg_cc, "US");
    assert_int_equal(in.asn, 15169);
    assert_string_equal(in.as_name, "GOOGLE");
    /* every registry's records */
    const char *const cases[][3] = {
        {"1.159.255.255", "AU", "apnic"},
        {"47.91.10.20", "CN", "apnic"},
        {"200.160.2.3", "BR", "lacnic"},
        {"196.4.191.255", "ZA", "afrinic"},
        {"2001:67c:2e8:22::c100:68b", "NL", "ripencc"},
        {"2607:f8b0:4004:800::200e", "US", "arin"},
        {"2001:12ff:0:4::22", "BR", "lacnic"},
        {"104.239.157.210", "US", "arin"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        a = A(cases[i][0]);
        wb_ipdb_lookup(db, &a, &in);
        assert_string_equal(in.reg_cc, cases[i][1]);
        assert_string_equal(in.registry, cases[i][2]);
    }
    /* edges, gaps, available and reserved blocks */
    a = A("1.128.0.0");
    wb_ipdb_lookup(db, &a, &in);
    assert_string_equal(in.reg_cc, "AU");
    a = A("1.127.255.255");
    wb_ipdb_lookup(db, &a, &in);
    assert_string_equal(in.reg_cc, "");
    a = A("1.160.0.0");
    wb_ipdb_lookup(db, &a, &in);
    assert_string_equal(in.reg_cc, "");
    a = A("185.0.0.1");
    wb_ipdb_lookup(db, &a, &in);
    assert_string_equal(in.reg_cc, "");
    a = A("185.0.1.1");
    wb_ipdb_lookup(db, &a, &in);
    assert_string_equal(in.reg_cc, "");
    a = A("255.255.255.255");
    wb_ipdb_lookup(db, &a, &in);
    assert_string_equal(in.reg_cc, "");
    assert_int_equal(wb_ipdb_lookup_v4(db, 0), -1);
    wb_ipdb_free(db);
}

static void test_rir_errors(void **state)
{
    (void)state;
    wb_ipdb *db;
    wb_error err = {0};
    assert_int_equal(wb_ipdb_new(&db, &err), 0);
    const char *bad = "ripencc|NL|ipv4|193.0.0.0|2048|19930901|allocated|x\n"
                      "ripencc|NL|ipv9|193.0.0.0|2048|19930901|allocated|x\n";
    assert_int_equal(wb_ipdb_add_rir(db, bad, strlen(bad), "f", &err), WB_EPARSE);
    assert_string_equal(err.msg, "f:2: unknown type 'ipv9'");
    const char *bad2 = "arin|US|ipv4|255.255.255.0|512|1|allocated|x\n";
    assert_int_equal(wb_ipdb_add_rir(db, bad2, strlen(bad2), "g", &err), WB_EPARSE);
    assert_non_null(strstr(err.msg, "g:1:"));
    const char *bad3 = "arin|US|ipv4|1.2.3|256|1|allocated|x\n";
    assert_int_equal(wb_ipdb_add_rir(db, bad3, strlen(bad3), "h", &err), WB_EPARSE);
    const char *bad4 = "arin|US|ipv4\n";
    assert_int_equal(wb_ipdb_add_rir(db, bad4, strlen(bad4), "i", &err), WB_EPARSE);
    wb_ipdb_free(db);
}

/* The boundary structure against a brute-force scan, on addresses at and
 * around every range edge and on random ones. */
static void test_rir_oracle(void **state)
{
    (void)state;
    wb_ipdb *db;
    wb_error err = {0};
    assert_int_equal(wb_ipdb_new(&db, &err), 0);
    enum { N = 2000 };
    static uint32_t lo[N], hi[N];
    char cc[N][3];
    wb_buf b = {0};
    uint64_t x = 88172645463325252ULL;
    uint32_t next = 0x01000000;
    size_t n = 0;
    for (; n < N; n++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint32_t gap = (uint32_t)(x % 3) * (uint32_t)(1 + x % 4096);
        uint32_t count = 1 + (uint32_t)((x >> 20) % 70000);
        if ((uint64_t)next + gap + count > 0xfffffff0u) break;
        lo[n] = next + gap;
        hi[n] = lo[n] + count - 1;
        next = hi[n] + 1;
        cc[n][0] = (char)('A' + x % 26);
        cc[n][1] = (char)('A' + (x >> 8) % 26);
        cc[n][2] = '\0';
        assert_int_equal(wb_buf_printf(&b, "arin|%s|ipv4|%u.%u.%u.%u|%u|1|allocated|h%zu\n", cc[n],
                                       lo[n] >> 24, lo[n] >> 16 & 255, lo[n] >> 8 & 255,
                                       lo[n] & 255, count, n),
                         0);
    }
    assert_int_equal(wb_ipdb_add_rir(db, b.data, b.len, "gen", &err), 0);
    assert_int_equal(wb_ipdb_build(db, &err), 0);
    for (int k = 0; k < 60000; k++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint32_t ip;
        size_t r = (size_t)(x % n);
        switch (k % 4) {
        case 0:
            ip = lo[r];
            break;
        case 1:
            ip = hi[r];
            break;
        case 2:
            ip = lo[r] - 1;
            break;
        default:
            ip = (uint32_t)(x >> 32);
        }
        const char *want = "";
        for (size_t i = 0; i < n; i++)
            if (ip >= lo[i] && ip <= hi[i]) {
                want = cc[i];
                break;
            }
        if (k % 4 != 3 || k % 64 == 3) { /* the scan is slow: check a share of the random ones */
            int32_t rec = wb_ipdb_lookup_v4(db, ip);
            assert_string_equal(rec < 0 ? "" : wb_ipdb_record_cc(db, rec), want);
        }
    }
    wb_buf_free(&b);
    wb_ipdb_free(db);
}

static void test_mmdb(void **state)
{
    (void)state;
    wb_ipdb *db = load_db(true);
    wb_ipinfo in;
    /* answers read with mmdblookup from the same files */
    const char *const loc[][2] = {{"81.2.69.160", "GB"},   {"89.160.20.112", "SE"},
                                  {"216.160.83.56", "US"}, {"2001:218::1", "JP"},
                                  {"67.43.156.1", "BT"},   {"202.196.224.1", "PH"},
                                  {"2a02:d280::1", "CZ"}};
    for (size_t i = 0; i < sizeof loc / sizeof loc[0]; i++) {
        wb_addr a = A(loc[i][0]);
        wb_ipdb_lookup(db, &a, &in);
        assert_string_equal(in.loc_cc, loc[i][1]);
    }
    wb_addr a = A("81.2.69.160");
    wb_ipdb_lookup(db, &a, &in);
    assert_string_equal(in.reg_cc, "GB"); /* and the RIR fragment's registration */
    struct {
        const char *ip;
        uint32_t asn;
        const char *org;
    } asn[] = {{"1.128.0.0", 1221, "Telstra Pty Ltd"},
               {"12.81.92.0", 7018, "AT&T Services"},
               {"2600:6000::1", 237, "Merit Network Inc."},
               {"149.101.100.1", 6167, "CELLCO-PART"}};
    for (size_t i = 0; i < sizeof asn / sizeof asn[0]; i++) {
        a = A(asn[i].ip);
        wb_ipdb_lookup(db, &a, &in);
        assert_int_equal(in.asn, asn[i].asn);
        assert_false(in.asn_from_holder); /* the .mmdb's origin AS wins over the holder's */
        assert_string_equal(in.as_name, asn[i].org);
    }
    a = A("1.128.0.0");
    wb_ipdb_lookup(db, &a, &in);
    assert_string_equal(in.reg_cc, "AU");
    wb_ipdb_free(db);
    wb_error err = {0};
    assert_int_equal(wb_ipdb_new(&db, &err), 0);
    assert_int_equal(wb_ipdb_add_mmdb(db, DATA "asn.txt", &err), WB_EFORMAT);
    assert_int_equal(wb_ipdb_add_mmdb(db, DATA "nonexistent.mmdb", &err), WB_ENOTFOUND);
    wb_ipdb_free(db);
}

static void test_ccset(void **state)
{
    (void)state;
    wb_ccset eu = {0};
    wb_error err = {0};
    assert_int_equal(wb_ccset_load(&eu, WB_TEST_DATA "/../../data/eu-eea.txt", &err), 0);
    int n = 0;
    for (char a = 'A'; a <= 'Z'; a++)
        for (char b = 'A'; b <= 'Z'; b++) {
            char cc[3] = {a, b, 0};
            n += wb_ccset_has(&eu, cc);
        }
    assert_int_equal(n, 30); /* 27 EU members and Iceland, Liechtenstein, Norway */
    assert_true(wb_ccset_has(&eu, "NL"));
    assert_true(wb_ccset_has(&eu, "NO"));
    assert_true(wb_ccset_has(&eu, "gr"));
    assert_false(wb_ccset_has(&eu, "GB"));
    assert_false(wb_ccset_has(&eu, "CH"));
    assert_false(wb_ccset_has(&eu, "US"));
    assert_false(wb_ccset_has(&eu, ""));
    const char *bad = "NL\nNLD\n";
    assert_int_equal(wb_ccset_parse(&eu, bad, strlen(bad), "x", &err), WB_EPARSE);
    assert_string_equal(err.msg, "x:2: not a two-letter country code");
}

static void test_inventory(void **state)
{
    (void)state;
    wb_deps_inventory inv = {0};
    wb_error err = {0};
    const char *csv = "Address,Asset,Device class,Criticality,Owner\n"
                      "10.0.0.0/8,office,other,low,IT\n"
                      "10.1.0.0/16,plant,plc,critical,OT\n"
                      "10.1.2.3,\"inverter, roof\",inverter,high,Facilities\n"
                      "2001:db8::/32,v6net,server,medium,\n";
    assert_int_equal(wb_deps_inventory_parse(&inv, csv, strlen(csv), "inv.csv", &err), 0);
    assert_int_equal(inv.n, 4);
    wb_addr a = A("10.1.2.3");
    assert_int_equal(wb_deps_inventory_find(&inv, &a), 2);
    assert_string_equal(inv.assets[2].name, "inverter, roof");
    assert_int_equal(inv.assets[2].cls, WB_DEV_INVERTER);
    a = A("10.1.9.9");
    assert_int_equal(wb_deps_inventory_find(&inv, &a), 1); /* the most specific network */
    a = A("10.200.0.1");
    assert_int_equal(wb_deps_inventory_find(&inv, &a), 0);
    a = A("2001:db8::5");
    assert_int_equal(wb_deps_inventory_find(&inv, &a), 3);
    a = A("192.168.1.1");
    assert_int_equal(wb_deps_inventory_find(&inv, &a), -1);
    /* no header: the documented column order */
    const char *plain = "192.168.1.5,hp,heat pump,medium,home\n";
    assert_int_equal(wb_deps_inventory_parse(&inv, plain, strlen(plain), "p", &err), 0);
    assert_int_equal(inv.assets[0].cls, WB_DEV_HEAT_PUMP);
    const char *bad = "address,asset,class\n10.0.0.1,x,toaster\n";
    assert_int_equal(wb_deps_inventory_parse(&inv, bad, strlen(bad), "b.csv", &err), WB_EPARSE);
    assert_non_null(strstr(err.msg, "b.csv:2: unknown device class 'toaster'"));
    const char *bad2 = "address,asset\n10.0.0.300,x\n";
    assert_int_equal(wb_deps_inventory_parse(&inv, bad2, strlen(bad2), "c.csv", &err), WB_EPARSE);
    assert_non_null(strstr(err.msg, "c.csv:2:"));
    const char *bad3 = "asset,owner\nx,y\n";
    assert_int_equal(wb_deps_inventory_parse(&inv, bad3, strlen(bad3), "d.csv", &err), WB_EPARSE);
    wb_deps_inventory_free(&inv);
}

static void test_vendors(void **state)
{
    (void)state;
    wb_deps_vendors vs = {0};
    wb_error err = {0};
    assert_int_equal(wb_deps_vendors_load(&vs, WB_TEST_DATA "/../../data/vendor-clouds.yaml", &err),
                     0);
    assert_true(vs.n >= 6);
    size_t verified = 0;
    for (size_t i = 0; i < vs.n; i++) {
        const wb_deps_vendor *v = &vs.v[i];
        assert_true(v->ndomains > 0 || v->nasns > 0);
        assert_true(v->classes != 0);
        if (v->verified) {
            verified++;
            assert_non_null(v->source);
        }
        if (strcmp(v->vendor, "SolarEdge") == 0) assert_false(v->verified);
        if (strcmp(v->vendor, "Zaptec") == 0) {
            assert_true(v->verified);
            assert_string_equal(v->country, "NO");
            assert_int_equal(v->remote_control, 1);
        }
    }
    assert_true(verified >= 6);
    /* a fact without a source makes the entry unverified */
    const char *y = "vendors:\n  - vendor: X\n    classes: [inverter]\n    domains: [x.example]\n"
                    "    operator_country: {value: US, source: 'a doc'}\n";
    assert_int_equal(wb_deps_vendors_parse(&vs, y, strlen(y), "y", &err), 0);
    assert_false(vs.v[0].verified);
    const char *y2 = "vendors:\n  - vendor: X\n    classes: [toaster]\n";
    assert_int_equal(wb_deps_vendors_parse(&vs, y2, strlen(y2), "y2", &err), WB_EPARSE);
    assert_non_null(strstr(err.msg, "unknown class 'toaster'"));
    const char *y3 = "vendors: [\n";
    assert_int_equal(wb_deps_vendors_parse(&vs, y3, strlen(y3), "y3", &err), WB_EPARSE);
    wb_deps_vendors_free(&vs);
}

static void test_suppliers(void **state)
{
    (void)state;
    wb_deps_suppliers ss = {0};
    wb_error err = {0};
    const char *csv =
        "supplier,service,country,criticality,clauses,sbom_csaf,exit_plan,"
        "eu_alternative,domains,asns\n"
        "Acme Cloud,ERP,US,critical,yes,no,no,,erp.acme.example;acme.example,AS64500 64501\n"
        "Euro Host,backup,DE,high,yes,yes,yes,,backup.eu.example,\n";
    assert_int_equal(wb_deps_suppliers_parse(&ss, csv, strlen(csv), "s.csv", &err), 0);
    assert_int_equal(ss.n, 2);
    assert_int_equal(ss.s[0].ndomains, 2);
    assert_string_equal(ss.s[0].domains[1], "acme.example");
    assert_int_equal(ss.s[0].nasns, 2);
    assert_int_equal(ss.s[0].asns[1], 64501);
    assert_int_equal(ss.s[0].crit, WB_CRIT_CRITICAL);
    const char *json =
        "[{\"supplier\": \"Acme\", \"service\": \"mail\", \"country\": \"us\", "
        "\"criticality\": \"high\", \"sbom_csaf\": true, \"domains\": [\"m.acme.example\"], "
        "\"asns\": [64500]}]";
    assert_int_equal(wb_deps_suppliers_parse(&ss, json, strlen(json), "s.json", &err), 0);
    assert_int_equal(ss.n, 1);
    assert_string_equal(ss.s[0].country, "US");
    assert_string_equal(ss.s[0].sbom, "yes");
    assert_int_equal(ss.s[0].asns[0], 64500);
    const char *bad = "supplier,country\nx,USA\n";
    assert_int_equal(wb_deps_suppliers_parse(&ss, bad, strlen(bad), "b.csv", &err), WB_EPARSE);
    assert_non_null(strstr(err.msg, "b.csv:2: country"));
    wb_deps_suppliers_free(&ss);
}

/* ---- readers ---------------------------------------------------------------------- */

typedef struct rec {
    wb_deps_flow f[16];
    int nf;
    char names[16][64];
    char name_addr[16][64];
    int nn;
} rec;

static int rec_flow(void *ud, const wb_deps_flow *f)
{
    rec *r = ud;
    if (r->nf < 16) r->f[r->nf++] = *f;
    return 0;
}

static int rec_name(void *ud, const wb_addr *client, const wb_addr *a, const char *n, size_t len,
                    wb_deps_namekind k)
{
    (void)k;
    (void)client;
    rec *r = ud;
    if (r->nn < 16) {
        snprintf(r->names[r->nn], sizeof r->names[0], "%.*s", (int)len, n);
        wb_addr_format(a, 128, r->name_addr[r->nn], sizeof r->name_addr[0]);
        r->nn++;
    }
    return 0;
}

static void read_all(const char *fmt, const char *text, rec *r, uint64_t *skipped)
{
    memset(r, 0, sizeof *r);
    wb_deps_reader *rd;
    wb_error err = {0};
    assert_int_equal(wb_deps_reader_new(&rd, fmt, "t", &err), 0);
    wb_deps_sink sink = {r, rec_flow, rec_name};
    assert_int_equal(wb_deps_reader_block(rd, text, strlen(text), &sink, &err), 0);
    wb_deps_reader_counts(rd, NULL, skipped, NULL);
    wb_deps_reader_free(rd);
}

static void test_read_zeek(void **state)
{
    (void)state;
    rec r;
    uint64_t sk;
    const char *conn = "#separator \\x09\n#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.orig_p\t"
                       "id.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\n"
                       "1793491200.250000\tC1\t10.0.0.2\t40000\t8.8.8.8\t443\ttcp\t-\t3600.5\t"
                       "100\t2000\n"
                       "1793491300.0\tC2\t10.0.0.2\t40001\t2001:db8::1\t53\tudp\t-\t-\t-\t-\n"
                       "garbage\n";
    read_all(NULL, conn, &r, &sk); /* detected */
    assert_int_equal(r.nf, 2);
    assert_int_equal(sk, 1);
    assert_int_equal(r.f[0].ts, 1793491200250000LL);
    assert_true(r.f[0].duration > 3600.4 && r.f[0].duration < 3600.6);
    assert_int_equal(r.f[0].src_bytes, 100);
    assert_int_equal(r.f[0].dst_bytes, 2000);
    assert_int_equal(r.f[0].dport, 443);
    assert_int_equal(r.f[0].proto, 6);
    assert_true(r.f[0].initiator_known);
    assert_int_equal(r.f[1].proto, 17);
    const char *dns = "#separator \\x09\n#path\tdns\n#fields\tts\tuid\tid.orig_h\tid.orig_p\t"
                      "id.resp_h\tid.resp_p\tproto\tquery\tanswers\n"
                      "1.0\tC1\t10.0.0.2\t5\t10.0.0.1\t53\tudp\tcloud.example\t"
                      "cname.example,93.184.216.34,2606:2800:220:1::1\n";
    read_all("zeek", dns, &r, &sk);
    assert_int_equal(r.nf, 0);
    assert_int_equal(r.nn, 2);
    assert_string_equal(r.names[0], "cloud.example");
    assert_string_equal(r.name_addr[0], "93.184.216.34");
    assert_string_equal(r.name_addr[1], "2606:2800:220:1::1");
    const char *ssl = "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tserver_name\n"
                      "1.0\tC1\t10.0.0.2\t5\t93.184.216.34\t443\tsni.example\n";
    read_all("zeek", ssl, &r, &sk);
    assert_int_equal(r.nn, 1);
    assert_string_equal(r.names[0], "sni.example");
}

static void test_read_json(void **state)
{
    (void)state;
    rec r;
    uint64_t sk;
    const char *eve =
        "{\"timestamp\":\"2026-11-01T10:00:00.000000+0000\",\"event_type\":\"flow\",\"src_ip\":"
        "\"10.0.0.2\",\"src_port\":40000,\"dest_ip\":\"8.8.8.8\",\"dest_port\":443,\"proto\":"
        "\"TCP\","
        "\"flow\":{\"bytes_toserver\":10,\"bytes_toclient\":20,\"start\":\"2026-11-01T09:00:00."
        "000000+0000\","
        "\"end\":\"2026-11-01T10:00:00.000000+0000\"}}\n"
        "{\"event_type\":\"dns\",\"src_ip\":\"10.0.0.1\",\"dest_ip\":\"10.0.0.2\",\"dns\":{"
        "\"type\":"
        "\"answer\",\"rrname\":\"a.example\",\"answers\":[{\"rrname\":\"a.example\",\"rrtype\":"
        "\"A\","
        "\"rdata\":\"1.2.3.4\"}]}}\n"
        "{\"event_type\":\"tls\",\"src_ip\":\"10.0.0.2\",\"dest_ip\":\"5.6.7.8\",\"tls\":{\"sni\":"
        "\"t.example\"}}\n"
        "{\"event_type\":\"http\",\"src_ip\":\"10.0.0.2\",\"dest_ip\":\"5.6.7.9\",\"http\":{"
        "\"hostname\":\"h.example\"}}\n"
        "not json\n";
    read_all("eve", eve, &r, &sk);
    assert_int_equal(r.nf, 1);
    assert_int_equal(sk, 1);
    assert_int_equal(r.f[0].ts, 1793523600000000LL);
    assert_true(r.f[0].duration > 3599.9 && r.f[0].duration < 3600.1);
    assert_int_equal(r.f[0].src_bytes, 10);
    assert_int_equal(r.f[0].dst_bytes, 20);
    assert_int_equal(r.nn, 3);
    assert_string_equal(r.names[0], "a.example");
    assert_string_equal(r.name_addr[0], "1.2.3.4");
    assert_string_equal(r.names[1], "t.example");
    assert_string_equal(r.name_addr[2], "5.6.7.9");
    const char *zj =
        "{\"ts\":1793491200.5,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.2\",\"id.orig_p\":1,"
        "\"id.resp_h\":\"9.9.9.9\",\"id.resp_p\":853,\"proto\":\"tcp\",\"duration\":2.0,"
        "\"orig_bytes\":5,\"resp_bytes\":6}\n"
        "{\"ts\":1793491200.5,\"uid\":\"C2\",\"id.orig_h\":\"10.0.0.2\",\"id.orig_p\":1,"
        "\"id.resp_h\":\"10.0.0.1\",\"id.resp_p\":53,\"query\":\"q.example\","
        "\"answers\":[\"9.9.9.9\"]}\n";
    read_all(NULL, zj, &r, &sk);
    assert_int_equal(r.nf, 1);
    assert_int_equal(r.f[0].dport, 853);
    assert_int_equal(r.f[0].dst_bytes, 6);
    assert_int_equal(r.nn, 1);
    assert_string_equal(r.names[0], "q.example");
}

static void test_read_csv(void **state)
{
    (void)state;
    rec r;
    uint64_t sk;
    const char *nf = "ts,te,td,sa,da,sp,dp,pr,flg,ibyt,obyt\n"
                     "2018-01-12 15:37:30,2018-01-12 15:37:31,1.500,147.32.80.119,8.8.8.8,52324,53,"
                     "UDP,......,60,0\n"
                     "2018-01-12 15:37:30,2018-01-12 15:37:31,1.500,8.8.8.8,147.32.80.119,53,52324,"
                     "UDP,......,90,0\n"
                     "Summary\nflows,bytes\n1,2\n";
    read_all(NULL, nf, &r, &sk);
    assert_int_equal(r.nf, 2);
    assert_int_equal(sk, 0);
    assert_int_equal(r.f[0].ts, 1515771450000000LL);
    assert_false(r.f[0].initiator_known);
    assert_int_equal(r.f[0].src_bytes, 60);
    const char *ipfix = "flowStartMilliseconds,flowEndMilliseconds,sourceIPv4Address,"
                        "destinationIPv4Address,sourceTransportPort,destinationTransportPort,"
                        "protocolIdentifier,octetDeltaCount,reverseOctetDeltaCount\n"
                        "1793491200000,1793494800000,10.0.0.2,8.8.4.4,40000,443,6,111,222\n";
    read_all("csv", ipfix, &r, &sk);
    assert_int_equal(r.nf, 1);
    assert_int_equal(r.f[0].ts, 1793491200000000LL);
    assert_true(r.f[0].duration > 3599.9 && r.f[0].duration < 3600.1);
    assert_int_equal(r.f[0].dst_bytes, 222);
    assert_int_equal(r.f[0].proto, 6);
    wb_deps_reader *rd;
    wb_error err = {0};
    assert_int_equal(wb_deps_reader_new(&rd, "csv", "x.csv", &err), 0);
    rec rr = {0};
    wb_deps_sink sink = {&rr, rec_flow, rec_name};
    const char *nohdr = "a,b,c\n1,2,3\n";
    assert_int_equal(wb_deps_reader_block(rd, nohdr, strlen(nohdr), &sink, &err), WB_EFORMAT);
    wb_deps_reader_free(rd);
    assert_int_equal(wb_deps_reader_new(&rd, "pcap", "x", &err), WB_EINVAL);
}

static void test_read_dnsmasq(void **state)
{
    (void)state;
    rec r;
    uint64_t sk;
    const char *log = "Nov  1 10:00:00 dnsmasq[812]: query[A] cloud.example from 10.0.0.2\n"
                      "Nov  1 10:00:00 dnsmasq[812]: forwarded cloud.example to 9.9.9.9\n"
                      "Nov  1 10:00:00 dnsmasq[812]: reply cloud.example is 93.184.216.34\n"
                      "Nov  1 10:00:00 dnsmasq[812]: reply cloud.example is <CNAME>\n"
                      "Nov  1 10:00:01 dnsmasq[812]: cached other.example is 2001:db8::7\n";
    read_all(NULL, log, &r, &sk);
    assert_int_equal(r.nf, 0);
    assert_int_equal(r.nn, 2);
    assert_string_equal(r.names[0], "cloud.example");
    assert_string_equal(r.name_addr[0], "93.184.216.34");
    assert_string_equal(r.names[1], "other.example");
    assert_string_equal(r.name_addr[1], "2001:db8::7");
    read_all("dnsmasq", log, &r, &sk);
    assert_int_equal(r.nn, 2);
}

/* ---- the map and its rules ----------------------------------------------------------- */

static void flow(wb_deps_map *m, const char *src, const char *dst, int64_t t, double dur)
{
    wb_deps_flow f = {.ts = t * 1000000,
                      .duration = dur,
                      .sport = 40000,
                      .dport = 443,
                      .proto = 6,
                      .src_bytes = 100,
                      .dst_bytes = 1000,
                      .initiator_known = true};
    f.src = A(src);
    f.dst = A(dst);
    wb_deps_sink s = wb_deps_map_sink(m);
    assert_int_equal(s.flow(s.ud, &f), 0);
}

static const wb_deps_dep *find_dep(const wb_deps_report *r, const char *asset, const char *ep)
{
    for (size_t a = 0; a < r->nassets; a++)
        if (strcmp(r->assets[a].name, asset) == 0)
            for (size_t k = 0; k < r->assets[a].ndeps; k++)
                if (strcmp(r->assets[a].deps[k].addr, ep) == 0) return &r->assets[a].deps[k];
    fail_msg("no dependency %s -> %s", asset, ep);
    return NULL;
}

static void test_rules(void **state)
{
    (void)state;
    wb_error err = {0};
    wb_deps_inventory inv = {0};
    const char *csv =
        "address,asset,class,criticality,owner\n"
        "10.0.0.1,inv12,inverter,high,x\n10.0.0.2,inv11,inverter,high,x\n"
        "10.0.0.3,inv-long,inverter,high,x\n10.0.0.4,inv-short,inverter,high,x\n"
        "10.0.0.5,laptop,workstation,low,x\n10.0.0.6,hp-vendor,heat-pump,high,x\n"
        "10.0.0.7,hp-unverified,heat-pump,high,x\n10.0.0.8,hp-supplier,heat-pump,high,x\n";
    assert_int_equal(wb_deps_inventory_parse(&inv, csv, strlen(csv), "inv", &err), 0);
    wb_deps_map *m;
    wb_deps_cfg cfg;
    wb_deps_cfg_default(&cfg);
    assert_int_equal(wb_deps_map_new(&m, &cfg, &inv, &err), 0);
    const int64_t day0 = 1793491200;
    /* five observed days; 80 % of 5 = 4 contact days */
    for (int d = 0; d < 5; d++) {
        for (int k = 0; k < 12; k++) {
            if (d < 4)
                flow(m, "10.0.0.1", "8.8.8.8", day0 + d * 86400 + k * 7200, 1); /* 12 x 4 days */
            if (d < 4 && k < 11) flow(m, "10.0.0.2", "8.8.8.8", day0 + d * 86400 + k * 7200, 1);
            if (d < 3) flow(m, "10.0.0.5", "8.8.8.8", day0 + d * 86400 + k * 7200, 1); /* 3 of 5 */
            flow(m, "10.0.0.6", "20.50.60.70", day0 + d * 86400 + k * 7200, 1);
            flow(m, "10.0.0.7", "185.20.30.40", day0 + d * 86400 + k * 7200, 1);
            flow(m, "10.0.0.8", "23.253.1.1", day0 + d * 86400 + k * 7200, 1);
        }
        flow(m, "10.0.0.5", "8.8.8.8", day0 + d * 86400 + 80000, 1); /* the 5th day exists */
    }
    flow(m, "10.0.0.3", "104.239.157.210", day0, 3600);
    flow(m, "10.0.0.4", "104.239.157.210", day0, 3599.9);
    /* names: the vendor cloud's DNS answer */
    wb_deps_sink s = wb_deps_map_sink(m);
    wb_addr az = A("20.50.60.70"), se = A("185.20.30.40"), rs = A("23.253.1.1");
    assert_int_equal(s.name(s.ud, NULL, &az, "zapcloud.azure-devices.net.", 27, WB_NAME_DNS), 0);
    assert_int_equal(s.name(s.ud, NULL, &se, "prod.solaredge.com", 18, WB_NAME_DNS), 0);
    assert_int_equal(s.name(s.ud, NULL, &rs, "hp.acme.example", 15, WB_NAME_SNI), 0);
    wb_ipdb *db;
    assert_int_equal(wb_ipdb_new(&db, &err), 0);
    const char *rir = "arin|US|ipv4|8.8.8.0|256|1|assigned|g\n"
                      "arin|US|ipv4|104.239.128.0|32768|1|allocated|r\n"
                      "arin|US|ipv4|20.0.0.0|4194304|1|allocated|ms\n"
                      "ripencc|NL|ipv4|185.20.0.0|65536|1|allocated|nl\n"
                      "arin|US|ipv4|23.253.0.0|65536|1|allocated|r\n";
    assert_int_equal(wb_ipdb_add_rir(db, rir, strlen(rir), "rir", &err), 0);
    assert_int_equal(wb_ipdb_build(db, &err), 0);
    wb_ccset eu = {0};
    assert_int_equal(wb_ccset_load(&eu, WB_TEST_DATA "/../../data/eu-eea.txt", &err), 0);
    wb_deps_vendors vs = {0};
    assert_int_equal(wb_deps_vendors_load(&vs, WB_TEST_DATA "/../../data/vendor-clouds.yaml", &err),
                     0);
    wb_deps_suppliers ss = {0};
    const char *sup = "supplier,service,country,criticality,domains,eu_alternative\n"
                      "Acme HP,heat pump cloud,DE,high,acme.example,\n"
                      "Gone,old,US,critical,gone.example,\n"
                      "Alt,thing,US,critical,,Euro Thing\n";
    assert_int_equal(wb_deps_suppliers_parse(&ss, sup, strlen(sup), "sup", &err), 0);
    wb_deps_report *r;
    assert_int_equal(wb_deps_report_build(&r, m, db, &eu, &vs, &ss, &err), 0);
    assert_int_equal(r->observed_days, 5);
    const wb_deps_dep *d = find_dep(r, "inv12", "8.8.8.8");
    assert_int_equal(d->pattern, WB_PAT_PERIODIC);
    assert_true(d->exposure);
    assert_int_equal(d->periodic_days, 4);
    d = find_dep(r, "inv11", "8.8.8.8");
    assert_int_equal(d->pattern, WB_PAT_OCCASIONAL); /* 11 a day is not enough */
    assert_false(d->exposure);
    d = find_dep(r, "inv-long", "104.239.157.210");
    assert_int_equal(d->pattern, WB_PAT_LONG_LIVED);
    assert_true(d->exposure);
    d = find_dep(r, "inv-short", "104.239.157.210");
    assert_int_equal(d->pattern, WB_PAT_OCCASIONAL);
    d = find_dep(r, "laptop", "8.8.8.8");
    assert_false(d->exposure); /* not an energy device, and 3 of 5 days */
    /* Azure (US registration), Zaptec (verified, Norway): jurisdiction decides */
    d = find_dep(r, "hp-vendor", "20.50.60.70");
    assert_string_equal(d->ip.reg_cc, "US");
    assert_string_equal(d->jur_cc, "NO");
    assert_string_equal(d->jur_source, "vendor-clouds");
    assert_false(d->leaves_eu);
    assert_false(d->exposure);
    assert_string_equal(d->provider, "Zaptec");
    /* SolarEdge is unverified: its IL never decides; the NL registration does */
    d = find_dep(r, "hp-unverified", "185.20.30.40");
    assert_string_equal(d->jur_cc, "");
    assert_string_equal(d->decide_cc, "NL");
    assert_false(d->exposure);
    assert_non_null(d->vendor);
    assert_false(d->vendor->verified);
    /* the supplier register's country beats the registration */
    d = find_dep(r, "hp-supplier", "23.253.1.1");
    assert_string_equal(d->jur_cc, "DE");
    assert_string_equal(d->jur_source, "supplier register");
    assert_false(d->exposure);
    assert_int_equal(r->nexposures, 2);
    assert_int_equal(r->nunseen, 2); /* Gone and Alt */
    assert_int_equal(r->nno_eu_alt, 1);
    assert_string_equal(r->no_eu_alt[0]->supplier, "Gone");
    assert_true(r->nunregistered >= 1);
    /* every format renders */
    const char *fmts[] = {"table", "json", "csv", "dot", "svg", "html"};
    for (size_t i = 0; i < 6; i++) {
        wb_buf out = {0};
        assert_int_equal(wb_deps_report_write(r, fmts[i], &out, &err), 0);
        assert_true(out.len > 100);
        wb_buf_free(&out);
    }
    wb_buf out = {0};
    assert_int_equal(wb_deps_report_write(r, "pdf", &out, &err), WB_EINVAL);
    wb_deps_report_free(r);
    wb_deps_map_free(m);
    /* the pair bound */
    cfg.max_pairs = 2;
    assert_int_equal(wb_deps_map_new(&m, &cfg, &inv, &err), 0);
    flow(m, "10.0.0.1", "8.8.8.8", day0, 1);
    flow(m, "10.0.0.1", "8.8.8.9", day0, 1);
    wb_deps_flow f = {.ts = day0 * 1000000, .src = A("10.0.0.1"), .dst = A("8.8.8.10")};
    s = wb_deps_map_sink(m);
    assert_int_equal(s.flow(s.ud, &f), WB_ELIMIT);
    wb_deps_map_free(m);
    wb_deps_suppliers_free(&ss);
    wb_deps_vendors_free(&vs);
    wb_ipdb_free(db);
    wb_deps_inventory_free(&inv);
}

/* Names are the ones each asset used; a name without a client (a resolver's
 * log) is the fallback; an asset that only asked is no dependency. */
static void test_names_per_asset(void **state)
{
    (void)state;
    wb_error err = {0};
    wb_deps_map *m;
    assert_int_equal(wb_deps_map_new(&m, NULL, NULL, &err), 0);
    wb_deps_sink s = wb_deps_map_sink(m);
    wb_addr a = A("10.0.0.1"), b = A("10.0.0.2"), ep = A("93.184.216.34"), ep2 = A("1.1.1.1");
    assert_int_equal(s.name(s.ud, &a, &ep, "a.example", 9, WB_NAME_DNS), 0);
    assert_int_equal(s.name(s.ud, &b, &ep, "b.example", 9, WB_NAME_SNI), 0);
    assert_int_equal(s.name(s.ud, NULL, &ep, "c.example", 9, WB_NAME_DNS), 0);
    assert_int_equal(s.name(s.ud, &a, &ep2, "only.example", 12, WB_NAME_DNS), 0);
    flow(m, "10.0.0.1", "93.184.216.34", 1793491200, 1);
    flow(m, "10.0.0.2", "93.184.216.34", 1793491200, 1);
    flow(m, "10.0.0.3", "93.184.216.34", 1793491200, 1);
    wb_deps_report *r;
    assert_int_equal(wb_deps_report_build(&r, m, NULL, NULL, NULL, NULL, &err), 0);
    assert_int_equal(r->nassets, 3);
    const wb_deps_dep *d = find_dep(r, "10.0.0.1", "93.184.216.34");
    assert_int_equal(d->nnames, 1);
    assert_string_equal(d->names[0], "a.example");
    d = find_dep(r, "10.0.0.2", "93.184.216.34");
    assert_string_equal(d->names[0], "b.example");
    d = find_dep(r, "10.0.0.3", "93.184.216.34");
    assert_int_equal(d->nnames, 3); /* nobody's in particular: every name of the address */
    for (size_t i = 0; i < r->nassets; i++)
        assert_int_equal(r->assets[i].ndeps, 1);
    wb_deps_report_free(r);
    wb_deps_map_free(m);
}

/* Blocks after the first are parsed on worker threads into maps of their
 * own and merged: the result must not depend on the number of threads, also
 * when an inventory network's own address belongs to a more specific entry. */
static void test_threads(void **state)
{
    (void)state;
    char path[] = "/tmp/wb-deps-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\t"
          "proto\tservice\tduration\torig_bytes\tresp_bytes\n",
          f);
    for (int i = 0; i < 90000; i++) /* about 7 MB: two blocks or more */
        fprintf(f, "%d.5\tC%d\t10.0.%d.%d\t40000\t8.8.%d.8\t443\ttcp\t-\t1.5\t100\t200\n",
                1793491200 + i * 5, i, i % 2 ? 0 : 9, i % 7, i % 3);
    fclose(f);
    wb_deps_inventory inv = {0};
    wb_error err = {0};
    const char *csv = "10.0.0.0/8,net,other,low,x\n10.0.0.0/24,sub,plc,critical,y\n";
    assert_int_equal(wb_deps_inventory_parse(&inv, csv, strlen(csv), "inv", &err), 0);
    char *out[2] = {NULL, NULL};
    for (unsigned t = 1; t <= 2; t++) {
        wb_deps_map *m;
        assert_int_equal(wb_deps_map_new(&m, NULL, &inv, &err), 0);
        assert_int_equal(wb_deps_map_read(m, path, NULL, t, &err), 0);
        wb_deps_report *r;
        assert_int_equal(wb_deps_report_build(&r, m, NULL, NULL, NULL, NULL, &err), 0);
        assert_int_equal(r->nassets, 2);
        assert_int_equal(r->records, 90000);
        wb_buf b = {0};
        assert_int_equal(wb_deps_report_write(r, "json", &b, &err), 0);
        out[t - 1] = b.data;
        wb_deps_report_free(r);
        wb_deps_map_free(m);
    }
    assert_string_equal(out[0], out[1]);
    assert_non_null(strstr(out[0], "\"asset\": \"sub\""));
    free(out[0]);
    free(out[1]);
    wb_deps_inventory_free(&inv);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rir),
        cmocka_unit_test(test_rir_errors),
        cmocka_unit_test(test_rir_oracle),
        cmocka_unit_test(test_mmdb),
        cmocka_unit_test(test_ccset),
        cmocka_unit_test(test_inventory),
        cmocka_unit_test(test_vendors),
        cmocka_unit_test(test_suppliers),
        cmocka_unit_test(test_read_zeek),
        cmocka_unit_test(test_read_json),
        cmocka_unit_test(test_read_csv),
        cmocka_unit_test(test_read_dnsmasq),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_names_per_asset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
