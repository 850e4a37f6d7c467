/*
 * test_where.c - where a sighting happened (src/match/context.c): the
 * internal networks, and the side, direction and internal host derived from
 * a record's flow for address and name hits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "weerbaar/match.h"

static wb_localnets *defaults(void)
{
    wb_localnets *ln;
    assert_int_equal(wb_localnets_new(&ln), 0);
    wb_error err;
    for (size_t i = 0; wb_localnets_default[i]; i++)
        assert_int_equal(wb_localnets_add(ln, wb_localnets_default[i], &err), 0);
    return ln;
}

static void test_localnets(void **st)
{
    (void)st;
    wb_localnets *ln = defaults();
#define IN(a) wb_localnets_contains(ln, a, strlen(a))
    assert_true(IN("10.1.2.3"));
    assert_true(IN("172.31.255.255"));
    assert_false(IN("172.32.0.1"));
    assert_true(IN("192.168.0.1"));
    assert_true(IN("100.64.0.1"));
    assert_true(IN("127.0.0.1"));
    assert_true(IN("::1"));
    assert_true(IN("fd77:48a1:c0bb::1"));
    assert_true(IN("fe80::1"));
    assert_true(IN("::ffff:10.0.0.1")); /* IPv4-mapped is IPv4 */
    assert_false(IN("8.8.8.8"));
    assert_false(IN("2001:db8::1"));
    assert_false(IN("not-an-address"));
#undef IN
    wb_error err;
    assert_int_equal(wb_localnets_add(ln, "10.0.0.0/33", &err), WB_EINVAL);
    assert_non_null(strstr(err.msg, "10.0.0.0/33"));
    wb_localnets_free(ln);
    wb_localnets_free(NULL);
}

static void where(const wb_localnets *ln, wb_ioc_type t, const char *matched, const char *orig,
                  const char *resp, wb_sighting_where *w)
{
    wb_ioc ioc = {.type = t, .value = matched};
    wb_sighting s = {.ioc = &ioc, .matched = matched};
    s.ctx[WB_CTX_ORIG_H] = orig;
    s.ctx[WB_CTX_RESP_H] = resp;
    wb_sighting_where_get(&s, ln, w);
}

static void test_where(void **st)
{
    (void)st;
    wb_localnets *ln = defaults();
    wb_sighting_where w;
    /* outbound to a bad address: the responder matched, the originator is ours */
    where(ln, WB_IOC_IP, "203.0.113.5", "10.0.0.7", "203.0.113.5", &w);
    assert_int_equal(w.side, WB_SIDE_RESP);
    assert_int_equal(w.direction, WB_DIR_OUTBOUND);
    assert_string_equal(w.internal, "10.0.0.7");
    assert_string_equal(wb_side_name(w.side), "resp");
    assert_string_equal(wb_direction_name(w.direction), "outbound");
    /* inbound from a bad address; an ip|port hit compares the address */
    where(ln, WB_IOC_IP_PORT, "203.0.113.5|4444", "203.0.113.5", "192.168.1.2", &w);
    assert_int_equal(w.side, WB_SIDE_ORIG);
    assert_int_equal(w.direction, WB_DIR_INBOUND);
    assert_string_equal(w.internal, "192.168.1.2");
    /* the same address in another spelling still names the side */
    where(ln, WB_IOC_CIDR, "2001:db8:0:0::1", "fd00::5", "2001:db8::1", &w);
    assert_int_equal(w.side, WB_SIDE_RESP);
    assert_string_equal(w.internal, "fd00::5");
    /* a name hit: no side, the internal originator */
    where(ln, WB_IOC_DOMAIN, "evil.example", "192.168.1.116", "8.8.8.8", &w);
    assert_int_equal(w.side, WB_SIDE_NONE);
    assert_null(wb_side_name(w.side));
    assert_string_equal(w.internal, "192.168.1.116");
    /* an internal address matched between two internal hosts: the other one */
    where(ln, WB_IOC_IP, "10.0.0.9", "10.0.0.9", "10.0.0.10", &w);
    assert_int_equal(w.direction, WB_DIR_INTERNAL);
    assert_string_equal(w.internal, "10.0.0.10");
    /* neither endpoint internal */
    where(ln, WB_IOC_IP, "203.0.113.5", "198.51.100.1", "203.0.113.5", &w);
    assert_int_equal(w.direction, WB_DIR_EXTERNAL);
    assert_null(w.internal);
    /* a web or DNS server log: the client alone, no direction */
    where(ln, WB_IOC_DOMAIN, "evil.example", "10.0.0.7", NULL, &w);
    assert_int_equal(w.direction, WB_DIR_NONE);
    assert_null(wb_direction_name(w.direction));
    assert_string_equal(w.internal, "10.0.0.7");
    /* no flow at all */
    where(ln, WB_IOC_IP, "203.0.113.5", NULL, NULL, &w);
    assert_int_equal(w.side, WB_SIDE_NONE);
    assert_null(w.internal);
    wb_localnets_free(ln);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_localnets),
                                       cmocka_unit_test(test_where)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
