/*
 * test_intel_lines.c - the line formats: Zeek Intel files (the Zeek
 * documentation's example and files written here), CSV with a header and
 * plain lists, plus format detection and directory loading.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "recsink.h"

static void zeek_doc_example(void **state)
{
    (void)state;
    const char *path = WB_SHARED_DIR "/testdata/zeek/intel-basic.txt";
    recsink r;
    rec_init(&r);
    wb_error err = {0};
    assert_int_equal(wb_intel_load(path, NULL, &r.sink, &err), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.iocs[0].type, WB_IOC_DOMAIN);
    assert_string_equal(r.iocs[0].value, "www.reddit.com");
    assert_string_equal(r.iocs[0].source, path);
    char where[512];
    snprintf(where, sizeof where, "%s:2", path);
    assert_string_equal(r.iocs[0].where, where);
    rec_free(&r);
}

static void zeek_types(void **state)
{
    (void)state;
    static const char text[] =
        "#separator \\x09\n"
        "#set_separator\t,\n"
        "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\n"
        "#types\tstring\tenum\tstring\tstring\n"
        "192.0.2.1\tIntel::ADDR\tfeed\t-\n"
        "2001:db8::/32\tIntel::SUBNET\tfeed\tdoc net\r\n"
        "evil.example\tIntel::DOMAIN\tfeed\t-\n"
        "evil.example/gate.php?id=1\tIntel::URL\tfeed\t-\n"
        "https://evil.example/x\tIntel::URL\tfeed\t-\n"
        "bad@evil.example\tIntel::EMAIL\tfeed\t-\n"
        "0749bae92ca336a02c83d126e04ec628\tIntel::FILE_HASH\tfeed\t-\n"
        "77b0c41b7d340b8a3d903f21347bbf06aa766b5b\tIntel::FILE_HASH\tfeed\t-\n"
        "b3c4ae251f8094fa15b510051835c657eaef2a6cea46075d3aec964b14a99f68\tIntel::FILE_HASH\tf\t-\n"
        "abc\tIntel::FILE_HASH\tfeed\t-\n"
        "\n"
        "root\tIntel::USER_NAME\tfeed\t-\n"
        "x.exe\tIntel::FILE_NAME\tfeed\t-\n"
        "x\tIntel::NEW_THING\tfeed\t-\n"
        "-\tIntel::ADDR\tfeed\t-\n"
        "# a comment\n";
    recsink r;
    rec_init(&r);
    wb_error err;
    assert_int_equal(rec_load_str(&r, "i.txt", text, NULL, &err), 0);
    assert_int_equal(r.n, 9);
    assert_int_equal(rec_find(&r, "192.0.2.1")->type, WB_IOC_IP);
    assert_string_equal(rec_find(&r, "192.0.2.1")->where, "i.txt:5");
    assert_int_equal(rec_find(&r, "2001:db8::/32")->type, WB_IOC_CIDR);
    assert_int_equal(rec_find(&r, "evil.example")->type, WB_IOC_DOMAIN);
    /* Zeek leaves the scheme off; any scheme gives the same URL key. */
    assert_int_equal(rec_find(&r, "http://evil.example/gate.php?id=1")->type, WB_IOC_URL);
    assert_non_null(rec_find(&r, "https://evil.example/x"));
    assert_int_equal(rec_find(&r, "bad@evil.example")->type, WB_IOC_EMAIL);
    assert_int_equal(rec_count(&r, WB_IOC_MD5), 1);
    assert_int_equal(rec_count(&r, WB_IOC_SHA1), 1);
    assert_int_equal(rec_count(&r, WB_IOC_SHA256), 1);
    assert_int_equal(rec_skips(&r, "file hash of unknown length"), 1);
    assert_int_equal(rec_skips(&r, "unsupported Zeek intel type 'Intel::USER_NAME'"), 1);
    assert_int_equal(rec_skips(&r, "unsupported Zeek intel type 'Intel::FILE_NAME'"), 1);
    assert_int_equal(rec_skips(&r, "unsupported Zeek intel type"), 1);
    assert_int_equal(rec_skips(&r, "empty indicator"), 1);
    rec_free(&r);
}

