/*
 * test_store.c - the SQLite store: schema migrations at open, integrity
 * errors (duplicates, unknown references), API keys (hash only, stable
 * secret across reopen, revocation), the append-only audit log, and event
 * replacement marking vanished attributes deleted.
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
#include <sqlite3.h>

#include "weerbaar/store.h"

static char dir[64], db[96];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/wb-store-XXXXXX");
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

static int id_cb(void *ud, const wb_org *o)
{
    *(int64_t *)ud = o->id;
    return 1;
}

static void test_store(void **state)
{
    (void)state;
    wb_store *st;
    wb_error err = {0};
    assert_int_equal(wb_store_open(&st, db, &err), 0);
    assert_int_equal(wb_store_schema_version(st), 1);
    int64_t a = 0, b = 0, uid = 0, found = 0;
    assert_int_equal(wb_store_org_add(st, "Alpha", WB_ORG_CSIRT, "energy", "12345678", &a, &err),
                     0);
    assert_int_equal(wb_store_org_add(st, "ALPHA", WB_ORG_OTHER, NULL, NULL, &b, &err), WB_EINVAL);
    assert_non_null(strstr(err.msg, "exists"));
    assert_int_equal(wb_store_org_add(st, "Beta", WB_ORG_OTHER, NULL, "123", &b, &err), WB_EINVAL);
    assert_int_equal(wb_store_org_find(st, "alpha", id_cb, &found, &err), 0);
    assert_int_equal(found, a);
    assert_int_equal(wb_store_org_find(st, "Nope", id_cb, &found, &err), WB_ENOTFOUND);
    assert_non_null(strstr(err.msg, "Nope"));
    assert_int_equal(wb_store_user_add(st, "u@alpha.example", a, WB_ROLE_MEMBER, &uid, &err), 0);
    assert_int_equal(wb_store_user_add(st, "U@alpha.example", a, WB_ROLE_MEMBER, NULL, &err),
                     WB_EINVAL);
    assert_int_equal(wb_store_user_add(st, "v@alpha.example", 999, WB_ROLE_MEMBER, NULL, &err),
                     WB_EINVAL); /* foreign key */
    assert_int_equal(wb_store_user_add(st, "no-at-sign", a, WB_ROLE_MEMBER, NULL, &err), WB_EINVAL);
    char key[WB_KEY_TEXT_LEN + 1];
    int64_t kid = 0;
    assert_int_equal(wb_store_key_add(st, uid, key, &kid, &err), 0);
    assert_int_equal(strlen(key), WB_KEY_TEXT_LEN);
    wb_store_close(st);

    /* Reopen: migrations do not run twice, the secret is the same. */
    assert_int_equal(wb_store_open(&st, db, &err), 0);
    assert_int_equal(wb_store_schema_version(st), 1);
    wb_keyowner ko;
    assert_int_equal(wb_store_key_auth(st, key, strlen(key), &ko, &err), 0);
    assert_int_equal(ko.key_id, kid);
    assert_int_equal(ko.org_id, a);
    assert_false(ko.revoked);
    assert_string_equal(ko.email, "u@alpha.example");
    char wrong[WB_KEY_TEXT_LEN + 1];
    memcpy(wrong, key, sizeof wrong);
    wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
    assert_int_equal(wb_store_key_auth(st, wrong, strlen(wrong), &ko, &err), WB_ENOTFOUND);
    assert_int_equal(wb_store_key_auth(st, key, 10, &ko, &err), WB_ENOTFOUND);
    int64_t n = 0;
    assert_int_equal(wb_store_key_revoke(st, 0, uid, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(wb_store_key_auth(st, key, strlen(key), &ko, &err), 0);
    assert_true(ko.revoked);

    /* Events: replacing drops attributes missing from the new version. */
    wb_event_rec ev = {.uuid = "11111111-1111-4111-8111-111111111111",
                       .org_id = a,
                       .info = "x",
                       .date = "2026-01-01",
                       .tlp = WB_TLP_GREEN,
                       .timestamp = 1,
                       .json = "{}"};
    wb_attr_rec at[2] = {
        {.uuid = "22222222-2222-4222-8222-222222222222",
         .type = "domain",
         .value = "a.example",
         .distribution = 5,
         .json = "{}",
         .nkeys = 1,
         .key_kind = {WB_IOC_DOMAIN},
         .key = {"a.example"}},
        {.uuid = "33333333-3333-4333-8333-333333333333",
         .type = "domain",
         .value = "b.example",
         .distribution = 5,
         .json = "{}",
         .nkeys = 1,
         .key_kind = {WB_IOC_DOMAIN},
         .key = {"b.example"}},
    };
    int64_t eid = 0;
    assert_int_equal(wb_store_event_put(st, &ev, NULL, 0, at, 2, false, &eid, &err), 0);
    assert_int_equal(wb_store_event_put(st, &ev, NULL, 0, at, 2, false, &eid, &err), WB_EINVAL);
    assert_int_equal(wb_store_event_put(st, &ev, NULL, 0, at, 1, true, &eid, &err), 0);
    wb_store_close(st);

    /* The audit log refuses changes, whoever asks. */
    assert_int_equal(wb_store_open(&st, db, &err), 0);
    wb_audit_rec rec = {.user = "cli", .org = "-", .action = "test", .object = "o"};
    assert_int_equal(wb_store_audit(st, &rec, &err), 0);
    wb_store_close(st);
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(raw, "UPDATE audit SET action='x'", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(raw, "DELETE FROM audit", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(
        sqlite3_prepare_v2(raw, "SELECT deleted FROM attributes ORDER BY id", -1, &q, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 0);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 1);
    sqlite3_finalize(q);
    /* A schema from the future is refused, not guessed at. */
    assert_int_equal(sqlite3_exec(raw, "INSERT INTO schema_version VALUES(99)", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(wb_store_open(&st, db, &err), WB_EFORMAT);
    assert_non_null(strstr(err.msg, "newer"));
}

static void test_uuid(void **state)
{
    (void)state;
    char u[WB_UUID_LEN + 1];
    wb_uuid_v4(u);
    assert_true(wb_uuid_valid(u, strlen(u)));
    assert_int_equal(u[14], '4');
    assert_false(wb_uuid_valid("not-a-uuid", 10));
    assert_false(wb_uuid_valid("11111111-1111-4111-8111-11111111111g", 36));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store),
        cmocka_unit_test(test_uuid),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
