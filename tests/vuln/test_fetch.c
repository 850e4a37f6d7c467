/*
 * test_fetch.c - the readers behind `weerbaar vuln fetch` (fetch_internal.h)
 * and its source names (vulnfetch.h): the provider-metadata.json and ROLIE
 * feed examples of the CSAF 2.0 standard (oasis-tcs/csaf, in
 * ../shared/testdata/csaf/examples/), changes.csv and index.txt listings,
 * checksum files, armoured keys, and the mapping of URLs to local paths that
 * must never leave the provider's folder. The downloads themselves are
 * tested end to end in tests/cli/vuln_fetch.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vuln/fetch_internal.h"
#include "weerbaar/io.h"
#include "weerbaar/vulnfetch.h"

#define EX WB_SHARED_DIR "/testdata/csaf/examples/"

static char *slurp(const char *path, size_t *len)
{
    char *data = NULL;
    wb_error err = {0};
    if (wb_read_file(path, 1 << 20, &data, len, &err) != 0) return NULL;
    return data;
}

static void metadata_example(void **state)
{
    (void)state;
    size_t len;
    char *d = slurp(EX "provider-metadata/example-01-provider-metadata.json", &len);
    if (d == NULL) skip();
    wbi_provider_meta m;
    wb_error err = {0};
    assert_int_equal(wbi_fetch_parse_metadata("pm.json", d, len, &m, &err), 0);
    assert_int_equal(m.nkeys, 1);
    assert_string_equal(m.keys[0].fingerprint, "8F5F267907B2C4559DB360DB2294BA7D2B2298B1");
    assert_string_equal(m.keys[0].url, "https://keys.example.net/vks/v1/by-fingerprint/"
                                       "8F5F267907B2C4559DB360DB2294BA7D2B2298B1");
    assert_int_equal(m.nfeeds, 1);
    assert_string_equal(m.feeds[0].url,
                        "https://www.example.com/.well-known/csaf/feed-tlp-white.json");
    assert_string_equal(m.feeds[0].tlp, "WHITE");
    assert_int_equal(m.ndirs, 0);
    assert_string_equal(m.publisher, "Example Company ProductCERT");
    assert_string_equal(m.role, "csaf_trusted_provider");
    wbi_provider_meta_free(&m);
    free(d);
}

static int meta(const char *json, wbi_provider_meta *m, wb_error *err)
{
    wb_error_clear(err);
    return wbi_fetch_parse_metadata("pm.json", json, strlen(json), m, err);
}

static void metadata_rules(void **state)
{
    (void)state;
    wbi_provider_meta m;
    wb_error err;
    /* a directory distribution, a fingerprint with spaces and lower case, a
     * key without fingerprint (left out) */
    assert_int_equal(meta("{\"distributions\":[{\"directory_url\":\"https://a.example/csaf/\"}],"
                          "\"public_openpgp_keys\":[{\"fingerprint\":\"8f5f 2679 07b2 c455 9db3 "
                          "60db 2294 ba7d 2b22 98b1\",\"url\":\"https://a.example/k.asc\"},"
                          "{\"url\":\"https://a.example/other.asc\"}]}",
                          &m, &err),
                     0);
    assert_int_equal(m.ndirs, 1);
    assert_string_equal(m.dirs[0], "https://a.example/csaf");
    assert_int_equal(m.nkeys, 1);
    assert_string_equal(m.keys[0].fingerprint, "8F5F267907B2C4559DB360DB2294BA7D2B2298B1");
    wbi_provider_meta_free(&m);

    assert_int_equal(meta("{\"role\":\"csaf_provider\"}", &m, &err), WB_EPARSE);
    assert_non_null(strstr(err.msg, "pm.json: $.distributions: expected a non-empty array"));
    assert_int_equal(meta("{\"distributions\":[{\"directory_url\":\"file:///etc\"}]}", &m, &err),
                     WB_EPARSE);
    assert_non_null(strstr(err.msg, "$.distributions[0].directory_url: 'file:///etc' is not an "
                                    "http(s) URL"));
    assert_int_equal(
        meta("{\"distributions\":[{\"rolie\":{\"feeds\":[{\"url\":\"https://a b/\"}]}}]}", &m,
             &err),
        WB_EPARSE);
    assert_non_null(strstr(err.msg, "$.distributions[0].rolie.feeds[0].url"));
    assert_int_equal(meta("{\"distributions\":[{\"directory_url\":\"https://a/\"}],"
                          "\"public_openpgp_keys\":[{\"fingerprint\":\"XYZ\"}]}",
                          &m, &err),
                     WB_EPARSE);
    assert_non_null(strstr(err.msg, "$.public_openpgp_keys[0]: fingerprint is not 40 or 64"));
    assert_int_equal(meta("{\"distributions\":[{}]}", &m, &err), WB_EPARSE);
    assert_int_equal(meta("[1]", &m, &err), WB_EPARSE);
    assert_int_equal(meta("{", &m, &err), WB_EPARSE);
    assert_non_null(strstr(err.msg, "pm.json:1:"));
    wbi_provider_meta_free(&m); /* safe after an error */
}

