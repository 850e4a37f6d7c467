/*
 * test_filters.c - the filters that stand in front of the index's maps for
 * large sets, which small test sets never build: the /24 bitmap behind a
 * coarse IPv4 pre-filter and the Bloom filter in front of the name map.
 * A filter may let a value through that the map does not hold, never the
 * reverse: every loaded value (and every address inside a loaded CIDR, and
 * every subdomain of a loaded domain) must still match, and values next to
 * them must not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "weerbaar/match.h"

static void count(void *ud, uint32_t id)
{
    (void)id;
    (*(size_t *)ud)++;
}

static size_t lookup(const wb_iocset *set, const char *v)
{
    size_t n = 0;
    wb_iocset_lookup(set, v, strlen(v), 0, count, &n);
    return n;
}

static void add(wb_iocset *set, wb_ioc_type t, const char *v)
{
    wb_ioc_in in = {
        .type = t, .value = v, .len = strlen(v), .valid_until = WB_TIME_NONE, .source = "test"};
    assert_int_equal(wb_iocset_add(set, &in), 0);
}

static uint64_t next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Addresses spread over 1.0.0.0-126.255.255.255, /32s and a few CIDRs of
 * 20 and 26 bits, enough of them that the pre-filter is coarse (/17), and
 * domains enough to pay for a second level. Addresses one /24 away are not
 * matched. */
static void test_v4_fine(void **st)
{
    (void)st;
    enum { N = 6000 };
    wb_iocset *set;
    wb_iocset_opts o = {.now = WB_TIME_NONE};
    assert_int_equal(wb_iocset_new(&set, &o), 0);
    static uint32_t addr[N];
    uint64_t x = 0x1234567;
    char v[64];
    for (int i = 0; i < N; i++) {
        /* every /24 third octet even: the odd /24 next to it is empty */
        addr[i] = (uint32_t)(1 + next(&x) % 126) << 24 | (uint32_t)(next(&x) % 256) << 16 |
                  (uint32_t)(next(&x) % 128 * 2) << 8 | (uint32_t)(next(&x) % 256);
        snprintf(v, sizeof v, "%u.%u.%u.%u", addr[i] >> 24, addr[i] >> 16 & 255, addr[i] >> 8 & 255,
                 addr[i] & 255);
        add(set, WB_IOC_IP, v);
    }
    for (int i = 0; i < 5 * N; i++) {
        snprintf(v, sizeof v, "n%d.example", i);
        add(set, WB_IOC_DOMAIN, v);
    }
    add(set, WB_IOC_CIDR, "127.16.32.0/20");
    add(set, WB_IOC_CIDR, "127.99.98.64/26");
    wb_error err;
    assert_int_equal(wb_iocset_build(set, &err), 0);
    wb_iocset_stats s;
    wb_iocset_stats_get(set, &s);
    assert_int_equal(s.v4_filter_grain, 17);
    assert_true(s.v4_fine_grain >= 19); /* the second level is there */
    for (int i = 0; i < N; i++) {
        uint32_t a = addr[i];
        snprintf(v, sizeof v, "%u.%u.%u.%u", a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255);
        if (lookup(set, v) < 1) fail_msg("%s was loaded and does not match", v);
        uint32_t b = a ^ 0x100; /* the odd /24 next to it */
        snprintf(v, sizeof v, "%u.%u.%u.%u", b >> 24, b >> 16 & 255, b >> 8 & 255, b & 255);
        if (lookup(set, v) != 0) fail_msg("%s matches but nothing covers it", v);
    }
    assert_int_equal(lookup(set, "127.16.32.1"), 1);
    assert_int_equal(lookup(set, "127.16.47.255"), 1);
    assert_int_equal(lookup(set, "127.16.48.0"), 0);
    assert_int_equal(lookup(set, "127.99.98.127"), 1);
    assert_int_equal(lookup(set, "127.99.98.128"), 0);
    assert_int_equal(lookup(set, "127.99.98.63"), 0);
    wb_iocset_free(set);
}

/* More names than the Bloom filter's threshold: each domain matches, with
 * its subdomains; hostnames match exactly; neighbours do not. */
static void test_name_bloom(void **st)
{
    (void)st;
    enum { N = 40000 };
    wb_iocset *set;
    wb_iocset_opts o = {.now = WB_TIME_NONE};
    assert_int_equal(wb_iocset_new(&set, &o), 0);
    char v[128];
    for (int i = 0; i < N; i++) {
        snprintf(v, sizeof v, "d%d.bad%d.example", i, i % 97);
        add(set, i % 5 == 0 ? WB_IOC_HOSTNAME : WB_IOC_DOMAIN, v);
    }
    wb_error err;
    assert_int_equal(wb_iocset_build(set, &err), 0);
    wb_iocset_stats s;
    wb_iocset_stats_get(set, &s);
    assert_true(s.name_filter);
    size_t misses = 0;
    for (int i = 0; i < N; i++) {
        snprintf(v, sizeof v, "D%d.Bad%d.Example.", i, i % 97);
        if (lookup(set, v) != 1) fail_msg("%s was loaded and does not match", v);
        snprintf(v, sizeof v, "www.d%d.bad%d.example", i, i % 97);
        if (lookup(set, v) != (i % 5 == 0 ? 0u : 1u)) fail_msg("%s: wrong match count", v);
        snprintf(v, sizeof v, "xd%d.bad%d.example", i, i % 97);
        misses += lookup(set, v);
        snprintf(v, sizeof v, "d%d.bad%d.example", i + N, i % 97);
        misses += lookup(set, v);
    }
    assert_int_equal(misses, 0);
    wb_iocset_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v4_fine),
        cmocka_unit_test(test_name_bloom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
