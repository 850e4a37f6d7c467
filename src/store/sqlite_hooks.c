/*
 * sqlite_hooks.c - the SQLite back end of the store's hooks domain:
 * webhooks, their deliveries and the events shared from incidents (wbi_store_hooks_ops in
 * store_internal.h).
 *
 * Its statements are its own: an enum and an SQL table, prepared once per
 * connection on first use (sqlite_internal.h). Its tables are made by the
 * migrations in sqlite.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

#define DLV_COLS                                                                                   \
    "d.id,d.uuid,d.hook_id,h.url,h.secret,d.event_key,d.body,d.attempts,d.next_attempt,d.status,"  \
    "d.last_status,d.last_error,d.created,d.delivered,h.lang FROM hook_deliveries d JOIN hooks h " \
    "ON"                                                                                           \
    " h.id=d.hook_id"

enum {
    S_HOOK_ADD,
    S_HOOK_REMOVE,
    S_HOOK_CANCEL,
    S_HOOK_LIST,
    S_DLV_ADD,
    S_DLV_DUE,
    S_DLV_LIST,
    S_DLV_UPDATE,
    S_IEV_ADD,
    S_IEV_LIST,
    S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
    [S_HOOK_ADD] = "INSERT INTO hooks(org_id,url,secret,created,lang) VALUES(?,?,?,?,?)",
    [S_HOOK_REMOVE] = "UPDATE hooks SET removed=?2 WHERE id=?1 AND removed IS NULL",
    [S_HOOK_CANCEL] = "UPDATE hook_deliveries SET status='cancelled' WHERE hook_id=?"
                      " AND status='pending'",
    [S_HOOK_LIST] =
        "SELECT h.id,h.org_id,o.name,h.url,h.secret,h.created,h.removed,h.lang FROM hooks h"
        " JOIN orgs o ON o.id=h.org_id WHERE (?1=0 OR h.org_id=?1)"
        " AND (?2 OR h.removed IS NULL) ORDER BY h.id",
    [S_DLV_ADD] =
        "INSERT INTO hook_deliveries(uuid,hook_id,event_key,body,next_attempt,status,"
        "created) VALUES(?,?,?,?,?,'pending',?) ON CONFLICT(hook_id,event_key) DO NOTHING",
    /* At most 8 per hook: a receiver with a long backlog must not fill the
     * batch and starve every other organisation's reminders. */
    [S_DLV_DUE] = "SELECT " DLV_COLS " WHERE d.id IN (SELECT id FROM (SELECT d2.id,"
                  " row_number() OVER (PARTITION BY d2.hook_id ORDER BY d2.next_attempt,d2.id)"
                  " AS rn FROM hook_deliveries d2 WHERE d2.status='pending'"
                  " AND d2.next_attempt<=?1) WHERE rn<=8) AND h.removed IS NULL"
                  " ORDER BY d.next_attempt,d.id LIMIT ?2",
    [S_DLV_LIST] = "SELECT " DLV_COLS " WHERE (?1=0 OR d.hook_id=?1) ORDER BY d.id",
    [S_DLV_UPDATE] = "UPDATE hook_deliveries SET attempts=?2,next_attempt=?3,status=?4,"
                     "last_status=?5,last_error=?6,delivered=?7 WHERE id=?1",
    [S_IEV_ADD] = "INSERT INTO incident_events(incident_id,event_uuid,anonymous,author,at)"
                  " VALUES(?,?,?,?,?)",
    [S_IEV_LIST] = "SELECT incident_id,event_uuid,anonymous,author,at FROM incident_events"
                   " WHERE incident_id=? ORDER BY at,event_uuid",
};

static wbi_stmt *stmt(sq_store *q, int which, wb_error *err)
{
    return wbi_sqlite_stmt(q, WBI_SQ_HOOKS, stmt_sql, S_COUNT, which, err);
}

/* ---- webhooks and shared incident events ------------------------------------------ */

static int sq_hook_add(wb_store *s, int64_t org_id, const char *url, const char *secret,
                       const char *lang, int64_t *id, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_HOOK_ADD, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, org_id);
    bind_text(st, 2, url);
    bind_text(st, 3, secret);
    wbi_db_bind_i64(st, 4, wb_time_now());
    bind_text(st, 5, lang ? lang : "nl");
    int rc = run(q, st, "no such organisation", err);
    if (rc == 0 && id) *id = wbi_db_last_id(q->db);
    return rc;
}

static int sq_hook_remove(wb_store *s, int64_t id, wb_time now, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_HOOK_REMOVE, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, id);
    wbi_db_bind_i64(st, 2, now);
    int rc = run(q, st, NULL, err);
    if (rc == 0 && wbi_db_changes(q->db) == 0)
        return wb_error_set(err, WB_ENOTFOUND, "no active hook %lld", (long long)id);
    if (rc == 0 && (st = stmt(q, S_HOOK_CANCEL, err)) == NULL) return WB_EIO;
    if (rc == 0) {
        wbi_db_bind_i64(st, 1, id);
        rc = run(q, st, NULL, err);
    }
    return rc;
}