static void rolie_example(void **state)
{
    (void)state;
    size_t len;
    char *d = slurp(EX "ROLIE/example-01-feed-tlp-white.json", &len);
    if (d == NULL) skip();
    wbi_doc_list l = {0};
    wb_error err = {0};
    assert_int_equal(wbi_fetch_parse_rolie("feed.json", d, len, &l, &err), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].url,
                        "https://psirt.domain.tld/advisories/csaf/2020/2020-ESA-001.json");
    assert_string_equal(l.v[0].hash[0],
                        "https://psirt.domain.tld/advisories/csaf/2020/2020-ESA-001.json.sha512");
    assert_null(l.v[0].hash[1]);
    assert_string_equal(l.v[0].sig,
                        "https://psirt.domain.tld/advisories/csaf/2020/2020-ESA-001.json.asc");
    assert_string_equal(l.v[0].updated, "2021-01-01T12:00:00.000Z");
    wbi_doc_list_free(&l);
    free(d);
}

static void rolie_rules(void **state)
{
    (void)state;
    wbi_doc_list l = {0};
    wb_error err = {0};
    /* relative hrefs resolve against the feed's self link; content.src
     * when there is no self link */
    const char *f =
        "{\"feed\":{\"link\":[{\"rel\":\"self\",\"href\":\"https://p.example/csaf/"
        "feed.json\"}],\"entry\":[{\"link\":[{\"rel\":\"self\",\"href\":\"2024/a.json\"}]},"
        "{\"content\":{\"src\":\"https://p.example/csaf/2024/b.json\"}}]}}";
    assert_int_equal(wbi_fetch_parse_rolie("f", f, strlen(f), &l, &err), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].url, "https://p.example/csaf/2024/a.json");
    assert_string_equal(l.v[1].url, "https://p.example/csaf/2024/b.json");
    assert_null(l.v[1].updated);
    wbi_doc_list_free(&l);
    /* an entry that names no document refuses the feed */
    f = "{\"feed\":{\"entry\":[{\"link\":[{\"rel\":\"self\",\"href\":\"../../etc/passwd\"}]}]}}";
    assert_int_equal(wbi_fetch_parse_rolie("f", f, strlen(f), &l, &err), WB_EPARSE);
    assert_non_null(strstr(err.msg, "f: $.feed.entry[0]: no http(s) link"));
    wbi_doc_list_free(&l);
    f = "{\"feed\":{}}"; /* empty */
    assert_int_equal(wbi_fetch_parse_rolie("f", f, strlen(f), &l, &err), 0);
    assert_int_equal(l.n, 0);
    f = "{\"nofeed\":1}";
    assert_int_equal(wbi_fetch_parse_rolie("f", f, strlen(f), &l, &err), WB_EPARSE);
    wbi_doc_list_free(&l);
}

