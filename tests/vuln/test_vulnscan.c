/*
 * test_vulnscan.c - the scanner's rules on advisories built in the test:
 * purl ranges, CPE bounds (NISTIR 7696), CSAF product names, deb/rpm
 * "fixed" semantics and platforms, not_affected, Debian source packages,
 * VEX suppression, alias merging, KEV/EPSS, deadlines at and around each
 * policy threshold, the KEV earlier-deadline rule, ordering, the index file
 * (round trip and damaged files) and the linear baseline giving the same
 * findings as the indexes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "weerbaar/vulnscan.h"

#define DAY ((wb_time)86400 * 1000000)
#define T0 ((wb_time)1704067200 * 1000000) /* 2024-01-01T00:00:00Z */

static wb_vulndb *new_db(void)
{
    wb_vulndb *db;
    assert_int_equal(wb_vulndb_new(&db), 0);
    return db;
}

static void add(wb_vulndb *db, const char *id, const char *const *aliases, size_t naliases,
                const wb_affected *aff, size_t naff, double score, unsigned cvss_version,
                wb_time published)
{
    wb_cvss cv = {.version = (uint8_t)cvss_version, .score = score, .vector = "CVSS:3.1/AV:N"};
    wb_remediation rem = {.category = "vendor_fix", .details = "update", .url = "https://fix"};
    wb_advisory a = {.id = id,
                     .aliases = aliases,
                     .naliases = naliases,
                     .doc_id = id,
                     .source = "test.json",
                     .source_kind = "csaf",
                     .title = "a title",
                     .published = published,
                     .modified = WB_TIME_NONE,
                     .cvss = cvss_version ? &cv : NULL,
                     .ncvss = cvss_version ? 1 : 0,
                     .affected = aff,
                     .naffected = naff,
                     .remediations = &rem,
                     .nremediations = 1};
    wb_advisory_sink *s = wb_vulndb_advisory_sink(db);
    assert_int_equal(s->add(s, &a), 0);
}

static void build(wb_vulndb *db)
{
    wb_error err;
    if (wb_vulndb_build(db, &err) != 0) fail_msg("%s", err.msg);
}

typedef struct scan {
    wb_vulnscan *s;
} scan;

static wb_vulnscan *start(const wb_vulndb *db, const wb_vulndb *extra, wb_time now, bool linear)
{
    wb_vulnscan *s;
    wb_error err;
    wb_scan_opts o = {.now = now, .linear = linear};
    assert_int_equal(wb_vulnscan_new(&s, db, extra, &o, &err), 0);
    return s;
}

static void comp(wb_vulnscan *s, const wb_component *c)
{
    wb_component_sink *k = wb_vulnscan_sink(s);
    assert_int_equal(k->add(k, c), 0);
}

static void finish(wb_vulnscan *s)
{
    wb_error err;
    assert_int_equal(wb_vulnscan_finish(s, &err), 0);
}

/* The finding for component name and vulnerability, or NULL. */
static const wb_finding *find(const wb_vulnscan *s, const char *name, const char *version,
                              const char *vuln)
{
    for (size_t i = 0; i < wb_vulnscan_count(s); i++) {
        const wb_finding *f = wb_vulnscan_get(s, i);
        if (strcmp(f->name, name) == 0 && strcmp(f->vuln, vuln) == 0 &&
            (version == NULL || (f->version && strcmp(f->version, version) == 0)))
            return f;
    }
    return NULL;
}

static wb_component purl_comp(const char *name, const char *purl)
{
    return (wb_component){.asset = "host1", .name = name, .purl = purl, .where = "inv:1"};
}

static void test_purl_range(void **state)
{
    (void)state;
    wb_vulndb *db = new_db();
    wb_affected a[] = {{.status = WB_AFF_AFFECTED,
                        .purl = "pkg:npm/lodash",
                        .range = "vers:npm/<4.17.21",
                        .fixed = "4.17.21",
                        .scheme = "npm"}};
    add(db, "CVE-2021-23337", NULL, 0, a, 1, 7.2, 31, T0);
    build(db);
    for (int linear = 0; linear < 2; linear++) {
        wb_vulnscan *s = start(db, NULL, T0, linear);
        wb_component c1 = purl_comp("lodash", "pkg:npm/lodash@4.17.20");
        wb_component c2 = purl_comp("lodash", "pkg:npm/lodash@4.17.21");
        wb_component c3 = purl_comp("lodash-es", "pkg:npm/lodash-es@4.17.20");
        wb_component c4 = purl_comp("lodash", "pkg:pypi/lodash@4.17.20");
        comp(s, &c1);
        comp(s, &c2);
        comp(s, &c3);
        comp(s, &c4);
        finish(s);
        assert_int_equal(wb_vulnscan_count(s), 1);
        const wb_finding *f = find(s, "lodash", "4.17.20", "CVE-2021-23337");
        assert_non_null(f);
        assert_string_equal(f->matched_by, "purl");
        assert_int_equal(f->nfixed, 1);
        assert_string_equal(f->fixed[0], "4.17.21");
        assert_string_equal(f->remediation, "update");
        assert_int_equal(f->severity, WB_SEV_HIGH);
        assert_int_equal(f->rank, 1);
        wb_vulnscan_free(s);
    }
    wb_vulndb_free(db);
}

static void test_cpe_bounds(void **state)
{
    (void)state;
    wb_vulndb *db = new_db();
    wb_affected a[] = {
        {.status = WB_AFF_AFFECTED,
         .cpe = "cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*",
         .range = "vers:semver/>=2.0.0|<2.15.0",
         .scheme = "semver",
         .fixed = "2.15.0"},
        {.status = WB_AFF_AFFECTED, .cpe = "cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*"},
        /* a platform narrower than the component: must not match */
        {.status = WB_AFF_AFFECTED, .cpe = "cpe:2.3:a:acme:gadget:*:*:*:*:*:android:*:*"},
    };
    add(db, "CVE-2021-44228", NULL, 0, a, 3, 10.0, 31, T0);
    build(db);
    wb_vulnscan *s = start(db, NULL, T0, false);
    wb_component cs[] = {
        {.asset = "h", .name = "log4j-a", .cpe = "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*"},
        {.asset = "h", .name = "log4j-b", .cpe = "cpe:2.3:a:apache:log4j:2.15.0:*:*:*:*:*:*:*"},
        {.asset = "h",
         .name = "log4j-c",
         .version = "2.0.0",
         .cpe = "cpe:2.3:a:apache:log4j:*:*:*:*:*:java:*:*"},
        {.asset = "h", .name = "widget-a", .cpe = "cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*"},
        {.asset = "h", .name = "widget-b", .cpe = "cpe:2.3:a:acme:widget:1.1:*:*:*:*:*:*:*"},
        {.asset = "h", .name = "gadget", .cpe = "cpe:2.3:a:acme:gadget:1.0:*:*:*:*:*:*:*"},
        {.asset = "h", .name = "log4jx", .cpe = "cpe:2.3:a:apache:log4jx:2.14.1:*:*:*:*:*:*:*"},
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++)
        comp(s, &cs[i]);
    finish(s);
    assert_non_null(find(s, "log4j-a", "2.14.1", "CVE-2021-44228"));
    assert_null(find(s, "log4j-b", NULL, "CVE-2021-44228"));
    assert_non_null(find(s, "log4j-c", "2.0.0", "CVE-2021-44228"));
    assert_non_null(find(s, "widget-a", "1.0", "CVE-2021-44228"));
    assert_null(find(s, "widget-b", NULL, "CVE-2021-44228"));
    assert_null(find(s, "gadget", NULL, "CVE-2021-44228"));
    assert_null(find(s, "log4jx", NULL, "CVE-2021-44228"));
    assert_int_equal(wb_vulnscan_count(s), 3);
    assert_string_equal(find(s, "log4j-a", NULL, "CVE-2021-44228")->matched_by, "cpe");
    wb_vulnscan_free(s);
    wb_vulndb_free(db);
}