static int sq_hook_list(wb_store *s, int64_t org_id, bool include_removed, wb_hook_cb cb, void *ud,
                        wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_HOOK_LIST, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, org_id);
    wbi_db_bind_int(st, 2, include_removed);
    WALK(q, st, err, false, "", wb_hook_rec h,
         (h.id = wbi_db_col_i64(st, 0), h.org_id = wbi_db_col_i64(st, 1),
          h.org_name = col_text(st, 2), h.url = col_text(st, 3), h.secret = col_text(st, 4),
          h.created = wbi_db_col_i64(st, 5), h.removed = col_time(st, 6), h.lang = col_text(st, 7)),
         cb(ud, &h));
}

static int sq_delivery_add(wb_store *s, const wb_delivery_rec *d, bool *added, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_DLV_ADD, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    bind_text(st, 1, d->uuid);
    wbi_db_bind_i64(st, 2, d->hook_id);
    bind_text(st, 3, d->event_key);
    bind_text(st, 4, d->body);
    wbi_db_bind_i64(st, 5, d->next_attempt);
    wbi_db_bind_i64(st, 6, d->created != WB_TIME_NONE && d->created ? d->created : wb_time_now());
    int rc = run(q, st, "no such hook", err);
    if (added) *added = rc == 0 && wbi_db_changes(q->db) > 0;
    return rc;
}

static wb_delivery_status delivery_status(const char *s)
{
    return strcmp(s, "delivered") == 0   ? WB_DELIVERY_DELIVERED
           : strcmp(s, "failed") == 0    ? WB_DELIVERY_FAILED
           : strcmp(s, "cancelled") == 0 ? WB_DELIVERY_CANCELLED
                                         : WB_DELIVERY_PENDING;
}

static void row_delivery(wbi_stmt *st, wb_delivery_rec *d)
{
    d->id = wbi_db_col_i64(st, 0);
    d->uuid = col_text(st, 1);
    d->hook_id = wbi_db_col_i64(st, 2);
    d->url = col_text(st, 3);
    d->secret = col_text(st, 4);
    d->event_key = col_text(st, 5);
    d->body = col_text(st, 6);
    d->attempts = wbi_db_col_i64(st, 7);
    d->next_attempt = wbi_db_col_i64(st, 8);
    d->status = delivery_status(col_text(st, 9));
    d->last_status = wbi_db_col_i64(st, 10);
    d->last_error = col_text(st, 11);
    d->created = wbi_db_col_i64(st, 12);
    d->delivered = col_time(st, 13);
    d->lang = col_text(st, 14);
}

static int sq_delivery_walk(wb_store *s, int64_t hook_id, wb_time now, int64_t limit,
                            wb_delivery_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, hook_id < 0 ? S_DLV_DUE : S_DLV_LIST, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    if (hook_id < 0) {
        wbi_db_bind_i64(st, 1, now);
        wbi_db_bind_i64(st, 2, limit);
    } else {
        wbi_db_bind_i64(st, 1, hook_id);
    }
    WALK(q, st, err, false, "", wb_delivery_rec d, row_delivery(st, &d), cb(ud, &d));
}

static int sq_delivery_update(wb_store *s, const wb_delivery_rec *d, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_DLV_UPDATE, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, d->id);
    wbi_db_bind_i64(st, 2, d->attempts);
    wbi_db_bind_i64(st, 3, d->next_attempt);
    bind_text(st, 4, wb_delivery_status_name(d->status));
    wbi_db_bind_i64(st, 5, d->last_status);
    bind_text(st, 6, d->last_error);
    bind_time(st, 7, d->delivered);
    return run(q, st, NULL, err);
}

static int sq_ievent_add(wb_store *s, const wb_incident_event_rec *e, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_IEV_ADD, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, e->incident_id);
    bind_text(st, 2, e->event_uuid);
    wbi_db_bind_int(st, 3, e->anonymous);
    bind_text(st, 4, e->author);
    wbi_db_bind_i64(st, 5, e->at);
    return run(q, st, "no such incident, or the event is linked already", err);
}

static int sq_ievent_list(wb_store *s, int64_t incident_id, wb_incident_event_cb cb, void *ud,
                          wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_IEV_LIST, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, incident_id);
    WALK(q, st, err, false, "", wb_incident_event_rec e,
         (e.incident_id = wbi_db_col_i64(st, 0), e.event_uuid = col_text(st, 1),
          e.anonymous = wbi_db_col_int(st, 2) != 0, e.author = col_text(st, 3),
          e.at = wbi_db_col_i64(st, 4)),
         cb(ud, &e));
}

const wbi_store_hooks_ops wbi_sqlite_hooks_ops = {
    .hook_add = sq_hook_add,
    .hook_remove = sq_hook_remove,
    .hook_list = sq_hook_list,
    .delivery_add = sq_delivery_add,
    .delivery_walk = sq_delivery_walk,
    .delivery_update = sq_delivery_update,
    .ievent_add = sq_ievent_add,
    .ievent_list = sq_ievent_list,
};
