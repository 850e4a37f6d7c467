/*
 * sqlite_assess.c - the SQLite back end of the store's assess domain:
 * assessments, their versions and shares (wbi_store_assess_ops in store_internal.h).
 *
 * Its statements are its own: an enum and an SQL table, prepared once per
 * connection on first use (sqlite_internal.h). Its tables are made by the
 * migrations in sqlite.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

#define ASSESS_SHARED(aud)                                                                         \
    "coalesce((SELECT s.shared FROM assessment_shares s WHERE s.assessment_id=a.id AND"            \
    " s.audience='" aud "' ORDER BY s.id DESC LIMIT 1),0)"
#define ASSESS_COLS                                                                                \
    "a.id,a.org_id,o.name,o.sector,a.catalogue,a.scope,a.target,a.author,a.created,"               \
    "(SELECT max(v.version) FROM assessment_versions v WHERE v.assessment_id=a.id),"               \
    "(SELECT v.created FROM assessment_versions v WHERE v.assessment_id=a.id ORDER BY"             \
    " v.version DESC LIMIT 1)," ASSESS_SHARED("csirt") "," ASSESS_SHARED(                          \
        "supervisor") " FROM assessments a JOIN orgs o ON o.id=a.org_id"

enum {
    S_ASSESS_ADD,
    S_ASSESS_GET,
    S_ASSESS_LIST,
    S_AVER_ADD,
    S_AVER_GET,
    S_AVER_LIST,
    S_ASHARE_ADD,
    S_ASHARE_LIST,
    S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
    [S_ASSESS_ADD] = "INSERT INTO assessments(org_id,catalogue,scope,target,author,created)"
                     " VALUES(?,?,?,?,?,?)",
    [S_ASSESS_GET] = "SELECT " ASSESS_COLS " WHERE a.id=?",
    [S_ASSESS_LIST] = "SELECT " ASSESS_COLS " WHERE ?1=0 OR a.org_id=?1 ORDER BY a.id",
    /* The next number in the same statement, under the writer's lock; the
     * HAVING bounds how many versions an assessment gathers. */
    [S_AVER_ADD] = "INSERT INTO assessment_versions(assessment_id,version,json,answers,action,"
                   "author,created) SELECT ?1,coalesce(max(version),0)+1,?2,?3,?4,?5,?6 FROM"
                   " assessment_versions WHERE assessment_id=?1"
                   " HAVING coalesce(max(version),0)<?7 RETURNING version",
    [S_AVER_GET] = "SELECT assessment_id,version,json,answers,action,author,created FROM"
                   " assessment_versions WHERE assessment_id=?1 AND (?2=0 OR version=?2)"
                   " ORDER BY version DESC LIMIT 1",
    [S_AVER_LIST] = "SELECT assessment_id,version,NULL,answers,action,author,created FROM"
                    " assessment_versions WHERE assessment_id=? ORDER BY version",
    [S_ASHARE_ADD] = "INSERT INTO assessment_shares(assessment_id,audience,shared,author,at)"
                     " VALUES(?,?,?,?,?)",
    [S_ASHARE_LIST] = "SELECT assessment_id,audience,shared,author,at FROM assessment_shares"
                      " WHERE assessment_id=? ORDER BY id",
};

static wbi_stmt *stmt(sq_store *q, int which, wb_error *err)
{
    return wbi_sqlite_stmt(q, WBI_SQ_ASSESS, stmt_sql, S_COUNT, which, err);
}

/* ---- assessments -------------------------------------------------------------------- */

/* The bound on versions lives in assessdb.h; the store keeps its own copy so
 * that it does not depend on the assess module. */
#define MAX_ASSESS_VERSIONS 100000

static int sq_assessment_add(wb_store *s, const wb_assessment_rec *r, int64_t *id, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_ASSESS_ADD, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, r->org_id);
    bind_text(st, 2, r->catalogue);
    bind_text(st, 3, r->scope);
    wbi_db_bind_int(st, 4, r->target);
    bind_text(st, 5, r->author);
    wbi_db_bind_i64(st, 6, wb_time_now());
    int rc = run(q, st, "no such organisation", err);
    if (rc == 0 && id) *id = wbi_db_last_id(q->db);
    return rc;
}

static void row_assessment(wbi_stmt *st, wb_assessment_rec *a)
{
    a->id = wbi_db_col_i64(st, 0);
    a->org_id = wbi_db_col_i64(st, 1);
    a->org_name = col_text(st, 2);
    a->org_sector = col_text(st, 3);
    a->catalogue = col_text(st, 4);
    a->scope = col_text(st, 5);
    a->target = wbi_db_col_int(st, 6);
    a->author = col_text(st, 7);
    a->created = wbi_db_col_i64(st, 8);
    a->version = wbi_db_col_int(st, 9);
    a->version_time = col_time(st, 10);
    a->shared_csirt = wbi_db_col_int(st, 11) != 0;
    a->shared_supervisor = wbi_db_col_int(st, 12) != 0;
}

