/*
 * test_store_sightings.c - migration 10 and the sighting identity in the
 * store: sightings stored before it (a database at schema 5 from
 * tests/data/hub-schema5.sql with rows added the old way) come through
 * with their rows, counts, sources and windows, each with a uuid of its
 * own; a new report merges into the record of its identity only within
 * the gap; a key is part of the identity; a request uuid is claimed once
 * per organisation.
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
    snprintf(f->dir, sizeof f->dir, "/tmp/wb-sight-XXXXXX");
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

static void raw(const char *db, const char *sql)
{
    assert_int_equal(testdb_exec(db, sql), 0);
}

typedef struct seen {
    size_t n;
    int64_t count[8], first[8], last[8], key[8];
    char uuid[8][WB_UUID_LEN + 1], source[8][16];
} seen;

static int seen_cb(void *ud, const wb_sighting_rec *s)
{
    seen *w = ud;
    assert_true(w->n < 8);
    w->count[w->n] = s->count;
    w->first[w->n] = s->first_seen;
    w->last[w->n] = s->date_sighting;
    w->key[w->n] = s->key_id;
    assert_non_null(s->uuid);
    assert_true(wb_uuid_valid(s->uuid, strlen(s->uuid)));
    snprintf(w->uuid[w->n], sizeof w->uuid[0], "%s", s->uuid);
    snprintf(w->source[w->n], sizeof w->source[0], "%s", s->source ? s->source : "");
    w->n++;
    return 0;
}

static void test_migrate_and_merge(void **state)
{
    if (testdb_pg()) skip(); /* upgrades an SQLite file of migration 9 */
    fixture *f = *state;
    FILE *fp = fopen(WB_TEST_DATA "/hub-schema5.sql", "r");
    assert_non_null(fp);
    static char sql[65536];
    size_t n = fread(sql, 1, sizeof sql - 1, fp);
    fclose(fp);
    sql[n] = '\0';
    raw(f->db, sql);
    /* Three sightings the old way (one record per source, first_seen 0
     * when unknown) on one attribute of organisation 2. */
    raw(f->db, "INSERT INTO events VALUES(1,'7e200000-0000-4000-8000-000000000001',1,'e',"
               "'2026-01-01',1,NULL,1,1,0,1790000000,'{}',1);"
               "INSERT INTO attributes VALUES(1,'7e200000-0000-4000-8000-0000000000a1',1,NULL,"
               "'domain','bad.example',1,5,NULL,0,0,1790000000,'{}');"
               "INSERT INTO sightings(attribute_id,org_id,user_id,type,source,date_sighting,"
               "count,first_seen,created) VALUES(1,2,NULL,0,'zeek',1790000000,7,1789990000,1),"
               "(1,2,NULL,0,'dns',1790000100,3,0,1),(1,2,NULL,1,NULL,1790000200,1,0,1);");
    wb_store *st;
    wb_error err;
    assert_int_equal(wb_store_open(&st, f->db, &err), 0);
    assert_true(wb_store_schema_version(st) >= 10);
    seen w = {0};
    assert_int_equal(wb_store_sighting_list(st, 1, seen_cb, &w, &err), 0);
    assert_int_equal(w.n, 3);
    assert_int_equal(w.count[0], 7);
    assert_int_equal(w.count[1], 3);
    assert_int_equal(w.count[2], 1);
    assert_int_equal(w.first[0], 1789990000);
    assert_int_equal(w.first[1], 0);
    assert_int_equal(w.last[1], 1790000100);
    assert_string_equal(w.source[0], "zeek");
    assert_string_equal(w.source[1], "dns");
    assert_int_equal(w.key[0], 0);
    assert_string_not_equal(w.uuid[0], w.uuid[1]);
    assert_string_not_equal(w.uuid[1], w.uuid[2]);

    /* Without a key, within an hour of the first record: merged there. */
    wb_sighting_rec r = {.attribute_id = 1,
                         .org_id = 2,
                         .type = 0,
                         .date_sighting = 1790003000,
                         .first_seen = 1790002000,
                         .count = 2};
    int64_t id = 0;
    bool merged = false;
    assert_int_equal(wb_store_sighting_record(st, &r, 3600, &id, &merged, &err), 0);
    assert_true(merged);
    assert_int_equal(id, 1);
    /* With a gap of 0 the same report a second later is a record of its own. */
    r.first_seen = r.date_sighting = 1790003001 + 3600;
    assert_int_equal(wb_store_sighting_record(st, &r, 0, &id, &merged, &err), 0);
    assert_false(merged);
    /* A key is another identity. */
    r.key_id = 1;
    r.first_seen = r.date_sighting = 1790003000;
    assert_int_equal(wb_store_sighting_record(st, &r, 3600, &id, &merged, &err), 0);
    assert_false(merged);
    memset(&w, 0, sizeof w);
    assert_int_equal(wb_store_sighting_list(st, 1, seen_cb, &w, &err), 0);
    assert_int_equal(w.n, 5);
    assert_int_equal(w.count[0], 9);
    assert_int_equal(w.first[0], 1789990000);
    assert_int_equal(w.last[0], 1790003000);
    assert_int_equal(w.key[4], 1);

    /* A request uuid: first once per organisation. */
    bool first = false;
    const char *u = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
    assert_int_equal(wb_store_sighting_claim(st, 2, u, &first, &err), 0);
    assert_true(first);
    assert_int_equal(wb_store_sighting_claim(st, 2, u, &first, &err), 0);
    assert_false(first);
    assert_int_equal(wb_store_sighting_claim(st, 1, u, &first, &err), 0);
    assert_true(first);
    wb_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrate_and_merge, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
