/*
 * sqlite_audit.c - the SQLite back end of the store's audit domain:
 * the audit log: entries, the hash chain, archives (wbi_store_audit_ops in store_internal.h).
 *
 * Its statements are its own: an enum and an SQL table, prepared once per
 * connection on first use (sqlite_internal.h). Its tables are made by the
 * migrations in sqlite.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

enum {
    S_AUDIT_HEAD,
    S_AUDIT_WALK,
    S_AUDIT_ANCHOR,
    S_AUDIT_ANCHORS,
    S_AUDIT_ARCHIVE,
    S_AUDIT_PRUNE,
    S_AUDIT_ADD,
    S_AUDIT_LIST,
    S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
    [S_AUDIT_HEAD] = "SELECT id,hash FROM audit ORDER BY id DESC LIMIT 1",
    [S_AUDIT_WALK] = "SELECT id,time,user,org,action,object,detail,hash FROM audit"
                     " WHERE ?1<=0 OR id<=?1 ORDER BY id",
    [S_AUDIT_ANCHOR] = "SELECT upto_id,hash FROM audit_archives ORDER BY id DESC LIMIT 1",
    [S_AUDIT_ANCHORS] = "SELECT upto_id,hash FROM audit_archives ORDER BY id",
    [S_AUDIT_ARCHIVE] = "INSERT INTO audit_archives(upto_id,hash,rows,before,file,at)"
                        " VALUES(?,?,?,?,?,?)",
    [S_AUDIT_PRUNE] = "DELETE FROM audit WHERE id<=?",
    [S_AUDIT_ADD] = "INSERT INTO audit(id,time,user,org,action,object,detail,hash)"
                    " VALUES(?,?,?,?,?,?,?,?)",
    [S_AUDIT_LIST] = "SELECT id,time,user,org,action,object,detail FROM audit WHERE time>=?"
                     " ORDER BY id DESC LIMIT ? OFFSET ?",
};

static wbi_stmt *stmt(sq_store *q, int which, wb_error *err)
{
    return wbi_sqlite_stmt(q, WBI_SQ_AUDIT, stmt_sql, S_COUNT, which, err);
}

/* ---- audit ------------------------------------------------------------------------ */

static int audit_head(sq_store *q, int64_t *id, uint8_t hash[WB_AUDIT_HASH_LEN], wb_error *err)
{
    *id = 0;
    memset(hash, 0, WB_AUDIT_HASH_LEN);
    for (int k = 0; k < 2; k++) {
        wbi_stmt *st = stmt(q, k == 0 ? S_AUDIT_HEAD : S_AUDIT_ANCHOR, err);
        if (st == NULL) return wbi_store_prepare_failed(err);
        int r = wbi_db_step(st);
        bool found = r == WBI_DB_ROW;
        if (found) {
            *id = wbi_db_col_i64(st, 0);
            if (wbi_db_col_bytes(st, 1) == WB_AUDIT_HASH_LEN)
                memcpy(hash, wbi_db_col_blob(st, 1), WB_AUDIT_HASH_LEN);
        }
        done(st);
        if (r != WBI_DB_ROW && r != WBI_DB_DONE) return db_error(q, err, "reading the audit log");
        if (found) return 0;
    }
    return 0;
}

static int sq_audit_add(wb_store *s, const wb_audit_rec *in, wb_error *err)
{
    sq_store *q = SQ(s);
    /* The head is read and the entry written in one write transaction, so
     * that two connections never chain onto the same entry. */
    int rc = wbi_sqlite_begin(s, err);
    if (rc) return rc;
    wb_audit_rec a = *in;
    a.user = a.user ? a.user : "-";
    a.org = a.org ? a.org : "-";
    a.time = wb_time_now();
    uint8_t prev[WB_AUDIT_HASH_LEN], h[WB_AUDIT_HASH_LEN];
    rc = audit_head(q, &a.id, prev, err);
    a.id++;
    wbi_stmt *st = rc == 0 ? stmt(q, S_AUDIT_ADD, err) : NULL;
    if (rc == 0 && st == NULL) rc = WB_EIO;
    if (rc == 0) {
        wb_audit_hash(prev, &a, h);
        wbi_db_bind_i64(st, 1, a.id);
        wbi_db_bind_i64(st, 2, a.time);
        bind_text(st, 3, a.user);
        bind_text(st, 4, a.org);
        bind_text(st, 5, a.action);
        bind_text(st, 6, a.object);
        bind_text(st, 7, a.detail);
        wbi_db_bind_blob(st, 8, h, sizeof h);
        rc = run(q, st, NULL, err);
    }
    if (rc == 0) return wbi_sqlite_commit(s, err);
    wbi_sqlite_rollback(s);
    return rc;
}

