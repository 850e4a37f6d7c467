/*
 * sqlite_register.c - the SQLite back end of the store's register domain:
 * the incident register: incidents, reports, CSIRT actions, routes and incident shares
 * (wbi_store_register_ops in store_internal.h).
 *
 * Its statements are its own: an enum and an SQL table, prepared once per
 * connection on first use (sqlite_internal.h). Its tables are made by the
 * migrations in sqlite.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

#define ISH_COLS                                                                                   \
    "id,incident_id,share_key,digest,anonymous,status,org_id,csirt_id,tlp,distribution,"           \
    "sharing_group_id,body,attributes,warninglisted,event_uuid,author,created,decided_by,"         \
    "decided_at"
#define INC_COLS                                                                                   \
    "i.id,i.org_id,o.name,o.sector,i.title,i.aware_at,i.detected_at,i.entity_type,i.status,"       \
    "i.rsit,i.tlp,i.handled_at,i.created FROM incidents i JOIN orgs o ON o.id=i.org_id"
#define ROUTE_COLS                                                                                 \
    "r.sector,r.csirt_id,c.name,r.supervisor_id,v.name FROM routes r JOIN orgs c ON"               \
    " c.id=r.csirt_id LEFT JOIN orgs v ON v.id=r.supervisor_id"

enum {
    S_INC_ADD,
    S_INC_GET,
    S_INC_LIST,
    S_INC_STATUS,
    S_IREP_ADD,
    S_IREP_LIST,
    S_IACT_ADD,
    S_IACT_LIST,
    S_ROUTE_SET,
    S_ROUTE_LIST,
    S_ROUTE_FOR,
    S_ISH_ADD,
    S_ISH_BY_ID,
    S_ISH_BY_KEY,
    S_ISH_LIST,
    S_ISH_DECIDE,
    S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
    [S_INC_ADD] = "INSERT INTO incidents(org_id,title,aware_at,detected_at,entity_type,rsit,tlp,"
                  "created) VALUES(?,?,?,?,?,?,?,?)",
    [S_INC_GET] = "SELECT " INC_COLS " WHERE i.id=?",
    [S_INC_LIST] = "SELECT " INC_COLS " ORDER BY i.id",
    [S_INC_STATUS] = "UPDATE incidents SET status=?2,handled_at=coalesce(?3,handled_at)"
                     " WHERE id=?1",
    [S_IREP_ADD] = "INSERT INTO incident_reports(incident_id,stage,json,submitted_at,channel,"
                   "author,created) VALUES(?,?,?,?,?,?,?)",
    [S_IREP_LIST] = "SELECT id,incident_id,stage,json,submitted_at,channel,author,created FROM"
                    " incident_reports WHERE incident_id=? ORDER BY submitted_at,id",
    [S_IACT_ADD] = "INSERT INTO incident_actions(incident_id,kind,at,by_time,text,author)"
                   " VALUES(?,?,?,?,?,?)",
    [S_IACT_LIST] = "SELECT id,incident_id,kind,at,by_time,text,author FROM incident_actions"
                    " WHERE incident_id=? ORDER BY at,id",
    [S_ROUTE_SET] = "INSERT INTO routes(sector,csirt_id,supervisor_id,created) VALUES(?,?,?,?)"
                    " ON CONFLICT(sector) DO UPDATE SET csirt_id=excluded.csirt_id,"
                    "supervisor_id=excluded.supervisor_id",
    /* "*" sorts last: it is the fallback, not a sector. */
    [S_ROUTE_LIST] = "SELECT " ROUTE_COLS " ORDER BY r.sector='*',r.sector",
    [S_ROUTE_FOR] = "SELECT " ROUTE_COLS " WHERE r.sector IN (?1,'*') ORDER BY r.sector='*'"
                    " LIMIT 1",
    [S_ISH_ADD] =
        "INSERT INTO incident_shares(incident_id,share_key,digest,anonymous,status,"
        "org_id,csirt_id,tlp,distribution,sharing_group_id,body,attributes,"
        "warninglisted,event_uuid,author,created) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [S_ISH_BY_ID] = "SELECT " ISH_COLS " FROM incident_shares WHERE id=?",
    [S_ISH_BY_KEY] = "SELECT " ISH_COLS " FROM incident_shares WHERE incident_id=? AND"
                     " share_key=? AND status IN ('published','pending','approved')",
    [S_ISH_LIST] = "SELECT " ISH_COLS " FROM incident_shares WHERE anonymous=1 AND"
                   " (?1=0 OR org_id=?1 OR csirt_id=?1) AND (?2 IS NULL OR status=?2)"
                   " ORDER BY id DESC",
    [S_ISH_DECIDE] = "UPDATE incident_shares SET status=?2,event_uuid=coalesce(?3,event_uuid),"
                     "decided_by=?4,decided_at=?5 WHERE id=?1 AND status='pending'",
};

