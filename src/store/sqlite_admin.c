/*
 * sqlite_admin.c - the SQLite back end of the accounts domain's
 * administration (store_internal.h, wbi_store_admin_ops; migration 9):
 * changing and removing organisations and users, key expiry, comment and
 * last use, sharing-group names and members, and the filtered audit read.
 *
 * These run a few times per administrative action, never per request
 * (key_touch at most once per key per day), so each statement is prepared
 * when it runs instead of being kept per connection.
 *
 * What an organisation or user owns is found from the schema itself (the
 * foreign keys that refer to orgs or users), so that a table a later
 * migration adds is counted and transferred without this file changing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

typedef struct acq {
    wbi_db *db;
    const char *path;
} acq;

static acq A(wb_store *s)
{
    acq a;
    a.db = wbi_sqlite_db(s);
    a.path = wbi_sqlite_path(s);
    return a;
}

static int db_err(acq a, wb_error *err, const char *what)
{
    int code = wbi_db_errcode(a.db) == WBI_DB_NOMEM ? WB_ENOMEM : WB_EIO;
    return wb_error_set(err, code, "%s: %s: %s", a.path, what, wbi_db_errmsg(a.db));
}

static int prep(acq a, const char *sql, wbi_stmt **st, wb_error *err)
{
    if (wbi_db_prepare(a.db, sql, st) != WBI_DB_OK) {
        *st = NULL;
        return db_err(a, err, "preparing a statement");
    }
    return 0;
}

static void bind_opt_text(wbi_stmt *st, int i, const char *s)
{
    if (s)
        wbi_db_bind_text_copy(st, i, s);
    else
        wbi_db_bind_null(st, i);
}

/* Steps a statement without rows; a constraint failure is WB_EINVAL with
 * `dup`, a trigger's refusal WB_EINVAL with its message. Finalizes st. */
static int step_done(acq a, wbi_stmt *st, const char *dup, int *changes, wb_error *err)
{
    int rc = wbi_db_step(st), ret = 0;
    if (rc == WBI_DB_DONE || rc == WBI_DB_ROW) {
        if (changes) *changes = wbi_db_changes(a.db);
    } else if ((rc & 0xff) == WBI_DB_CONSTRAINT) {
        ret = wb_error_set(err, WB_EINVAL, "%s", dup ? dup : wbi_db_errmsg(a.db));
    } else {
        ret = db_err(a, err, "writing");
    }
    wbi_db_finalize(st);
    return ret;
}

static int ac_org_update(wb_store *s, int64_t id, const char *name, const wb_org_kind *kind,
                         const char *sector, const char *kvk, int disabled, wb_error *err)
{
    acq a = A(s);
    wbi_stmt *st;
    int rc = prep(a,
                  "UPDATE orgs SET name=coalesce(?2,name),kind=coalesce(?3,kind),"
                  "sector=CASE WHEN ?4 IS NULL THEN sector WHEN ?4='' THEN NULL ELSE ?4 END,"
                  "kvk=CASE WHEN ?5 IS NULL THEN kvk WHEN ?5='' THEN NULL ELSE ?5 END,"
                  "disabled=CASE WHEN ?6<0 THEN disabled ELSE ?6 END WHERE id=?1",
                  &st, err);
    if (rc) return rc;
    wbi_db_bind_i64(st, 1, id);
    bind_opt_text(st, 2, name);
    bind_opt_text(st, 3, kind ? wb_org_kind_name(*kind) : NULL);
    bind_opt_text(st, 4, sector);
    bind_opt_text(st, 5, kvk);
    wbi_db_bind_int(st, 6, disabled);
    char dup[200];
    snprintf(dup, sizeof dup, "organisation '%.150s' exists", name ? name : "");
    int n = 0;
    rc = step_done(a, st, dup, &n, err);
    if (rc == 0 && n == 0)
        rc = wb_error_set(err, WB_ENOTFOUND, "no organisation with id %lld", (long long)id);
    return rc;
}

/* One (table, column) that refers to `parent` (orgs or users). */
typedef int (*ref_fn)(void *ud, const char *table, const char *column);

