/*
 * test_intel_warninglist.c - MISP warninglist semantics per list type, on
 * the real lists in ../shared/testdata/misp/warninglists/ and on small
 * lists written here (regex translation, substring, object-form lists), and
 * every load error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "weerbaar/ioc.h"

#define WL_DIR WB_SHARED_DIR "/testdata/misp/warninglists"

static const char *find(const wb_warninglists *wl, wb_ioc_type t, const char *v)
{
    return wb_warninglists_find(wl, t, v, strlen(v));
}

static int setup_all(void **state)
{
    wb_warninglists *wl;
    wb_error err = {0};
    if (wb_warninglists_new(&wl) != 0) return -1;
    if (wb_warninglists_load(wl, WL_DIR, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        wb_warninglists_free(wl);
        return -1;
    }
    *state = wl;
    return 0;
}

static int teardown_all(void **state)
{
    wb_warninglists_free(*state);
    return 0;
}

static void count(void **state)
{
    assert_int_equal(wb_warninglists_count(*state), 8);
}

static void cidr_lists(void **state)
{
    const wb_warninglists *wl = *state;
    const char *rfc = "List of RFC 1918 CIDR blocks";
    assert_string_equal(find(wl, WB_IOC_IP, "10.1.2.3"), rfc);
    assert_string_equal(find(wl, WB_IOC_IP, "172.31.255.255"), rfc);
    assert_null(find(wl, WB_IOC_IP, "172.32.0.1"));
    /* A block inside a listed block is on the list; a wider one is not. */
    assert_string_equal(find(wl, WB_IOC_CIDR, "192.168.1.0/24"), rfc);
    assert_null(find(wl, WB_IOC_CIDR, "192.0.0.0/8"));
    /* ip-src|port is among the list's attributes: the address counts. */
    assert_string_equal(find(wl, WB_IOC_IP_PORT, "10.0.0.1|443"), rfc);
    /* Not for domains, by matching_attributes. */
    assert_null(find(wl, WB_IOC_DOMAIN, "10.0.0.1"));
    /* Bare addresses as entries. */
    assert_string_equal(find(wl, WB_IOC_IP, "8.8.8.8"), "List of known IPv4 public DNS resolvers");
    assert_string_equal(find(wl, WB_IOC_IP, "1.1.1.1"), "List of known IPv4 public DNS resolvers");
    assert_null(find(wl, WB_IOC_IP, "1.0.0.4"));
    assert_null(find(wl, WB_IOC_CIDR, "8.8.8.0/24"));
    assert_string_equal(find(wl, WB_IOC_IP, "239.255.255.250"),
                        "List of RFC 5771 multicast CIDR blocks");
    assert_null(find(wl, WB_IOC_IP, "2001:db8::1"));
    assert_null(find(wl, WB_IOC_IP, "not an address"));
}

static void hostname_lists(void **state)
{
    const wb_warninglists *wl = *state;
    const char *ddns = "List of known dynamic DNS domains";
    /* ".ddns.net" stands for ddns.net and every name below it. */
    assert_string_equal(find(wl, WB_IOC_DOMAIN, "ddns.net"), ddns);
    assert_string_equal(find(wl, WB_IOC_HOSTNAME, "evil.c2.ddns.net"), ddns);
    assert_null(find(wl, WB_IOC_DOMAIN, "notddns.net"));
    assert_null(find(wl, WB_IOC_DOMAIN, "ddns.net.example"));
    /* URLs are not among this list's attributes. */
    assert_null(find(wl, WB_IOC_URL, "http://x.ddns.net/"));
    /* The URL shortener list applies to URLs: their host is compared. */
    const char *short_ = "List of known URL Shorteners domains";
    assert_string_equal(find(wl, WB_IOC_URL, "http://bit.ly/abc"), short_);
    assert_string_equal(find(wl, WB_IOC_URL, "https://user@www.bit.ly:8443/x?y"), short_);
    assert_string_equal(find(wl, WB_IOC_URL, "t.co/xyz"), short_);
    assert_null(find(wl, WB_IOC_URL, "http://bit.ly.evil.example/"));
    assert_null(find(wl, WB_IOC_URL, "http://evil.example/bit.ly"));
}

