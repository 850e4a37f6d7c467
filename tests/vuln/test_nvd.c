/*
 * test_nvd.c - NVD CVE JSON 2.0 (fixtures written from the API 2.0
 * documentation, tests/data/vuln/nvd/README.md): CPE matches with version
 * bounds as generic vers ranges, platforms (vulnerable: false) left out,
 * metrics Primary first, English description, rejected CVEs dropped, and a
 * document with one bad entry skipped as a whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vulnsink.h"

#define NVD WB_TEST_DATA "/vuln/nvd/"

static void feed(void **state)
{
    (void)state;
    advsink s;
    wb_error err = {0};
    wb_advisory_opts o = {.bad = advsink_bad, .bad_ud = &s};
    advsink_init(&s);
    assert_int_equal(wb_advisories_load(NVD, &o, &s.sink, &err), 0);
    assert_int_equal(s.n, 2); /* the rejected CVE is not passed on */
    assert_int_equal(s.nbad, 1);
    assert_string_equal(s.bad[0], NVD "bad-bounds.json: $.vulnerabilities[0].cve.configurations[0]"
                                      ".nodes[0].cpeMatch[0]: both an including and an excluding "
                                      "bound on one side");
    const wb_advisory *a = advsink_find(&s, "CVE-2023-4966");
    assert_non_null(a);
    assert_string_equal(a->source_kind, "nvd");
    assert_string_equal(a->url, "https://nvd.nist.gov/vuln/detail/CVE-2023-4966");
    assert_non_null(strstr(a->title, "Sensitive information disclosure")); /* "en", not "es" */
    char t[40];
    wb_time_format(a->published, t, sizeof t);
    assert_string_equal(t, "2023-10-10T14:15:10.440000Z");
    assert_int_equal(a->ncvss, 2);
    assert_true(a->cvss[0].score == 7.5); /* NVD's Primary score first */
    assert_true(a->cvss[1].score == 9.8);
    /* two vulnerable matches; the SDX hardware platform is not a product */
    assert_int_equal(a->naffected, 2);
    const wb_affected *f = &a->affected[0];
    assert_int_equal(f->status, WB_AFF_AFFECTED);
    assert_string_equal(
        f->cpe, "cpe:2.3:a:citrix:netscaler_application_delivery_controller:*:*:*:*:fips:*:*:*");
    assert_string_equal(f->vendor, "citrix");
    assert_string_equal(f->product, "netscaler_application_delivery_controller");
    assert_string_equal(f->range, "vers:generic/>=13.1|<13.1-37.164");
    assert_string_equal(f->fixed, "13.1-37.164");
    assert_null(f->version);
    assert_string_equal(a->affected[1].version, "13.0"); /* from the CPE itself */
    assert_null(a->affected[1].range);
    for (size_t i = 0; i < a->naffected; i++)
        assert_null(strstr(a->affected[i].cpe, "netscaler_sdx"));
    a = advsink_find(&s, "CVE-2019-1010218");
    assert_int_equal(a->ncvss, 2);
    assert_int_equal(a->cvss[1].version, 20);
    assert_string_equal(a->affected[0].range, "vers:generic/<=1.2.103");
    assert_string_equal(a->affected[0].product, "cherokee_web_server");
    advsink_free(&s);
}

static void shapes(void **state)
{
    (void)state;
    advsink s;
    wb_error err = {0};
    advsink_init(&s);
    /* a single item and a bare cve object */
    const char *one = "{\"cve\":{\"id\":\"CVE-2024-1\",\"published\":\"2024-01-01T00:00:00.000\","
                      "\"configurations\":[{\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":[{"
                      "\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:x:y:*:*:*:*:*:*:*:*\","
                      "\"versionStartExcluding\":\"1.0\"}]}]}]}}";
    assert_int_equal(wb_advisory_parse("a.json", one, strlen(one), WB_ADV_AUTO, &s.sink, &err), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.adv[0].affected[0].range, "vers:generic/>1.0");
    const char *bare = "{\"id\":\"CVE-2024-2\",\"sourceIdentifier\":\"x\",\"configurations\":[{"
                       "\"nodes\":[{\"negate\":true,\"cpeMatch\":[{\"vulnerable\":true,"
                       "\"criteria\":\"cpe:2.3:a:x:y:1:*:*:*:*:*:*:*\"}]}]}]}";
    assert_int_equal(wb_advisory_parse("b.json", bare, strlen(bare), WB_ADV_AUTO, &s.sink, &err),
                     0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.adv[1].naffected, 0); /* a negated node names no product */
    const char *badcpe = "{\"cve\":{\"id\":\"CVE-2024-3\",\"configurations\":[{\"nodes\":[{"
                         "\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:9:x\"}]}]}]}}";
    assert_int_equal(wb_advisory_parse("c.json", badcpe, strlen(badcpe), WB_ADV_NVD, &s.sink, &err),
                     WB_EPARSE);
    assert_non_null(
        strstr(err.msg, "c.json: $.cve.configurations[0].nodes[0].cpeMatch[0].criteria: "));
    advsink_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(feed), cmocka_unit_test(shapes)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
