/*
 * test_incident_hooks.c - the reminder webhooks' pieces that need no
 * receiver: the signature (a known HMAC-SHA256 vector), secrets, the store's
 * once-per-event rule, due deliveries and backoff bookkeeping, removal
 * cancelling pending deliveries, and which events a queue run makes at
 * which time (the injected clock). Delivery over HTTP is tested end to end
 * in tests/cli/incident_hooks.sh.
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

#include "weerbaar/hooks.h"
#include "weerbaar/incident.h"
#include "weerbaar/store.h"

static char dir[64], db[96];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/wb-hooks-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/t.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static void test_sign(void **state)
{
    (void)state;
    /* HMAC-SHA256 with key "key" over "T.ID.BODY" (Python's hmac module
     * gives the same digits). */
    char sig[WB_HOOK_SIGNATURE_MAX + 1];
    const char *msg = "The quick brown fox jumps over the lazy dog";
    const char *id = "5e0f7a6c-0000-4000-8000-000000000001";
    wb_hook_sign("key", 1700000000, id, msg, strlen(msg), sig);
    assert_string_equal(
        sig, "t=1700000000,v1=84d21a0c081c21b7a6854ff37322e072046773be24a916214f220abcbfd74d38");
    /* The receiver's check: good; another secret, another delivery id (a
     * captured delivery replayed under a new id), another body: forged;
     * too old or too far ahead: refused. */
    assert_int_equal(wb_hook_verify("key", sig, id, msg, strlen(msg), 1700000100, 300), 0);
    assert_int_equal(wb_hook_verify("kez", sig, id, msg, strlen(msg), 1700000100, 300), WB_EINVAL);
    assert_int_equal(wb_hook_verify("key", sig, "5e0f7a6c-0000-4000-8000-000000000002", msg,
                                    strlen(msg), 1700000100, 300),
                     WB_EINVAL);
    assert_int_equal(wb_hook_verify("key", sig, id, msg, strlen(msg) - 1, 1700000100, 300),
                     WB_EINVAL);
    assert_int_equal(wb_hook_verify("key", sig, id, msg, strlen(msg), 1700000301, 300), WB_ELIMIT);
    assert_int_equal(wb_hook_verify("key", sig, id, msg, strlen(msg), 1699999699, 300), WB_ELIMIT);
    /* A replay with a forged newer time does not match the digits. */
    char forged[WB_HOOK_SIGNATURE_MAX + 1];
    memcpy(forged, sig, sizeof forged);
    forged[9] = '1'; /* t=1700000100 */
    forged[10] = '0';
    assert_int_equal(wb_hook_verify("key", forged, id, msg, strlen(msg), 1700000100, 300),
                     WB_EINVAL);
    assert_int_equal(wb_hook_verify("key", "sha256=00", id, msg, strlen(msg), 1700000100, 300),
                     WB_EINVAL);
    char a[WB_HOOK_SECRET_LEN + 1], b[WB_HOOK_SECRET_LEN + 1];
    wb_hook_secret_new(a);
    wb_hook_secret_new(b);
    assert_int_equal(strlen(a), WB_HOOK_SECRET_LEN);
    assert_int_equal(strspn(a, "0123456789abcdef"), WB_HOOK_SECRET_LEN);
    assert_string_not_equal(a, b);
}

typedef struct seen {
    int n;
    wb_delivery_rec last;
    char key[WB_HOOK_EVENT_KEY_MAX + 1];
    char keys[16][WB_HOOK_EVENT_KEY_MAX + 1];
} seen;

static int count_cb(void *ud, const wb_delivery_rec *d)
{
    seen *s = ud;
    if (s->n < 16) snprintf(s->keys[s->n], sizeof s->keys[0], "%s", d->event_key);
    s->n++;
    s->last = *d;
    snprintf(s->key, sizeof s->key, "%s", d->event_key);
    s->last.event_key = s->key;
    s->last.uuid = s->last.url = s->last.secret = s->last.body = s->last.last_error = NULL;
    return 0;
}

static int org_cb(void *ud, const wb_org *o)
{
    *(int64_t *)ud = o->id;
    return 1;
}