static void test_csaf_names(void **state)
{
    (void)state;
    wb_vulndb *db = new_db();
    wb_affected a[] = {
        {.status = WB_AFF_AFFECTED,
         .vendor = "Siemens",
         .product = "SIMATIC S7-1500",
         .version = "V2.9 SP1",
         .product_id = "CSAFPID-1"},
        {.status = WB_AFF_AFFECTED,
         .vendor = "Siemens",
         .product = "SCALANCE X200",
         .range = "<V5.2.5",
         .product_id = "CSAFPID-2"},
        {.status = WB_AFF_FIXED,
         .vendor = "Siemens",
         .product = "SCALANCE X200",
         .version = "V5.2.5",
         .product_id = "CSAFPID-3"},
    };
    add(db, "CVE-2023-0001", NULL, 0, a, 3, 6.5, 30, T0);
    build(db);
    wb_vulnscan *s = start(db, NULL, T0, false);
    wb_component cs[] = {
        {.asset = "plc",
         .vendor = "siemens",
         .product = "simatic s7-1500",
         .name = "s7",
         .version = "v2.9 sp1"},
        {.asset = "plc",
         .vendor = "SIEMENS",
         .product = "Simatic S7-1500",
         .name = "s7b",
         .version = "V3.0"},
        {.asset = "sw",
         .vendor = "Siemens",
         .product = "SCALANCE X200",
         .name = "x200a",
         .version = "V5.2.4"},
        {.asset = "sw",
         .vendor = "Siemens",
         .product = "SCALANCE X200",
         .name = "x200b",
         .version = "V5.2.5"},
        /* a purl keeps a component out of name matching */
        {.asset = "sw",
         .vendor = "Siemens",
         .product = "SCALANCE X200",
         .name = "x200c",
         .version = "V5.2.4",
         .purl = "pkg:generic/siemens/scalance-x200@V5.2.4"},
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++)
        comp(s, &cs[i]);
    finish(s);
    const wb_finding *f = find(s, "s7", NULL, "CVE-2023-0001");
    assert_non_null(f);
    assert_string_equal(f->matched_by, "csaf-product");
    assert_null(find(s, "s7b", NULL, "CVE-2023-0001"));
    assert_non_null(find(s, "x200a", NULL, "CVE-2023-0001"));
    assert_null(find(s, "x200b", NULL, "CVE-2023-0001"));
    assert_null(find(s, "x200c", NULL, "CVE-2023-0001"));
    assert_int_equal(wb_vulnscan_count(s), 2);
    wb_vulnscan_free(s);
    wb_vulndb_free(db);
}

static void test_distro_fixed(void **state)
{
    (void)state;
    wb_vulndb *db = new_db();
    wb_affected a[] = {
        {.status = WB_AFF_FIXED,
         .purl = "pkg:deb/debian/openssl?distro=debian-12",
         .version = "3.0.11-1~deb12u1",
         .scheme = "deb"},
        {.status = WB_AFF_FIXED,
         .purl = "pkg:rpm/redhat/openssl?distro=rhel-8",
         .version = "1:1.1.1k-5.el8_5",
         .scheme = "rpm"},
    };
    add(db, "CVE-2023-5678", NULL, 0, a, 2, 5.3, 31, T0);
    build(db);
    wb_vulnscan *s = start(db, NULL, T0, false);
    wb_component cs[] = {
        purl_comp("deb-old", "pkg:deb/debian/openssl@3.0.9-1?distro=debian-12"),
        purl_comp("deb-fixed", "pkg:deb/debian/openssl@3.0.11-1~deb12u1?distro=debian-12"),
        purl_comp("deb-newer", "pkg:deb/debian/openssl@3.0.13-1~deb12u1?distro=debian-12"),
        purl_comp("deb-other-release", "pkg:deb/debian/openssl@3.0.9-1?distro=debian-11"),
        purl_comp("rpm-old", "pkg:rpm/redhat/openssl@1:1.1.1k-4.el8?distro=rhel-8&arch=x86_64"),
        purl_comp("rpm-fixed", "pkg:rpm/redhat/openssl@1:1.1.1k-5.el8_5?distro=rhel-8"),
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++)
        comp(s, &cs[i]);
    /* Debian advisories name the source package: libssl3 is built from openssl. */
    wb_component bin = {.asset = "host1",
                        .name = "libssl3",
                        .version = "3.0.9-1+b1",
                        .purl = "pkg:deb/debian/libssl3@3.0.9-1%2Bb1?distro=debian-12",
                        .source_name = "openssl",
                        .source_version = "3.0.9-1"};
    comp(s, &bin);
    finish(s);
    const wb_finding *f = find(s, "deb-old", NULL, "CVE-2023-5678");
    assert_non_null(f);
    assert_int_equal(f->nfixed, 1);
    assert_string_equal(f->fixed[0], "3.0.11-1~deb12u1");
    assert_null(find(s, "deb-fixed", NULL, "CVE-2023-5678"));
    assert_null(find(s, "deb-newer", NULL, "CVE-2023-5678"));
    assert_null(find(s, "deb-other-release", NULL, "CVE-2023-5678"));
    assert_non_null(find(s, "rpm-old", NULL, "CVE-2023-5678"));
    assert_null(find(s, "rpm-fixed", NULL, "CVE-2023-5678"));
    f = find(s, "libssl3", NULL, "CVE-2023-5678");
    assert_non_null(f);
    assert_string_equal(f->matched_by, "source-package");
    assert_int_equal(wb_vulnscan_count(s), 3);
    wb_vulnscan_free(s);
    wb_vulndb_free(db);
}

