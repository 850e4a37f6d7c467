/*
 * test_hub_addrcount.c - the count per client address behind the hub's
 * per-address connection and stream limits (ratelimit.c): addresses parsed
 * as the server sees them (IPv4 mapped into IPv6), the limit per address,
 * giving back, and a table that stays as large as the addresses active at
 * once while many come and go.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hub/hub_internal.h"

static void test_parse(void **state)
{
    (void)state;
    wbi_hub_addr a, b;
    assert_true(wbi_hub_addr_parse("127.0.0.2", &a));
    assert_true(wbi_hub_addr_parse("::ffff:127.0.0.2", &b));
    assert_memory_equal(a.b, b.b, 16); /* one address, however it is written */
    assert_true(wbi_hub_addr_parse("::1", &a));
    assert_false(wbi_hub_addr_parse("127.0.0.256", &a));
    assert_false(wbi_hub_addr_parse("", &a));
    assert_false(wbi_hub_addr_parse(NULL, &a));
}

static void test_limit(void **state)
{
    (void)state;
    wbi_hub_addrcount t;
    assert_int_equal(wbi_hub_addrcount_init(&t), 0);
    wbi_hub_addr a, b;
    wbi_hub_addr_parse("127.0.0.2", &a);
    wbi_hub_addr_parse("127.0.0.3", &b);
    for (int i = 0; i < 4; i++)
        assert_true(wbi_hub_addrcount_take(&t, &a, 4));
    assert_false(wbi_hub_addrcount_take(&t, &a, 4)); /* a has 4 */
    assert_true(wbi_hub_addrcount_take(&t, &b, 4));  /* b is counted apart */
    wbi_hub_addrcount_give(&t, &a);
    assert_true(wbi_hub_addrcount_take(&t, &a, 4)); /* room again */
    assert_false(wbi_hub_addrcount_take(&t, &a, 4));
    wbi_hub_addrcount_free(&t);
}

static void test_churn(void **state)
{
    (void)state;
    wbi_hub_addrcount t;
    assert_int_equal(wbi_hub_addrcount_init(&t), 0);
    /* 100,000 addresses each taking and giving back one, 10 held at once:
     * the table is rebuilt without the ones at 0 and stays small. */
    wbi_hub_addr held[10];
    for (int i = 0; i < 100000; i++) {
        char s[32];
        snprintf(s, sizeof s, "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        wbi_hub_addr a;
        assert_true(wbi_hub_addr_parse(s, &a));
        assert_true(wbi_hub_addrcount_take(&t, &a, 1));
        if (i >= 10) wbi_hub_addrcount_give(&t, &held[i % 10]);
        held[i % 10] = a;
    }
    assert_true(t.cap <= 256);
    /* the ten still held are still counted */
    for (int i = 0; i < 10; i++)
        assert_false(wbi_hub_addrcount_take(&t, &held[i], 1));
    wbi_hub_addrcount_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_churn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