#define SEC ((wb_time)1000000)
#define SECRET "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static void test_store_deliveries(void **state)
{
    (void)state;
    wb_store *st;
    wb_error err = {0};
    assert_int_equal(wb_store_open(&st, db, &err), 0);
    int64_t org = 0, hook = 0;
    assert_int_equal(wb_store_org_add(st, "Gamma", WB_ORG_ESSENTIAL, "energy", NULL, &org, &err),
                     0);
    assert_int_equal(wb_store_hook_add(st, org, "ftp://x", SECRET, &hook, &err), WB_EINVAL);
    assert_int_equal(wb_store_hook_add(st, org, "http://x/a b", SECRET, &hook, &err), WB_EINVAL);
    assert_int_equal(wb_store_hook_add(st, org, "http://x/", "abc", &hook, &err), WB_EINVAL);
    assert_int_equal(wb_store_hook_add(st, 999, "http://x/", SECRET, &hook, &err), WB_EINVAL);
    assert_int_equal(wb_store_hook_add(st, org, "http://127.0.0.1:9/h", SECRET, &hook, &err), 0);

    wb_delivery_rec d = {.uuid = "5e0f7a6c-0000-4000-8000-000000000001",
                         .hook_id = hook,
                         .event_key = "incident:1:early-warning:x:due-6h",
                         .body = "{}",
                         .next_attempt = 100 * SEC,
                         .created = 100 * SEC};
    bool added = false;
    assert_int_equal(wb_store_delivery_add(st, &d, &added, &err), 0);
    assert_true(added);
    /* The same event again (another uuid): ignored. */
    d.uuid = "5e0f7a6c-0000-4000-8000-000000000002";
    assert_int_equal(wb_store_delivery_add(st, &d, &added, &err), 0);
    assert_false(added);
    d.event_key = "incident:1:report:1";
    d.next_attempt = 200 * SEC;
    assert_int_equal(wb_store_delivery_add(st, &d, &added, &err), 0);
    assert_true(added);
    d.event_key = "";
    assert_int_equal(wb_store_delivery_add(st, &d, &added, &err), WB_EINVAL);

    seen s = {0};
    assert_int_equal(wb_store_delivery_due(st, 99 * SEC, 10, count_cb, &s, &err), 0);
    assert_int_equal(s.n, 0);
    assert_int_equal(wb_store_delivery_due(st, 150 * SEC, 10, count_cb, &s, &err), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.key, "incident:1:early-warning:x:due-6h");
    assert_string_equal(wb_delivery_status_name(s.last.status), "pending");

    /* A failed attempt pushes it back; a delivered one leaves the queue. */
    wb_delivery_rec u = s.last;
    u.attempts = 1;
    u.next_attempt = 400 * SEC;
    u.last_status = 500;
    u.last_error = "the receiver answered HTTP 500";
    assert_int_equal(wb_store_delivery_update(st, &u, &err), 0);
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_delivery_due(st, 300 * SEC, 10, count_cb, &s, &err), 0);
    assert_int_equal(s.n, 1); /* only the report */
    assert_string_equal(s.key, "incident:1:report:1");
    u.status = WB_DELIVERY_DELIVERED;
    u.delivered = 400 * SEC;
    assert_int_equal(wb_store_delivery_update(st, &u, &err), 0);
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_delivery_due(st, 1000 * SEC, 10, count_cb, &s, &err), 0);
    assert_int_equal(s.n, 1);

    /* Removing the hook cancels what is pending and keeps the history. */
    assert_int_equal(wb_store_hook_remove(st, hook, 500 * SEC, &err), 0);
    assert_int_equal(wb_store_hook_remove(st, hook, 500 * SEC, &err), WB_ENOTFOUND);
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_delivery_due(st, 1000 * SEC, 10, count_cb, &s, &err), 0);
    assert_int_equal(s.n, 0);
    memset(&s, 0, sizeof s);
    assert_int_equal(wb_store_delivery_list(st, hook, count_cb, &s, &err), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.last.status, WB_DELIVERY_CANCELLED);
    wb_store_close(st);
}

static wb_time fixed(void *ud)
{
    return *(wb_time *)ud;
}