static void test_not_affected_wins(void **state)
{
    (void)state;
    wb_vulndb *db = new_db();
    wb_affected a[] = {
        {.status = WB_AFF_AFFECTED, .purl = "pkg:pypi/django", .range = "vers:pypi/<2.0"},
        {.status = WB_AFF_NOT_AFFECTED, .purl = "pkg:pypi/django", .version = "1.5"},
        {.status = WB_AFF_UNDER_INVESTIGATION, .purl = "pkg:pypi/django", .version = "3.0"},
    };
    add(db, "CVE-2020-1", NULL, 0, a, 3, 5.0, 31, T0);
    /* another advisory of another vulnerability is not blocked */
    wb_affected b[] = {{.status = WB_AFF_AFFECTED, .purl = "pkg:pypi/django"}};
    add(db, "CVE-2020-2", NULL, 0, b, 1, 5.0, 31, T0);
    build(db);
    wb_vulnscan *s = start(db, NULL, T0, false);
    wb_component c1 = purl_comp("d15", "pkg:pypi/django@1.5");
    wb_component c2 = purl_comp("d14", "pkg:pypi/django@1.4");
    wb_component c3 = purl_comp("d30", "pkg:pypi/django@3.0");
    comp(s, &c1);
    comp(s, &c2);
    comp(s, &c3);
    finish(s);
    assert_null(find(s, "d15", NULL, "CVE-2020-1"));
    assert_non_null(find(s, "d15", NULL, "CVE-2020-2"));
    assert_non_null(find(s, "d14", NULL, "CVE-2020-1"));
    assert_null(find(s, "d30", NULL, "CVE-2020-1"));
    assert_int_equal(wb_vulnscan_count(s), 4);
    wb_vulnscan_free(s);
    wb_vulndb_free(db);
}

static void test_alias_merging(void **state)
{
    (void)state;
    wb_vulndb *db = new_db();
    wb_affected a[] = {{.status = WB_AFF_AFFECTED, .purl = "pkg:npm/minimist"}};
    const char *al1[] = {"GHSA-xvch-5gv4-984h"};
    const char *al2[] = {"VENDOR-2022-7", "GHSA-xvch-5gv4-984h"};
    add(db, "CVE-2021-44906", al1, 1, a, 1, 9.8, 31, T0 + 5 * DAY);
    add(db, "GHSA-xvch-5gv4-984h", NULL, 0, a, 1, 9.3, 40, T0 + 2 * DAY);
    add(db, "VENDOR-2022-7", al2, 2, a, 1, 0, 0, WB_TIME_NONE);
    add(db, "CVE-2000-0001", NULL, 0, a, 1, 1.0, 20, T0);
    build(db);
    wb_vulndb_stats st;
    wb_vulndb_stats_get(db, &st);
    assert_int_equal(st.advisories, 4);
    assert_int_equal(st.vulns, 2);
    wb_vulnscan *s = start(db, NULL, T0, false);
    wb_component c = purl_comp("minimist", "pkg:npm/minimist@1.2.5");
    comp(s, &c);
    finish(s);
    assert_int_equal(wb_vulnscan_count(s), 2);
    const wb_finding *f = find(s, "minimist", NULL, "CVE-2021-44906");
    assert_non_null(f);
    assert_string_equal(f->cve, "CVE-2021-44906");
    assert_int_equal(f->nids, 3);
    assert_string_equal(f->ids[0], "CVE-2021-44906");
    assert_string_equal(f->ids[1], "GHSA-xvch-5gv4-984h");
    assert_string_equal(f->ids[2], "VENDOR-2022-7");
    /* the newest CVSS version wins over a higher older score */
    assert_int_equal(f->cvss_version, 40);
    assert_true(f->cvss_score == 9.3);
    assert_int_equal(f->published, T0 + 2 * DAY);
    wb_vulnscan_free(s);
    wb_vulndb_free(db);
}

static void test_vex_suppression(void **state)
{
    (void)state;
    wb_vulndb *db = new_db();
    wb_affected a[] = {{.status = WB_AFF_AFFECTED, .purl = "pkg:maven/org.example/lib"}};
    const char *al[] = {"GHSA-aaaa-bbbb-cccc"};
    add(db, "CVE-2024-1000", al, 1, a, 1, 8.0, 31, T0);
    build(db);
    wb_vulndb *x = new_db();
    wb_vex_sink *vs = wb_vulndb_vex_sink(x);
    /* by alias, purl without version */
    wb_vex v1 = {.vuln = "GHSA-aaaa-bbbb-cccc",
                 .purl = "pkg:maven/org.example/lib",
                 .status = WB_VEX_NOT_AFFECTED,
                 .justification = "vulnerable_code_not_in_execute_path",
                 .source = "vex.json"};
    /* an affected statement never suppresses */
    wb_vex v2 = {
        .vuln = "CVE-2024-1000", .purl = "pkg:maven/org.example/lib", .status = WB_VEX_AFFECTED};
    assert_int_equal(vs->add(vs, &v1), 0);
    assert_int_equal(vs->add(vs, &v2), 0);
    build(x);
    wb_vulnscan *s = start(db, x, T0, false);
    wb_component c1 = purl_comp("lib", "pkg:maven/org.example/lib@1.0");
    comp(s, &c1);
    finish(s);
    assert_int_equal(wb_vulnscan_count(s), 1);
    const wb_finding *f = wb_vulnscan_get(s, 0);
    assert_true(f->suppressed);
    assert_int_equal(f->rank, 0);
    assert_string_equal(f->vex_justification, "vulnerable_code_not_in_execute_path");
    assert_string_equal(f->vex_status, "not_affected");
    wb_scan_summary sum;
    wb_vulnscan_summary_get(s, &sum);
    assert_int_equal(sum.findings, 0);
    assert_int_equal(sum.suppressed, 1);
    wb_vulnscan_free(s);
    wb_vulndb_free(x);

    /* a version-specific statement only for that version */
    x = new_db();
    vs = wb_vulndb_vex_sink(x);
    wb_vex v3 = {
        .vuln = "CVE-2024-1000", .purl = "pkg:maven/org.example/lib@1.0", .status = WB_VEX_FIXED};
    assert_int_equal(vs->add(vs, &v3), 0);
    build(x);
    s = start(db, x, T0, false);
    wb_component c2 = purl_comp("lib2", "pkg:maven/org.example/lib@1.1");
    comp(s, &c1);
    comp(s, &c2);
    finish(s);
    assert_true(find(s, "lib", NULL, "CVE-2024-1000")->suppressed);
    assert_false(find(s, "lib2", NULL, "CVE-2024-1000")->suppressed);
    wb_vulnscan_free(s);
    wb_vulndb_free(x);
    wb_vulndb_free(db);
}

/* Red Hat's CSAF purls carry no distro: the relationship's platform names
 * the release, and a "fixed" build on RHEL 8 says nothing about RHEL 9. */
