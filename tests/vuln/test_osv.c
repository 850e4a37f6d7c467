/*
 * test_osv.c - OSV records (fixtures written from the OSV schema, see
 * tests/data/vuln/osv/README.md): ranges to vers in each ecosystem's
 * scheme, explicit versions, purls built from ecosystem and name, severity,
 * withdrawn records; the same records through an all.zip archive (stored
 * and deflated members, CRC checked, damaged archives rejected); and CVSS
 * base scores against values published by FIRST and NVD.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "vuln/vulndata.h"
#include "vulnsink.h"
#include "weerbaar/io.h"

#define OSV WB_TEST_DATA "/vuln/osv/"

static void load(advsink *s, const char *path)
{
    wb_error err = {0};
    wb_advisory_opts o = {.bad = advsink_bad, .bad_ud = s};
    advsink_init(s);
    if (wb_advisories_load(path, &o, &s->sink, &err) != 0) fail_msg("%s: %s", path, err.msg);
}

static void log4shell(void **state)
{
    (void)state;
    advsink s;
    load(&s, OSV "GHSA-jfh8-c2jp-5v3q.json");
    assert_int_equal(s.n, 1);
    const wb_advisory *a = &s.adv[0];
    assert_string_equal(a->id, "GHSA-jfh8-c2jp-5v3q");
    assert_string_equal(a->source_kind, "osv");
    assert_int_equal(a->naliases, 1);
    assert_string_equal(a->aliases[0], "CVE-2021-44228");
    assert_string_equal(a->title, "Remote code injection in Log4j");
    assert_string_equal(a->url, "https://osv.dev/vulnerability/GHSA-jfh8-c2jp-5v3q");
    assert_string_equal(a->severity, "CRITICAL");
    assert_int_equal(a->ncvss, 1);
    assert_int_equal(a->cvss[0].version, 31);
    assert_true(a->cvss[0].score == 10.0);
    assert_int_equal(a->naffected, 2);
    const wb_affected *f = &a->affected[0];
    assert_string_equal(f->purl, "pkg:maven/org.apache.logging.log4j/log4j-core");
    assert_string_equal(f->scheme, "maven");
    assert_string_equal(f->range, "vers:maven/>=2.13.0|<2.15.0");
    assert_string_equal(f->fixed, "2.15.0");
    assert_string_equal(f->product_id, "org.apache.logging.log4j:log4j-core");
    assert_string_equal(a->affected[1].range, "vers:maven/<2.3.1"); /* introduced 0 */
    /* the fix of each interval is on its entry; the scanner words the
     * remediation for the installed version's branch */
    assert_string_equal(a->affected[1].fixed, "2.3.1");
    assert_int_equal(a->nremediations, 0);
    char t[40];
    wb_time_format(a->published, t, sizeof t);
    assert_string_equal(t, "2021-12-10T00:40:56Z");
    advsink_free(&s);
}

static void ecosystems(void **state)
{
    (void)state;
    advsink s;
    load(&s, OSV "PYSEC-2099-1.json");
    assert_int_equal(s.n, 1);
    const wb_advisory *a = &s.adv[0];
    assert_int_equal(a->naliases, 2);
    /* no summary: details stand in */
    assert_non_null(strstr(a->title, "An example PyPI record"));
    assert_string_equal(a->severity, "HIGH"); /* ecosystem_specific */
    assert_int_equal(a->ncvss, 2);
    assert_int_equal(a->cvss[0].version, 40);
    assert_true(a->cvss[0].score == 0.0); /* v4 is not computed */
    assert_int_equal(a->cvss[1].version, 20);
    assert_true(a->cvss[1].score == 7.5);
    /* range (GIT skipped) + 2 versions + Go + Debian + npm's two intervals */
    assert_int_equal(a->naffected, 7);
    assert_string_equal(a->affected[0].purl, "pkg:pypi/example-pkg");
    assert_string_equal(a->affected[0].range, "vers:pypi/>=1.0|<=1.4.2");
    assert_string_equal(a->affected[1].version, "1.0");
    assert_null(a->affected[1].range);
    assert_string_equal(a->affected[2].version, "1.4.2");
    assert_string_equal(a->affected[3].purl, "pkg:golang/github.com/example/mod");
    assert_string_equal(a->affected[3].range, "vers:semver/<1.2.3");
    assert_string_equal(a->affected[4].purl, "pkg:deb/debian/openssl?distro=debian-12");
    assert_string_equal(a->affected[4].range, "vers:deb/<3.0.11-1~deb12u2");
    assert_string_equal(a->affected[4].scheme, "deb");
    assert_string_equal(a->affected[5].purl, "pkg:npm/%40scope/lib");
    assert_string_equal(a->affected[5].range, "vers:npm/>=1.0.0|<1.5.0");
    assert_string_equal(a->affected[5].fixed, "1.5.0");
    assert_string_equal(a->affected[6].range, "vers:npm/>=2.0.0|<2.3.0");
    assert_null(a->affected[6].fixed); /* a limit is not a fix */
    advsink_free(&s);
}

static void directory_and_zip(void **state)
{
    (void)state;
    advsink s;
    load(&s, OSV);
    /* the two records twice (files and all.zip); withdrawn skipped; the bad
     * record twice reported */
    assert_int_equal(s.n, 4);
    assert_int_equal(s.nbad, 2);
    assert_string_equal(s.bad[0], OSV "all.zip!bad-event.json: $.affected[0].ranges[0].events[1]"
                                      ".fixes: unknown event");
    assert_non_null(strstr(s.bad[1], "bad-event.json: $.affected[0]"));
    /* sorted walk: GHSA-*.json, PYSEC-*.json, then all.zip's members */
    assert_string_equal(s.adv[0].source, OSV "GHSA-jfh8-c2jp-5v3q.json");
    assert_string_equal(s.adv[2].source, OSV "all.zip!GHSA-jfh8-c2jp-5v3q.json");
    assert_string_equal(s.adv[3].id, "PYSEC-2099-1");
    advsink_free(&s);
}

