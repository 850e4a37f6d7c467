/*
 * test_csaf.c - CSAF 2.0 advisories: every example document of the OASIS
 * CSAF repository (../shared/testdata/csaf/examples/csaf/, incl. csaf_vex/)
 * parses, with exact counts of products, vulnerabilities and statuses
 * checked against the documents; the flattening of branches, ranges,
 * relationships and identification helpers on a provider mirror written for
 * weerbaar (tests/data/vuln/provider/); the OASIS validator test files that
 * must fail are reported with their JSON path; and no input of the
 * validator suite crashes the parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vuln/vulndata.h"
#include "vulnsink.h"
#include "weerbaar/io.h"

#define EX WB_SHARED_DIR "/testdata/csaf/examples/csaf/"
#define PROV WB_TEST_DATA "/vuln/provider"

static void load(advsink *s, const char *path)
{
    wb_error err = {0};
    wb_advisory_opts o = {.bad = advsink_bad, .bad_ud = s};
    advsink_init(s);
    if (wb_advisories_load(path, &o, &s->sink, &err) != 0) fail_msg("%s: %s", path, err.msg);
}

/* Products in the flattened tree of a document. */
static size_t tree_size(const char *path)
{
    char *data;
    size_t len;
    wb_error err = {0};
    if (wb_read_file(path, 1 << 24, &data, &len, &err) != 0) fail_msg("%s", err.msg);
    wbi_doc d;
    wbi_doc_init(&d, path, &err);
    json_t *root;
    assert_int_equal(wbi_doc_json(&d, data, len, &root), 0);
    wbi_csaf_tree t;
    if (wbi_csaf_tree_build(&d, root, &t) != 0) fail_msg("%s", err.msg);
    size_t n = t.n;
    wbi_csaf_tree_free(&t);
    json_decref(root);
    wbi_doc_free(&d);
    free(data);
    return n;
}