static void zeek_errors(void **state)
{
    (void)state;
    recsink r;
    rec_init(&r);
    wb_error err;
    wb_intel_opts zeek = {.format = WB_INTEL_ZEEK};
    assert_int_equal(rec_load_str(&r, "w.txt",
                                  "#fields\tindicator\tindicator_type\tmeta.source\n"
                                  "192.0.2.1\tIntel::ADDR\tfeed\n"
                                  "192.0.2.2\tIntel::ADDR\n",
                                  NULL, &err),
                     WB_EPARSE);
    assert_string_equal(err.msg, "w.txt:3: 2 fields, but #fields names 3");
    assert_int_equal(r.n, 1);
    assert_int_equal(rec_load_str(&r, "d.txt", "192.0.2.1\tIntel::ADDR\n", &zeek, &err), WB_EPARSE);
    assert_string_equal(err.msg, "d.txt:1: data before the #fields header");
    assert_int_equal(rec_load_str(&r, "f.txt", "#fields\tindicator\tmeta.source\n", NULL, &err),
                     WB_EPARSE);
    assert_string_equal(err.msg, "f.txt:1: #fields names no indicator or no indicator_type column");
    assert_int_equal(rec_load_str(&r, "s.txt", "#separator XY\n", &zeek, &err), WB_EPARSE);
    assert_string_equal(err.msg, "s.txt:1: unsupported #separator 'XY'");
    rec_free(&r);
}

static void csv_formats(void **state)
{
    (void)state;
    static const char text[] =
        "\xef\xbb\xbf"
        "Type, Value ,event,uuid,tlp,valid_until,source,comment\n"
        "ip,192.0.2.1,e1,a1,green,2030-01-01T00:00:00Z,feedA,plain\n"
        "cidr,198.51.100.0/24,,,,,,\n"
        "ip-dst,203.0.113.5,,,TLP:RED,1893456000,,\n"
        "domain|ip,evil.example|192.0.2.9,,,,,,\n"
        "\"url\",\"http://evil.example/a,b?q=\"\"x\"\"\",,,,,,\"multi\n"
        "line comment\"\n"
        "sha256,B3C4AE251F8094FA15B510051835C657EAEF2A6CEA46075D3AEC964B14A99F68,,,,,,\n"
        ",bad@evil.example,,,,,,\n"
        "\n"
        "# a comment line\n"
        "frobnicate,x,,,,,,\n"
        "ip,192.0.2.2,,,\n"
        "ip,192.0.2.3,,,purple,,,\n"
        "ip,192.0.2.4,,,,yesterday,,\n"
        "ip,,,,,,,\n"
        ",???,,,,,,\n"
        "hostname,h.example,,,,,,\r\n";
    recsink r;
    rec_init(&r);
    wb_error err;
    assert_int_equal(rec_load_str(&r, "i.csv", text, NULL, &err), 0);
    const rec_ioc *a = rec_find(&r, "192.0.2.1");
    assert_non_null(a);
    assert_int_equal(a->type, WB_IOC_IP);
    assert_string_equal(a->event, "e1");
    assert_string_equal(a->attribute, "a1");
    assert_int_equal(a->tlp, WB_TLP_GREEN);
    assert_string_equal(a->source, "feedA");
    assert_string_equal(a->where, "i.csv:2");
    wb_time t;
    assert_int_equal(wb_time_parse("2030-01-01T00:00:00Z", 20, &t), 0);
    assert_true(a->valid_until == t);
    assert_int_equal(rec_find(&r, "198.51.100.0/24")->type, WB_IOC_CIDR);
    assert_null(rec_find(&r, "198.51.100.0/24")->event);
    assert_string_equal(rec_find(&r, "198.51.100.0/24")->source, "i.csv");
    const rec_ioc *b = rec_find(&r, "203.0.113.5");
    assert_int_equal(b->tlp, WB_TLP_RED);
    assert_true(b->valid_until == (wb_time)1893456000 * 1000000);
    assert_int_equal(rec_find(&r, "evil.example")->type, WB_IOC_DOMAIN);
    assert_int_equal(rec_find(&r, "192.0.2.9")->type, WB_IOC_IP);
    const rec_ioc *u = rec_find(&r, "http://evil.example/a,b?q=\"x\"");
    assert_non_null(u);
    assert_int_equal(u->type, WB_IOC_URL);
    assert_string_equal(u->where, "i.csv:6");
    const rec_ioc *s =
        rec_find(&r, "B3C4AE251F8094FA15B510051835C657EAEF2A6CEA46075D3AEC964B14A99F68");
    assert_int_equal(s->type, WB_IOC_SHA256);
    assert_string_equal(s->where, "i.csv:8"); /* after the two-line record */
    assert_int_equal(rec_find(&r, "bad@evil.example")->type, WB_IOC_EMAIL); /* guessed */
    assert_int_equal(rec_find(&r, "h.example")->type, WB_IOC_HOSTNAME);
    assert_int_equal(r.n, 9);
    assert_int_equal(rec_skips(&r, "unknown indicator type"), 1);
    assert_int_equal(rec_skips(&r, "wrong number of CSV columns"), 1);
    assert_int_equal(rec_skips(&r, "invalid TLP"), 1);
    assert_int_equal(rec_skips(&r, "invalid valid_until"), 1);
    assert_int_equal(rec_skips(&r, "empty value"), 1);
    assert_int_equal(rec_skips(&r, "cannot tell the indicator type"), 1);
    assert_int_equal(r.nskip, 6);
    for (size_t i = 0; i < r.nskip; i++)
        if (strcmp(r.skips[i].reason, "unknown indicator type") == 0)
            assert_string_equal(r.skips[i].where, "i.csv:12");
    rec_free(&r);
}