static int each_ref(acq a, const char *parent, ref_fn fn, void *ud, wb_error *err)
{
    wbi_stmt *st;
    int rc = prep(a,
                  "SELECT m.name,f.\"from\" FROM sqlite_schema m,"
                  " pragma_foreign_key_list(m.name) f WHERE m.type='table' AND f.\"table\"=?1"
                  " ORDER BY m.name,f.\"from\"",
                  &st, err);
    if (rc) return rc;
    wbi_db_bind_text(st, 1, parent);
    /* Collected first: fn runs statements of its own, some of which
     * change the schema's row counts but never the schema. */
    char refs[64][2][64];
    size_t n = 0;
    while ((rc = wbi_db_step(st)) == WBI_DB_ROW && n < 64) {
        snprintf(refs[n][0], sizeof refs[n][0], "%s", wbi_db_col_text(st, 0));
        snprintf(refs[n][1], sizeof refs[n][1], "%s", wbi_db_col_text(st, 1));
        n++;
    }
    rc = rc == WBI_DB_DONE || rc == WBI_DB_ROW ? 0 : db_err(a, err, "reading the schema");
    wbi_db_finalize(st);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = fn(ud, refs[i][0], refs[i][1]);
    return rc;
}

/* A table or column name from the schema, put into SQL text: only the
 * letters, digits and underscores our own schema uses. */
static bool ident_ok(const char *s)
{
    if (*s == '\0' || strlen(s) > 63) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return false;
    return true;
}

static int count_rows(acq a, const char *table, const char *col, int64_t id, int64_t *n,
                      wb_error *err)
{
    char sql[256];
    if (!ident_ok(table) || !ident_ok(col))
        return wb_error_set(err, WB_EINTERNAL, "unexpected name in the schema: %s.%s", table, col);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\" WHERE \"%s\"=?", table, col);
    wbi_stmt *st;
    int rc = prep(a, sql, &st, err);
    if (rc) return rc;
    wbi_db_bind_i64(st, 1, id);
    rc = wbi_db_step(st);
    *n = rc == WBI_DB_ROW ? wbi_db_col_i64(st, 0) : 0;
    rc = rc == WBI_DB_ROW ? 0 : db_err(a, err, "reading");
    wbi_db_finalize(st);
    return rc;
}

typedef struct holdings {
    acq a;
    int64_t id;
    wb_holding_cb cb;
    void *ud;
    wb_error *err;
    int64_t to; /* org_remove: transfer target, 0 for none */
    const char *what;
} holdings;

/* "users", or "routes.csirt_id" for a column other than the usual name. */
static void ref_name(char *out, size_t cap, const char *table, const char *col)
{
    if (strcmp(col, "org_id") == 0 || strcmp(col, "user_id") == 0)
        snprintf(out, cap, "%s", table);
    else
        snprintf(out, cap, "%s.%s", table, col);
}

/* Memberships of sharing groups are not holdings: they go with the
 * organisation (or pass to the one that takes its records). */
static bool is_membership(const char *table)
{
    return strcmp(table, "sharing_group_orgs") == 0;
}

static int holding_one(void *ud, const char *table, const char *col)
{
    holdings *h = ud;
    if (is_membership(table)) return 0;
    int64_t n = 0;
    int rc = count_rows(h->a, table, col, h->id, &n, h->err);
    if (rc || n == 0) return rc;
    char name[140];
    ref_name(name, sizeof name, table, col);
    return h->cb(h->ud, name, n) ? 1 : 0;
}

static int ac_org_holdings(wb_store *s, int64_t id, wb_holding_cb cb, void *ud, wb_error *err)
{
    holdings h = {.a = A(s), .id = id, .cb = cb, .ud = ud, .err = err};
    int rc = each_ref(h.a, "orgs", holding_one, &h, err);
    return rc > 0 ? 0 : rc;
}

/* What exec_id2 does to the rows whose `col` is ?1. */
typedef enum { X_DELETE, X_MOVE_IGNORE, X_MOVE, X_CLEAR } xop;