static void bsi(void **state)
{
    (void)state;
    advsink s;
    load(&s, EX "bsi-2022-0001.json");
    assert_int_equal(s.nbad, 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(tree_size(EX "bsi-2022-0001.json"), 6);
    const wb_advisory *a = &s.adv[0];
    assert_string_equal(a->id, "CVE-2022-27193");
    assert_string_equal(a->doc_id, "BSI-2022-0001");
    assert_string_equal(a->source_kind, "csaf");
    /* the vulnerability has no title: the document's */
    assert_string_equal(a->title, "CVRF-CSAF-Converter: XML External Entities Vulnerability");
    assert_string_equal(a->severity, "Moderate");
    /* aliases: ids[].text and the tracking id */
    assert_int_equal(a->naliases, 2);
    assert_string_equal(a->aliases[0], "csaf-tools/CVRF-CSAF-Converter#78");
    assert_string_equal(a->aliases[1], "BSI-2022-0001");
    char t[40];
    wb_time_format(a->published, t, sizeof t);
    assert_string_equal(t, "2022-03-17T13:03:42.105000Z");
    /* 5 known_affected; CSAFPID-0006 is both first_fixed and fixed: one entry */
    assert_int_equal(a->naffected, 6);
    assert_int_equal(adv_count_status(a, WB_AFF_AFFECTED), 5);
    assert_int_equal(adv_count_status(a, WB_AFF_FIXED), 1);
    const wb_affected *f = adv_find_product(a, "CSAFPID-0006", WB_AFF_FIXED);
    assert_non_null(f);
    assert_string_equal(f->vendor, "CSAF Tools");
    assert_string_equal(f->product, "CVRF-CSAF-Converter");
    assert_string_equal(f->version, "1.0.0-rc2");
    assert_string_equal(f->fixed, "1.0.0-rc2");
    /* the 2.2 URI of the helper becomes a CPE 2.3 string */
    assert_string_equal(f->cpe, "cpe:2.3:a:csaf-tools:cvrf-csaf-converter:1.0.0-rc2:*:*:*:*:*:*:*");
    assert_int_equal(a->ncvss, 1);
    assert_int_equal(a->cvss[0].version, 31);
    assert_true(a->cvss[0].score == 6.1);
    assert_int_equal(a->nremediations, 1);
    assert_string_equal(a->remediations[0].category, "vendor_fix");
    assert_int_equal(a->remediations[0].nproduct_ids, 5);
    advsink_free(&s);
}

static void cisco(void **state)
{
    (void)state;
    advsink s;
    load(&s, EX "cisco-sa-20180328-smi2.json");
    assert_int_equal(s.n, 1);
    assert_int_equal(tree_size(EX "cisco-sa-20180328-smi2.json"), 259);
    const wb_advisory *a = &s.adv[0];
    assert_string_equal(a->id, "CVE-2018-0171");
    assert_int_equal(a->naffected, 259);
    assert_int_equal(adv_count_status(a, WB_AFF_AFFECTED), 259);
    const wb_affected *f = adv_find_product(a, "CVRFPID-103559", WB_AFF_AFFECTED);
    assert_non_null(f);
    assert_string_equal(f->vendor, "Cisco");
    assert_string_equal(f->product, "IOS");
    /* the service_pack leaf names the build; the product_version above it
     * ("12.2EY") is only the release train */
    assert_string_equal(f->version, "12.2(55)EY");
    f = adv_find_product(a, "CVRFPID-220802", WB_AFF_AFFECTED);
    assert_non_null(f);
    assert_string_equal(f->product, "Cisco IOS XE Software");
    assert_string_equal(f->version, "16.3.1a");
    assert_null(f->purl);
    assert_int_equal(a->ncvss, 1);
    assert_int_equal(a->cvss[0].version, 30);
    assert_true(a->cvss[0].score == 9.8);
    advsink_free(&s);
}

static void redhat(void **state)
{
    (void)state;
    advsink s;
    load(&s, EX "rhsa-2021_5186.json");
    assert_int_equal(s.n, 2);
    assert_int_equal(tree_size(EX "rhsa-2021_5186.json"), 7);
    const wb_advisory *a = advsink_find(&s, "CVE-2021-4125");
    assert_non_null(a);
    assert_string_equal(a->url, "https://access.redhat.com/errata/RHSA-2021:5186");
    assert_string_equal(a->severity, "Critical"); /* the vulnerability's impact, not Moderate */
    assert_int_equal(adv_count_status(a, WB_AFF_FIXED), 1);
    assert_int_equal(adv_count_status(a, WB_AFF_NOT_AFFECTED), 2);
    const wb_affected *f =
        adv_find_product(a,
                         "8Base-RHOSE-4.6:openshift4/"
                         "ose-metering-hive:v4.6.0-202112160147.p0.gf139e12.assembly.stream",
                         WB_AFF_FIXED);
    assert_non_null(f);
    /* a relationship: the component's names, the platform's name */
    assert_string_equal(f->vendor, "Red Hat");
    assert_string_equal(
        f->version, "openshift4/ose-metering-hive:v4.6.0-202112160147.p0.gf139e12.assembly.stream");
    assert_string_equal(f->platform, "Red Hat OpenShift Container Platform 4.6");
    advsink_free(&s);
    load(&s, EX "rhsa-2022_0011.json");
    assert_int_equal(s.n, 1);
    assert_int_equal(tree_size(EX "rhsa-2022_0011.json"), 25);
    assert_int_equal(adv_count_status(&s.adv[0], WB_AFF_FIXED), 15);
    advsink_free(&s);
    load(&s, EX "rhsa-2019_1862.json"); /* informational: no vulnerabilities */
    assert_int_equal(s.n, 0);
    assert_int_equal(s.nbad, 0);
    advsink_free(&s);
}

/* The whole examples folder: every document parses, and the totals are
 * those of the documents (counted independently with Python). */
static void all_examples(void **state)
{
    (void)state;
    advsink s;
    load(&s, EX);
    for (size_t i = 0; i < s.nbad; i++)
        fprintf(stderr, "bad: %s\n", s.bad[i]);
    assert_int_equal(s.nbad, 0);
    /* 1 + 1 + 0 + 2 + 1 + 1 (csaf) + 1+1+1+1+19+19+1+1+1+1+2+2+3 (csaf_vex) */
    assert_int_equal(s.n, 6 + 53);
    size_t st[4] = {0};
    for (size_t i = 0; i < s.n; i++)
        for (size_t k = 0; k < s.adv[i].naffected; k++)
            st[s.adv[i].affected[k].status]++;
    assert_int_equal(st[WB_AFF_NOT_AFFECTED], 4 + 1 + 19 + 6 + 4 + 5 + 10 + 2 + 3);
    advsink_free(&s);
    /* VEX use case 7: ranges with their own scheme, bare versions */
    load(&s, EX "csaf_vex/2022-evd-uc-07-001.json");
    const wb_affected *f = adv_find_product(&s.adv[0], "CSAFPID-0004", WB_AFF_AFFECTED);
    assert_non_null(f);
    assert_string_equal(f->range, "vers:generic/>=2.9|<=4.1");
    assert_null(f->version);
    advsink_free(&s);
}

static void provider(void **state)
{
    (void)state;
    advsink s;
    load(&s, PROV);
    /* white/: only the listed document; green/: its document, not the feed */
    assert_int_equal(s.n, 4);
    assert_non_null(advsink_find(&s, "CVE-2024-99001"));
    assert_non_null(advsink_find(&s, "CVE-2024-99002"));
    assert_null(advsink_find(&s, "CVE-2024-99009"));
    assert_int_equal(s.nbad, 2);
    assert_non_null(strstr(s.bad[0], "index.txt:2: path '../../escape.json' leaves the directory"));
    assert_non_null(strstr(s.bad[1], "missing.json"));
    const wb_advisory *a = advsink_find(&s, "CVE-2024-99001");
    assert_string_equal(a->url,
                        "https://example.org/.well-known/csaf/white/2024/wb-2024-0001.json");
    assert_string_equal(a->title, "Authentication bypass in the web interface");
    assert_string_equal(a->severity, "Critical");
    /* a score without baseScore: computed from the vector */
    assert_int_equal(a->ncvss, 1);
    assert_true(a->cvss[0].score == 9.8);
    /* a bare range constraint becomes a vers string */
    const wb_affected *f = adv_find_product(a, "RTR-OLD", WB_AFF_AFFECTED);
    assert_string_equal(f->range, "vers:generic/<V3.0.29");
    assert_string_equal(f->vendor, "Example");
    assert_string_equal(f->product, "Router OS");
    /* relationship with a purl helper: purl without version, version, scheme */
    f = adv_find_product(a, "WEBUI-210-ON-RTR", WB_AFF_AFFECTED);
    assert_non_null(f);
    assert_string_equal(f->purl, "pkg:npm/%40example/webui");
    assert_string_equal(f->version, "2.1.0");
    assert_string_equal(f->scheme, "npm");
    assert_string_equal(f->platform, "Example Router OS V3.0.29");
    /* group_ids expand to their products */
    assert_int_equal(a->nremediations, 1);
    assert_int_equal(a->remediations[0].nproduct_ids, 2);
    assert_string_equal(a->remediations[0].product_ids[1], "WEBUI-210-ON-RTR");
    /* no CVE: tracking id and ordinal */
    const wb_advisory *b = advsink_find(&s, "WB-2024-0001#2");
    assert_non_null(b);
    assert_int_equal(adv_count_status(b, WB_AFF_UNDER_INVESTIGATION), 1);
    advsink_free(&s);
}

static int parse_str(advsink *s, const char *text, wb_error *err)
{
    advsink_init(s);
    return wb_advisory_parse("t.json", text, strlen(text), WB_ADV_AUTO, &s->sink, err);
}

static void errors(void **state)
{
    (void)state;
    advsink s;
    wb_error err = {0};
    assert_int_equal(parse_str(&s, "{\"document\": {\"csaf_version\": \"2.0\",", &err), WB_EPARSE);
    assert_non_null(strstr(err.msg, "t.json:1:"));
    advsink_free(&s);
    /* a dangling product id in the second vulnerability: nothing goes out */
    const char *doc =
        "{\"document\":{\"csaf_version\":\"2.0\",\"tracking\":{\"id\":\"X-1\"}},"
        "\"product_tree\":{\"full_product_names\":[{\"name\":\"A\",\"product_id\":\"P1\"}]},"
        "\"vulnerabilities\":[{\"cve\":\"CVE-1\",\"product_status\":{\"known_affected\":[\"P1\"]}},"
        "{\"cve\":\"CVE-2\",\"product_status\":{\"fixed\":[\"P1\",\"P9\"]}}]}";
    assert_int_equal(parse_str(&s, doc, &err), WB_EPARSE);
    assert_string_equal(err.msg, "t.json: $.vulnerabilities[1].product_status.fixed[1]: product_id "
                                 "'P9' is not defined in the product tree");
    assert_int_equal(s.n, 0);
    advsink_free(&s);
    /* a range that cannot be read is not an error: the product is unknown */
    doc = "{\"document\":{\"csaf_version\":\"2.0\",\"tracking\":{\"id\":\"X-1\"}},"
          "\"product_tree\":{\"branches\":[{\"category\":\"product_version_range\",\"name\":\">=1|>"
          "=2\","
          "\"product\":{\"name\":\"A\",\"product_id\":\"P1\"}}]},"
          "\"vulnerabilities\":[{\"cve\":\"CVE-1\",\"product_status\":{\"known_affected\":[\"P1\"]}"
          "}]}";
    assert_int_equal(parse_str(&s, doc, &err), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.adv[0].affected[0].status, WB_AFF_UNKNOWN);
    assert_null(s.adv[0].affected[0].range);
    advsink_free(&s);
    /* a sink that fails stops the load with its code */
    advsink_init(&s);
    s.fail_after = 1;
    wb_error_clear(&err);
    assert_int_equal(wb_advisories_load(EX "rhsa-2021_5186.json", NULL, &s.sink, &err), WB_ENOMEM);
    assert_int_equal(s.n, 1);
    advsink_free(&s);
    assert_int_equal(wb_advisories_load(EX "nope.json", NULL, &s.sink, &err), WB_ENOTFOUND);
}

/* The validator's test files: documents that break a mandatory rule this
 * parser depends on are reported with their path; none crashes. */
static void validator_suite(void **state)
{
    (void)state;
    advsink s;
    load(&s, WB_SHARED_DIR "/testdata/csaf/validator-tests");
    const char *want[] = {
        "6-1-01-01.json: $.product_tree.product_groups[0].product_ids[0]: product_id",
        ("6-1-02-01.json: $.product_tree.full_product_names[1]: product_id 'CSAFPID-9080700' is "
         "defined more than once"),
        "6-1-03-01.json: $.product_tree.relationships[0]:",
        "6-1-05-01.json: $.product_tree.product_groups[1]: group_id",
        "6-1-13-01.json: $.product_tree.full_product_names[0].product_identification_helper.purl:",
        "testcases.json: not a CSAF, OSV or NVD document",
    };
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        bool found = false;
        for (size_t i = 0; i < s.nbad && !found; i++)
            found = strstr(s.bad[i], want[w]) != NULL;
        if (!found) fail_msg("not reported: %s", want[w]);
    }
    assert_int_equal(s.nbad, 7);
    assert_int_equal(s.n, 132);
    advsink_free(&s);
}

