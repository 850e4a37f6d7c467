/*
 * test_match.c - normalisation of indicator values and the index's
 * matching semantics (CIDR containment, parent domains, URL forms, hashes,
 * ip|port, expiry, duplicates, the one-sighting-per-field rule).
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
#include "weerbaar/normalize.h"

static const char *norm(wb_ioc_type *t, const char *v)
{
    static wb_buf out;
    wb_error err;
    if (wb_ioc_normalize(t, v, strlen(v), &out, &err) != 0) return NULL;
    return out.data;
}

static void expect(wb_ioc_type t, const char *in, wb_ioc_type want_t, const char *want)
{
    const char *got = norm(&t, in);
    if (want == NULL) {
        if (got) fail_msg("'%s' normalised to '%s', expected an error", in, got);
        return;
    }
    if (got == NULL) fail_msg("'%s' did not normalise", in);
    assert_string_equal(got, want);
    assert_int_equal(t, want_t);
}

static void test_normalize(void **state)
{
    (void)state;
    expect(WB_IOC_IP, "192.0.2.1", WB_IOC_IP, "192.0.2.1");
    expect(WB_IOC_IP, " 192.0.2.1\n", WB_IOC_IP, "192.0.2.1");
    expect(WB_IOC_IP, "192.0.2.01", WB_IOC_IP, NULL);
    expect(WB_IOC_IP, "192.0.2.256", WB_IOC_IP, NULL);
    expect(WB_IOC_IP, "192.0.2", WB_IOC_IP, NULL);
    expect(WB_IOC_IP, "::ffff:192.0.2.1", WB_IOC_IP, "192.0.2.1");
    expect(WB_IOC_IP, "2001:DB8:0:0::1", WB_IOC_IP, "2001:db8::1");
    expect(WB_IOC_IP, "[2001:db8::1]", WB_IOC_IP, "2001:db8::1");
    expect(WB_IOC_IP, "fe80::1%eth0", WB_IOC_IP, "fe80::1");
    expect(WB_IOC_IP, "203.0.113.77/24", WB_IOC_CIDR, "203.0.113.0/24");
    expect(WB_IOC_CIDR, "10.0.0.1/32", WB_IOC_CIDR, "10.0.0.1/32");
    expect(WB_IOC_IP, "10.0.0.0/33", WB_IOC_IP, NULL);
    expect(WB_IOC_IP, "2001:db8::/32", WB_IOC_CIDR, "2001:db8::/32");
    expect(WB_IOC_IP, "2001:db8::/129", WB_IOC_IP, NULL);
    expect(WB_IOC_IP, "evil.example", WB_IOC_IP, NULL);
    expect(WB_IOC_DOMAIN, "Evil.Example.", WB_IOC_DOMAIN, "evil.example");
    expect(WB_IOC_DOMAIN, "a..b", WB_IOC_DOMAIN, NULL);
    expect(WB_IOC_DOMAIN, "a b.example", WB_IOC_DOMAIN, NULL);
    expect(WB_IOC_HOSTNAME, "_dmarc.Example.org", WB_IOC_HOSTNAME, "_dmarc.example.org");
    expect(WB_IOC_URL, "HTTP://Evil.Example:80/a%7Eb%2fc?q=1#frag", WB_IOC_URL,
           "http://evil.example/a~b%2Fc?q=1");
    expect(WB_IOC_URL, "https://evil.example:443", WB_IOC_URL, "https://evil.example/");
    expect(WB_IOC_URL, "https://evil.example:8443/x", WB_IOC_URL, "https://evil.example:8443/x");
    expect(WB_IOC_URL, "evil.example/path", WB_IOC_URL, "evil.example/path");
    expect(WB_IOC_URL, "http://user:pw@evil.example/", WB_IOC_URL, "http://evil.example/");
    expect(WB_IOC_URL, "http://[2001:DB8::1]:8080/x", WB_IOC_URL, "http://[2001:db8::1]:8080/x");
    expect(WB_IOC_URL, "http:///x", WB_IOC_URL, NULL);
    expect(WB_IOC_MD5, "D41D8CD98F00B204E9800998ECF8427E", WB_IOC_MD5,
           "d41d8cd98f00b204e9800998ecf8427e");
    expect(WB_IOC_MD5, "d41d8cd98f00b204e9800998ecf8427", WB_IOC_MD5, NULL);
    expect(WB_IOC_SHA1, "zz1d8cd98f00b204e9800998ecf8427e00000000", WB_IOC_SHA1, NULL);
    expect(WB_IOC_EMAIL, "Bad Guy <Bad@Evil.Example>", WB_IOC_EMAIL, "bad@evil.example");
    expect(WB_IOC_EMAIL, "no-at-sign", WB_IOC_EMAIL, NULL);
    expect(WB_IOC_IP_PORT, "192.0.2.1|8080", WB_IOC_IP_PORT, "192.0.2.1|8080");
    expect(WB_IOC_IP_PORT, "192.0.2.1:443", WB_IOC_IP_PORT, "192.0.2.1|443");
    expect(WB_IOC_IP_PORT, "192.0.2.1|70000", WB_IOC_IP_PORT, NULL);
}

static void test_cidr(void **state)
{
    (void)state;
    wb_addr net, a;
    unsigned p;
    assert_int_equal(wb_cidr_parse("10.1.2.3/8", 10, &net, &p), 0);
    assert_int_equal(p, 104);
    assert_int_equal(wb_addr_parse("10.255.0.1", 10, &a), 0);
    assert_true(wb_cidr_contains(&net, p, &a));
    assert_int_equal(wb_addr_parse("11.0.0.1", 8, &a), 0);
    assert_false(wb_cidr_contains(&net, p, &a));
    char buf[64];
    wb_addr_format(&net, p, buf, sizeof buf);
    assert_string_equal(buf, "10.0.0.0/8");
}

/* ---- index ---------------------------------------------------------------- */

