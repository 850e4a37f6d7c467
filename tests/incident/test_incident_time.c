/*
 * test_incident_time.c - Europe/Amsterdam local time: offsets around both DST
 * changes, the skipped and the repeated hour, calendar-month arithmetic
 * (month ends, leap years, year ends, across DST), formatting, strict RFC
 * 3339, and a comparison with tzdata's Europe/Amsterdam for 1996-2037.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "weerbaar/incident.h"

static wb_time T(const char *s)
{
    wb_time t = 0;
    assert_int_equal(wb_time_parse(s, strlen(s), &t), 0);
    return t;
}

static void assert_ams(wb_time t, const char *want)
{
    char buf[64];
    wb_ams_format(t, buf, sizeof buf);
    assert_string_equal(buf, want);
}

static void test_offsets(void **state)
{
    (void)state;
    /* 2026: last Sunday of March is the 29th, of October the 25th. */
    assert_int_equal(wb_ams_offset(T("2026-03-29T00:59:59Z")), 3600);
    assert_int_equal(wb_ams_offset(T("2026-03-29T01:00:00Z")), 7200);
    assert_int_equal(wb_ams_offset(T("2026-10-25T00:59:59Z")), 7200);
    assert_int_equal(wb_ams_offset(T("2026-10-25T01:00:00Z")), 3600);
    assert_int_equal(wb_ams_offset(T("2026-01-15T12:00:00Z")), 3600);
    assert_int_equal(wb_ams_offset(T("2026-07-15T12:00:00Z")), 7200);
    /* 2029: March 25, October 28. */
    assert_int_equal(wb_ams_offset(T("2029-03-25T00:59:59Z")), 3600);
    assert_int_equal(wb_ams_offset(T("2029-03-25T01:00:00Z")), 7200);
    assert_int_equal(wb_ams_offset(T("2029-10-28T00:59:59Z")), 7200);
    assert_int_equal(wb_ams_offset(T("2029-10-28T01:00:00Z")), 3600);
    assert_ams(T("2026-03-29T00:59:59Z"), "2026-03-29T01:59:59+01:00");
    assert_ams(T("2026-03-29T01:00:00Z"), "2026-03-29T03:00:00+02:00");
    assert_ams(T("2026-10-25T00:30:00Z"), "2026-10-25T02:30:00+02:00");
    assert_ams(T("2026-10-25T01:30:00Z"), "2026-10-25T02:30:00+01:00");
    assert_ams(T("2026-05-01T08:00:00.25Z"), "2026-05-01T10:00:00.250000+02:00");
}

static wb_time civil(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi)
{
    wb_civil c = {y, mo, d, h, mi, 0, 0};
    return wb_ams_from_civil(&c);
}

static void test_from_civil(void **state)
{
    (void)state;
    assert_true(civil(2026, 5, 1, 10, 0) == T("2026-05-01T08:00:00Z"));
    assert_true(civil(2026, 1, 1, 0, 0) == T("2025-12-31T23:00:00Z"));
    /* The skipped hour: 02:30 on 29 March 2026 does not exist; it is read
     * with the offset before the gap, i.e. moved forward to 03:30 CEST. */
    assert_true(civil(2026, 3, 29, 2, 30) == T("2026-03-29T01:30:00Z"));
    assert_true(civil(2026, 3, 29, 2, 0) == T("2026-03-29T01:00:00Z"));
    assert_true(civil(2026, 3, 29, 3, 0) == T("2026-03-29T01:00:00Z"));
    assert_true(civil(2026, 3, 29, 1, 59) == T("2026-03-29T00:59:00Z"));
    /* The repeated hour: 02:30 on 25 October 2026 happens twice; the
     * earlier (CEST) is taken. */
    assert_true(civil(2026, 10, 25, 2, 30) == T("2026-10-25T00:30:00Z"));
    assert_true(civil(2026, 10, 25, 2, 0) == T("2026-10-25T00:00:00Z"));
    assert_true(civil(2026, 10, 25, 3, 0) == T("2026-10-25T02:00:00Z"));
    assert_true(civil(2026, 10, 25, 1, 59) == T("2026-10-24T23:59:00Z"));
}

static void assert_plus_month(const char *from, const char *want_local)
{
    wb_time t = wb_ams_add_months(T(from), 1);
    assert_ams(t, want_local);
}

