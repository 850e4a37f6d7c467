/*
 * db_sqlite.c - the statement layer (db.h) over SQLite: a thin wrapper, one
 * allocation per statement, each call one SQLite call. Result codes are
 * reduced to SQLite's primary ones (extended codes are on for the
 * messages), which db.h keeps as its own.
 */
#include <stdlib.h>

#include <sqlite3.h>

#include "store/db.h"

typedef struct sqdb {
    wbi_db base;
    sqlite3 *h;
    /* WBI_DB_NOMEM when this layer's own allocation failed (SQLite's
     * error code knows nothing of it); cleared by the next call */
    int own_err;
} sqdb;

typedef struct sqst {
    wbi_stmt base;
    sqlite3_stmt *h;
    sqdb *db;
} sqst;

static const wbi_db_vt sqlite_vt;

static sqlite3_stmt *H(wbi_stmt *st)
{
    return ((sqst *)st)->h;
}

static sqlite3 *DB(wbi_db *db)
{
    return ((sqdb *)db)->h;
}

static int code(int rc)
{
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? rc : rc & 0xff;
}

static int sq_prepare(wbi_db *db, const char *sql, bool persistent, wbi_stmt **out)
{
    *out = NULL;
    sqdb *d = (sqdb *)db;
    d->own_err = 0;
    sqst *st = malloc(sizeof *st);
    if (st == NULL) {
        d->own_err = WBI_DB_NOMEM;
        return WBI_DB_NOMEM;
    }
    int rc = sqlite3_prepare_v3(DB(db), sql, -1, persistent ? SQLITE_PREPARE_PERSISTENT : 0, &st->h,
                                NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st->h);
        free(st);
        return code(rc);
    }
    st->base.vt = &sqlite_vt;
    st->db = d;
    *out = &st->base;
    return WBI_DB_OK;
}

static int sq_exec(wbi_db *db, const char *sql)
{
    ((sqdb *)db)->own_err = 0;
    return code(sqlite3_exec(DB(db), sql, NULL, NULL, NULL));
}

static int sq_step(wbi_stmt *st)
{
    ((sqst *)st)->db->own_err = 0;
    return code(sqlite3_step(H(st)));
}

static void sq_reset(wbi_stmt *st)
{
    sqlite3_reset(H(st));
    sqlite3_clear_bindings(H(st));
}

static void sq_finalize(wbi_stmt *st)
{
    sqlite3_finalize(H(st));
    free(st);
}

static void sq_bind_i64(wbi_stmt *st, int i, int64_t v)
{
    sqlite3_bind_int64(H(st), i, v);
}

static void sq_bind_text(wbi_stmt *st, int i, const char *v, bool copy)
{
    if (v)
        sqlite3_bind_text(H(st), i, v, -1, copy ? SQLITE_TRANSIENT : SQLITE_STATIC);
    else
        sqlite3_bind_null(H(st), i);
}

static void sq_bind_blob(wbi_stmt *st, int i, const void *v, size_t n, bool copy)
{
    sqlite3_bind_blob64(H(st), i, v, n, copy ? SQLITE_TRANSIENT : SQLITE_STATIC);
}

static void sq_bind_null(wbi_stmt *st, int i)
{
    sqlite3_bind_null(H(st), i);
}

static int64_t sq_col_i64(wbi_stmt *st, int i)
{
    return sqlite3_column_int64(H(st), i);
}

static const char *sq_col_text(wbi_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(H(st), i);
}

static const void *sq_col_blob(wbi_stmt *st, int i)
{
    return sqlite3_column_blob(H(st), i);
}

static int sq_col_bytes(wbi_stmt *st, int i)
{
    return sqlite3_column_bytes(H(st), i);
}

static bool sq_col_null(wbi_stmt *st, int i)
{
    return sqlite3_column_type(H(st), i) == SQLITE_NULL;
}

static int64_t sq_changes(wbi_db *db)
{
    return sqlite3_changes(DB(db));
}

static int64_t sq_last_id(wbi_db *db)
{
    return sqlite3_last_insert_rowid(DB(db));
}

static bool sq_in_txn(wbi_db *db)
{
    return !sqlite3_get_autocommit(DB(db));
}

static int sq_errcode(wbi_db *db)
{
    if (((sqdb *)db)->own_err) return ((sqdb *)db)->own_err;
    return DB(db) ? sqlite3_errcode(DB(db)) & 0xff : WBI_DB_NOMEM;
}

static const char *sq_errmsg(wbi_db *db)
{
    if (((sqdb *)db)->own_err) return "out of memory";
    return DB(db) ? sqlite3_errmsg(DB(db)) : "out of memory";
}

static void sq_close(wbi_db *db)
{
    sqlite3_close(DB(db));
    free(db);
}

static const wbi_db_vt sqlite_vt = {
    .dialect = WBI_DB_SQLITE,
    .prepare = sq_prepare,
    .exec = sq_exec,
    .step = sq_step,
    .reset = sq_reset,
    .finalize = sq_finalize,
    .bind_i64 = sq_bind_i64,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .col_i64 = sq_col_i64,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .col_bytes = sq_col_bytes,
    .col_null = sq_col_null,
    .changes = sq_changes,
    .last_id = sq_last_id,
    .in_txn = sq_in_txn,
    .errcode = sq_errcode,
    .errmsg = sq_errmsg,
    .close = sq_close,
};

int wbi_db_sqlite_open(const char *path, wbi_db **out)
{
    *out = NULL;
    sqdb *d = calloc(1, sizeof *d);
    if (d == NULL) return WBI_DB_NOMEM;
    d->base.vt = &sqlite_vt;
    *out = &d->base;
    /* NOMUTEX: a connection is used by one thread at a time (store.h). */
    int rc = sqlite3_open_v2(
        path, &d->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) sqlite3_extended_result_codes(d->h, 1);
    return code(rc);
}

sqlite3 *wbi_db_sqlite_handle(wbi_db *db)
{
    return db && db->vt == &sqlite_vt ? DB(db) : NULL;
}