static void test_platform_fixed(void **state)
{
    (void)state;
    wb_vulndb *db = new_db();
    wb_affected a[] = {
        {.status = WB_AFF_FIXED,
         .purl = "pkg:rpm/redhat/openssl",
         .version = "1:1.1.1k-7.el8_6",
         .scheme = "rpm",
         .platform = "Red Hat Enterprise Linux BaseOS (v. 8)"},
        {.status = WB_AFF_FIXED,
         .purl = "pkg:rpm/redhat/openssl",
         .version = "1:3.0.1-43.el9_0",
         .scheme = "rpm",
         .platform = "Red Hat Enterprise Linux BaseOS (v. 9)"},
    };
    add(db, "CVE-2022-0778", NULL, 0, a, 2, 7.5, 31, T0);
    build(db);
    for (int linear = 0; linear < 2; linear++) {
        wb_vulnscan *s = start(db, NULL, T0, linear);
        wb_component cs[] = {
            /* newer than the el8 fix, older than the el9 one: affected on 9 */
            purl_comp("el9-old", "pkg:rpm/redhat/openssl@1:3.0.1-40.el9?distro=rhel-9"),
            /* the el9 fix, on a minor release: the major names the platform */
            purl_comp("el9-fixed", "pkg:rpm/redhat/openssl@1:3.0.1-43.el9_0?distro=rhel-9.0"),
            /* older than the el9 fix, but on RHEL 8 and fixed there */
            purl_comp("el8-fixed", "pkg:rpm/redhat/openssl@1:1.1.1k-7.el8_6?distro=rhel-8"),
            purl_comp("el8-old", "pkg:rpm/redhat/openssl@1:1.1.1k-5.el8?distro=rhel-8"),
            /* a release no platform names: nothing said about it */
            purl_comp("el7", "pkg:rpm/redhat/openssl@1:1.0.2k-19.el7?distro=rhel-7"),
            /* a distro that is not Red Hat's */
            purl_comp("deb", "pkg:rpm/redhat/openssl@1:1.1.1k-5.el8?distro=debian-8"),
        };
        for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++)
            comp(s, &cs[i]);
        finish(s);
        const wb_finding *f = find(s, "el9-old", NULL, "CVE-2022-0778");
        assert_non_null(f);
        assert_int_equal(f->nfixed, 1);
        assert_string_equal(f->fixed[0], "1:3.0.1-43.el9_0");
        assert_non_null(find(s, "el8-old", NULL, "CVE-2022-0778"));
        assert_null(find(s, "el9-fixed", NULL, "CVE-2022-0778"));
        assert_null(find(s, "el8-fixed", NULL, "CVE-2022-0778"));
        assert_null(find(s, "el7", NULL, "CVE-2022-0778"));
        assert_null(find(s, "deb", NULL, "CVE-2022-0778"));
        assert_int_equal(wb_vulnscan_count(s), 2);
        wb_vulnscan_free(s);
    }
    wb_vulndb_free(db);
}

/* CSAF products with neither purl nor CPE that name a distribution package:
 * Red Hat's NEVRA product versions and a vendor's name + version. Purl
 * components (rpm and deb) find them by package name; vendor, arch, source
 * packages, module streams, name prefixes and other purl types keep out
 * what is not the same package. Each component is its own asset so the
 * findings can be told apart. */
static void test_package_names(void **state)
{
    (void)state;
    wb_vulndb *db = new_db();
    const char *el7 = "Red Hat Enterprise Linux Server (v. 7)";
    const char *mod = "nodejs:18:8080020230202154002:4d2a8c93 as a component of Red Hat "
                      "Enterprise Linux AppStream (v. 8)";
    wb_affected a[] = {
        {.status = WB_AFF_FIXED,
         .vendor = "Red Hat",
         .version = "telnet-1:0.17-65.el7_6.x86_64",
         .scheme = "generic",
         .platform = el7},
        {.status = WB_AFF_FIXED,
         .vendor = "Red Hat",
         .version = "telnet-1:0.17-65.el7_6.src",
         .scheme = "generic",
         .platform = el7},
        {.status = WB_AFF_FIXED,
         .vendor = "Red Hat",
         .version = "foo-doc-2.0-3.el7.noarch",
         .scheme = "generic",
         .platform = el7},
        {.status = WB_AFF_FIXED,
         .vendor = "Red Hat",
         .version = "nodejs-1:18.14.2-2.module+el8.8.0+18319+c1f9a26a.x86_64",
         .scheme = "generic",
         .platform = mod},
    };
    add(db, "CVE-2020-10188", NULL, 0, a, 3, 9.8, 31, T0);
    add(db, "CVE-2023-23918", NULL, 0, a + 3, 1, 7.5, 31, T0);
    wb_affected d[] = {
        {.status = WB_AFF_FIXED,
         .vendor = "Debian",
         .product = "openssl",
         .version = "1.1.1n-0+deb11u5",
         .scheme = "generic"},
        {.status = WB_AFF_AFFECTED,
         .vendor = "Acme",
         .product = "openssl",
         .version = "3.0.1",
         .scheme = "generic"},
    };
    add(db, "CVE-2023-0464", NULL, 0, d, 2, 5.9, 31, T0);
    build(db);
    static const struct {
        const char *purl;
        bool hit;
    } cases[] = {
        {"pkg:rpm/redhat/telnet@1:0.17-64.el7?arch=x86_64&distro=rhel-7", true},
        /* the epoch as a qualifier, as Red Hat's own purls write it */
        {"pkg:rpm/redhat/telnet@0.17-64.el7?arch=x86_64&epoch=1", true},
        {"pkg:rpm/redhat/telnet@0.17-65.el7_6?arch=x86_64&epoch=1", false},
        /* no epoch at all: the fix's (SBOMs leave it out) */
        {"pkg:rpm/redhat/telnet@0.17-64.el7?arch=x86_64", true},
        {"pkg:rpm/redhat/telnet@0.17-70.el7?arch=x86_64", false},
        {"pkg:rpm/redhat/telnet@1:0.17-66.el7?arch=x86_64&distro=rhel-7", false},
        /* no arch: judged against every build */
        {"pkg:rpm/redhat/telnet@1:0.17-64.el7", true},
        /* other platform, other arch, source package, other vendor */
        {"pkg:rpm/redhat/telnet@1:0.17-64.el7?arch=x86_64&distro=rhel-8", false},
        {"pkg:rpm/redhat/telnet@1:0.17-64.el7?arch=i686", false},
        {"pkg:rpm/redhat/telnet@1:0.17-64.el7?arch=src", true},
        {"pkg:rpm/suse/telnet@1:0.17-64.el7?arch=x86_64", false},
        /* a name the advisory's names start with, or that starts with them */
        {"pkg:rpm/redhat/telnet-server@1:0.17-64.el7?arch=x86_64", false},
        {"pkg:rpm/redhat/teln@1:0.17-64.el7?arch=x86_64", false},
        {"pkg:rpm/redhat/Telnet@1:0.17-64.el7?arch=x86_64", false},
        /* noarch builds install on any arch */
        {"pkg:rpm/redhat/foo-doc@2.0-2.el7?arch=noarch", true},
        {"pkg:rpm/redhat/foo-doc@2.0-2.el7?arch=x86_64", true},
        {"pkg:rpm/redhat/foo-doc@2.0-3.el7?arch=noarch", false},
        /* module streams */
        {"pkg:rpm/redhat/nodejs@1:18.12.1-1.module%2Bel8.7.0%2B17306%2Bfc023f99?arch=x86_64&"
         "rpmmod=nodejs:18:8070020221024084802:ad008a3a",
         true},
        {"pkg:rpm/redhat/nodejs@1:18.12.1-1.module%2Bel8.7.0%2B17306%2Bfc023f99?arch=x86_64", true},
        {"pkg:rpm/redhat/nodejs@1:16.19.1-1.module%2Bel8.7.0%2B17307%2B0b2a8e1d?arch=x86_64&"
         "rpmmod=nodejs:16:8070020221024084802:ad008a3a",
         false},
        {"pkg:rpm/redhat/nodejs@1:18.10.0-3.el8?arch=x86_64", false},
        /* Debian names by vendor and product */
        {"pkg:deb/debian/openssl@1.1.1n-0%2Bdeb11u4?arch=amd64", true},
        {"pkg:deb/debian/openssl@1.1.1n-0%2Bdeb11u5?arch=amd64", false},
        {"pkg:deb/ubuntu/openssl@1.1.1f-1ubuntu2?arch=amd64", false},
        {"pkg:deb/debian/openssl-dev@1.1.1n-0%2Bdeb11u4?arch=amd64", false},
        /* a library of a language ecosystem is not the vendor's product */
        {"pkg:npm/openssl@3.0.1", false},
        {"pkg:generic/acme/openssl@3.0.1", false},
    };
    size_t n = sizeof cases / sizeof cases[0];
    for (int linear = 0; linear < 2; linear++) {
        wb_vulnscan *s = start(db, NULL, T0, linear);
        for (size_t i = 0; i < n; i++) {
            char asset[16];
            snprintf(asset, sizeof asset, "c%zu", i);
            wb_component c = purl_comp("pkg", cases[i].purl);
            c.asset = asset;
            comp(s, &c);
        }
        finish(s);
        for (size_t i = 0; i < n; i++) {
            char asset[16];
            snprintf(asset, sizeof asset, "c%zu", i);
            const wb_finding *f = NULL;
            for (size_t k = 0; k < wb_vulnscan_count(s); k++)
                if (strcmp(wb_vulnscan_get(s, k)->asset, asset) == 0) f = wb_vulnscan_get(s, k);
            if ((f != NULL) != cases[i].hit)
                fail_msg("%s: %s (linear %d)", cases[i].purl, f ? "a finding" : "no finding",
                         linear);
            if (f) assert_string_equal(f->matched_by, "package-name");
        }
        const wb_finding *f = NULL;
        for (size_t k = 0; k < wb_vulnscan_count(s); k++)
            if (strcmp(wb_vulnscan_get(s, k)->asset, "c1") == 0) f = wb_vulnscan_get(s, k);
        assert_non_null(f);
        assert_string_equal(f->version, "1:0.17-64.el7");
        assert_int_equal(f->nfixed, 1);
        assert_string_equal(f->fixed[0], "1:0.17-65.el7_6");
        wb_vulnscan_free(s);
    }
    wb_vulndb_free(db);
}