static wbi_stmt *stmt(sq_store *q, int which, wb_error *err)
{
    return wbi_sqlite_stmt(q, WBI_SQ_REGISTER, stmt_sql, S_COUNT, which, err);
}

/* ---- incidents -------------------------------------------------------------------- */

static int sq_incident_add(wb_store *s, const wb_incident_rec *r, int64_t *id, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_INC_ADD, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, r->org_id);
    bind_text(st, 2, r->title);
    wbi_db_bind_i64(st, 3, r->aware_at);
    bind_time(st, 4, r->detected_at);
    bind_text(st, 5, r->entity_type);
    bind_text(st, 6, r->rsit);
    wbi_db_bind_int(st, 7, (int)r->tlp);
    wbi_db_bind_i64(st, 8, wb_time_now());
    int rc = run(q, st, "no such organisation", err);
    if (rc == 0 && id) *id = wbi_db_last_id(q->db);
    return rc;
}

static void row_incident(wbi_stmt *st, wb_incident_rec *r)
{
    r->id = wbi_db_col_i64(st, 0);
    r->org_id = wbi_db_col_i64(st, 1);
    r->org_name = col_text(st, 2);
    r->org_sector = col_text(st, 3);
    r->title = col_text(st, 4);
    r->aware_at = wbi_db_col_i64(st, 5);
    r->detected_at = col_time(st, 6);
    r->entity_type = col_text(st, 7);
    if (wb_incident_status_parse(col_text(st, 8), &r->status) != 0) r->status = WB_INCIDENT_OPEN;
    r->rsit = col_text(st, 9);
    r->tlp = (wb_tlp)wbi_db_col_int(st, 10);
    r->handled_at = col_time(st, 11);
    r->created = wbi_db_col_i64(st, 12);
}

static int sq_incident_find(wb_store *s, int64_t id, wb_incident_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, id > 0 ? S_INC_GET : S_INC_LIST, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    char msg[64];
    snprintf(msg, sizeof msg, "no incident %lld", (long long)id);
    if (id > 0) wbi_db_bind_i64(st, 1, id);
    WALK(q, st, err, id > 0, msg, wb_incident_rec r, row_incident(st, &r), cb(ud, &r));
}

static int sq_incident_status(wb_store *s, int64_t id, wb_incident_status status,
                              wb_time handled_at, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_INC_STATUS, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, id);
    bind_text(st, 2, wb_incident_status_name(status));
    bind_time(st, 3, handled_at);
    int rc = run(q, st, NULL, err);
    if (rc == 0 && wbi_db_changes(q->db) == 0)
        rc = wb_error_set(err, WB_ENOTFOUND, "no incident %lld", (long long)id);
    return rc;
}

static int sq_ireport_add(wb_store *s, const wb_incident_report_rec *r, int64_t *id, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_IREP_ADD, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, r->incident_id);
    bind_text(st, 2, r->stage);
    bind_text(st, 3, r->json);
    wbi_db_bind_i64(st, 4, r->submitted_at);
    bind_text(st, 5, wb_report_channel_name(r->channel));
    bind_text(st, 6, r->author);
    wbi_db_bind_i64(st, 7, wb_time_now());
    char msg[64];
    snprintf(msg, sizeof msg, "no incident %lld", (long long)r->incident_id);
    int rc = run(q, st, msg, err);
    if (rc == 0 && id) *id = wbi_db_last_id(q->db);
    return rc;
}

