/*
 * test_store_audit.c - the audit log's hash chain and its retention: a
 * chain that verifies; a changed entry, a removed one and a truncated
 * archive file found; an archive whose file continues into the entries
 * that stay (verify passes before and after); deletes of entries not
 * archived refused by the database; and a database made by the main
 * branch before migration 6 (tests/data/hub-schema5.sql, dumped from
 * `weerbaar admin` at d713795) opening, migrating and verifying.
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

#include "common/testdb.h"
#include "weerbaar/store.h"

typedef struct fixture {
    char dir[64], db[256];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/wb-audit-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char file[96];
    snprintf(file, sizeof file, "%s/hub.db", f->dir);
    testdb_path(file, f->db, sizeof f->db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void add(wb_store *st, const char *action, const char *object)
{
    wb_error err;
    wb_audit_rec a = {.user = "t", .org = "-", .action = action, .object = object};
    assert_int_equal(wb_store_audit(st, &a, &err), 0);
}

/* Runs SQL on the file behind the store's back (an attacker with the file). */
static int raw(const char *db, const char *sql)
{
    return testdb_exec(db, sql);
}

static int64_t verify(const char *db, int64_t *rows)
{
    wb_store *st;
    wb_error err;
    wb_audit_check k;
    assert_int_equal(wb_store_open(&st, db, &err), 0);
    assert_int_equal(wb_store_audit_verify(st, &k, &err), 0);
    wb_store_close(st);
    if (rows) *rows = k.rows;
    return k.bad_id;
}

static void test_chain_and_tamper(void **state)
{
    fixture *f = *state;
    wb_store *st;
    wb_error err;
    assert_int_equal(wb_store_open(&st, f->db, &err), 0);
    for (int i = 0; i < 6; i++)
        add(st, "test.entry", i % 2 ? "odd" : NULL);
    wb_store_close(st);
    int64_t rows;
    assert_int_equal(verify(f->db, &rows), 0);
    assert_int_equal(rows, 6);
    /* The table refuses changes and deletes itself ... */
    assert_int_not_equal(raw(f->db, "UPDATE audit SET detail='x' WHERE id=3"), 0);
    assert_int_not_equal(raw(f->db, "DELETE FROM audit WHERE id=1"), 0);
    /* ... and with the trigger dropped, the chain shows the change. */
    assert_int_equal(raw(f->db, testdb_pg()
                                    ? "DROP TRIGGER audit_no_update ON audit" /* its dialect */
                                    : "DROP TRIGGER audit_no_update"),
                     0);
    assert_int_equal(raw(f->db, "UPDATE audit SET detail='harmless' WHERE id=3"), 0);
    assert_int_equal(verify(f->db, NULL), 3);
    assert_int_equal(raw(f->db, "UPDATE audit SET detail=NULL WHERE id=3"), 0);
    assert_int_equal(verify(f->db, NULL), 0);
    /* A removed entry breaks the chain at the one after it. */
    assert_int_equal(raw(f->db, testdb_pg() ? "DROP TRIGGER audit_no_delete ON audit"
                                            : "DROP TRIGGER audit_no_delete"),
                     0);
    assert_int_equal(raw(f->db, "DELETE FROM audit WHERE id=4"), 0);
    assert_int_equal(verify(f->db, NULL), 5);
}

typedef struct nth {
    int64_t want;
    wb_time time;
} nth;

static int nth_cb(void *ud, const wb_audit_rec *a)
{
    nth *n = ud;
    if (a->id == n->want) n->time = a->time;
    return 0;
}