/* Red Hat's newer CSAF gives each build a purl with arch and rpmmod
 * qualifiers: the same arch and module rules as for NEVRA products. */
static void test_rpm_purl_builds(void **state)
{
    (void)state;
    wb_vulndb *db = new_db();
    wb_affected a[] = {
        {.status = WB_AFF_FIXED,
         .purl = "pkg:rpm/redhat/nodejs?arch=x86_64&rpmmod=nodejs:18:8080020230202154002:4d2a8c93",
         .version = "1:18.14.2-2.module+el8.8.0+18319+c1f9a26a",
         .scheme = "rpm"},
        {.status = WB_AFF_FIXED,
         .purl = "pkg:rpm/redhat/curl?arch=i686",
         .version = "7.61.1-34.el8",
         .scheme = "rpm"},
    };
    add(db, "CVE-2023-23918", NULL, 0, a, 1, 7.5, 31, T0);
    add(db, "CVE-2023-27533", NULL, 0, a + 1, 1, 5.9, 31, T0);
    build(db);
    static const struct {
        const char *purl;
        bool hit;
    } cases[] = {
        {"pkg:rpm/redhat/nodejs@18.12.1-1.module%2Bel8.7.0%2B1%2Bab?arch=x86_64&epoch=1&"
         "rpmmod=nodejs:18:8070020221024084802:ad008a3a",
         true},
        {"pkg:rpm/redhat/nodejs@16.19.1-1.module%2Bel8.7.0%2B2%2Bcd?arch=x86_64&epoch=1&"
         "rpmmod=nodejs:16:8070020221024084802:ad008a3a",
         false},
        {"pkg:rpm/redhat/nodejs@18.10.0-3.el8?arch=x86_64&epoch=1", false},
        {"pkg:rpm/redhat/curl@7.61.1-30.el8?arch=i686", true},
        {"pkg:rpm/redhat/curl@7.61.1-30.el8?arch=x86_64", false},
        {"pkg:rpm/redhat/curl@7.61.1-30.el8", true},
    };
    size_t n = sizeof cases / sizeof cases[0];
    for (int linear = 0; linear < 2; linear++) {
        wb_vulnscan *s = start(db, NULL, T0, linear);
        for (size_t i = 0; i < n; i++) {
            char asset[16];
            snprintf(asset, sizeof asset, "c%zu", i);
            wb_component c = purl_comp("pkg", cases[i].purl);
            c.asset = asset;
            comp(s, &c);
        }
        finish(s);
        for (size_t i = 0; i < n; i++) {
            char asset[16];
            snprintf(asset, sizeof asset, "c%zu", i);
            const wb_finding *f = NULL;
            for (size_t k = 0; k < wb_vulnscan_count(s); k++)
                if (strcmp(wb_vulnscan_get(s, k)->asset, asset) == 0) f = wb_vulnscan_get(s, k);
            if ((f != NULL) != cases[i].hit)
                fail_msg("%s: %s (linear %d)", cases[i].purl, f ? "a finding" : "no finding",
                         linear);
            if (f) assert_string_equal(f->matched_by, "purl");
        }
        wb_vulnscan_free(s);
    }
    wb_vulndb_free(db);
}

/* No CVSS score from any source: the sources' own rating word decides the
 * band, the deadline and the order; the gravest word among merged sources. */