static void zip_damage(void **state)
{
    (void)state;
    char *data;
    size_t len;
    wb_error err = {0};
    assert_int_equal(wb_read_file(OSV "all.zip", 1 << 20, &data, &len, &err), 0);
    /* flip a byte in the first (deflated) member's data: CRC or inflate fails */
    char path[] = "/tmp/wb-test-zip-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    data[30 + strlen("GHSA-jfh8-c2jp-5v3q.json") + 20] ^= 0x55;
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    advsink s;
    load(&s, path);
    assert_int_equal(s.n, 1); /* the stored member is intact */
    assert_int_equal(s.nbad, 2);
    assert_non_null(strstr(s.bad[0], "!GHSA-jfh8-c2jp-5v3q.json: "));
    advsink_free(&s);
    /* cut the archive short: no end record */
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_int_equal(write(fd, data, len / 2), (ssize_t)(len / 2));
    close(fd);
    load(&s, path);
    assert_int_equal(s.n, 0);
    assert_int_equal(s.nbad, 1);
    assert_non_null(strstr(s.bad[0], "not a readable zip archive"));
    advsink_free(&s);
    unlink(path);
    free(data);
}

static void cvss(void **state)
{
    (void)state;
    static const struct {
        const char *v;
        double score;
    } v3[] = {
        /* FIRST CVSS v3.1 specification, section 7.4 examples and NVD */
        {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0},
        {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
        {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5},
        {"CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:L/E:F/RL:O/RC:C", 6.1},
        {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4},
        {"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1},
        {"CVSS:3.0/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0.0},
        {"CVSS:3.0/AV:N/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H", 9.1},
        {"CVSS:3.1/AV:A/AC:H/PR:L/UI:R/S:C/C:L/I:L/A:L", 5.1}, /* 1.08 x 4.6786 = 5.05 */
    };
    for (size_t i = 0; i < sizeof v3 / sizeof v3[0]; i++) {
        double s = -1;
        assert_int_equal(wbi_cvss3_score(v3[i].v, &s, NULL), 0);
        if (s != v3[i].score) fail_msg("%s: %.1f, want %.1f", v3[i].v, s, v3[i].score);
    }
    double s;
    assert_int_equal(wbi_cvss3_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", &s, NULL),
                     WB_EINVAL);
    assert_int_equal(wbi_cvss3_score("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", &s, NULL),
                     WB_EINVAL);
    assert_int_equal(wbi_cvss3_score("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", &s, NULL),
                     WB_EINVAL);
    assert_int_equal(wbi_cvss3_score("CVSS:2.0/AV:N", &s, NULL), WB_EINVAL);
    assert_int_equal(wbi_cvss2_score("AV:N/AC:L/Au:N/C:C/I:C/A:C", &s), 0);
    assert_true(s == 10.0);
    assert_int_equal(wbi_cvss2_score("AV:N/AC:M/Au:N/C:P/I:N/A:N", &s), 0);
    assert_true(s == 4.3);
    assert_int_equal(wbi_cvss2_score("AV:L/AC:L/Au:N/C:N/I:N/A:N", &s), 0);
    assert_true(s == 0.0);
}

static void errors(void **state)
{
    (void)state;
    advsink s;
    wb_error err = {0};
    advsink_init(&s);
    const char *rec = "{\"id\":\"X-1\",\"modified\":\"2024-01-01T00:00:00Z\",\"affected\":[{"
                      "\"package\":{\"ecosystem\":\"npm\",\"name\":\"a\"},\"ranges\":[{\"type\":"
                      "\"SEMVER\",\"events\":[{\"introduced\":\"1.0\"}]}]}]}";
    assert_int_equal(wb_advisory_parse("r.json", rec, strlen(rec), WB_ADV_AUTO, &s.sink, &err),
                     WB_EPARSE);
    assert_non_null(strstr(err.msg, "r.json: $.affected[0].ranges[0].events: "));
    assert_non_null(strstr(err.msg, "npm version '1.0'"));
    rec = "{\"id\":\"X-1\",\"modified\":\"yesterday\"}";
    assert_int_equal(wb_advisory_parse("r.json", rec, strlen(rec), WB_ADV_AUTO, &s.sink, &err),
                     WB_EPARSE);
    assert_string_equal(err.msg, "r.json: $.modified: 'yesterday' is not an RFC 3339 time");
    rec = "{\"hello\":1}";
    assert_int_equal(wb_advisory_parse("r.json", rec, strlen(rec), WB_ADV_AUTO, &s.sink, &err),
                     WB_EFORMAT);
    assert_string_equal(err.msg, "r.json: not a CSAF, OSV or NVD document");
    assert_int_equal(s.n, 0);
    /* an array of records parses each */
    rec = "[{\"id\":\"A-1\",\"modified\":\"2024-01-01T00:00:00Z\"},{\"id\":\"A-2\",\"modified\":"
          "\"2024-01-01T00:00:00Z\",\"affected\":[]}]";
    assert_int_equal(wb_advisory_parse("r.json", rec, strlen(rec), WB_ADV_AUTO, &s.sink, &err), 0);
    assert_int_equal(s.n, 2);
    advsink_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(log4shell),
        cmocka_unit_test(ecosystems),
        cmocka_unit_test(directory_and_zip),
        cmocka_unit_test(zip_damage),
        cmocka_unit_test(cvss),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