static void csv_other_headers(void **state)
{
    (void)state;
    recsink r;
    rec_init(&r);
    wb_error err;
    /* No type column: guessed; "indicator" names the value. */
    assert_int_equal(rec_load_str(&r, "g.csv",
                                  "indicator,comment\n192.0.2.1,x\nevil.example,y\n"
                                  "0749bae92ca336a02c83d126e04ec628,z\n",
                                  NULL, &err),
                     0);
    assert_int_equal(r.n, 3);
    assert_int_equal(rec_count(&r, WB_IOC_MD5), 1);
    assert_int_equal(rec_load_str(&r, "t.csv",
                                  "IOC,Indicator_Type\n\"evil.example\",hostname\n"
                                  "\"unterminated,domain\n",
                                  NULL, &err),
                     0);
    assert_int_equal(r.n, 1);
    assert_int_equal(rec_find(&r, "evil.example")->type, WB_IOC_HOSTNAME);
    assert_int_equal(rec_skips(&r, "unterminated quoted field"), 1);
    /* No value column: the file is rejected. */
    wb_intel_opts csv = {.format = WB_INTEL_CSV};
    assert_int_equal(
        rec_load_str(&r, "n.csv", "# exported\ntype,thing\nip,192.0.2.1\n", &csv, &err), WB_EPARSE);
    assert_string_equal(err.msg,
                        "n.csv:2: the CSV header names no value column (value, indicator or ioc)");
    rec_free(&r);
}

static void plain_lists(void **state)
{
    (void)state;
    static const char text[] = "# blocklist\n"
                               "192.0.2.1\n"
                               "  198.51.100.0/24   # a comment\n"
                               "2001:db8::1\r\n"
                               "http://evil.example/x#frag\n"
                               "Evil.Example.\n"
                               "0749bae92ca336a02c83d126e04ec628\n"
                               "77b0c41b7d340b8a3d903f21347bbf06aa766b5b\n"
                               "b3c4ae251f8094fa15b510051835c657eaef2a6cea46075d3aec964b14a99f68\n"
                               "bad@evil.example\n"
                               "\n"
                               "not a value\n"
                               "1.2.3\n"
                               "localhost\n"
                               "x_y.example";
    recsink r;
    rec_init(&r);
    wb_error err;
    assert_int_equal(rec_load_str(&r, "p.txt", text, NULL, &err), 0);
    assert_int_equal(rec_find(&r, "192.0.2.1")->type, WB_IOC_IP);
    assert_string_equal(rec_find(&r, "192.0.2.1")->where, "p.txt:2");
    assert_int_equal(rec_find(&r, "198.51.100.0/24")->type, WB_IOC_IP);
    assert_int_equal(rec_find(&r, "2001:db8::1")->type, WB_IOC_IP);
    assert_int_equal(rec_find(&r, "http://evil.example/x#frag")->type, WB_IOC_URL);
    assert_int_equal(rec_find(&r, "Evil.Example.")->type, WB_IOC_DOMAIN);
    assert_int_equal(rec_count(&r, WB_IOC_MD5), 1);
    assert_int_equal(rec_count(&r, WB_IOC_SHA1), 1);
    assert_int_equal(rec_count(&r, WB_IOC_SHA256), 1);
    assert_int_equal(rec_find(&r, "bad@evil.example")->type, WB_IOC_EMAIL);
    assert_int_equal(rec_find(&r, "x_y.example")->type, WB_IOC_DOMAIN);
    assert_int_equal(r.n, 10);
    assert_int_equal(rec_skips(&r, "cannot tell the indicator type"), 3);
    assert_string_equal(r.skips[0].where, "p.txt:12");
    rec_free(&r);
}