static int exec_id2(acq a, xop op, const char *table, const char *col, int64_t p1, int64_t p2,
                    const char *dup, wb_error *err)
{
    char sql[512];
    if (!ident_ok(table) || !ident_ok(col))
        return wb_error_set(err, WB_EINTERNAL, "unexpected name in the schema: %s.%s", table, col);
    switch (op) {
    case X_DELETE:
        snprintf(sql, sizeof sql, "DELETE FROM \"%s\" WHERE \"%s\"=?1", table, col);
        break;
    case X_MOVE_IGNORE:
        /* a membership (sg_id, org): rows the target already has stay behind
         * and go with X_DELETE */
        snprintf(sql, sizeof sql,
                 "UPDATE \"%s\" SET \"%s\"=?2 WHERE \"%s\"=?1 AND NOT EXISTS (SELECT 1 FROM"
                 " \"%s\" x WHERE x.sg_id=\"%s\".sg_id AND x.\"%s\"=?2)",
                 table, col, col, table, table, col);
        break;
    case X_MOVE:
        snprintf(sql, sizeof sql, "UPDATE \"%s\" SET \"%s\"=?2 WHERE \"%s\"=?1", table, col, col);
        break;
    case X_CLEAR:
        snprintf(sql, sizeof sql, "UPDATE \"%s\" SET \"%s\"=NULL WHERE \"%s\"=?1", table, col, col);
        break;
    }
    wbi_stmt *st;
    int rc = prep(a, sql, &st, err);
    if (rc) return rc;
    wbi_db_bind_i64(st, 1, p1);
    if (p2) wbi_db_bind_i64(st, 2, p2);
    return step_done(a, st, dup, NULL, err);
}

/* Moves an organisation's rows of one table to h->to; memberships of
 * sharing groups merge (the target may already be a member). */
static int transfer_one(void *ud, const char *table, const char *col)
{
    holdings *h = ud;
    int64_t n = 0;
    int rc = count_rows(h->a, table, col, h->id, &n, h->err);
    if (rc || n == 0) return rc;
    char name[140], dup[300];
    ref_name(name, sizeof name, table, col);
    if (is_membership(table) && h->to == 0)
        return exec_id2(h->a, X_DELETE, table, col, h->id, 0, NULL, h->err);
    if (h->to == 0)
        return wb_error_set(h->err, WB_EINVAL,
                            "organisation %s owns %lld row%s of %s: remove them first, or give "
                            "them to another organisation (transfer-to)",
                            h->what, (long long)n, n == 1 ? "" : "s", name);
    snprintf(dup, sizeof dup, "%s: %lld row%s cannot be transferred (append-only records)", name,
             (long long)n, n == 1 ? "" : "s");
    if (is_membership(table)) {
        rc = exec_id2(h->a, X_MOVE_IGNORE, table, col, h->id, h->to, dup, h->err);
        if (rc == 0) rc = exec_id2(h->a, X_DELETE, table, col, h->id, 0, dup, h->err);
        return rc;
    }
    return exec_id2(h->a, X_MOVE, table, col, h->id, h->to, dup, h->err);
}

static int ac_org_remove(wb_store *s, int64_t id, int64_t transfer_to, wb_error *err)
{
    char what[40];
    snprintf(what, sizeof what, "%lld", (long long)id);
    holdings h = {.a = A(s), .id = id, .err = err, .to = transfer_to, .what = what};
    int rc = each_ref(h.a, "orgs", transfer_one, &h, err);
    if (rc) return rc;
    wbi_stmt *st;
    rc = prep(h.a, "DELETE FROM orgs WHERE id=?", &st, err);
    if (rc) return rc;
    wbi_db_bind_i64(st, 1, id);
    int n = 0;
    rc = step_done(h.a, st, NULL, &n, err);
    if (rc == 0 && n == 0)
        rc = wb_error_set(err, WB_ENOTFOUND, "no organisation with id %lld", (long long)id);
    return rc;
}

static int ac_user_update(wb_store *s, int64_t id, int64_t org_id, const wb_role *role,
                          int disabled, wb_error *err)
{
    acq a = A(s);
    wbi_stmt *st;
    int rc = prep(a,
                  "UPDATE users SET org_id=CASE WHEN ?2>0 THEN ?2 ELSE org_id END,"
                  "role=coalesce(?3,role),disabled=CASE WHEN ?4<0 THEN disabled ELSE ?4 END"
                  " WHERE id=?1",
                  &st, err);
    if (rc) return rc;
    wbi_db_bind_i64(st, 1, id);
    wbi_db_bind_i64(st, 2, org_id);
    bind_opt_text(st, 3, role ? wb_role_name(*role) : NULL);
    wbi_db_bind_int(st, 4, disabled);
    int n = 0;
    rc = step_done(a, st, "no such organisation", &n, err);
    if (rc == 0 && n == 0)
        rc = wb_error_set(err, WB_ENOTFOUND, "no user with id %lld", (long long)id);
    return rc;
}

