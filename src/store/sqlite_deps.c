/*
 * sqlite_deps.c - the SQLite back end of the store's deps domain:
 * dependency pictures and their shares (wbi_store_deps_ops in store_internal.h).
 *
 * Its statements are its own: an enum and an SQL table, prepared once per
 * connection on first use (sqlite_internal.h). Its tables are made by the
 * migrations in sqlite.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

#define DSHARED(aud)                                                                               \
    "coalesce((SELECT s.shared FROM deps_shares s WHERE s.org_id=p.org_id AND"                     \
    " s.audience='" aud "' ORDER BY s.id DESC LIMIT 1),0)"

enum { S_DPIC_ADD, S_DPIC_LIST, S_DSHARE_ADD, S_COUNT };

static const char *const stmt_sql[S_COUNT] = {
    /* dependency pictures (migration 8): the next version in the statement,
     * under the writer's lock, bounded by the HAVING */
    [S_DPIC_ADD] = "INSERT INTO deps_pictures(org_id,version,json,author,created)"
                   " SELECT ?1,coalesce(max(version),0)+1,?2,?3,?4 FROM deps_pictures"
                   " WHERE org_id=?1 HAVING coalesce(max(version),0)<?5 RETURNING version",
    [S_DPIC_LIST] = "SELECT p.org_id,o.name,o.sector,p.version,p.json,p.author,p.created," DSHARED(
        "csirt") "," DSHARED("supervisor") " FROM deps_pictures p"
                                           " JOIN orgs o ON o.id=p.org_id WHERE (?1=0 OR "
                                           "p.org_id=?1) AND"
                                           " p.version=(SELECT max(x.version) FROM deps_pictures x "
                                           "WHERE"
                                           " x.org_id=p.org_id) ORDER BY p.org_id",
    [S_DSHARE_ADD] = "INSERT INTO deps_shares(org_id,audience,shared,author,at) VALUES(?,?,?,?,?)",
};

static wbi_stmt *stmt(sq_store *q, int which, wb_error *err)
{
    return wbi_sqlite_stmt(q, WBI_SQ_DEPS, stmt_sql, S_COUNT, which, err);
}

/* ---- dependency pictures (migration 8) ------------------------------------------------ */

/* The bound on versions lives in depsdb.h; the store keeps its own copy. */
#define MAX_DEPS_VERSIONS 100000

static int sq_dpic_add(wb_store *s, const wb_deps_picture_rec *r, int *version, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_DPIC_ADD, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, r->org_id);
    bind_text(st, 2, r->json);
    bind_text(st, 3, r->author);
    wbi_db_bind_i64(st, 4, wb_time_now());
    wbi_db_bind_int(st, 5, MAX_DEPS_VERSIONS);
    int rc = wbi_db_step(st), ret = 0;
    if (rc == WBI_DB_ROW) {
        if (version) *version = wbi_db_col_int(st, 0);
    } else if (rc == WBI_DB_DONE) {
        ret =
            wb_error_set(err, WB_ELIMIT, "organisation %lld has %d pictures, the most it may have",
                         (long long)r->org_id, MAX_DEPS_VERSIONS);
    } else if ((rc & 0xff) == WBI_DB_CONSTRAINT) {
        ret = wb_error_set(err, WB_EINVAL, "no organisation %lld", (long long)r->org_id);
    } else {
        ret = db_error(q, err, "writing");
    }
    done(st);
    return ret;
}

static void row_dpic(wbi_stmt *st, wb_deps_picture_rec *r)
{
    r->org_id = wbi_db_col_i64(st, 0);
    r->org_name = col_text(st, 1);
    r->org_sector = col_text(st, 2);
    r->version = wbi_db_col_int(st, 3);
    r->json = col_text(st, 4);
    r->author = col_text(st, 5);
    r->created = wbi_db_col_i64(st, 6);
    r->shared_csirt = wbi_db_col_int(st, 7) != 0;
    r->shared_supervisor = wbi_db_col_int(st, 8) != 0;
}

static int sq_dpic_list(wb_store *s, int64_t org_id, wb_deps_picture_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_DPIC_LIST, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, org_id);
    WALK(q, st, err, false, "", wb_deps_picture_rec r, row_dpic(st, &r), cb(ud, &r));
}

static int sq_dshare_add(wb_store *s, const wb_deps_share_rec *r, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_DSHARE_ADD, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, r->org_id);
    bind_text(st, 2, wb_share_audience_name(r->audience));
    wbi_db_bind_int(st, 3, r->shared ? 1 : 0);
    bind_text(st, 4, r->author);
    wbi_db_bind_i64(st, 5, r->at != WB_TIME_NONE && r->at != 0 ? r->at : wb_time_now());
    char msg[64];
    snprintf(msg, sizeof msg, "no organisation %lld", (long long)r->org_id);
    return run(q, st, msg, err);
}

const wbi_store_deps_ops wbi_sqlite_deps_ops = {
    .dpic_add = sq_dpic_add,
    .dpic_list = sq_dpic_list,
    .dshare_add = sq_dshare_add,
};