static void test_archive(void **state)
{
    fixture *f = *state;
    wb_store *st;
    wb_error err;
    wb_audit_check k;
    char out[128], out2[128];
    snprintf(out, sizeof out, "%s/audit-1.jsonl", f->dir);
    snprintf(out2, sizeof out2, "%s/audit-2.jsonl", f->dir);
    assert_int_equal(wb_store_open(&st, f->db, &err), 0);
    for (int i = 0; i < 5; i++) {
        add(st, "test.entry", "old");
        usleep(2000);
    }
    nth n = {.want = 4};
    assert_int_equal(wb_store_audit_walk(st, 0, nth_cb, &n, &err), 0);
    add(st, "test.entry", "new");
    /* Entries before entry 4's time: 1-3. */
    assert_int_equal(wb_store_audit_archive(st, n.time, out, "test", &k, &err), 0);
    assert_int_equal(k.rows, 3);
    assert_int_equal(k.head_id, 3);
    /* The archive file never overwrites. */
    assert_int_equal(wb_store_audit_archive(st, n.time, out, "test", &k, &err), WB_EINVAL);
    /* The table goes on from the file's last hash: both verify. */
    int64_t rows;
    assert_int_equal(wb_store_audit_verify(st, &k, &err), 0);
    assert_int_equal(k.bad_id, 0);
    rows = k.rows;
    assert_int_equal(rows, 3 + 1); /* 4, 5, 6 and the audit.archive entry */
    assert_int_equal(wb_store_audit_verify_file(st, out, &k, &err), 0);
    assert_int_equal(k.bad_id, 0);
    assert_int_equal(k.rows, 3);
    /* A second archive continues from the first. */
    assert_int_equal(wb_store_audit_archive(st, wb_time_now() + 1000000, out2, "test", &k, &err),
                     0);
    assert_int_equal(k.rows, 4);
    assert_int_equal(wb_store_audit_verify_file(st, out, &k, &err), 0);
    assert_int_equal(k.bad_id, 0);
    assert_int_equal(wb_store_audit_verify_file(st, out2, &k, &err), 0);
    assert_int_equal(k.bad_id, 0);
    assert_int_equal(wb_store_audit_verify(st, &k, &err), 0);
    assert_int_equal(k.bad_id, 0);
    assert_int_equal(k.rows, 1); /* the second audit.archive */
    wb_store_close(st);
    /* Entries not archived cannot be deleted. */
    assert_int_not_equal(raw(f->db, "DELETE FROM audit"), 0);
    /* A changed entry in an archive file is found. */
    char cmd[512];
    snprintf(cmd, sizeof cmd, "sed -i '3s/\"old\"/\"odd\"/' %s", out);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(wb_store_open(&st, f->db, &err), 0);
    assert_int_equal(wb_store_audit_verify_file(st, out, &k, &err), 0);
    assert_int_equal(k.bad_id, 2);
    /* A file cut short is not an archive this database recorded. */
    snprintf(cmd, sizeof cmd, "sed -i '$d' %s", out2);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(wb_store_audit_verify_file(st, out2, &k, &err), 0);
    assert_int_not_equal(k.bad_id, 0);
    wb_store_close(st);
}

/* A database made by main before migration 6 opens, is chained, verifies,
 * and takes new entries on the chain. */
static void test_migrate_from_main(void **state)
{
    fixture *f = *state;
    if (testdb_pg()) skip(); /* an SQLite file's upgrade */
    FILE *fp = fopen(WB_TEST_DATA "/hub-schema5.sql", "r");
    assert_non_null(fp);
    static char sql[65536];
    size_t n = fread(sql, 1, sizeof sql - 1, fp);
    fclose(fp);
    sql[n] = '\0';
    assert_int_equal(raw(f->db, sql), 0);
    wb_store *st;
    wb_error err;
    assert_int_equal(wb_store_open(&st, f->db, &err), 0);
    assert_true(wb_store_schema_version(st) >= 6);
    wb_audit_check k;
    assert_int_equal(wb_store_audit_verify(st, &k, &err), 0);
    assert_int_equal(k.bad_id, 0);
    assert_int_equal(k.rows, 5);
    add(st, "test.entry", "after");
    assert_int_equal(wb_store_audit_verify(st, &k, &err), 0);
    assert_int_equal(k.bad_id, 0);
    assert_int_equal(k.rows, 6);
    assert_int_equal(k.head_id, 6);
    wb_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_chain_and_tamper, setup, teardown),
        cmocka_unit_test_setup_teardown(test_archive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_from_main, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