static void string_lists(void **state)
{
    const wb_warninglists *wl = *state;
    /* The empty file's MD5 is on two lists; the first loaded (name order)
     * is reported. */
    const char *common = "List of known hashes with common false-positives (based on Florian "
                         "Roth input list)";
    assert_string_equal(find(wl, WB_IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e"), common);
    assert_non_null(find(wl, WB_IOC_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"));
    assert_non_null(find(wl, WB_IOC_SHA256,
                         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    /* Case does not matter. */
    assert_string_equal(find(wl, WB_IOC_MD5, "D41D8CD98F00B204E9800998ECF8427E"), common);
    assert_null(find(wl, WB_IOC_MD5, "0749bae92ca336a02c83d126e04ec628"));
    /* The hash lists do not apply to domains. */
    assert_null(find(wl, WB_IOC_DOMAIN, "d41d8cd98f00b204e9800998ecf8427e"));
    /* "string" is exact: the google list's "1e100.net" is not a suffix,
     * and its ".google.co.ao" entry matches nothing, as in MISP. */
    const char *google = "List of known google domains";
    assert_string_equal(find(wl, WB_IOC_DOMAIN, "1e100.net"), google);
    assert_null(find(wl, WB_IOC_DOMAIN, "www.1e100.net"));
    assert_string_equal(find(wl, WB_IOC_DOMAIN, "google.com"), google);
    assert_null(find(wl, WB_IOC_DOMAIN, "google.co.ao"));
    assert_null(find(wl, WB_IOC_DOMAIN, "mail.google.co.ao"));
    assert_null(find(wl, WB_IOC_EMAIL, "1e100.net"));
}

static char tmpdir[64];

static const char *write_list(const char *name, const char *json)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(json, f);
    fclose(f);
    return path;
}

static int setup_tmp(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/wb-wl-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void regex_and_substring(void **state)
{
    (void)state;
    wb_warninglists *wl;
    wb_error err = {0};
    assert_int_equal(wb_warninglists_new(&wl), 0);
    const char *rx =
        write_list("rx.json", "{\"name\":\"rx\",\"type\":[\"regex\"],\"matching_attributes\":"
                              "[\"url\",\"hostname\"],\"list\":["
                              "\"/^https?:\\\\/\\\\/[a-z]+\\\\.example\\\\/\\\\d+$/i\","
                              "\"(?i)^WWW\\\\.corp\\\\.\","
                              "\"#^x.*?y(?:z|w)[\\\\d_]\\\\s?$#\"]}");
    assert_int_equal(wb_warninglists_load(wl, rx, &err), 0);
    assert_string_equal(find(wl, WB_IOC_URL, "http://abc.example/123"), "rx");
    assert_string_equal(find(wl, WB_IOC_URL, "HTTPS://ABC.example/9"), "rx");
    assert_null(find(wl, WB_IOC_URL, "http://abc.example/12a"));
    assert_string_equal(find(wl, WB_IOC_HOSTNAME, "www.corp.example"), "rx");
    assert_string_equal(find(wl, WB_IOC_HOSTNAME, "xaaayw5"), "rx");
    assert_null(find(wl, WB_IOC_HOSTNAME, "xaaayq5"));
    assert_null(find(wl, WB_IOC_DOMAIN, "www.corp.example")); /* not a matching type */
    const char *sub = write_list("sub.json", "{\"name\":\"sub\",\"type\":\"substring\",\"list\":"
                                             "{\"AmazonAWS.com\":\"aws\",\"\":\"empty\"}}");
    assert_int_equal(wb_warninglists_load(wl, sub, &err), 0);
    assert_int_equal(wb_warninglists_count(wl), 2);
    /* No matching_attributes: every type. */
    assert_string_equal(find(wl, WB_IOC_DOMAIN, "s3.amazonaws.com"), "sub");
    assert_string_equal(find(wl, WB_IOC_URL, "http://x.amazonaws.com.evil.example/"), "sub");
    assert_null(find(wl, WB_IOC_DOMAIN, "amazon.com"));
    /* A string list with an IPv6 entry in a non-canonical form. */
    const char *v6 = write_list("v6.json", "{\"name\":\"v6\",\"list\":[\"2001:DB8:0:0::1\"]}");
    assert_int_equal(wb_warninglists_load(wl, v6, &err), 0);
    assert_string_equal(find(wl, WB_IOC_IP, "2001:db8::1"), "v6");
    wb_warninglists_free(wl);
}

static void load_errors(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        const char *msg; /* after "<path>: " */
    } cases[] = {
        {"{\"name\":\"bad rx\",\"type\":\"regex\",\"list\":[\"/ok/\",\"/(?=foo)/\"]}",
         "$.list[1]: list 'bad rx': cannot use regex '/(?=foo)/': a (?...) group (lookaround, "
         "named group or inline flag)"},
        {"{\"name\":\"bad rx\",\"type\":\"regex\",\"list\":[\"/a\\\\bb/\"]}",
         "$.list[0]: list 'bad rx': cannot use regex '/a\\bb/': an escape POSIX regular "
         "expressions lack (\\b, \\A, back-references...)"},
        {"{\"name\":\"bad rx\",\"type\":\"regex\",\"list\":[\"/a/x\"]}",
         "$.list[0]: list 'bad rx': cannot use regex '/a/x': unsupported flag 'x'"},
        {"{\"name\":\"bad rx\",\"type\":\"regex\",\"list\":[\"(ab\"]}", NULL},
        {"{\"name\":\"nets\",\"type\":\"cidr\",\"list\":[\"10.0.0.0/8\",\"10.0.0.0/33\"]}",
         "$.list[1]: list 'nets': '10.0.0.0/33' is not an address or CIDR"},
        {"{\"type\":\"cidr\",\"list\":[]}", "$.name: missing or not a string"},
        {"{\"name\":\"x\",\"type\":\"cidr\"}", "$.list: missing or not an array"},
        {"{\"name\":\"x\",\"type\":\"fuzzy\",\"list\":[]}",
         "$.type: not one of string, substring, hostname, cidr, regex"},
        {"{\"name\":\"x\",\"list\":[1]}", "$.list[0]: not a string"},
        {"{\"name\":\"x\",\"list\":[],\"matching_attributes\":\"ip-src\"}",
         "$.matching_attributes: not an array"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wb_warninglists *wl;
        wb_error err = {0};
        assert_int_equal(wb_warninglists_new(&wl), 0);
        const char *path = write_list("bad.json", cases[i].json);
        assert_int_equal(wb_warninglists_load(wl, path, &err), WB_EPARSE);
        char want[512];
        if (cases[i].msg) {
            snprintf(want, sizeof want, "%s: %s", path, cases[i].msg);
            assert_string_equal(err.msg, want);
        } else {
            snprintf(want, sizeof want,
                     "%s: $.list[0]: list 'bad rx': cannot use regex '(ab': ", path);
            assert_memory_equal(err.msg, want, strlen(want));
        }
        assert_int_equal(wb_warninglists_count(wl), 0);
        wb_warninglists_free(wl);
    }
    wb_warninglists *wl;
    wb_error err = {0};
    assert_int_equal(wb_warninglists_new(&wl), 0);
    const char *path = write_list("syntax.json", "{\"name\":\n \"x\",,}");
    assert_int_equal(wb_warninglists_load(wl, path, &err), WB_EPARSE);
    char want[512];
    snprintf(want, sizeof want, "%s:2:6: string or '}' expected near ','", path);
    assert_string_equal(err.msg, want);
    assert_int_equal(wb_warninglists_load(wl, "/nonexistent/list.json", &err), WB_ENOTFOUND);
    assert_string_equal(err.msg, "/nonexistent/list.json: No such file or directory");
    /* Lookups on an empty set and on NULL find nothing. */
    assert_null(find(wl, WB_IOC_IP, "10.0.0.1"));
    assert_null(wb_warninglists_find(NULL, WB_IOC_IP, "10.0.0.1", 8));
    wb_warninglists_free(wl);
    wb_warninglists_free(NULL);
}

int main(void)
{
    const struct CMUnitTest real[] = {
        cmocka_unit_test(count),
        cmocka_unit_test(cidr_lists),
        cmocka_unit_test(hostname_lists),
        cmocka_unit_test(string_lists),
    };
    const struct CMUnitTest written[] = {
        cmocka_unit_test(regex_and_substring),
        cmocka_unit_test(load_errors),
    };
    int rc = cmocka_run_group_tests(real, setup_all, teardown_all);
    return rc | cmocka_run_group_tests(written, setup_tmp, teardown_tmp);
}