static int sq_assessment_find(wb_store *s, int64_t id, int64_t org_id, wb_assessment_cb cb,
                              void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, id > 0 ? S_ASSESS_GET : S_ASSESS_LIST, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, id > 0 ? id : org_id);
    char msg[64];
    snprintf(msg, sizeof msg, "no assessment %lld", (long long)id);
    WALK(q, st, err, id > 0, msg, wb_assessment_rec a, row_assessment(st, &a), cb(ud, &a));
}

static int sq_aversion_add(wb_store *s, const wb_assessment_version_rec *v, int *version,
                           wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_AVER_ADD, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, v->assessment_id);
    bind_text(st, 2, v->json);
    wbi_db_bind_i64(st, 3, (int64_t)v->nanswers);
    bind_text(st, 4, v->action);
    bind_text(st, 5, v->author);
    wbi_db_bind_i64(st, 6, wb_time_now());
    wbi_db_bind_int(st, 7, MAX_ASSESS_VERSIONS);
    int rc = wbi_db_step(st), ret = 0;
    if (rc == WBI_DB_ROW) {
        if (version) *version = wbi_db_col_int(st, 0);
    } else if (rc == WBI_DB_DONE) {
        ret = wb_error_set(err, WB_ELIMIT, "assessment %lld has %d versions, the most it may have",
                           (long long)v->assessment_id, MAX_ASSESS_VERSIONS);
    } else if ((rc & 0xff) == WBI_DB_CONSTRAINT) {
        ret = wb_error_set(err, WB_EINVAL, "no assessment %lld", (long long)v->assessment_id);
    } else {
        ret = db_error(q, err, "writing");
    }
    done(st);
    return ret;
}

static void row_aversion(wbi_stmt *st, wb_assessment_version_rec *v)
{
    v->assessment_id = wbi_db_col_i64(st, 0);
    v->version = wbi_db_col_int(st, 1);
    v->json = col_text(st, 2);
    v->nanswers = (size_t)wbi_db_col_i64(st, 3);
    v->action = col_text(st, 4);
    v->author = col_text(st, 5);
    v->created = wbi_db_col_i64(st, 6);
}

static int sq_aversion_find(wb_store *s, int64_t assessment_id, int version, bool list,
                            wb_assessment_version_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, list ? S_AVER_LIST : S_AVER_GET, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, assessment_id);
    if (!list) wbi_db_bind_int(st, 2, version);
    char msg[96];
    if (version > 0)
        snprintf(msg, sizeof msg, "assessment %lld has no version %d", (long long)assessment_id,
                 version);
    else
        snprintf(msg, sizeof msg, "assessment %lld has no answers yet", (long long)assessment_id);
    WALK(q, st, err, !list, msg, wb_assessment_version_rec v, row_aversion(st, &v), cb(ud, &v));
}

static int sq_ashare_add(wb_store *s, const wb_assessment_share_rec *r, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_ASHARE_ADD, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, r->assessment_id);
    bind_text(st, 2, wb_share_audience_name(r->audience));
    wbi_db_bind_int(st, 3, r->shared ? 1 : 0);
    bind_text(st, 4, r->author);
    wbi_db_bind_i64(st, 5, r->at != WB_TIME_NONE && r->at != 0 ? r->at : wb_time_now());
    char msg[64];
    snprintf(msg, sizeof msg, "no assessment %lld", (long long)r->assessment_id);
    return run(q, st, msg, err);
}

static void row_ashare(wbi_stmt *st, wb_assessment_share_rec *r)
{
    r->assessment_id = wbi_db_col_i64(st, 0);
    r->audience = strcmp(col_text(st, 1), "supervisor") == 0 ? WB_SHARE_SUPERVISOR : WB_SHARE_CSIRT;
    r->shared = wbi_db_col_int(st, 2) != 0;
    r->author = col_text(st, 3);
    r->at = wbi_db_col_i64(st, 4);
}

static int sq_ashare_list(wb_store *s, int64_t assessment_id, wb_assessment_share_cb cb, void *ud,
                          wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_ASHARE_LIST, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, assessment_id);
    WALK(q, st, err, false, "", wb_assessment_share_rec r, row_ashare(st, &r), cb(ud, &r));
}

const wbi_store_assess_ops wbi_sqlite_assess_ops = {
    .assessment_add = sq_assessment_add,
    .assessment_find = sq_assessment_find,
    .aversion_add = sq_aversion_add,
    .aversion_find = sq_aversion_find,
    .ashare_add = sq_ashare_add,
    .ashare_list = sq_ashare_list,
};
