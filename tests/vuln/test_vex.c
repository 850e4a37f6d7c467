/*
 * test_vex.c - VEX statements: every CSAF VEX example of the OASIS
 * repository (../shared/testdata/csaf/examples/csaf/csaf_vex/), with flags
 * as justifications and impact threats as details; the CycloneDX VEX
 * documents of ../shared/testdata/vex/ (refs resolved through bom-refs);
 * an OpenVEX document written from the OpenVEX specification.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>

#include "vulnsink.h"

#define CVEX WB_SHARED_DIR "/testdata/csaf/examples/csaf/csaf_vex/"
#define XVEX WB_SHARED_DIR "/testdata/vex/"

static void load(vexsink *s, const char *path)
{
    wb_error err = {0};
    vexsink_init(s);
    if (wb_vex_load(path, &s->sink, &err) != 0) fail_msg("%s: %s", path, err.msg);
}

static void csaf_examples(void **state)
{
    (void)state;
    DIR *d = opendir(CVEX);
    assert_non_null(d);
    struct dirent *e;
    size_t files = 0;
    while ((e = readdir(d)) != NULL) {
        if (!strstr(e->d_name, ".json")) continue;
        char p[1024];
        snprintf(p, sizeof p, "%s%s", CVEX, e->d_name);
        vexsink s;
        load(&s, p);
        assert_true(s.n > 0);
        vexsink_free(&s);
        files++;
    }
    closedir(d);
    assert_int_equal(files, 13);

    vexsink s;
    load(&s, CVEX "2022-evd-uc-01-na-001.json");
    assert_int_equal(s.n, 1);
    assert_string_equal(s.v[0].vuln, "CVE-2021-44228");
    assert_int_equal(s.v[0].status, WB_VEX_NOT_AFFECTED);
    assert_null(s.v[0].justification); /* this example gives an impact statement only */
    assert_string_equal(s.v[0].detail, "Class with vulnerable code was removed before shipping.");
    assert_string_equal(s.v[0].vendor, "Example Company");
    assert_string_equal(s.v[0].product, "ABC");
    assert_string_equal(s.v[0].version, "4.2");
    assert_string_equal(s.v[0].source, CVEX "2022-evd-uc-01-na-001.json");
    vexsink_free(&s);
    /* use case 7: ranges kept, per-product statuses */
    load(&s, CVEX "2022-evd-uc-07-001.json");
    assert_int_equal(s.n, 10);
    assert_int_equal(vexsink_count(&s, WB_VEX_NOT_AFFECTED), 5);
    assert_int_equal(vexsink_count(&s, WB_VEX_AFFECTED), 4);
    assert_int_equal(vexsink_count(&s, WB_VEX_FIXED), 1);
    size_t ranges = 0;
    for (size_t i = 0; i < s.n; i++)
        if (s.v[i].range && strcmp(s.v[i].range, "vers:generic/>=1.0|<=2.3") == 0) {
            ranges++;
            assert_int_equal(s.v[i].status, WB_VEX_NOT_AFFECTED);
            assert_null(s.v[i].version);
        }
    assert_int_equal(ranges, 1);
    vexsink_free(&s);
    /* flags[].label as the justification, a bare range as vers */
    load(&s, CVEX "sec-vex-2022-0001.json");
    assert_int_equal(s.n, 3);
    for (size_t i = 0; i < s.n; i++) {
        assert_int_equal(s.v[i].status, WB_VEX_NOT_AFFECTED);
        assert_string_equal(s.v[i].justification, "component_not_present");
        assert_string_equal(s.v[i].range, "vers:generic/<=1.14.0");
        assert_string_equal(s.v[i].product, "Secvisogram");
    }
    assert_string_equal(s.v[2].vuln, "CVE-2021-45105");
    vexsink_free(&s);
}

static void cyclonedx(void **state)
{
    (void)state;
    vexsink s;
    load(&s, XVEX "cdx-Case-1-vex-not_affected.json");
    assert_int_equal(s.n, 1);
    assert_string_equal(s.v[0].vuln, "CVE-2021-44228");
    assert_int_equal(s.v[0].status, WB_VEX_NOT_AFFECTED);
    assert_string_equal(s.v[0].justification, "code_not_present");
    assert_string_equal(s.v[0].product, "ABC"); /* product-ABC is metadata.component */
    assert_string_equal(s.v[0].version, "4.2");
    vexsink_free(&s);
    load(&s, XVEX "cdx-Case-1-vex-affected.json");
    assert_int_equal(s.n, 1);
    assert_int_equal(s.v[0].status, WB_VEX_AFFECTED);
    assert_string_equal(s.v[0].product, "DEF");
    vexsink_free(&s);
    load(&s, XVEX "cdx-Case-2-vex.json");
    assert_int_equal(s.n, 19);
    assert_int_equal(vexsink_count(&s, WB_VEX_NOT_AFFECTED), 19);
    vexsink_free(&s);
}