static void row_ireport(wbi_stmt *st, wb_incident_report_rec *r)
{
    r->id = wbi_db_col_i64(st, 0);
    r->incident_id = wbi_db_col_i64(st, 1);
    r->stage = col_text(st, 2);
    r->json = col_text(st, 3);
    r->submitted_at = wbi_db_col_i64(st, 4);
    const char *ch = col_text(st, 5);
    r->channel = strcmp(ch, "hub") == 0        ? WB_CHANNEL_HUB
                 : strcmp(ch, "recorded") == 0 ? WB_CHANNEL_RECORDED
                                               : WB_CHANNEL_LOCAL;
    r->author = col_text(st, 6);
    r->created = wbi_db_col_i64(st, 7);
}

static int sq_ireport_list(wb_store *s, int64_t incident_id, wb_incident_report_cb cb, void *ud,
                           wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_IREP_LIST, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, incident_id);
    WALK(q, st, err, false, "", wb_incident_report_rec r, row_ireport(st, &r), cb(ud, &r));
}

static int sq_iaction_add(wb_store *s, const wb_incident_action_rec *a, int64_t *id, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_IACT_ADD, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, a->incident_id);
    bind_text(st, 2, wb_incident_action_name(a->kind));
    wbi_db_bind_i64(st, 3, a->at);
    bind_time(st, 4, a->by);
    bind_text(st, 5, a->text);
    bind_text(st, 6, a->author);
    char msg[64];
    snprintf(msg, sizeof msg, "no incident %lld", (long long)a->incident_id);
    int rc = run(q, st, msg, err);
    if (rc == 0 && id) *id = wbi_db_last_id(q->db);
    return rc;
}

static void row_iaction(wbi_stmt *st, wb_incident_action_rec *a)
{
    a->id = wbi_db_col_i64(st, 0);
    a->incident_id = wbi_db_col_i64(st, 1);
    const char *k = col_text(st, 2);
    a->kind = strcmp(k, "ack") == 0   ? WB_ACTION_ACK
              : strcmp(k, "ask") == 0 ? WB_ACTION_ASK
                                      : WB_ACTION_COMMENT;
    a->at = wbi_db_col_i64(st, 3);
    a->by = col_time(st, 4);
    a->text = col_text(st, 5);
    a->author = col_text(st, 6);
}

static int sq_iaction_list(wb_store *s, int64_t incident_id, wb_incident_action_cb cb, void *ud,
                           wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_IACT_LIST, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, incident_id);
    WALK(q, st, err, false, "", wb_incident_action_rec a, row_iaction(st, &a), cb(ud, &a));
}

static int sq_route_set(wb_store *s, const char *sector, int64_t csirt_id, int64_t supervisor_id,
                        wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_ROUTE_SET, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    bind_text(st, 1, sector);
    wbi_db_bind_i64(st, 2, csirt_id);
    bind_id(st, 3, supervisor_id);
    wbi_db_bind_i64(st, 4, wb_time_now());
    return run(q, st, "no such organisation", err);
}

static void row_route(wbi_stmt *st, wb_route_rec *r)
{
    r->sector = col_text(st, 0);
    r->csirt_id = wbi_db_col_i64(st, 1);
    r->csirt_name = col_text(st, 2);
    r->supervisor_id = wbi_db_col_i64(st, 3);
    r->supervisor_name = col_text(st, 4);
}

static int sq_route_find(wb_store *s, const char *sector, bool all, wb_route_cb cb, void *ud,
                         wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, all ? S_ROUTE_LIST : S_ROUTE_FOR, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    char msg[200];
    snprintf(msg, sizeof msg, "no route for sector '%.120s' and no national route ('*')",
             sector ? sector : "*");
    if (!all) bind_text(st, 1, sector);
    WALK(q, st, err, !all, msg, wb_route_rec r, row_route(st, &r), cb(ud, &r));
}

/* ---- incident shares and proposals (migration 7) ---------------------------------- */

