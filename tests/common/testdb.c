/*
 * testdb.c - a PostgreSQL database per test store path (testdb.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "common/testdb.h"

bool testdb_pg(void)
{
    const char *base = getenv("WB_TEST_DB");
    return base && *base;
}

void testdb_path(const char *path, char *out, size_t cap)
{
    const char *base = getenv("WB_TEST_DB");
    if (base == NULL || *base == '\0') {
        snprintf(out, cap, "%s", path);
        return;
    }
    uint64_t h = 14695981039346656037u;
    for (const char *p = path; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    char name[32];
    snprintf(name, sizeof name, "wbt_%016llx", (unsigned long long)h);
    PGconn *c = PQconnectdb(base);
    if (PQstatus(c) != CONNECTION_OK) fail_msg("WB_TEST_DB: %s", PQerrorMessage(c));
    char sql[96];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    PGresult *r = PQexec(c, sql);
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && !(state && strcmp(state, "42P04") == 0))
        fail_msg("WB_TEST_DB: %s", PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
    /* base is postgresql:///DB?params: the same with our database */
    const char *q = strchr(base, '?');
    int n = snprintf(out, cap, "postgresql:///%s%s", name, q ? q : "");
    if (n < 0 || (size_t)n >= cap) fail_msg("WB_TEST_DB: URI too long");
}

int testdb_exec(const char *db, const char *sql)
{
    if (strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0) {
        PGconn *c = PQconnectdb(db);
        if (PQstatus(c) != CONNECTION_OK) fail_msg("%s: %s", db, PQerrorMessage(c));
        PGresult *r = PQexec(c, sql);
        ExecStatusType s = PQresultStatus(r);
        int rc = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK ? 0 : 1;
        PQclear(r);
        PQfinish(c);
        return rc;
    }
    sqlite3 *h;
    if (sqlite3_open(db, &h) != SQLITE_OK) fail_msg("%s: cannot open", db);
    int rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
    sqlite3_close(h);
    return rc;
}

void testdb_query(const char *db, const char *sql, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    if (strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0) {
        PGconn *c = PQconnectdb(db);
        if (PQstatus(c) != CONNECTION_OK) fail_msg("%s: %s", db, PQerrorMessage(c));
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) fail_msg("%s: %s", sql, PQresultErrorMessage(r));
        for (int i = 0; i < PQntuples(r) && n < cap; i++)
            n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "," : "", PQgetvalue(r, i, 0));
        PQclear(r);
        PQfinish(c);
        return;
    }
    sqlite3 *h;
    sqlite3_stmt *st;
    if (sqlite3_open(db, &h) != SQLITE_OK || sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(h));
    for (int i = 0; sqlite3_step(st) == SQLITE_ROW && n < cap; i++) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "," : "", v ? (const char *)v : "");
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
}