static void test_source_severity(void **state)
{
    (void)state;
    assert_int_equal(wb_severity_from_word("Important"), WB_SEV_HIGH);
    assert_int_equal(wb_severity_from_word(" MODERATE "), WB_SEV_MEDIUM);
    assert_int_equal(wb_severity_from_word("medium"), WB_SEV_MEDIUM);
    assert_int_equal(wb_severity_from_word("Critical"), WB_SEV_CRITICAL);
    assert_int_equal(wb_severity_from_word("low"), WB_SEV_LOW);
    assert_int_equal(wb_severity_from_word("negligible"), WB_SEV_UNKNOWN);
    assert_int_equal(wb_severity_from_word("highest"), WB_SEV_UNKNOWN);
    assert_int_equal(wb_severity_from_word(NULL), WB_SEV_UNKNOWN);
    wb_vulndb *db = new_db();
    wb_affected a[] = {{.status = WB_AFF_AFFECTED, .purl = "pkg:npm/a"}};
    wb_affected b[] = {{.status = WB_AFF_AFFECTED, .purl = "pkg:npm/b"}};
    wb_affected c[] = {{.status = WB_AFF_AFFECTED, .purl = "pkg:npm/c"}};
    wb_advisory_sink *as = wb_vulndb_advisory_sink(db);
    const char *al[] = {"CVE-2024-2"};
    wb_advisory x[] = {
        {.id = "CVE-2024-1",
         .source = "t",
         .source_kind = "osv",
         .published = T0,
         .modified = WB_TIME_NONE,
         .affected = a,
         .naffected = 1,
         .severity = "Moderate"},
        /* two sources of one vulnerability: "low" and "Important" */
        {.id = "RHSA-1",
         .aliases = al,
         .naliases = 1,
         .source = "t",
         .source_kind = "csaf",
         .published = T0,
         .modified = WB_TIME_NONE,
         .affected = b,
         .naffected = 1,
         .severity = "low"},
        {.id = "CVE-2024-2",
         .source = "t",
         .source_kind = "osv",
         .published = T0,
         .modified = WB_TIME_NONE,
         .affected = b,
         .naffected = 1,
         .severity = "Important"},
        {.id = "CVE-2024-3",
         .source = "t",
         .source_kind = "osv",
         .published = T0,
         .modified = WB_TIME_NONE,
         .affected = c,
         .naffected = 1,
         .severity = "whatever"},
    };
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        assert_int_equal(as->add(as, &x[i]), 0);
    build(db);
    wb_vulnscan *s = start(db, NULL, T0, false);
    wb_component ca = purl_comp("a", "pkg:npm/a@1.0.0"), cb = purl_comp("b", "pkg:npm/b@1.0.0"),
                 cc = purl_comp("c", "pkg:npm/c@1.0.0");
    comp(s, &ca);
    comp(s, &cb);
    comp(s, &cc);
    finish(s);
    assert_int_equal(wb_vulnscan_count(s), 3);
    const wb_finding *f = wb_vulnscan_get(s, 0);
    assert_string_equal(f->name, "b");
    assert_int_equal(f->severity, WB_SEV_HIGH);
    assert_int_equal(f->cvss_version, 0);
    assert_int_equal(f->deadline_rule, WB_DL_HIGH);
    assert_true(f->deadline == T0 + 30 * DAY);
    f = wb_vulnscan_get(s, 1);
    assert_string_equal(f->name, "a");
    assert_int_equal(f->severity, WB_SEV_MEDIUM);
    assert_int_equal(f->deadline_rule, WB_DL_MEDIUM);
    f = wb_vulnscan_get(s, 2);
    assert_string_equal(f->name, "c");
    assert_int_equal(f->severity, WB_SEV_UNKNOWN);
    assert_int_equal(f->deadline_rule, WB_DL_UNSCORED);
    wb_vulnscan_free(s);
    wb_vulndb_free(db);
}

/* A VEX statement about a version range covers that range only; one with a
 * vendor only that vendor's product of the name. Both survive an index file. */
static void test_vex_range_vendor(void **state)
{
    (void)state;
    wb_vulndb *db = new_db();
    wb_affected a[] = {{.status = WB_AFF_AFFECTED, .vendor = "Acme", .product = "Gateway"},
                       {.status = WB_AFF_AFFECTED, .vendor = "Other", .product = "Gateway"}};
    add(db, "CVE-2024-7", NULL, 0, a, 2, 9.1, 31, T0);
    build(db);
    wb_vulndb *x = new_db();
    wb_vex_sink *vs = wb_vulndb_vex_sink(x);
    wb_vex v = {.vuln = "CVE-2024-7",
                .product = "Gateway",
                .vendor = "Acme",
                .range = "vers:generic/>=2.0|<3.0",
                .status = WB_VEX_NOT_AFFECTED,
                .justification = "component_not_present",
                .source = "vex.json"};
    assert_int_equal(vs->add(vs, &v), 0);
    build(x);
    char path[] = "/tmp/wb_vexidx_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    wb_error err;
    assert_int_equal(wb_vulndb_save(x, path, &err), 0);
    wb_vulndb *lx;
    if (wb_vulndb_open(&lx, path, &err) != 0) fail_msg("%s", err.msg);
    unlink(path);
    const wb_vulndb *extras[2] = {x, lx};
    for (int k = 0; k < 2; k++) {
        wb_vulnscan *s = start(db, extras[k], T0, false);
        wb_component cs[] = {
            {.asset = "in", .vendor = "Acme", .product = "Gateway", .name = "in", .version = "2.5"},
            {.asset = "lo", .vendor = "Acme", .product = "Gateway", .name = "lo", .version = "1.9"},
            {.asset = "hi", .vendor = "Acme", .product = "Gateway", .name = "hi", .version = "3.0"},
            {.asset = "ot",
             .vendor = "Other",
             .product = "Gateway",
             .name = "ot",
             .version = "2.5"},
        };
        for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++)
            comp(s, &cs[i]);
        finish(s);
        assert_int_equal(wb_vulnscan_count(s), 4);
        for (size_t i = 0; i < 4; i++) {
            const wb_finding *f = wb_vulnscan_get(s, i);
            assert_int_equal(f->suppressed, strcmp(f->asset, "in") == 0);
        }
        wb_vulnscan_free(s);
    }
    wb_vulndb_free(lx);
    wb_vulndb_free(x);
    wb_vulndb_free(db);
}

static void test_severity_bands(void **state)
{
    (void)state;
    assert_int_equal(wb_severity_from_score(0.0), WB_SEV_NONE);
    assert_int_equal(wb_severity_from_score(0.1), WB_SEV_LOW);
    assert_int_equal(wb_severity_from_score(3.9), WB_SEV_LOW);
    assert_int_equal(wb_severity_from_score(4.0), WB_SEV_MEDIUM);
    assert_int_equal(wb_severity_from_score(6.9), WB_SEV_MEDIUM);
    assert_int_equal(wb_severity_from_score(7.0), WB_SEV_HIGH);
    assert_int_equal(wb_severity_from_score(8.9), WB_SEV_HIGH);
    assert_int_equal(wb_severity_from_score(9.0), WB_SEV_CRITICAL);
    assert_int_equal(wb_severity_from_score(10.0), WB_SEV_CRITICAL);
}