typedef struct hits {
    uint32_t ids[16];
    size_t n;
} hits;

static void found(void *ud, uint32_t id)
{
    hits *h = ud;
    if (h->n < 16) h->ids[h->n++] = id;
}

static size_t lookup(const wb_iocset *set, const char *v, unsigned kinds, hits *h)
{
    memset(h, 0, sizeof *h);
    wb_iocset_lookup(set, v, strlen(v), kinds, found, h);
    return h->n;
}

static bool has(const wb_iocset *set, const hits *h, const char *value)
{
    for (size_t i = 0; i < h->n; i++) {
        wb_ioc ioc;
        wb_iocset_get(set, h->ids[i], &ioc);
        if (strcmp(ioc.value, value) == 0) return true;
    }
    return false;
}

static void add(wb_iocset *set, wb_ioc_type t, const char *v)
{
    wb_ioc_in in = {.type = t,
                    .value = v,
                    .len = strlen(v),
                    .valid_until = WB_TIME_NONE,
                    .source = "test",
                    .tlp = WB_TLP_GREEN};
    assert_int_equal(wb_iocset_add(set, &in), 0);
}

static void test_index(void **state)
{
    (void)state;
    wb_iocset *set;
    wb_iocset_opts o = {.now = WB_TIME_NONE};
    assert_int_equal(wb_iocset_new(&set, &o), 0);
    add(set, WB_IOC_IP, "203.0.113.0/24");
    add(set, WB_IOC_CIDR, "203.0.0.0/16");
    add(set, WB_IOC_IP, "203.0.113.9");
    add(set, WB_IOC_IP, "203.0.113.9"); /* exact duplicate: kept once */
    add(set, WB_IOC_IP, "2001:db8::/48");
    add(set, WB_IOC_IP, "0.0.0.0/0");
    add(set, WB_IOC_DOMAIN, "evil.example");
    add(set, WB_IOC_HOSTNAME, "host.bad.example");
    add(set, WB_IOC_URL, "http://phish.example/login?x=1");
    add(set, WB_IOC_SHA256, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
    add(set, WB_IOC_EMAIL, "ceo@fraud.example");
    add(set, WB_IOC_IP_PORT, "198.51.100.7|4444");
    wb_ioc_in bad = {
        .type = WB_IOC_IP, .value = "not-an-ip", .len = 9, .valid_until = WB_TIME_NONE};
    assert_int_equal(wb_iocset_add(set, &bad), WB_EINVAL);
    wb_ioc_in old = {.type = WB_IOC_IP, .value = "192.0.2.99", .len = 10, .valid_until = 1};
    assert_int_equal(wb_iocset_add(set, &old), 0); /* expired: dropped, not an error */
    wb_error err;
    assert_int_equal(wb_iocset_build(set, &err), 0);
    assert_int_equal(wb_iocset_count(set), 11);
    wb_iocset_stats st;
    wb_iocset_stats_get(set, &st);
    assert_int_equal(st.invalid, 1);
    assert_int_equal(st.expired, 1);
    assert_int_equal(st.loaded[WB_IOC_CIDR], 4);

    hits h;
    /* Inside two CIDRs, listed exactly, and inside 0/0: four indicators. */
    assert_int_equal(lookup(set, "203.0.113.9", WB_V_IP, &h), 4);
    assert_true(has(set, &h, "203.0.113.0/24") && has(set, &h, "203.0.0.0/16") &&
                has(set, &h, "203.0.113.9") && has(set, &h, "0.0.0.0/0"));
    assert_int_equal(lookup(set, "::ffff:203.0.113.9", WB_V_IP, &h), 4);
    assert_int_equal(lookup(set, "203.0.114.1", WB_V_IP, &h), 2);
    assert_int_equal(lookup(set, "2001:db8:0:ffff::1", WB_V_IP, &h), 1);
    assert_int_equal(lookup(set, "2001:db9::1", WB_V_IP, &h), 0);
    /* Domains on label boundaries, case-insensitively, trailing dot ignored. */
    assert_int_equal(lookup(set, "a.b.EVIL.example.", WB_V_DOMAIN, &h), 1);
    assert_int_equal(lookup(set, "evil.example", WB_V_DOMAIN, &h), 1);
    assert_int_equal(lookup(set, "notevil.example", WB_V_DOMAIN, &h), 0);
    assert_int_equal(lookup(set, "evil.example.com", WB_V_DOMAIN, &h), 0);
    assert_int_equal(lookup(set, "evil.example:8080", WB_V_DOMAIN, &h), 1);
    /* Hostnames exactly. */
    assert_int_equal(lookup(set, "host.bad.example", WB_V_DOMAIN, &h), 1);
    assert_int_equal(lookup(set, "x.host.bad.example", WB_V_DOMAIN, &h), 0);
    /* URLs with or without scheme, default port, case of scheme and host. */
    assert_int_equal(lookup(set, "HTTP://PHISH.example:80/login?x=1", WB_V_URL, &h), 1);
    assert_int_equal(lookup(set, "phish.example/login?x=1", WB_V_URL, &h), 1);
    assert_int_equal(lookup(set, "https://phish.example/login?x=1", WB_V_URL, &h), 1);
    assert_int_equal(lookup(set, "phish.example/login?x=2", WB_V_URL, &h), 0);
    assert_int_equal(lookup(set, "https://phish.example/login?x=1#top", WB_V_URL, &h), 1);
    /* Hashes. */
    assert_int_equal(lookup(set, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                            WB_V_HASH, &h),
                     1);
    /* E-mail, and the domain inside an address meets domain indicators. */
    assert_int_equal(lookup(set, "CEO@Fraud.Example", WB_V_EMAIL, &h), 1);
    assert_int_equal(lookup(set, "Mallory <m@x.evil.example>", WB_V_EMAIL, &h), 1);
    assert_true(has(set, &h, "evil.example"));
    /* Classification of unknown values. */
    assert_int_equal(lookup(set, "http://www.evil.example/a", WB_V_AUTO, &h), 1);
    assert_int_equal(lookup(set, "CaBhzn4douRRoJ519a", WB_V_AUTO, &h), 0);
    assert_int_equal(lookup(set, "203.0.113.9", WB_V_AUTO, &h), 4);
    assert_int_equal(lookup(set, "sub.evil.example", WB_V_AUTO, &h), 1);
    assert_int_equal(lookup(set, "a sentence about evil.example", WB_V_AUTO, &h), 0);
    wb_iocset_free(set);
}

static void test_expiry_option(void **state)
{
    (void)state;
    wb_iocset *set;
    wb_iocset_opts o = {.now = 0, .include_expired = true};
    wb_time now;
    assert_int_equal(wb_time_parse("2026-01-01T00:00:00Z", 20, &now), 0);
    o.now = now;
    assert_int_equal(wb_iocset_new(&set, &o), 0);
    wb_time past, future;
    wb_time_parse("2025-06-01", 10, &past);
    wb_time_parse("2027-06-01", 10, &future);
    wb_ioc_in a = {.type = WB_IOC_DOMAIN, .value = "old.example", .len = 11, .valid_until = past};
    wb_ioc_in b = {.type = WB_IOC_DOMAIN, .value = "new.example", .len = 11, .valid_until = future};
    assert_int_equal(wb_iocset_add(set, &a), 0);
    assert_int_equal(wb_iocset_add(set, &b), 0);
    wb_error err;
    wb_iocset_build(set, &err);
    assert_int_equal(wb_iocset_count(set), 2); /* --include-expired keeps both */
    wb_iocset_free(set);
    o.include_expired = false;
    assert_int_equal(wb_iocset_new(&set, &o), 0);
    wb_iocset_add(set, &a);
    wb_iocset_add(set, &b);
    wb_iocset_build(set, &err);
    assert_int_equal(wb_iocset_count(set), 1);
    hits h;
    assert_int_equal(lookup(set, "old.example", WB_V_DOMAIN, &h), 0);
    assert_int_equal(lookup(set, "new.example", WB_V_DOMAIN, &h), 1);
    wb_iocset_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_cidr),
        cmocka_unit_test(test_index),
        cmocka_unit_test(test_expiry_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
