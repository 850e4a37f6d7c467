/*
 * sqlite_internal.h - what the files of the SQLite back end share: the
 * connection struct, the per-domain statement caches and the small helpers
 * every domain's operations use.
 *
 * sqlite.c keeps the connection (open, close, pragmas), transactions and the
 * migration runner; each domain (sqlite_<domain>.c) keeps its own statements
 * (an enum and an SQL table, prepared on first use through wbi_sqlite_stmt)
 * and exports its operations table, which wbi_sqlite_open installs.
 */
#ifndef WB_STORE_SQLITE_INTERNAL_H
#define WB_STORE_SQLITE_INTERNAL_H

#include <string.h>

#include "store/store_internal.h"

/* One statement cache per domain. A new domain adds its value here and its
 * table pointer in wbi_sqlite_open. */
typedef enum wbi_sq_domain {
    WBI_SQ_ACCOUNTS,
    WBI_SQ_EVENTS,
    WBI_SQ_REGISTER,
    WBI_SQ_HOOKS,
    WBI_SQ_ASSESS,
    WBI_SQ_DEPS,
    WBI_SQ_AUDIT,
    WBI_SQ_NDOMAINS
} wbi_sq_domain;

typedef struct sq_store {
    wb_store base; /* first: the public handle points here */
    wbi_db *db;
    char *path;
    int version;
    int depth;    /* transaction nesting: only the outermost begins and commits */
    bool reading; /* inside wb_store_read_begin's read transaction */
    /* Each domain's prepared statements, allocated on its first use. */
    wbi_stmt **st[WBI_SQ_NDOMAINS];
    int nst[WBI_SQ_NDOMAINS];
} sq_store;

static inline sq_store *SQ(wb_store *s)
{
    return (sq_store *)s;
}

/* Prepares statement `which` of a domain's table sql[n] (once per
 * connection; kept until close). NULL with err set when it cannot. */
wbi_stmt *wbi_sqlite_prepare(sq_store *q, wbi_sq_domain d, const char *const *sql, int n, int which,
                             wb_error *err);

static inline wbi_stmt *wbi_sqlite_stmt(sq_store *q, wbi_sq_domain d, const char *const *sql, int n,
                                        int which, wb_error *err)
{
    if (q->st[d] && q->st[d][which]) return q->st[d][which];
    return wbi_sqlite_prepare(q, d, sql, n, which, err);
}

/* The connection's transactions (nested: only the outermost commits). */
int wbi_sqlite_begin(wb_store *s, wb_error *err);
int wbi_sqlite_commit(wb_store *s, wb_error *err);
void wbi_sqlite_rollback(wb_store *s);

/* Shared with the PostgreSQL back end (pg.c), which keeps the same
 * connection struct: closing, the key secret, the migration numbers. */
void wbi_sqlite_close(wb_store *s);
int wbi_sqlite_key_secret(sq_store *q, wb_error *err);
/* The first column of sql's first row (0 when none). */
int wbi_sqlite_query_int(sq_store *q, const char *sql, int64_t *out, wb_error *err);
size_t wbi_sqlite_migration_count(void);
int wbi_sqlite_migration_version(size_t i);
/* How a PostgreSQL write transaction begins: one writer at a time, as in
 * SQLite, so that whatever the domain code reads inside it (a max()+1, the
 * change feed's next number) holds until it commits, across every hub
 * node. The key is the one the change feed's trigger takes (pg.c). */
#define WBI_PG_WRITER_LOCK "2003969890"
#define WBI_PG_BEGIN "BEGIN; SELECT pg_advisory_xact_lock(" WBI_PG_WRITER_LOCK ")"

/* Migration 6's chaining of the audit entries made before it (sqlite_audit.c). */
int wbi_sqlite_audit_backfill(sq_store *q, wb_error *err);