static void test_deadlines(void **state)
{
    (void)state;
    wb_policy p;
    wb_policy_default(&p);
    struct {
        double score;
        bool internet;
        int days;
        wb_patch_rule rule;
    } cases[] = {
        {9.0, true, 7, WB_DL_CRITICAL_INTERNET},
        {10.0, true, 7, WB_DL_CRITICAL_INTERNET},
        {9.0, false, 14, WB_DL_CRITICAL},
        {8.9, true, 30, WB_DL_HIGH},
        {7.0, false, 30, WB_DL_HIGH},
        {6.9, false, 90, WB_DL_MEDIUM},
        {4.0, false, 90, WB_DL_MEDIUM},
        {3.9, false, 180, WB_DL_LOW},
        {0.1, false, 180, WB_DL_LOW},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wb_patch_rule r;
        wb_time d = wb_policy_deadline(&p, wb_severity_from_score(cases[i].score),
                                       cases[i].internet, T0, WB_TIME_NONE, &r);
        assert_int_equal(d, T0 + cases[i].days * DAY);
        assert_int_equal(r, cases[i].rule);
    }
    wb_patch_rule r;
    assert_int_equal(wb_policy_deadline(&p, WB_SEV_NONE, false, T0, WB_TIME_NONE, &r),
                     WB_TIME_NONE);
    assert_int_equal(wb_policy_deadline(&p, WB_SEV_UNKNOWN, false, T0, WB_TIME_NONE, &r),
                     T0 + 90 * DAY);
    assert_int_equal(r, WB_DL_UNSCORED);
    /* no release date: no clock, unless KEV gives a due date */
    assert_int_equal(wb_policy_deadline(&p, WB_SEV_HIGH, false, WB_TIME_NONE, WB_TIME_NONE, &r),
                     WB_TIME_NONE);
    assert_int_equal(r, WB_DL_NONE);
    /* KEV and the policy: the earlier wins */
    assert_int_equal(wb_policy_deadline(&p, WB_SEV_HIGH, false, T0, T0 + 21 * DAY, &r),
                     T0 + 21 * DAY);
    assert_int_equal(r, WB_DL_KEV);
    assert_int_equal(wb_policy_deadline(&p, WB_SEV_CRITICAL, true, T0, T0 + 21 * DAY, &r),
                     T0 + 7 * DAY);
    assert_int_equal(r, WB_DL_CRITICAL_INTERNET);
    assert_int_equal(wb_policy_deadline(&p, WB_SEV_HIGH, false, WB_TIME_NONE, T0, &r), T0);
    p.kev_due_date = false;
    assert_int_equal(wb_policy_deadline(&p, WB_SEV_HIGH, false, T0, T0 + DAY, &r), T0 + 30 * DAY);
}

static void test_policy_file(void **state)
{
    (void)state;
    wb_policy p;
    wb_error err;
    wb_policy_default(&p);
    const char *ok = "{\"high\": 10, \"critical_internet\": 2, \"unscored_as\": \"high\", "
                     "\"kev_due_date\": false, \"none\": 365, \"comment\": \"ours\"}";
    assert_int_equal(wb_policy_parse("p.json", ok, strlen(ok), &p, &err), 0);
    assert_int_equal(p.high, 10);
    assert_int_equal(p.critical_internet, 2);
    assert_int_equal(p.critical, 14);
    assert_int_equal(p.unscored_as, WB_SEV_HIGH);
    assert_false(p.kev_due_date);
    assert_int_equal(p.none, 365);
    const char *bad1 = "{\"hihg\": 10}";
    assert_int_equal(wb_policy_parse("p.json", bad1, strlen(bad1), &p, &err), WB_EPARSE);
    assert_non_null(strstr(err.msg, "p.json: $.hihg: unknown key"));
    const char *bad2 = "{\"high\": -1}";
    assert_int_equal(wb_policy_parse("p.json", bad2, strlen(bad2), &p, &err), WB_EPARSE);
    assert_non_null(strstr(err.msg, "p.json: $.high:"));
    const char *bad3 = "{\"high\": 1,";
    assert_int_equal(wb_policy_parse("p.json", bad3, strlen(bad3), &p, &err), WB_EPARSE);
    assert_non_null(strstr(err.msg, "p.json:1:"));
}

/* KEV and EPSS attach by any merged id; the overdue flag flips just after the
 * deadline; the order is KEV, internet-facing, score, EPSS. */
static void test_kev_epss_order(void **state)
{
    (void)state;
    wb_vulndb *db = new_db();
    wb_affected a[] = {{.status = WB_AFF_AFFECTED, .purl = "pkg:npm/a"}};
    wb_affected b[] = {{.status = WB_AFF_AFFECTED, .purl = "pkg:npm/b"}};
    const char *al[] = {"CVE-2024-0002"};
    add(db, "CVE-2024-0001", NULL, 0, a, 1, 5.0, 31, T0); /* KEV, low score */
    add(db, "GHSA-2222", al, 1, a, 1, 9.8, 31, T0);       /* critical */
    add(db, "CVE-2024-0003", NULL, 0, a, 1, 9.8, 31, T0); /* critical, higher EPSS */
    add(db, "CVE-2024-0004", NULL, 0, b, 1, 4.0, 31, T0); /* internet-facing, medium */
    add(db, "CVE-2024-0005", NULL, 0, a, 1, 0.0, 0, T0);  /* unscored */
    wb_kev_sink *ks = wb_vulndb_kev_sink(db);
    wb_kev k = {
        .cve = "CVE-2024-0001", .date_added = T0, .due_date = T0 + 21 * DAY, .ransomware = true};
    assert_int_equal(ks->add(ks, &k), 0);
    wb_epss_sink *es = wb_vulndb_epss_sink(db);
    wb_epss e1 = {"CVE-2024-0002", 0.10, 0.5}, e2 = {"CVE-2024-0003", 0.90, 0.99};
    assert_int_equal(es->add(es, &e1), 0);
    assert_int_equal(es->add(es, &e2), 0);
    build(db);
    /* now = exactly the KEV due date: not yet overdue */
    wb_vulnscan *s = start(db, NULL, T0 + 21 * DAY, false);
    wb_component ca = purl_comp("a", "pkg:npm/a@1.0.0");
    wb_component cb = purl_comp("b", "pkg:npm/b@1.0.0");
    cb.internet_facing = true;
    comp(s, &ca);
    comp(s, &cb);
    finish(s);
    assert_int_equal(wb_vulnscan_count(s), 5);
    const char *want[] = {"CVE-2024-0001", "CVE-2024-0004", "CVE-2024-0003", "CVE-2024-0002",
                          "CVE-2024-0005"};
    for (size_t i = 0; i < 5; i++) {
        const wb_finding *f = wb_vulnscan_get(s, i);
        assert_string_equal(f->vuln, want[i]);
        assert_int_equal(f->rank, i + 1);
    }
    const wb_finding *f = wb_vulnscan_get(s, 0);
    assert_true(f->kev);
    assert_true(f->kev_ransomware);
    assert_int_equal(f->deadline, T0 + 21 * DAY);
    assert_int_equal(f->deadline_rule, WB_DL_KEV);
    assert_false(f->overdue);
    f = wb_vulnscan_get(s, 3);
    assert_true(f->has_epss);
    assert_true(f->epss == 0.10);
    assert_int_equal(f->deadline, T0 + 14 * DAY);
    assert_true(f->overdue);
    f = wb_vulnscan_get(s, 4);
    assert_int_equal(f->severity, WB_SEV_UNKNOWN);
    assert_int_equal(f->deadline_rule, WB_DL_UNSCORED);
    assert_int_equal(f->deadline, T0 + 90 * DAY);
    wb_scan_summary sum;
    wb_vulnscan_summary_get(s, &sum);
    assert_int_equal(sum.findings, 5);
    assert_int_equal(sum.kev, 1);
    assert_int_equal(sum.by_severity[WB_SEV_CRITICAL], 2);
    assert_int_equal(sum.overdue, 2);
    wb_vulnscan_free(s);
    /* one microsecond later the KEV finding is overdue */
    s = start(db, NULL, T0 + 21 * DAY + 1, false);
    comp(s, &ca);
    finish(s);
    assert_true(wb_vulnscan_get(s, 0)->overdue);
    wb_vulnscan_free(s);
    /* scan-time KEV data wins over the database's */
    wb_vulndb *x = new_db();
    ks = wb_vulndb_kev_sink(x);
    wb_kev k2 = {.cve = "CVE-2024-0001", .date_added = T0, .due_date = T0 + 3 * DAY};
    assert_int_equal(ks->add(ks, &k2), 0);
    build(x);
    s = start(db, x, T0, false);
    comp(s, &ca);
    finish(s);
    assert_int_equal(wb_vulnscan_get(s, 0)->deadline, T0 + 3 * DAY);
    assert_false(wb_vulnscan_get(s, 0)->kev_ransomware);
    wb_vulnscan_free(s);
    wb_vulndb_free(x);
    wb_vulndb_free(db);
}