/* Free-text ranges as CISA's ICS advisories write them (each text below is
 * taken from one of them), and texts that must stay unread. */
static void free_ranges(void **state)
{
    (void)state;
    static const char *const ok[][2] = {
        {"< V6.0 SP9 Upd4", "<6.0.SP9.Upd4"},
        {">= V2.3.0 < V2.3.4", ">=2.3.0|<2.3.4"},
        {"All versions < V4.8 SP5", "<4.8.SP5"},
        {"vers:all/>=V2.9.2<V2.9.4", ">=2.9.2|<2.9.4"},
        {"<V19_Update_2", "<19.Update.2"},
        {">= 5.2.0 build  140805 | <= 5.4.5  Build 160928",
         ">=5.2.0.build.140805|<=5.4.5.Build.160928"},
        {"All versions <= V7.x", "<8"},
        {"All versions <= V1.9.x", "<1.10"},
        {">= V2.3 and < V6.30.016", ">=2.3|<6.30.016"},
        {"V15, V15.1, V16 and V17", "=15|=15.1|=16|=17"},
        {"All BIOS versions < V1.0.212N", "<1.0.212N"},
        {"<=Ver.2.60", "<=2.60"},
        {"All versions", "*"},
        {"1.3.0", "=1.3.0"},
    };
    static const char *const bad[] = {
        "vers:all/*_installed_on_CP200_devices",
        "<V4.95_SP3_in_connection_with_using_Create_MyConfig_CMC_<=V4.8_SP1_HF6",
        "All versions in default configuration",
        "<= Serial Numbers 2310****",
        "<=",
        "No version",
        "<= 7.20 (7.50 and 7.60 may also be affected if WibuKey was installed manually)",
    };
    wb_buf b = {0};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        if (wbi_free_range(ok[i][0], &b) != 0) fail_msg("'%s' not read", ok[i][0]);
        if (strcmp(b.data, ok[i][1]) != 0) fail_msg("'%s' -> '%s'", ok[i][0], b.data);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (wbi_free_range(bad[i], &b) == 0) fail_msg("'%s' read as '%s'", bad[i], b.data);
    wb_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bsi),
        cmocka_unit_test(cisco),
        cmocka_unit_test(redhat),
        cmocka_unit_test(all_examples),
        cmocka_unit_test(provider),
        cmocka_unit_test(errors),
        cmocka_unit_test(validator_suite),
        cmocka_unit_test(free_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