static void detection(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        wb_intel_format fmt;
    } cases[] = {
        {"", WB_INTEL_AUTO},
        {"  \n", WB_INTEL_AUTO},
        {"{\"type\": \"bundle\", \"objects\": []}", WB_INTEL_STIX},
        {"{\"objects\":[], \"type\"  :\n \"bundle\"}", WB_INTEL_STIX},
        {"{\"type\":\"indicator\",\"spec_version\":\"2.1\"}", WB_INTEL_STIX},
        {"{\"Event\": {\"info\": \"pattern\"}}", WB_INTEL_MISP},
        {"[{\"Event\": {}}]", WB_INTEL_MISP},
        {"{\"response\": []}", WB_INTEL_MISP},
        {"\xef\xbb\xbf{\"uuid\": \"x\"}", WB_INTEL_MISP},
        {"#separator \\x09\n#fields\tindicator\n", WB_INTEL_ZEEK},
        {"#fields\tindicator\tindicator_type\n", WB_INTEL_ZEEK},
        {"# my feed\n#fields\tindicator\tindicator_type\n", WB_INTEL_ZEEK},
        {"192.0.2.1\tIntel::ADDR\tsrc\n", WB_INTEL_ZEEK},
        {"type,value\nip,192.0.2.1\n", WB_INTEL_CSV},
        {"# c\n\n\"Indicator\",\"comment\"\n", WB_INTEL_CSV},
        {"a,b\n", WB_INTEL_PLAIN},
        {"192.0.2.1\nevil.example\n", WB_INTEL_PLAIN},
        {"# a list\n192.0.2.1\n", WB_INTEL_PLAIN},
        {"[file:hashes.MD5 = 'x']\n", WB_INTEL_PLAIN},
        {"[2001:db8::1]\n", WB_INTEL_PLAIN},
        {"{x}\n", WB_INTEL_PLAIN},
        {"[\n  {\"Event\": {}}]", WB_INTEL_MISP},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wb_intel_format f = wb_intel_detect(cases[i].text, strlen(cases[i].text));
        if (f != cases[i].fmt) fail_msg("case %zu: got %d, want %d", i, f, cases[i].fmt);
    }
    assert_int_equal(wb_intel_detect("ab\0cd", 5), WB_INTEL_AUTO);
    recsink r;
    rec_init(&r);
    wb_error err = {0};
    assert_int_equal(wb_intel_load_buffer("bin", "ab\0cd", 5, NULL, &r.sink, &err), WB_EFORMAT);
    assert_string_equal(err.msg, "bin: not an indicator file (binary data)");
    assert_int_equal(wb_intel_load_buffer("empty", "", 0, NULL, &r.sink, &err), 0);
    rec_free(&r);
}

static void directory_of_stix(void **state)
{
    (void)state;
    /* Every file below the directory, each detected on its own: the bundles
     * load and the pattern examples text is read as a plain list whose
     * lines are all passed over. */
    recsink r;
    rec_init(&r);
    wb_error err = {0};
    assert_int_equal(wb_intel_load(WB_SHARED_DIR "/testdata/stix", NULL, &r.sink, &err), 0);
    assert_int_equal(r.n, 10 + 2 + 1 + 0 + 65);
    assert_int_equal(rec_skips(&r, "cannot tell the indicator type"), 23);
    /* Name order: apt1.json first. */
    assert_non_null(strstr(r.iocs[0].source, "/apt1.json"));
    rec_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zeek_doc_example),  cmocka_unit_test(zeek_types),
        cmocka_unit_test(zeek_errors),       cmocka_unit_test(csv_formats),
        cmocka_unit_test(csv_other_headers), cmocka_unit_test(plain_lists),
        cmocka_unit_test(detection),         cmocka_unit_test(directory_of_stix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