/* The domains' operations (sqlite_<domain>.c). */
extern const wbi_store_accounts_ops wbi_sqlite_accounts_ops;
extern const wbi_store_events_ops wbi_sqlite_events_ops;
extern const wbi_store_register_ops wbi_sqlite_register_ops;
extern const wbi_store_hooks_ops wbi_sqlite_hooks_ops;
extern const wbi_store_assess_ops wbi_sqlite_assess_ops;
extern const wbi_store_deps_ops wbi_sqlite_deps_ops;
extern const wbi_store_audit_ops wbi_sqlite_audit_ops;

/* Errors name the database file and keep SQLite's reason: the hub logs
 * these and sends its clients only a generic message. */
static inline int db_error(sq_store *q, wb_error *err, const char *what)
{
    int ec = wbi_db_errcode(q->db);
    int code = ec == WBI_DB_NOMEM ? WB_ENOMEM : WB_EIO;
    return wb_error_set(err, code, "%s: %s: %s", q->path, what, wbi_db_errmsg(q->db));
}

static inline void done(wbi_stmt *st)
{
    if (st) {
        wbi_db_reset(st);
    }
}

static inline void bind_text(wbi_stmt *st, int i, const char *s)
{
    if (s)
        wbi_db_bind_text(st, i, s);
    else
        wbi_db_bind_null(st, i);
}

static inline void bind_id(wbi_stmt *st, int i, int64_t id)
{
    if (id > 0)
        wbi_db_bind_i64(st, i, id);
    else
        wbi_db_bind_null(st, i);
}

static inline void bind_time(wbi_stmt *st, int i, wb_time t)
{
    if (t == WB_TIME_NONE)
        wbi_db_bind_null(st, i);
    else
        wbi_db_bind_i64(st, i, t);
}

static inline const char *col_text(wbi_stmt *st, int i)
{
    return wbi_db_col_text(st, i);
}

static inline wb_time col_time(wbi_stmt *st, int i)
{
    return wbi_db_col_null(st, i) ? WB_TIME_NONE : wbi_db_col_i64(st, i);
}

static inline int exec(sq_store *q, const char *sql, wb_error *err)
{
    if (wbi_db_exec(q->db, sql) != WBI_DB_OK) return db_error(q, err, sql);
    return 0;
}

/* Runs a statement that returns no rows (or whose rows are ignored). A
 * constraint failure is WB_EINVAL with `dup` as the message. */
static inline int run(sq_store *q, wbi_stmt *st, const char *dup, wb_error *err)
{
    int rc = wbi_db_step(st);
    int ret = 0;
    if (rc != WBI_DB_DONE && rc != WBI_DB_ROW) {
        if ((rc & 0xff) == WBI_DB_CONSTRAINT && dup)
            ret = wb_error_set(err, WB_EINVAL, "%s", dup);
        else
            ret = db_error(q, err, "writing");
    }
    done(st);
    return ret;
}

/* Steps st calling fn for each row; returns 0, the error, or WB_ENOTFOUND
 * when `need` and no row came. */
#define WALK(q, st, err, need, notfound_msg, ROWDECL, FILL, CALL)                                  \
    do {                                                                                           \
        int rc_, n_ = 0, ret_ = 0;                                                                 \
        while ((rc_ = wbi_db_step(st)) == WBI_DB_ROW) {                                            \
            ROWDECL;                                                                               \
            FILL;                                                                                  \
            n_++;                                                                                  \
            if (CALL) {                                                                            \
                rc_ = WBI_DB_DONE;                                                                 \
                break;                                                                             \
            }                                                                                      \
        }                                                                                          \
        if (rc_ != WBI_DB_DONE)                                                                    \
            ret_ = db_error(q, err, "reading");                                                    \
        else if ((need) && n_ == 0)                                                                \
            ret_ = wb_error_set(err, WB_ENOTFOUND, "%s", notfound_msg);                            \
        done(st);                                                                                  \
        return ret_;                                                                               \
    } while (0)

#endif