/* A user's keys go with it; other rows that name it forget who it was. */
static int user_unref(void *ud, const char *table, const char *col)
{
    holdings *h = ud;
    char dup[200];
    snprintf(dup, sizeof dup, "%s: rows that name the user cannot lose it", table);
    if (strcmp(table, "api_keys") == 0)
        return exec_id2(h->a, X_DELETE, table, col, h->id, 0, dup, h->err);
    return exec_id2(h->a, X_CLEAR, table, col, h->id, 0, dup, h->err);
}

static int ac_user_remove(wb_store *s, int64_t id, wb_error *err)
{
    holdings h = {.a = A(s), .id = id, .err = err};
    int rc = each_ref(h.a, "users", user_unref, &h, err);
    if (rc) return rc;
    wbi_stmt *st;
    rc = prep(h.a, "DELETE FROM users WHERE id=?", &st, err);
    if (rc) return rc;
    wbi_db_bind_i64(st, 1, id);
    int n = 0;
    rc = step_done(h.a, st, NULL, &n, err);
    if (rc == 0 && n == 0)
        rc = wb_error_set(err, WB_ENOTFOUND, "no user with id %lld", (long long)id);
    return rc;
}

static int ac_key_set(wb_store *s, int64_t id, wb_time expires, const char *comment, wb_error *err)
{
    acq a = A(s);
    wbi_stmt *st;
    int rc = prep(a, "UPDATE api_keys SET expires=?2,comment=?3 WHERE id=?1", &st, err);
    if (rc) return rc;
    wbi_db_bind_i64(st, 1, id);
    if (expires == WB_TIME_NONE)
        wbi_db_bind_null(st, 2);
    else
        wbi_db_bind_i64(st, 2, expires);
    bind_opt_text(st, 3, comment);
    return step_done(a, st, NULL, NULL, err);
}

static int ac_key_touch(wb_store *s, int64_t id, wb_time day, wb_error *err)
{
    acq a = A(s);
    wbi_stmt *st;
    /* The condition makes a second hub thread's touch of the same day a
     * no-op instead of a second write. */
    int rc = prep(a,
                  "UPDATE api_keys SET last_used=?2 WHERE id=?1 AND"
                  " (last_used IS NULL OR last_used<?2)",
                  &st, err);
    if (rc) return rc;
    wbi_db_bind_i64(st, 1, id);
    wbi_db_bind_i64(st, 2, day);
    return step_done(a, st, NULL, NULL, err);
}

static int ac_sgroup_rename(wb_store *s, int64_t id, const char *name, wb_error *err)
{
    acq a = A(s);
    wbi_stmt *st;
    int rc = prep(a, "UPDATE sharing_groups SET name=?2 WHERE id=?1", &st, err);
    if (rc) return rc;
    wbi_db_bind_i64(st, 1, id);
    wbi_db_bind_text(st, 2, name);
    char dup[200];
    snprintf(dup, sizeof dup, "sharing group '%.150s' exists", name);
    int n = 0;
    rc = step_done(a, st, dup, &n, err);
    if (rc == 0 && n == 0)
        rc = wb_error_set(err, WB_ENOTFOUND, "no sharing group with id %lld", (long long)id);
    return rc;
}

static int ac_sgroup_member(wb_store *s, int64_t sg_id, int64_t org_id, bool add, bool *changed,
                            wb_error *err)
{
    acq a = A(s);
    wbi_stmt *st;
    int rc = prep(a,
                  add ? "INSERT OR IGNORE INTO sharing_group_orgs(sg_id,org_id) VALUES(?1,?2)"
                      : "DELETE FROM sharing_group_orgs WHERE sg_id=?1 AND org_id=?2",
                  &st, err);
    if (rc) return rc;
    wbi_db_bind_i64(st, 1, sg_id);
    wbi_db_bind_i64(st, 2, org_id);
    int n = 0;
    rc = step_done(a, st, "no such sharing group or organisation", &n, err);
    *changed = rc == 0 && n > 0;
    /* a removal is remembered with the change number it happened at (the
     * group's events get later ones: wb_store_sgroup_touch) */
    if (*changed && !add) {
        rc = prep(a,
                  "INSERT INTO sharing_group_removals(sg_id,org_id,seq)"
                  " VALUES(?1,?2,(SELECT coalesce(max(seq),0) FROM events))",
                  &st, err);
        if (rc) return rc;
        wbi_db_bind_i64(st, 1, sg_id);
        wbi_db_bind_i64(st, 2, org_id);
        rc = step_done(a, st, NULL, NULL, err);
    }
    return rc;
}

