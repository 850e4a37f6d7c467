/*
 * db.h - the store's statement layer: the few calls through which every
 * domain of the SQL back end (sqlite_<domain>.c) reaches its database, so
 * that the same domain code runs on SQLite (db_sqlite.c) and on PostgreSQL
 * (db_pg.c).
 *
 * It is shaped after SQLite's own interface, which the domain files were
 * written against: prepare a statement, bind its parameters by number
 * (1-based; `?`, `?N` in the SQL), step it (WBI_DB_ROW per row, then
 * WBI_DB_DONE), read columns of the current row (0-based), reset it for the
 * next use, finalize it. The result codes keep SQLite's numbers, so that
 * `(rc & 0xff) == WBI_DB_CONSTRAINT` reads as it did. A connection keeps
 * the last error (wbi_db_errcode, wbi_db_errmsg) for the error helpers.
 *
 * Lifetimes, as in SQLite with SQLITE_STATIC: text and blobs bound with
 * wbi_db_bind_text/blob must stay valid until the statement is reset or
 * finalized (the _copy variants copy them); what wbi_db_col_text/blob
 * return is valid until the next step, reset or finalize.
 *
 * One back end per connection, chosen at open (a vtable): a process may
 * hold both, as `admin migrate` does.
 */
#ifndef WB_STORE_DB_H
#define WB_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/error.h"

typedef struct wbi_db wbi_db;
typedef struct wbi_stmt wbi_stmt;

/* SQLite's primary result codes, whatever the back end. */
enum {
    WBI_DB_OK = 0,
    WBI_DB_ERROR = 1,
    WBI_DB_BUSY = 5,
    WBI_DB_NOMEM = 7,
    WBI_DB_CONSTRAINT = 19,
    WBI_DB_ROW = 100,
    WBI_DB_DONE = 101
};

/* Which SQL a connection speaks, for the few statements that differ. */
typedef enum wbi_db_dialect { WBI_DB_SQLITE, WBI_DB_POSTGRES } wbi_db_dialect;

typedef struct wbi_db_vt {
    wbi_db_dialect dialect;
    /* persistent: kept for the connection's life (a statement cache) */
    int (*prepare)(wbi_db *db, const char *sql, bool persistent, wbi_stmt **out);
    int (*exec)(wbi_db *db, const char *sql);
    int (*step)(wbi_stmt *st);
    void (*reset)(wbi_stmt *st);
    void (*finalize)(wbi_stmt *st);
    void (*bind_i64)(wbi_stmt *st, int i, int64_t v);
    void (*bind_text)(wbi_stmt *st, int i, const char *v, bool copy);
    void (*bind_blob)(wbi_stmt *st, int i, const void *v, size_t n, bool copy);
    void (*bind_null)(wbi_stmt *st, int i);
    int64_t (*col_i64)(wbi_stmt *st, int i);
    const char *(*col_text)(wbi_stmt *st, int i);
    const void *(*col_blob)(wbi_stmt *st, int i);
    int (*col_bytes)(wbi_stmt *st, int i);
    bool (*col_null)(wbi_stmt *st, int i);
    int64_t (*changes)(wbi_db *db);
    int64_t (*last_id)(wbi_db *db);
    bool (*in_txn)(wbi_db *db);
    int (*errcode)(wbi_db *db);
    const char *(*errmsg)(wbi_db *db);
    void (*close)(wbi_db *db);
} wbi_db_vt;

struct wbi_db {
    const wbi_db_vt *vt;
};

struct wbi_stmt {
    const wbi_db_vt *vt;
};

/* Opens (creating) the SQLite file at path; *out is set even on failure
 * (for the message) and must be closed. WBI_DB_OK or a result code. */
int wbi_db_sqlite_open(const char *path, wbi_db **out);
/* Connects to PostgreSQL (a libpq connection string or URI); *out is set
 * even on failure (for the message) and must be closed. */
int wbi_db_pg_open(const char *conninfo, wbi_db **out);
/* Learns which tables have an id column, for wbi_db_last_id (db_pg.c);
 * nothing on another back end. Call after the schema is made. */
int wbi_db_pg_learn_tables(wbi_db *db);
/* The SQLite handle under db (db_sqlite.c only; NULL for another). */
struct sqlite3 *wbi_db_sqlite_handle(wbi_db *db);