static int sq_ishare_add(wb_store *s, const wb_incident_share_rec *r, int64_t *id, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_ISH_ADD, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, r->incident_id);
    bind_text(st, 2, r->share_key);
    bind_text(st, 3, r->digest);
    wbi_db_bind_int(st, 4, r->anonymous);
    bind_text(st, 5, r->status);
    wbi_db_bind_i64(st, 6, r->org_id);
    if (r->csirt_id > 0)
        wbi_db_bind_i64(st, 7, r->csirt_id);
    else
        wbi_db_bind_null(st, 7);
    wbi_db_bind_int(st, 8, r->tlp);
    wbi_db_bind_int(st, 9, r->distribution);
    if (r->sharing_group_id > 0)
        wbi_db_bind_i64(st, 10, r->sharing_group_id);
    else
        wbi_db_bind_null(st, 10);
    bind_text(st, 11, r->body);
    wbi_db_bind_i64(st, 12, r->attributes);
    wbi_db_bind_i64(st, 13, r->warninglisted);
    bind_text(st, 14, r->event_uuid);
    bind_text(st, 15, r->author);
    wbi_db_bind_i64(st, 16, r->created);
    int rc = run(q, st, "the incident has a share with this key already", err);
    if (rc == 0 && id) *id = wbi_db_last_id(q->db);
    return rc;
}

static void row_ishare(wbi_stmt *st, wb_incident_share_rec *r)
{
    r->id = wbi_db_col_i64(st, 0);
    r->incident_id = wbi_db_col_i64(st, 1);
    r->share_key = col_text(st, 2);
    r->digest = col_text(st, 3);
    r->anonymous = wbi_db_col_int(st, 4) != 0;
    r->status = col_text(st, 5);
    r->org_id = wbi_db_col_i64(st, 6);
    r->csirt_id = wbi_db_col_i64(st, 7);
    r->tlp = wbi_db_col_int(st, 8);
    r->distribution = wbi_db_col_int(st, 9);
    r->sharing_group_id = wbi_db_col_i64(st, 10);
    r->body = col_text(st, 11);
    r->attributes = wbi_db_col_i64(st, 12);
    r->warninglisted = wbi_db_col_i64(st, 13);
    r->event_uuid = col_text(st, 14);
    r->author = col_text(st, 15);
    r->created = wbi_db_col_i64(st, 16);
    r->decided_by = col_text(st, 17);
    r->decided_at = col_time(st, 18);
}

static int sq_ishare_find(wb_store *s, int64_t id, int64_t incident_id, const char *key,
                          wb_incident_share_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, id > 0 ? S_ISH_BY_ID : S_ISH_BY_KEY, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    if (id > 0) {
        wbi_db_bind_i64(st, 1, id);
    } else {
        wbi_db_bind_i64(st, 1, incident_id);
        bind_text(st, 2, key);
    }
    WALK(q, st, err, true, "no such share", wb_incident_share_rec r, row_ishare(st, &r),
         cb(ud, &r));
}

static int sq_ishare_list(wb_store *s, int64_t org_id, const char *status, wb_incident_share_cb cb,
                          void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_ISH_LIST, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, org_id);
    bind_text(st, 2, status);
    WALK(q, st, err, false, "", wb_incident_share_rec r, row_ishare(st, &r), cb(ud, &r));
}

static int sq_ishare_decide(wb_store *s, int64_t id, const char *status, const char *event_uuid,
                            const char *by, wb_time at, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_ISH_DECIDE, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, id);
    bind_text(st, 2, status);
    bind_text(st, 3, event_uuid);
    bind_text(st, 4, by);
    wbi_db_bind_i64(st, 5, at);
    int rc = run(q, st, NULL, err);
    if (rc == 0 && wbi_db_changes(q->db) == 0)
        return wb_error_set(err, WB_ENOTFOUND, "proposal %lld is not pending", (long long)id);
    return rc;
}

const wbi_store_register_ops wbi_sqlite_register_ops = {
    .incident_add = sq_incident_add,
    .incident_find = sq_incident_find,
    .incident_status = sq_incident_status,
    .ireport_add = sq_ireport_add,
    .ireport_list = sq_ireport_list,
    .iaction_add = sq_iaction_add,
    .iaction_list = sq_iaction_list,
    .route_set = sq_route_set,
    .route_find = sq_route_find,
    .ishare_add = sq_ishare_add,
    .ishare_find = sq_ishare_find,
    .ishare_list = sq_ishare_list,
    .ishare_decide = sq_ishare_decide,
};