/* Which events a queue run makes, by the injected clock. */
static void test_queue(void **state)
{
    (void)state;
    wb_store *st;
    wb_error err = {0};
    assert_int_equal(wb_store_open(&st, db, &err), 0);
    int64_t org = 0, csirt = 0, inc = 0, h1 = 0, h2 = 0;
    assert_int_equal(wb_store_org_find(st, "Gamma", org_cb, &org, &err), 0);
    assert_int_equal(wb_store_org_add(st, "NCSC", WB_ORG_CSIRT, NULL, NULL, &csirt, &err), 0);
    assert_int_equal(wb_store_route_set(st, "*", csirt, 0, &err), 0);
    assert_int_equal(wb_store_hook_add(st, org, "http://127.0.0.1:9/g", SECRET, &h1, &err), 0);
    assert_int_equal(wb_store_hook_add(st, csirt, "http://127.0.0.1:9/c", SECRET, &h2, &err), 0);
    wb_time aware;
    assert_int_equal(wb_time_parse_rfc3339("2026-01-30T08:00:00Z", 20, &aware), 0);
    wb_incident_rec r = {.org_id = org,
                         .title = "t",
                         .aware_at = aware,
                         .detected_at = WB_TIME_NONE,
                         .entity_type = "other",
                         .tlp = WB_TLP_AMBER};
    assert_int_equal(wb_store_incident_add(st, &r, &inc, &err), 0);

    wb_time now = aware + (24 * 3600 - 6 * 3600 - 1) * SEC; /* 6 h and 1 s before */
    wb_hooks_opts o = {.clock = fixed, .clock_ud = &now};
    assert_int_equal(wb_hooks_now(&o), now);
    wb_hooks_stats stats = {0};
    assert_int_equal(wb_hooks_queue(st, &o, wb_hooks_now(&o), &stats, &err), 0);
    assert_int_equal(stats.queued, 0);
    now += SEC; /* exactly 6 h before: the reminder, to both */
    assert_int_equal(wb_hooks_queue(st, &o, wb_hooks_now(&o), &stats, &err), 0);
    assert_int_equal(stats.queued, 2);
    assert_int_equal(wb_hooks_queue(st, &o, wb_hooks_now(&o), &stats, &err), 0);
    assert_int_equal(stats.queued, 2);
    now += 6 * 3600 * SEC; /* at the deadline: not overdue yet */
    assert_int_equal(wb_hooks_queue(st, &o, wb_hooks_now(&o), &stats, &err), 0);
    assert_int_equal(stats.queued, 2);
    now += SEC; /* one second after: overdue */
    assert_int_equal(wb_hooks_queue(st, &o, wb_hooks_now(&o), &stats, &err), 0);
    assert_int_equal(stats.queued, 4);
    seen s = {0};
    assert_int_equal(wb_store_delivery_list(st, h1, count_cb, &s, &err), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.keys[0], "incident:1:early-warning:2026-01-31T08:00:00Z:due-6h");
    assert_string_equal(s.keys[1], "incident:1:early-warning:2026-01-31T08:00:00Z:overdue");
    /* A custom reminder time: 72 h before reaches the notification too. */
    o.remind_before = 72 * 3600 * SEC;
    assert_int_equal(wb_hooks_queue(st, &o, wb_hooks_now(&o), &stats, &err), 0);
    assert_int_equal(stats.queued, 6);
    wb_store_close(st);
}

/* A backlog to one hook (a receiver that stalls) does not fill the batch:
 * at most 8 of one hook's deliveries are due in one run, so another
 * organisation's newer delivery is among them. */
static void test_fair_batch(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/fair.db", dir);
    wb_store *st;
    wb_error err = {0};
    assert_int_equal(wb_store_open(&st, path, &err), 0);
    int64_t org = 0, slow = 0, other = 0;
    assert_int_equal(wb_store_org_add(st, "Gamma", WB_ORG_ESSENTIAL, "energy", NULL, &org, &err),
                     0);
    assert_int_equal(wb_store_hook_add(st, org, "https://slow.example/h", SECRET, &slow, &err), 0);
    assert_int_equal(wb_store_hook_add(st, org, "https://ok.example/h", SECRET, &other, &err), 0);
    for (int i = 0; i < 31; i++) {
        char uuid[WB_UUID_LEN + 1], key[32];
        wb_uuid_v4(uuid);
        snprintf(key, sizeof key, "k%d", i);
        wb_delivery_rec d = {.uuid = uuid,
                             .hook_id = i < 30 ? slow : other,
                             .event_key = key,
                             .body = "{}",
                             .next_attempt = (100 + i) * SEC,
                             .created = 100 * SEC};
        bool added = false;
        assert_int_equal(wb_store_delivery_add(st, &d, &added, &err), 0);
    }
    seen s = {0};
    assert_int_equal(wb_store_delivery_due(st, 1000 * SEC, 20, count_cb, &s, &err), 0);
    assert_int_equal(s.n, 9);
    assert_string_equal(s.keys[7], "k7");
    assert_string_equal(s.keys[8], "k30"); /* the other hook's, though newest */
    wb_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign),
        cmocka_unit_test(test_store_deliveries),
        cmocka_unit_test(test_queue),
        cmocka_unit_test(test_fair_batch),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