static void listings(void **state)
{
    (void)state;
    wbi_doc_list l = {0};
    wb_error err = {0};
    const char *c = "\"2024/wb-1.json\",\"2024-05-01T10:00:00Z\"\r\n"
                    "2023/wb-2.json,2023-01-01T00:00:00Z\n\n"
                    "\"2022/odd\"\"name.json\",\"x\"\n";
    /* a quote inside a name is outside a URL path: refused with its line */
    assert_int_equal(wbi_fetch_parse_listing("changes.csv", "https://p.example/csaf/", c, strlen(c),
                                             true, &l, &err),
                     WB_EPARSE);
    assert_non_null(strstr(err.msg, "changes.csv:4: path '2022/odd\"name.json'"));
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].url, "https://p.example/csaf/2024/wb-1.json");
    assert_string_equal(l.v[0].updated, "2024-05-01T10:00:00Z");
    assert_string_equal(l.v[1].url, "https://p.example/csaf/2023/wb-2.json");
    wbi_doc_list_free(&l);
    const char *bad[] = {"../x.json\n", "/etc/x.json\n", "a/./b.json\n", "a//b.json\n",
                         "a b.json\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(wbi_fetch_parse_listing("index.txt", "https://p.example/csaf", bad[i],
                                                 strlen(bad[i]), false, &l, &err),
                         WB_EPARSE);
        assert_non_null(strstr(err.msg, "index.txt:1: path"));
        wbi_doc_list_free(&l);
    }
    const char *t = "2024/a.json\n 2024/b.json \n";
    assert_int_equal(
        wbi_fetch_parse_listing("index.txt", "http://p.example/c", t, strlen(t), false, &l, &err),
        0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[1].url, "http://p.example/c/2024/b.json");
    assert_null(l.v[1].updated);
    wbi_doc_list_free(&l);
    assert_int_equal(wbi_fetch_parse_listing("c", "\"x", "a", 1, true, &l, &err), WB_EINVAL);
    const char *open = "\"2024/a.json,x\n";
    assert_int_equal(wbi_fetch_parse_listing("c", "http://p", open, strlen(open), true, &l, &err),
                     WB_EPARSE);
    assert_non_null(strstr(err.msg, "c:1: a quote is not closed"));
    wbi_doc_list_free(&l);
}

static void checksums(void **state)
{
    (void)state;
    unsigned char d[64];
    unsigned bits = 0;
    const char *s256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  x.json\n";
    assert_int_equal(wbi_fetch_parse_checksum(s256, strlen(s256), d, &bits), 0);
    assert_int_equal(bits, 256);
    assert_int_equal(d[0], 0xe3);
    assert_int_equal(d[31], 0x55);
    char s512[140];
    memset(s512, 'A', 128);
    s512[128] = '\0';
    assert_int_equal(wbi_fetch_parse_checksum(s512, 128, d, &bits), 0);
    assert_int_equal(bits, 512);
    assert_int_equal(d[63], 0xaa);
    assert_int_equal(wbi_fetch_parse_checksum("abc", 3, d, &bits), WB_EPARSE);
    assert_int_equal(wbi_fetch_parse_checksum(s256, 63, d, &bits), WB_EPARSE);
    const char *glued = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855x";
    assert_int_equal(wbi_fetch_parse_checksum(glued, strlen(glued), d, &bits), WB_EPARSE);
    assert_int_equal(wbi_fetch_parse_checksum("", 0, d, &bits), WB_EPARSE);
}

static void dearmor(void **state)
{
    (void)state;
    wb_buf b = {0};
    /* "\x99\x00\x01X" in base64, with a header and a CRC line */
    const char *k = "-----BEGIN PGP PUBLIC KEY BLOCK-----\nComment: test\n\nmQABWA==\n=abcd\n"
                    "-----END PGP PUBLIC KEY BLOCK-----\n";
    assert_int_equal(wbi_fetch_dearmor(k, strlen(k), &b), 0);
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.data, "\x99\x00\x01X", 4);
    /* without headers */
    wb_buf_reset(&b);
    const char *k2 = "-----BEGIN PGP PUBLIC KEY BLOCK-----\r\n\r\nmQABWA==\r\n"
                     "-----END PGP PUBLIC KEY BLOCK-----\r\n";
    assert_int_equal(wbi_fetch_dearmor(k2, strlen(k2), &b), 0);
    assert_int_equal(b.len, 4);
    wb_buf_reset(&b);
    assert_int_equal(wbi_fetch_dearmor("\x99\x00\x01X", 4, &b), 0); /* binary as it is */
    assert_int_equal(b.len, 4);
    assert_int_equal(wbi_fetch_dearmor("<html>", 6, &b), WB_EPARSE);
    const char *cut = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQABWA==\n";
    assert_int_equal(wbi_fetch_dearmor(cut, strlen(cut), &b), WB_EPARSE);
    wb_buf_free(&b);
}

