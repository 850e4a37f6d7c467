/*
 * sqlite_nats.c - the store's NATS publisher domain (migration 19,
 * store_nats.h): the publisher's progress, each event's subjects and each
 * subject's last change. Statements are prepared per call, as in
 * sqlite_sync.c: they run once per change published, next to a network
 * round trip to JetStream. Through the statement layer (db.h); the schema
 * below is SQLite's.
 */
#include <string.h>

#include "store/db.h"
#include "store/store_internal.h"
#include "weerbaar/store_nats.h"

const char wbi_sqlite_nats_schema[] =
    "CREATE TABLE nats_progress(id INTEGER PRIMARY KEY CHECK (id = 1),"
    " last_seq INTEGER NOT NULL);"
    "INSERT INTO nats_progress(id, last_seq) VALUES (1, 0);"
    "CREATE TABLE nats_event_subjects(event_id INTEGER NOT NULL, subject TEXT NOT NULL,"
    " PRIMARY KEY(event_id, subject)) WITHOUT ROWID;"
    "CREATE TABLE nats_subjects(subject TEXT PRIMARY KEY, last_seq INTEGER NOT NULL)"
    " WITHOUT ROWID;";

static int fail(wb_store *s, wbi_stmt *st, wb_error *err)
{
    int rc = wbi_sqlite_error(s, err, "nats");
    wbi_db_finalize(st);
    return rc;
}

static int one_int(wb_store *s, wbi_stmt *st, int64_t *out, wb_error *err)
{
    *out = 0;
    int rc = wbi_db_step(st);
    if (rc == WBI_DB_ROW)
        *out = wbi_db_col_i64(st, 0);
    else if (rc != WBI_DB_DONE)
        return fail(s, st, err);
    wbi_db_finalize(st);
    return 0;
}

int wb_store_nats_last(wb_store *s, int64_t *seq, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(s, "SELECT last_seq FROM nats_progress WHERE id = 1", err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    return one_int(s, st, seq, err);
}

int wb_store_nats_subject_prev(wb_store *s, const char *subject, int64_t *prev, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(s, "SELECT last_seq FROM nats_subjects WHERE subject = ?", err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_text(st, 1, subject);
    return one_int(s, st, prev, err);
}

int wb_store_nats_event_subjects(wb_store *s, int64_t event_id,
                                 int (*cb)(void *ud, const char *subject), void *ud, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(
        s, "SELECT subject FROM nats_event_subjects WHERE event_id = ? ORDER BY subject", err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, event_id);
    int rc;
    while ((rc = wbi_db_step(st)) == WBI_DB_ROW)
        if (cb(ud, wbi_db_col_text(st, 0)) != 0) break;
    if (rc != WBI_DB_ROW && rc != WBI_DB_DONE) return fail(s, st, err);
    wbi_db_finalize(st);
    return 0;
}

/* Runs sql with ?1 = a and, when t is not NULL, ?2 = t. */
static int exec1(wb_store *s, const char *sql, int64_t a, const char *t, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(s, sql, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, a);
    if (t) wbi_db_bind_text(st, 2, t);
    if (wbi_db_step(st) != WBI_DB_DONE) return fail(s, st, err);
    wbi_db_finalize(st);
    return 0;
}

int wb_store_nats_record(wb_store *s, int64_t event_id, int64_t seq, const char *const *now,
                         size_t nnow, const char *const *sent, size_t nsent, wb_error *err)
{
    /* Plain SQL both engines speak (ON CONFLICT, CASE rather than max()). */
    int rc = exec1(s, "DELETE FROM nats_event_subjects WHERE event_id = ?1", event_id, NULL, err);
    for (size_t i = 0; rc == 0 && i < nnow; i++)
        rc = exec1(s,
                   "INSERT INTO nats_event_subjects(event_id, subject) VALUES (?1, ?2)"
                   " ON CONFLICT DO NOTHING",
                   event_id, now[i], err);
    for (size_t i = 0; rc == 0 && i < nsent; i++)
        rc = exec1(s,
                   "INSERT INTO nats_subjects(last_seq, subject) VALUES (?1, ?2)"
                   " ON CONFLICT(subject) DO UPDATE SET last_seq = excluded.last_seq",
                   seq, sent[i], err);
    if (rc == 0)
        rc = exec1(s,
                   "UPDATE nats_progress SET last_seq = CASE WHEN last_seq > ?1 THEN last_seq"
                   " ELSE ?1 END WHERE id = 1",
                   seq, NULL, err);
    return rc;
}