static void test_add_months(void **state)
{
    (void)state;
    assert_plus_month("2026-05-01T10:00:00+02:00", "2026-06-01T10:00:00+02:00");
    /* Month ends: the last day of a shorter month. */
    assert_plus_month("2026-01-31T16:00:00+01:00", "2026-02-28T16:00:00+01:00");
    assert_plus_month("2028-01-31T16:00:00+01:00", "2028-02-29T16:00:00+01:00"); /* leap */
    assert_plus_month("2100-01-31T16:00:00+01:00", "2100-02-28T16:00:00+01:00"); /* not leap */
    assert_plus_month("2000-01-30T16:00:00+01:00", "2000-02-29T16:00:00+01:00"); /* 400 */
    assert_plus_month("2026-03-31T12:00:00+02:00", "2026-04-30T12:00:00+02:00");
    assert_plus_month("2026-08-31T12:00:00+02:00", "2026-09-30T12:00:00+02:00");
    assert_plus_month("2028-02-29T09:00:00+01:00", "2028-03-29T09:00:00+02:00");
    /* Year end. */
    assert_plus_month("2026-12-31T23:30:00+01:00", "2027-01-31T23:30:00+01:00");
    /* Across both DST changes: same local time, different UTC offset. */
    assert_plus_month("2026-03-15T10:00:00+01:00", "2026-04-15T10:00:00+02:00");
    assert_true(wb_ams_add_months(T("2026-03-15T09:00:00Z"), 1) == T("2026-04-15T08:00:00Z"));
    assert_plus_month("2026-10-10T10:00:00+02:00", "2026-11-10T10:00:00+01:00");
    assert_true(wb_ams_add_months(T("2026-10-10T08:00:00Z"), 1) == T("2026-11-10T09:00:00Z"));
    /* Landing in the skipped hour (28 March 2027 is the last Sunday). */
    assert_plus_month("2027-02-28T02:30:00+01:00", "2027-03-28T03:30:00+02:00");
    /* Landing in the repeated hour: the earlier one (CEST). */
    assert_plus_month("2026-09-25T02:30:00+02:00", "2026-10-25T02:30:00+02:00");
    assert_true(wb_ams_add_months(T("2026-09-25T02:30:00+02:00"), 1) == T("2026-10-25T00:30:00Z"));
    /* The input offset does not matter, only the instant: 04:30Z on 1 Feb
     * is 05:30 in Amsterdam. */
    assert_plus_month("2026-01-31T23:30:00-05:00", "2026-03-01T05:30:00+01:00");
    /* Fractions are kept. */
    assert_plus_month("2026-05-01T10:00:00.5+02:00", "2026-06-01T10:00:00.500000+02:00");
    assert_true(wb_ams_add_months(T("2026-05-31T10:00:00+02:00"), 12) == T("2027-05-31T08:00:00Z"));
    assert_true(wb_ams_add_months(T("2026-05-31T10:00:00+02:00"), -3) == T("2026-02-28T09:00:00Z"));
}

/* tzdata as the oracle: every hour from 1996 to 2037 (and the minutes
 * around each change) must get the offset localtime_r gives. */
static void test_against_tzdata(void **state)
{
    (void)state;
    if (access("/usr/share/zoneinfo/Europe/Amsterdam", R_OK) != 0) skip();
    setenv("TZ", "Europe/Amsterdam", 1);
    tzset();
    time_t start = (time_t)(T("1996-01-01T00:00:00Z") / 1000000);
    time_t end = (time_t)(T("2037-12-31T00:00:00Z") / 1000000);
    size_t checked = 0;
    for (time_t t = start; t < end; t += 1800) {
        struct tm tm;
        localtime_r(&t, &tm);
        wb_time wt = (wb_time)t * 1000000;
        if (wb_ams_offset(wt) != tm.tm_gmtoff) {
            char buf[40];
            wb_time_format(wt, buf, sizeof buf);
            fail_msg("%s: tzdata says %ld, weerbaar %d", buf, (long)tm.tm_gmtoff,
                     wb_ams_offset(wt));
        }
        checked++;
    }
    /* Local readings convert back (outside the skipped and repeated hours). */
    for (time_t t = start; t < end; t += 86400 + 3600 + 60) {
        struct tm tm;
        localtime_r(&t, &tm);
        wb_civil c = {tm.tm_year + 1900,
                      (unsigned)tm.tm_mon + 1,
                      (unsigned)tm.tm_mday,
                      (unsigned)tm.tm_hour,
                      (unsigned)tm.tm_min,
                      (unsigned)tm.tm_sec,
                      0};
        if (tm.tm_hour == 2) continue;
        assert_true(wb_ams_from_civil(&c) == (wb_time)t * 1000000);
    }
    assert_true(checked > 700000);
    unsetenv("TZ");
}

static void test_rfc3339_strict(void **state)
{
    (void)state;
    static const char *good[] = {"2026-05-01T10:00:00Z", "2026-05-01T10:00:00+02:00",
                                 "2026-05-01t10:00:00z", "2026-05-01 10:00:00-05:30",
                                 "2026-05-01T10:00:00.123456Z"};
    static const char *bad[] = {"2026-05-01",
                                "2026-05-01T10:00Z",
                                "2026-05-01T10:00:00",
                                "2026-05-01T10:00:00+0200",
                                "2026-05-01T10:00:00+02",
                                "2026-02-30T10:00:00Z",
                                "2026-05-01T25:00:00Z",
                                "2026-05-01T10:00:00.Z",
                                "",
                                "2026-05-01T10:00:00Z "};
    wb_time t;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(wb_time_parse_rfc3339(good[i], strlen(good[i]), &t), 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (wb_time_parse_rfc3339(bad[i], strlen(bad[i]), &t) == 0)
            fail_msg("accepted '%s'", bad[i]);
    assert_int_equal(wb_time_parse_rfc3339("2026-05-01T10:00:00+02:00", 25, &t), 0);
    assert_true(t == T("2026-05-01T08:00:00Z"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offsets),        cmocka_unit_test(test_from_civil),
        cmocka_unit_test(test_add_months),     cmocka_unit_test(test_against_tzdata),
        cmocka_unit_test(test_rfc3339_strict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