static void local_paths(void **state)
{
    (void)state;
    wb_buf b = {0};
    wb_error err = {0};
    const char *base = "https://p.example/.well-known/csaf/";
    assert_int_equal(wbi_fetch_local_path(
                         base, "https://p.example/.well-known/csaf/white/2024/a-1.json", &b, &err),
                     0);
    assert_string_equal(b.data, "white/2024/a-1.json");
    assert_int_equal(wbi_fetch_local_path(base, "https://cdn.example:8443/x/b.json", &b, &err), 0);
    assert_string_equal(b.data, "ext/cdn.example_8443/x/b.json");
    const char *bad[] = {"https://p.example/.well-known/csaf/../x.json",
                         "https://p.example/.well-known/csaf/.fetch-state.json",
                         "https://p.example/.well-known/csaf/a/.hidden/x.json",
                         "https://p.example/.well-known/csaf/a.json?x=1",
                         "https://p.example/.well-known/csaf/a%2F..%2Fb.json",
                         "https://p.example/.well-known/csaf/white/",
                         "https://p.example/.well-known/csaf/key.asc",
                         "https://p.example/.well-known/csaf/a//b.json",
                         "ftp://p.example/.well-known/csaf/a.json"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        wb_error_clear(&err);
        assert_int_equal(wbi_fetch_local_path(base, bad[i], &b, &err), WB_EINVAL);
        assert_non_null(strstr(err.msg, bad[i][0] == 'f' ? "ftp:" : "https://p.example"));
    }
    wb_buf_free(&b);
}

static void sources(void **state)
{
    (void)state;
    wb_fetch_source s;
    wb_error err = {0};
    assert_int_equal(wb_fetch_source_parse("csaf:" WB_FETCH_NCSC_CSAF, &s, &err), 0);
    assert_int_equal(s.kind, WB_FETCH_CSAF);
    assert_string_equal(s.name, "csaf/advisories.ncsc.nl");
    assert_int_equal(wb_fetch_source_parse("csaf:advisories.ncsc.nl", &s, &err), 0);
    assert_string_equal(s.url, WB_FETCH_NCSC_CSAF);
    assert_string_equal(s.name, "csaf/advisories.ncsc.nl");
    /* elsewhere on a host: a suffix keeps two providers apart */
    assert_int_equal(
        wb_fetch_source_parse("csaf:http://127.0.0.1:8080/p/provider-metadata.json", &s, &err), 0);
    assert_int_equal(strncmp(s.name, "csaf/127.0.0.1_8080_", 20), 0);
    assert_int_equal(strlen(s.name), 28);
    assert_int_equal(wb_fetch_source_parse("osv:Debian:12", &s, &err), 0);
    assert_string_equal(s.url, WB_FETCH_OSV_BASE "/Debian:12/all.zip");
    assert_string_equal(s.name, "osv/Debian:12");
    assert_int_equal(wb_fetch_source_parse("osv:Red Hat", &s, &err), 0);
    assert_string_equal(s.url, WB_FETCH_OSV_BASE "/Red%20Hat/all.zip");
    assert_string_equal(s.name, "osv/Red_Hat");
    assert_int_equal(wb_fetch_source_parse("osv:PyPI=http://127.0.0.1/x/all.zip", &s, &err), 0);
    assert_string_equal(s.url, "http://127.0.0.1/x/all.zip");
    assert_int_equal(wb_fetch_source_parse("kev", &s, &err), 0);
    assert_string_equal(s.url, WB_FETCH_KEV_URL);
    assert_string_equal(s.name, "kev");
    assert_int_equal(wb_fetch_source_parse("epss:https://m.example/e.csv.gz", &s, &err), 0);
    assert_int_equal(s.kind, WB_FETCH_EPSS);
    const char *bad[] = {"csaf", "csaf:ftp://x/p.json",      "osv:", "osv:../x", "osv:a/b", "kev:x",
                         "nvd",  "csaf:http://user@h/p.json"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(wb_fetch_source_parse(bad[i], &s, &err), WB_EINVAL);
}

static void default_dir(void **state)
{
    (void)state;
    wb_buf b = {0};
    wb_error err = {0};
    setenv("XDG_DATA_HOME", "/x/data", 1);
    assert_int_equal(wb_fetch_default_dir(&b, &err), 0);
    assert_string_equal(b.data, "/x/data/weerbaar/advisories");
    setenv("XDG_DATA_HOME", "relative", 1); /* invalid per the XDG spec: ignored */
    setenv("HOME", "/home/u", 1);
    assert_int_equal(wb_fetch_default_dir(&b, &err), 0);
    assert_string_equal(b.data, "/home/u/.local/share/weerbaar/advisories");
    unsetenv("XDG_DATA_HOME");
    unsetenv("HOME");
    assert_int_equal(wb_fetch_default_dir(&b, &err), WB_ENOTFOUND);
    wb_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(metadata_example), cmocka_unit_test(metadata_rules),
        cmocka_unit_test(rolie_example),    cmocka_unit_test(rolie_rules),
        cmocka_unit_test(listings),         cmocka_unit_test(checksums),
        cmocka_unit_test(dearmor),          cmocka_unit_test(local_paths),
        cmocka_unit_test(sources),          cmocka_unit_test(default_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