/* The index file: what is saved scans the same; damaged files are refused
 * with a message, never read out of bounds (ASan watches). */
static void test_index_file(void **state)
{
    (void)state;
    wb_vulndb *db = new_db();
    wb_affected a[] = {
        {.status = WB_AFF_AFFECTED,
         .purl = "pkg:npm/x",
         .range = "vers:npm/<2.0.0",
         .fixed = "2.0.0",
         .product_id = "P1"},
        {.status = WB_AFF_AFFECTED, .cpe = "cpe:2.3:a:v:p:*:*:*:*:*:*:*:*"},
        {.status = WB_AFF_AFFECTED, .vendor = "V", .product = "P", .version = "1"},
    };
    const char *al[] = {"GHSA-1"};
    add(db, "CVE-2024-9", al, 1, a, 3, 7.5, 31, T0);
    wb_kev_sink *ks = wb_vulndb_kev_sink(db);
    wb_kev k = {.cve = "CVE-2024-9", .date_added = T0, .due_date = T0 + DAY};
    assert_int_equal(ks->add(ks, &k), 0);
    build(db);
    char path[] = "/tmp/wb_vidx_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    wb_error err;
    assert_int_equal(wb_vulndb_save(db, path, &err), 0);
    assert_true(wb_vulndb_is_index(path));
    wb_vulndb *ld;
    if (wb_vulndb_open(&ld, path, &err) != 0) fail_msg("%s", err.msg);
    /* also through a builder, as a scan mixing index and raw sources does */
    wb_vulndb *cp = new_db();
    assert_int_equal(wb_vulndb_copy_into(ld, cp, &err), 0);
    build(cp);
    wb_vulndb *dbs[] = {db, ld, cp};
    wb_component cs[] = {
        purl_comp("x", "pkg:npm/x@1.0.0"),
        {.asset = "h", .name = "p", .cpe = "cpe:2.3:a:v:p:3:*:*:*:*:*:*:*"},
        {.asset = "h", .name = "n", .vendor = "v", .product = "p", .version = "1"},
    };
    for (int d = 0; d < 3; d++) {
        for (int linear = 0; linear < 2; linear++) {
            wb_vulnscan *s = start(dbs[d], NULL, T0, linear);
            for (size_t i = 0; i < 3; i++)
                comp(s, &cs[i]);
            finish(s);
            assert_int_equal(wb_vulnscan_count(s), 3);
            const wb_finding *f = find(s, "x", "1.0.0", "CVE-2024-9");
            assert_non_null(f);
            assert_true(f->kev);
            assert_int_equal(f->nids, 2);
            assert_string_equal(f->fixed[0], "2.0.0");
            assert_string_equal(find(s, "n", NULL, "CVE-2024-9")->matched_by, "csaf-product");
            wb_vulnscan_free(s);
        }
    }
    wb_vulndb_stats st;
    wb_vulndb_stats_get(ld, &st);
    assert_int_equal(st.advisories, 1);
    assert_int_equal(st.kev, 1);
    /* damage: every truncation and a byte flipped at every offset */
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char img[1 << 16];
    size_t n = fread(img, 1, sizeof img, f);
    fclose(f);
    assert_true(n > 100 && n < sizeof img);
    for (size_t cut = 0; cut < n; cut++) {
        wb_vulndb *bad = NULL;
        assert_int_not_equal(wb_vulndb_open_mem(&bad, "x.idx", img, cut, &err), 0);
        assert_null(bad);
    }
    size_t refused = 0;
    for (size_t i = 0; i < n; i++) {
        img[i] ^= (char)0xA5;
        wb_vulndb *bad = NULL;
        if (wb_vulndb_open_mem(&bad, "x.idx", img, n, &err) == 0) {
            /* accepted: must still scan without harm */
            wb_vulnscan *s = start(bad, NULL, T0, false);
            for (size_t c = 0; c < 3; c++)
                comp(s, &cs[c]);
            finish(s);
            wb_vulnscan_free(s);
            wb_vulndb_free(bad);
        } else {
            refused++;
        }
        img[i] ^= (char)0xA5;
    }
    assert_true(refused > 0);
    wb_vulndb *none;
    assert_int_equal(wb_vulndb_open_mem(&none, "x.idx", "WBVULNDX", 8, &err), WB_EFORMAT);
    assert_null(none);
    assert_non_null(strstr(err.msg, "x.idx: not a weerbaar vulnerability index"));
    remove(path);
    wb_vulndb_free(ld);
    wb_vulndb_free(cp);
    wb_vulndb_free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_purl_range),        cmocka_unit_test(test_cpe_bounds),
        cmocka_unit_test(test_csaf_names),        cmocka_unit_test(test_distro_fixed),
        cmocka_unit_test(test_not_affected_wins), cmocka_unit_test(test_alias_merging),
        cmocka_unit_test(test_vex_suppression),   cmocka_unit_test(test_severity_bands),
        cmocka_unit_test(test_deadlines),         cmocka_unit_test(test_policy_file),
        cmocka_unit_test(test_kev_epss_order),    cmocka_unit_test(test_index_file),
        cmocka_unit_test(test_platform_fixed),    cmocka_unit_test(test_source_severity),
        cmocka_unit_test(test_vex_range_vendor),  cmocka_unit_test(test_package_names),
        cmocka_unit_test(test_rpm_purl_builds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
