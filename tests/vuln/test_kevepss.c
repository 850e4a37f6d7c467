/*
 * test_kevepss.c - CISA KEV (the catalog snapshot in ../shared/testdata/kev/,
 * 1,404 entries of which 293 with known ransomware use, counted with
 * Python) and FIRST EPSS CSV (a fixture in tests/data/vuln/epss/, plain and
 * gzipped).
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

#define EPSS WB_TEST_DATA "/vuln/epss/"

static void kev(void **state)
{
    (void)state;
    kevsink s = {{kevsink_add}, {0}, NULL, 0, 0};
    wb_error err = {0};
    assert_int_equal(wb_kev_load(WB_SHARED_DIR "/testdata/kev/known_exploited_vulnerabilities.json",
                                 &s.sink, &err),
                     0);
    assert_int_equal(s.n, 1404);
    size_t ransom = 0;
    const wb_kev *cb = NULL;
    for (size_t i = 0; i < s.n; i++) {
        ransom += s.k[i].ransomware;
        if (strcmp(s.k[i].cve, "CVE-2023-4966") == 0) cb = &s.k[i];
    }
    assert_int_equal(ransom, 293);
    assert_non_null(cb);
    assert_string_equal(cb->vendor, "Citrix");
    assert_string_equal(cb->product, "NetScaler ADC and NetScaler Gateway");
    assert_true(cb->ransomware);
    char t[40];
    wb_time_format(cb->date_added, t, sizeof t);
    assert_string_equal(t, "2023-10-18T00:00:00Z");
    wb_time_format(cb->due_date, t, sizeof t);
    assert_string_equal(t, "2023-11-08T00:00:00Z");
    free(s.k);
    wb_arena_free(&s.arena);
    /* not a catalog */
    assert_int_equal(wb_kev_load(WB_TEST_DATA "/vuln/vex/openvex.json", &s.sink, &err), WB_EFORMAT);
    assert_non_null(strstr(err.msg, "not a KEV catalog"));
}

static void epss(void **state)
{
    (void)state;
    const char *files[] = {EPSS "epss_scores.csv", EPSS "epss_scores-2024-05-01.csv.gz"};
    for (size_t f = 0; f < 2; f++) {
        epsssink s = {{epsssink_add}, {0}, NULL, 0, 0};
        wb_error err = {0};
        assert_int_equal(wb_epss_load(files[f], &s.sink, &err), 0);
        assert_int_equal(s.n, 3);
        assert_string_equal(s.e[0].cve, "CVE-2023-4966");
        assert_true(s.e[0].score == 0.97012);
        assert_true(s.e[0].percentile == 0.99860);
        assert_true(s.e[2].score == 0.0012); /* 1.2e-03 */
        free(s.e);
        wb_arena_free(&s.arena);
    }
    epsssink s = {{epsssink_add}, {0}, NULL, 0, 0};
    wb_error err = {0};
    assert_int_equal(wb_epss_load(EPSS "bad.csv", &s.sink, &err), WB_EPARSE);
    assert_string_equal(err.msg, EPSS "bad.csv:2: column epss: not a number in [0, 1]");
    assert_int_equal(s.n, 0);
    assert_int_equal(wb_epss_load(EPSS "README.md", &s.sink, &err), WB_EFORMAT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(kev), cmocka_unit_test(epss)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
