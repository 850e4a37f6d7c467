/*
 * sqlite_vulnscan.c - the SQLite side of the hub's vulnerability scans
 * (store_vulnscan.h, migration 12). Statements are prepared per call, as
 * in sqlite_web.c: scans are uploaded and read by people, not machines.
 * Writes run inside the caller's transaction.
 */
#include <stdio.h>
#include <string.h>

#include "store/store_internal.h"

/* Never edit once shipped: a change is the next migration. */
const char wbi_sqlite_vulnscan_schema[] =
    "CREATE TABLE vuln_scans(id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id),"
    " name TEXT NOT NULL, author TEXT NOT NULL, created INTEGER NOT NULL,"
    " components INTEGER NOT NULL, findings INTEGER NOT NULL, kev INTEGER NOT NULL,"
    " overdue INTEGER NOT NULL, summary TEXT NOT NULL, body TEXT NOT NULL,"
    " shared_csirt INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX vuln_scans_org ON vuln_scans(org_id, id);";

#define COLS                                                                                       \
    "v.id,v.org_id,o.name,o.sector,v.name,v.author,v.created,v.components,v.findings,v.kev,"       \
    "v.overdue,v.summary,v.shared_csirt"

static int vs_add(wb_store *s, const wb_vscan_rec *r, int64_t *id, wb_error *err)
{
    wbi_stmt *st =
        wbi_sqlite_prep(s,
                        "INSERT INTO vuln_scans(org_id,name,author,created,components,findings,"
                        "kev,overdue,summary,body) VALUES(?,?,?,?,?,?,?,?,?,?)",
                        err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, r->org_id);
    wbi_db_bind_text(st, 2, r->name);
    wbi_db_bind_text(st, 3, r->author);
    wbi_db_bind_i64(st, 4, r->created);
    wbi_db_bind_i64(st, 5, r->components);
    wbi_db_bind_i64(st, 6, r->findings);
    wbi_db_bind_i64(st, 7, r->kev);
    wbi_db_bind_i64(st, 8, r->overdue);
    wbi_db_bind_text(st, 9, r->summary);
    wbi_db_bind_text(st, 10, r->body);
    int rc = wbi_db_step(st) == WBI_DB_DONE ? 0 : wbi_sqlite_error(s, err, "storing a scan");
    wbi_db_finalize(st);
    if (rc == 0) *id = wbi_db_last_id(wbi_sqlite_db(s));
    return rc;
}

static int walk(wb_store *s, wbi_stmt *st, bool body, wb_vscan_cb cb, void *ud, bool one,
                wb_error *err)
{
    int rc, n = 0;
    while ((rc = wbi_db_step(st)) == WBI_DB_ROW) {
        wb_vscan_rec r = {
            .id = wbi_db_col_i64(st, 0),
            .org_id = wbi_db_col_i64(st, 1),
            .org_name = wbi_db_col_text(st, 2),
            .org_sector = wbi_db_col_text(st, 3),
            .name = wbi_db_col_text(st, 4),
            .author = wbi_db_col_text(st, 5),
            .created = wbi_db_col_i64(st, 6),
            .components = wbi_db_col_i64(st, 7),
            .findings = wbi_db_col_i64(st, 8),
            .kev = wbi_db_col_i64(st, 9),
            .overdue = wbi_db_col_i64(st, 10),
            .summary = wbi_db_col_text(st, 11),
            .shared_csirt = wbi_db_col_int(st, 12) != 0,
            .body = body ? wbi_db_col_text(st, 13) : NULL,
        };
        n++;
        if (cb(ud, &r) != 0) break;
    }
    int ret = rc == WBI_DB_ROW || rc == WBI_DB_DONE ? 0 : wbi_sqlite_error(s, err, "reading scans");
    wbi_db_finalize(st);
    if (ret == 0 && one && n == 0) ret = wb_error_set(err, WB_ENOTFOUND, "no such scan");
    return ret;
}

static int vs_get(wb_store *s, int64_t id, wb_vscan_cb cb, void *ud, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(
        s, "SELECT " COLS ",v.body FROM vuln_scans v JOIN orgs o ON o.id=v.org_id WHERE v.id=?",
        err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, id);
    return walk(s, st, true, cb, ud, true, err);
}

static int vs_list(wb_store *s, int64_t org_id, wb_vscan_cb cb, void *ud, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(s,
                                   "SELECT " COLS " FROM vuln_scans v JOIN orgs o ON o.id=v.org_id"
                                   " WHERE ?1=0 OR v.org_id=?1 ORDER BY v.id DESC",
                                   err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, org_id);
    return walk(s, st, false, cb, ud, false, err);
}

static int vs_share(wb_store *s, int64_t id, bool shared, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(s, "UPDATE vuln_scans SET shared_csirt=? WHERE id=?", err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_int(st, 1, shared);
    wbi_db_bind_i64(st, 2, id);
    int rc = wbi_db_step(st) == WBI_DB_DONE ? 0 : wbi_sqlite_error(s, err, "sharing a scan");
    wbi_db_finalize(st);
    if (rc == 0 && wbi_db_changes(wbi_sqlite_db(s)) == 0)
        rc = wb_error_set(err, WB_ENOTFOUND, "no such scan");
    return rc;
}

const wbi_store_vscan_ops wbi_sqlite_vscan_ops = {
    .add = vs_add,
    .get = vs_get,
    .list = vs_list,
    .share = vs_share,
};