static int ac_sgroup_removed_since(wb_store *s, int64_t org_id, int64_t after, int64_t *ids,
                                   size_t max, size_t *n, wb_error *err)
{
    acq a = A(s);
    wbi_stmt *st;
    *n = 0;
    int rc = prep(a,
                  "SELECT DISTINCT sg_id FROM sharing_group_removals WHERE org_id=?1 AND seq>=?2"
                  " ORDER BY sg_id",
                  &st, err);
    if (rc) return rc;
    wbi_db_bind_i64(st, 1, org_id);
    wbi_db_bind_i64(st, 2, after);
    int x;
    while ((x = wbi_db_step(st)) == WBI_DB_ROW && *n < max)
        ids[(*n)++] = wbi_db_col_i64(st, 0);
    if (x != WBI_DB_ROW && x != WBI_DB_DONE) rc = db_err(a, err, "reading");
    wbi_db_finalize(st);
    return rc;
}

static int ac_sgroup_touch(wb_store *s, int64_t sg_id, int64_t *n, wb_error *err)
{
    acq a = A(s);
    wbi_stmt *st;
    /* Setting json to itself fires events_seq_update (migration 3): each
     * event gets the next sequence number and a version row. */
    int rc = prep(a,
                  "UPDATE events SET json=json WHERE sharing_group_id=?1 OR id IN"
                  " (SELECT event_id FROM attributes WHERE sharing_group_id=?1)",
                  &st, err);
    if (rc) return rc;
    wbi_db_bind_i64(st, 1, sg_id);
    int c = 0;
    rc = step_done(a, st, NULL, &c, err);
    *n = c;
    return rc;
}

static int ac_audit_query(wb_store *s, const wb_audit_filter *f, wb_audit_cb cb, void *ud,
                          wb_error *err)
{
    acq a = A(s);
    wbi_stmt *st;
    int rc = prep(a,
                  "SELECT id,time,user,org,action,object,detail FROM audit WHERE time>=?1"
                  " AND (?2 IS NULL OR org=?2 COLLATE NOCASE) AND (?3 IS NULL OR action=?3 OR"
                  " substr(action,1,length(?3)+1)=?3||'.') ORDER BY id DESC LIMIT ?4 OFFSET ?5",
                  &st, err);
    if (rc) return rc;
    wbi_db_bind_i64(st, 1, f->since == WB_TIME_NONE ? INT64_MIN : f->since);
    bind_opt_text(st, 2, f->org);
    bind_opt_text(st, 3, f->action);
    wbi_db_bind_i64(st, 4, f->limit > 0 ? f->limit : -1);
    wbi_db_bind_i64(st, 5, f->offset);
    while ((rc = wbi_db_step(st)) == WBI_DB_ROW) {
        wb_audit_rec r = {.id = wbi_db_col_i64(st, 0),
                          .time = wbi_db_col_i64(st, 1),
                          .user = wbi_db_col_text(st, 2),
                          .org = wbi_db_col_text(st, 3),
                          .action = wbi_db_col_text(st, 4),
                          .object = wbi_db_col_text(st, 5),
                          .detail = wbi_db_col_text(st, 6)};
        if (cb(ud, &r)) {
            rc = WBI_DB_DONE;
            break;
        }
    }
    rc = rc == WBI_DB_DONE ? 0 : db_err(a, err, "reading");
    wbi_db_finalize(st);
    return rc;
}

const wbi_store_admin_ops wbi_sqlite_admin_ops = {
    .org_update = ac_org_update,
    .org_holdings = ac_org_holdings,
    .org_remove = ac_org_remove,
    .user_update = ac_user_update,
    .user_remove = ac_user_remove,
    .key_set = ac_key_set,
    .key_touch = ac_key_touch,
    .sgroup_rename = ac_sgroup_rename,
    .sgroup_member = ac_sgroup_member,
    .sgroup_touch = ac_sgroup_touch,
    .sgroup_removed_since = ac_sgroup_removed_since,
    .audit_query = ac_audit_query,
};