/* Prepares sql; *st is NULL on failure (the message is on db). */
static inline int wbi_db_prepare(wbi_db *db, const char *sql, wbi_stmt **st)
{
    return db->vt->prepare(db, sql, false, st);
}
static inline int wbi_db_prepare_persistent(wbi_db *db, const char *sql, wbi_stmt **st)
{
    return db->vt->prepare(db, sql, true, st);
}
/* Runs one or more statements separated by `;`, rows ignored. */
static inline int wbi_db_exec(wbi_db *db, const char *sql)
{
    return db->vt->exec(db, sql);
}
static inline int wbi_db_step(wbi_stmt *st)
{
    return st->vt->step(st);
}
/* Back to before its first step, bindings cleared. NULL is fine. */
static inline void wbi_db_reset(wbi_stmt *st)
{
    if (st) st->vt->reset(st);
}
static inline void wbi_db_finalize(wbi_stmt *st)
{
    if (st) st->vt->finalize(st);
}
static inline void wbi_db_bind_i64(wbi_stmt *st, int i, int64_t v)
{
    st->vt->bind_i64(st, i, v);
}
static inline void wbi_db_bind_int(wbi_stmt *st, int i, int v)
{
    st->vt->bind_i64(st, i, v);
}
/* NULL binds SQL NULL. */
static inline void wbi_db_bind_text(wbi_stmt *st, int i, const char *v)
{
    st->vt->bind_text(st, i, v, false);
}
static inline void wbi_db_bind_text_copy(wbi_stmt *st, int i, const char *v)
{
    st->vt->bind_text(st, i, v, true);
}
static inline void wbi_db_bind_blob(wbi_stmt *st, int i, const void *v, size_t n)
{
    st->vt->bind_blob(st, i, v, n, false);
}
static inline void wbi_db_bind_blob_copy(wbi_stmt *st, int i, const void *v, size_t n)
{
    st->vt->bind_blob(st, i, v, n, true);
}
static inline void wbi_db_bind_null(wbi_stmt *st, int i)
{
    st->vt->bind_null(st, i);
}
static inline int64_t wbi_db_col_i64(wbi_stmt *st, int i)
{
    return st->vt->col_i64(st, i);
}
static inline int wbi_db_col_int(wbi_stmt *st, int i)
{
    return (int)st->vt->col_i64(st, i);
}
/* NULL for SQL NULL. */
static inline const char *wbi_db_col_text(wbi_stmt *st, int i)
{
    return st->vt->col_text(st, i);
}
static inline const void *wbi_db_col_blob(wbi_stmt *st, int i)
{
    return st->vt->col_blob(st, i);
}
static inline int wbi_db_col_bytes(wbi_stmt *st, int i)
{
    return st->vt->col_bytes(st, i);
}
static inline bool wbi_db_col_null(wbi_stmt *st, int i)
{
    return st->vt->col_null(st, i);
}
/* Rows changed by the last finished INSERT, UPDATE or DELETE. */
static inline int64_t wbi_db_changes(wbi_db *db)
{
    return db->vt->changes(db);
}
/* The id of the row the last INSERT made. */
static inline int64_t wbi_db_last_id(wbi_db *db)
{
    return db->vt->last_id(db);
}
static inline bool wbi_db_in_txn(wbi_db *db)
{
    return db->vt->in_txn(db);
}
static inline int wbi_db_errcode(wbi_db *db)
{
    return db->vt->errcode(db);
}
static inline const char *wbi_db_errmsg(wbi_db *db)
{
    return db->vt->errmsg(db);
}
static inline wbi_db_dialect wbi_db_dialect_of(wbi_db *db)
{
    return db->vt->dialect;
}
static inline void wbi_db_close(wbi_db *db)
{
    if (db) db->vt->close(db);
}

/* Sets err from db's last error: WB_ENOMEM when the database ran out of
 * memory, else WB_EIO, with "where: what: the database's reason". */
static inline int wbi_db_error(wbi_db *db, wb_error *err, const char *where, const char *what)
{
    int code = (wbi_db_errcode(db) & 0xff) == WBI_DB_NOMEM ? WB_ENOMEM : WB_EIO;
    return wb_error_set(err, code, "%s: %s: %s", where, what, wbi_db_errmsg(db));
}

#endif
