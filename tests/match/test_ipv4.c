/*
 * test_ipv4.c - the matcher's fast dotted-quad parser (src/match/ipv4_fast.h)
 * against wb_ipv4_parse(), the reference it must agree with on every input:
 * hand-picked edge cases, every combination of boundary parts, and a few
 * million deterministic pseudo-random strings over digits and dots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "match/ipv4_fast.h"

/* Fails with the input when the two parsers disagree on it. */
static void agree(const char *s, size_t n)
{
    uint32_t want = 0, got = 0;
    int rw = wb_ipv4_parse(s, n, &want);
    int rg = wbi_ipv4_parse(s, n, &got);
    if (rw != rg || (rw == 0 && want != got))
        fail_msg("'%.*s' (%zu bytes): wb_ipv4_parse %d/%08x, wbi_ipv4_parse %d/%08x", (int)n, s, n,
                 rw, (unsigned)want, rg, (unsigned)got);
}

static void agree_str(const char *s)
{
    agree(s, strlen(s));
}

static void test_cases(void **state)
{
    (void)state;
    static const char *const ok[] = {"1.2.3.4",      "0.0.0.0",    "255.255.255.255",
                                     "10.0.189.117", "100.64.0.1", "9.99.199.249"};
    static const char *const bad[] = {
        "1.2.3",      "1.2.3.4.",      ".1.2.3.4",      "1..2.3",         "1.2.3.4.5",
        "01.2.3.4",   "1.2.3.04",      "1.2.3.00",      "256.1.1.1",      "1.1.1.256",
        "1.2.3.1000", "1234.1.1.1",    "1.2.3.4 ",      " 1.2.3.4",       "1.2.3.a",
        "1,2.3.4",    "1.2.3.-4",      "999.999.999.9", "1.2.3.4/24",     "::ffff:1.2.3",
        "1.2.3.4\n",  "12.34.56.78.9", "1.2.34",        "300.300.300.300"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint32_t a;
        assert_int_equal(wbi_ipv4_parse(ok[i], strlen(ok[i]), &a), 0);
        agree_str(ok[i]);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint32_t a;
        assert_int_not_equal(wbi_ipv4_parse(bad[i], strlen(bad[i]), &a), 0);
        agree_str(bad[i]);
    }
    uint32_t a = 0;
    assert_int_equal(wbi_ipv4_parse("192.168.1.20", 12, &a), 0);
    assert_int_equal(a, 0xc0a80114u);
    /* A NUL inside the length is not a digit. */
    agree("1.2.3.4\0", 8);
    agree("1.2\0.3.4", 8);
    /* Only the first n bytes count: the rest of a log line follows. */
    agree("1.2.3.45\t80", 7);
    agree("1.2.3.45\t80", 8);
}

/* Every combination of parts from a list that crosses each boundary (one,
 * two, three, four digits; 255/256; leading zeros; empty parts). */
static void test_parts(void **state)
{
    (void)state;
    static const char *const parts[] = {"",    "0",   "1",   "9",   "00",   "01",   "10",
                                        "99",  "100", "199", "249", "255",  "256",  "259",
                                        "300", "999", "000", "010", "1000", "2555", "x"};
    size_t np = sizeof parts / sizeof parts[0];
    char buf[32];
    for (size_t a = 0; a < np; a++)
        for (size_t b = 0; b < np; b++)
            for (size_t c = 0; c < np; c++)
                for (size_t d = 0; d < np; d++) {
                    int k = snprintf(buf, sizeof buf, "%s.%s.%s.%s", parts[a], parts[b], parts[c],
                                     parts[d]);
                    agree(buf, (size_t)k);
                }
}

/* Random strings of 1..17 bytes over digits, dots and a few others, biased
 * towards digits so that most have the shape of an address. */
static void test_random(void **state)
{
    (void)state;
    static const char alpha[] = "0123456789012345678901234567890123456789....... a:/\t";
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    char buf[17];
    for (int i = 0; i < 3000000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t n = 1 + (size_t)(x >> 59) % 17;
        uint64_t y = x;
        for (size_t k = 0; k < n; k++) {
            y = y * 6364136223846793005ULL + 1442695040888963407ULL;
            buf[k] = alpha[(y >> 33) % (sizeof alpha - 1)];
        }
        agree(buf, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_parts),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