static int load_text(vexsink *s, const char *text, wb_error *err)
{
    char path[] = "/tmp/wb-vex-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return WB_EIO;
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    vexsink_init(s);
    int rc = wb_vex_load(path, &s->sink, err);
    unlink(path);
    return rc;
}

static void cyclonedx_refs(void **state)
{
    (void)state;
    vexsink s;
    wb_error err = {0};
    const char *doc =
        "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":[{\"bom-ref\":\"c1\","
        "\"name\":\"log4j-core\",\"purl\":\"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1\","
        "\"components\":[{\"bom-ref\":\"c2\",\"name\":\"inner\",\"cpe\":\"cpe:2.3:a:x:inner:1:*:*:*"
        ":"
        "*:*:*:*\"}]}],\"vulnerabilities\":[{\"id\":\"CVE-2021-44228\",\"analysis\":{\"state\":"
        "\"resolved\"},\"affects\":[{\"ref\":\"urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/"
        "1#c1\"},"
        "{\"ref\":\"c2\",\"versions\":[{\"range\":\"vers:generic/"
        "<2\",\"status\":\"unaffected\"}]}]}]}";
    assert_int_equal(load_text(&s, doc, &err), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.v[0].status, WB_VEX_FIXED);
    assert_string_equal(s.v[0].purl, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
    assert_string_equal(s.v[0].version, "2.14.1");
    assert_int_equal(s.v[1].status, WB_VEX_NOT_AFFECTED);
    assert_string_equal(s.v[1].cpe, "cpe:2.3:a:x:inner:1:*:*:*:*:*:*:*");
    assert_string_equal(s.v[1].range, "vers:generic/<2");
    assert_null(s.v[1].version);
    vexsink_free(&s);
    const char *bad =
        "{\"bomFormat\":\"CycloneDX\",\"vulnerabilities\":[{\"id\":\"CVE-1\",\"analysis\":"
        "{\"state\":\"not_affected\"},\"affects\":[{\"ref\":\"nowhere\"}]}]}";
    assert_int_equal(load_text(&s, bad, &err), WB_EPARSE);
    assert_non_null(strstr(err.msg, ": $.vulnerabilities[0].affects[0].ref: 'nowhere' is not a "
                                    "bom-ref of this document"));
    vexsink_free(&s);
}

static void openvex(void **state)
{
    (void)state;
    vexsink s;
    load(&s, WB_TEST_DATA "/vuln/vex/openvex.json");
    assert_int_equal(s.n, 3);
    assert_string_equal(s.v[0].vuln, "CVE-2021-44228");
    assert_int_equal(s.v[0].status, WB_VEX_NOT_AFFECTED);
    /* the subcomponent is what the statement is about */
    assert_string_equal(s.v[0].purl, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
    assert_string_equal(s.v[0].version, "2.14.1");
    assert_string_equal(s.v[0].justification, "vulnerable_code_not_in_execute_path");
    assert_string_equal(s.v[0].detail, "JNDI lookups are disabled by configuration.");
    assert_string_equal(s.v[1].cpe, "cpe:2.3:a:citrix:netscaler_gateway:13.0:*:*:*:*:*:*:*");
    assert_int_equal(s.v[1].status, WB_VEX_UNDER_INVESTIGATION);
    assert_string_equal(s.v[2].purl, "pkg:npm/lodash");
    assert_null(s.v[2].version);
    vexsink_free(&s);
    wb_error err = {0};
    assert_int_equal(load_text(&s,
                               "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"statements\":"
                               "[{\"vulnerability\":{\"name\":\"CVE-1\"},\"products\":"
                               "[\"pkg:npm/a\"],\"status\":\"fine\"}]}",
                               &err),
                     WB_EPARSE);
    assert_non_null(strstr(err.msg, ": $.statements[0].status: unknown status 'fine'"));
    vexsink_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(csaf_examples), cmocka_unit_test(cyclonedx),
                                       cmocka_unit_test(cyclonedx_refs), cmocka_unit_test(openvex)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
