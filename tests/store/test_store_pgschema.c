/*
 * test_store_pgschema.c - the two back ends make the same logical schema:
 * the tables and columns SQLite's migrations make (src/store/sqlite.c) and
 * those PostgreSQL's make (src/store/pg.c), with each column's type class
 * (integer, text, blob), nullability, the primary keys, and the indexes
 * (columns and uniqueness; names and partial conditions aside). Runs as
 * pg_test_store_pgschema (WB_TEST_DB set); skips without a cluster.
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
#include <libpq-fe.h>
#include <sqlite3.h>

#include "common/testdb.h"
#include "weerbaar/store.h"

#define MAX_LINES 2048

typedef struct lines {
    char *v[MAX_LINES];
    size_t n;
} lines;

static void add(lines *l, const char *s)
{
    assert_true(l->n < MAX_LINES);
    l->v[l->n] = strdup(s);
    assert_non_null(l->v[l->n]);
    l->n++;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *sqlite_class(const char *type)
{
    if (strcasecmp(type, "INTEGER") == 0) return "integer";
    if (strcasecmp(type, "BLOB") == 0) return "blob";
    if (strcasecmp(type, "TEXT") == 0) return "text";
    return type;
}

static const char *pg_class(const char *type)
{
    if (strcmp(type, "bigint") == 0 || strcmp(type, "integer") == 0) return "integer";
    if (strcmp(type, "bytea") == 0) return "blob";
    if (strcmp(type, "text") == 0) return "text";
    return type;
}

static void sqlite_schema(const char *path, lines *out)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    sqlite3_stmt *st;
    /* columns: table.column class null|notnull, and the primary key */
    assert_int_equal(
        sqlite3_prepare_v2(
            h,
            "SELECT m.name,c.name,c.type,c.\"notnull\" OR c.pk>0,c.pk FROM sqlite_schema"
            " m, pragma_table_info(m.name) c WHERE m.type='table' AND m.name NOT LIKE"
            " 'sqlite_%'",
            -1, &st, NULL),
        SQLITE_OK);
    char line[512];
    while (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(line, sizeof line, "column %s.%s %s %s%s", sqlite3_column_text(st, 0),
                 sqlite3_column_text(st, 1), sqlite_class((const char *)sqlite3_column_text(st, 2)),
                 sqlite3_column_int(st, 3) ? "notnull" : "null",
                 sqlite3_column_int(st, 4) ? " pk" : "");
        add(out, line);
    }
    sqlite3_finalize(st);
    /* indexes other than the primary key's: table(columns) unique? */
    assert_int_equal(
        sqlite3_prepare_v2(
            h,
            "SELECT m.name,i.\"unique\",(SELECT group_concat(name,',') FROM (SELECT x.name FROM"
            " pragma_index_info(i.name) x ORDER BY x.seqno)) FROM sqlite_schema m,"
            " pragma_index_list(m.name) i WHERE m.type='table' AND i.origin<>'pk'",
            -1, &st, NULL),
        SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(line, sizeof line, "index %s(%s)%s", sqlite3_column_text(st, 0),
                 sqlite3_column_text(st, 2), sqlite3_column_int(st, 1) ? " unique" : "");
        add(out, line);
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
}

static void pg_rows(PGconn *c, const char *sql, lines *out, const char *fmt)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) fail_msg("%s", PQresultErrorMessage(r));
    char line[512];
    for (int i = 0; i < PQntuples(r); i++) {
        if (strcmp(fmt, "column") == 0)
            snprintf(line, sizeof line, "column %s.%s %s %s%s", PQgetvalue(r, i, 0),
                     PQgetvalue(r, i, 1), pg_class(PQgetvalue(r, i, 2)),
                     strcmp(PQgetvalue(r, i, 3), "t") == 0 ? "notnull" : "null",
                     strcmp(PQgetvalue(r, i, 4), "t") == 0 ? " pk" : "");
        else
            snprintf(line, sizeof line, "index %s(%s)%s", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
                     strcmp(PQgetvalue(r, i, 2), "t") == 0 ? " unique" : "");
        add(out, line);
    }
    PQclear(r);
}

static void pg_schema(const char *uri, lines *out)
{
    PGconn *c = PQconnectdb(uri);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    pg_rows(c,
            "SELECT c.table_name,c.column_name,c.data_type,c.is_nullable='NO',"
            " EXISTS(SELECT 1 FROM pg_index x JOIN pg_attribute a ON a.attrelid=x.indrelid AND"
            " a.attnum=ANY(x.indkey) WHERE x.indisprimary AND x.indrelid=(c.table_name)::regclass"
            " AND a.attname=c.column_name)"
            " FROM information_schema.columns c WHERE c.table_schema=current_schema()",
            out, "column");
    pg_rows(c,
            "SELECT t.relname,(SELECT string_agg(a.attname,',' ORDER BY k.n) FROM"
            " unnest(x.indkey) WITH ORDINALITY k(attnum,n) JOIN pg_attribute a ON"
            " a.attrelid=x.indrelid AND a.attnum=k.attnum),x.indisunique FROM pg_index x"
            " JOIN pg_class t ON t.oid=x.indrelid JOIN pg_namespace s ON s.oid=t.relnamespace"
            " WHERE s.nspname=current_schema() AND NOT x.indisprimary",
            out, "index");
    PQfinish(c);
}

static void test_same_schema(void **state)
{
    (void)state;
    char dir[64], file[96], uri[256];
    snprintf(dir, sizeof dir, "/tmp/wb-pgschema-XXXXXX");
    assert_non_null(mkdtemp(dir));
    wb_store *st;
    wb_error err;
    snprintf(file, sizeof file, "%s/sqlite.db", dir);
    assert_int_equal(wb_store_open(&st, file, &err), 0);
    wb_store_close(st);
    char pgfile[96];
    snprintf(pgfile, sizeof pgfile, "%s/pg.db", dir);
    testdb_path(pgfile, uri, sizeof uri);
    assert_int_equal(wb_store_open(&st, uri, &err), 0);
    wb_store_close(st);
    lines a = {0}, b = {0};
    sqlite_schema(file, &a);
    pg_schema(uri, &b);
    qsort(a.v, a.n, sizeof a.v[0], cmp);
    qsort(b.v, b.n, sizeof b.v[0], cmp);
    size_t i = 0, j = 0, diff = 0;
    while (i < a.n || j < b.n) {
        int c = i == a.n ? 1 : j == b.n ? -1 : strcmp(a.v[i], b.v[j]);
        if (c < 0) {
            print_message("only SQLite:     %s\n", a.v[i++]);
            diff++;
        } else if (c > 0) {
            print_message("only PostgreSQL: %s\n", b.v[j++]);
            diff++;
        } else {
            i++;
            j++;
        }
    }
    for (i = 0; i < a.n; i++)
        free(a.v[i]);
    for (j = 0; j < b.n; j++)
        free(b.v[j]);
    assert_true(a.n > 100); /* the schema, not an empty list */
    assert_int_equal(diff, 0);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    if (!testdb_pg()) return 77; /* pg_test_store_pgschema runs it */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