static void row_audit(wbi_stmt *st, wb_audit_rec *a)
{
    memset(a, 0, sizeof *a);
    a->id = wbi_db_col_i64(st, 0);
    a->time = wbi_db_col_i64(st, 1);
    a->user = col_text(st, 2);
    a->org = col_text(st, 3);
    a->action = col_text(st, 4);
    a->object = col_text(st, 5);
    a->detail = col_text(st, 6);
    if (wbi_db_col_bytes(st, 7) == WB_AUDIT_HASH_LEN) a->hash = wbi_db_col_blob(st, 7);
}

static int sq_audit_walk(wb_store *s, int64_t upto_id, wb_audit_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_AUDIT_WALK, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, upto_id);
    WALK(q, st, err, false, "", wb_audit_rec a, row_audit(st, &a), cb(ud, &a));
}

static int sq_audit_anchor(wb_store *s, bool all,
                           int (*cb)(void *ud, int64_t upto_id, const uint8_t *hash), void *ud,
                           wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, all ? S_AUDIT_ANCHORS : S_AUDIT_ANCHOR, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    int r = WBI_DB_DONE, ret = 0;
    while ((r = wbi_db_step(st)) == WBI_DB_ROW) {
        const uint8_t *h =
            wbi_db_col_bytes(st, 1) == WB_AUDIT_HASH_LEN ? wbi_db_col_blob(st, 1) : NULL;
        if (h && cb(ud, wbi_db_col_i64(st, 0), h)) break;
    }
    if (r != WBI_DB_ROW && r != WBI_DB_DONE) ret = db_error(q, err, "reading the audit archives");
    done(st);
    return ret;
}

static int sq_audit_archive(wb_store *s, int64_t upto_id, const uint8_t *hash, int64_t rows,
                            wb_time before, const char *file, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_AUDIT_ARCHIVE, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, upto_id);
    wbi_db_bind_blob(st, 2, hash, WB_AUDIT_HASH_LEN);
    wbi_db_bind_i64(st, 3, rows);
    wbi_db_bind_i64(st, 4, before);
    bind_text(st, 5, file);
    wbi_db_bind_i64(st, 6, wb_time_now());
    int rc = run(q, st, NULL, err);
    if (rc == 0) {
        st = stmt(q, S_AUDIT_PRUNE, err);
        if (st == NULL) return wbi_store_prepare_failed(err);
        wbi_db_bind_i64(st, 1, upto_id);
        rc = run(q, st, NULL, err);
    }
    return rc;
}

/* Migration 6: chains the entries made before it, oldest first. */
int wbi_sqlite_audit_backfill(sq_store *q, wb_error *err)
{
    wbi_stmt *sel = NULL, *upd = NULL;
    int rc = 0;
    if (wbi_db_prepare(q->db, "SELECT id,time,user,org,action,object,detail FROM audit ORDER BY id",
                       &sel) != WBI_DB_OK ||
        wbi_db_prepare(q->db, "UPDATE audit SET hash=? WHERE id=?", &upd) != WBI_DB_OK)
        rc = db_error(q, err, "chaining the audit log");
    uint8_t prev[WB_AUDIT_HASH_LEN] = {0};
    int r = WBI_DB_DONE;
    while (rc == 0 && (r = wbi_db_step(sel)) == WBI_DB_ROW) {
        wb_audit_rec a = {.id = wbi_db_col_i64(sel, 0),
                          .time = wbi_db_col_i64(sel, 1),
                          .user = col_text(sel, 2),
                          .org = col_text(sel, 3),
                          .action = col_text(sel, 4),
                          .object = col_text(sel, 5),
                          .detail = col_text(sel, 6)};
        wb_audit_hash(prev, &a, prev);
        wbi_db_bind_blob_copy(upd, 1, prev, sizeof prev);
        wbi_db_bind_i64(upd, 2, a.id);
        if (wbi_db_step(upd) != WBI_DB_DONE) rc = db_error(q, err, "chaining the audit log");
        wbi_db_reset(upd);
    }
    if (rc == 0 && r != WBI_DB_DONE) rc = db_error(q, err, "chaining the audit log");
    wbi_db_finalize(sel);
    wbi_db_finalize(upd);
    return rc;
}

static int sq_audit_list(wb_store *s, wb_time since, int64_t offset, int64_t limit, wb_audit_cb cb,
                         void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_AUDIT_LIST, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, since == WB_TIME_NONE ? INT64_MIN : since);
    wbi_db_bind_i64(st, 2, limit);
    wbi_db_bind_i64(st, 3, offset);
    WALK(q, st, err, false, "", wb_audit_rec a,
         (a.id = wbi_db_col_i64(st, 0), a.time = wbi_db_col_i64(st, 1), a.user = col_text(st, 2),
          a.org = col_text(st, 3), a.action = col_text(st, 4), a.object = col_text(st, 5),
          a.detail = col_text(st, 6)),
         cb(ud, &a));
}

const wbi_store_audit_ops wbi_sqlite_audit_ops = {
    .audit_add = sq_audit_add,
    .audit_list = sq_audit_list,
    .audit_walk = sq_audit_walk,
    .audit_anchor = sq_audit_anchor,
    .audit_archive = sq_audit_archive,
};
