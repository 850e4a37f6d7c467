/*
 * sqlite_misp.c - the store's MISP domain (store_misp.h, migration 14):
 * galaxies and their clusters, proposals (MISP's shadow attributes) and
 * the attribute look-up by MISP's numeric id.
 *
 * Statements are prepared per call (the statement layer, db.h), as in
 * sqlite_sync.c: these run once per MISP request or per galaxy cluster
 * imported, not per indicator.
 * Every function runs in the caller's transaction when one is open.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "weerbaar/store_misp.h"

/* 14: galaxies with their clusters (a cluster is attached to an event or
 * an attribute as its tag, misp-galaxy:TYPE="VALUE", so tag_name is
 * unique), and proposals on events of another organisation. */
const char wbi_sqlite_misp_m14[] =
    "CREATE TABLE galaxies(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " type TEXT NOT NULL UNIQUE, name TEXT NOT NULL, json TEXT NOT NULL,"
    " updated INTEGER NOT NULL);"
    "CREATE TABLE galaxy_clusters(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " galaxy_id INTEGER NOT NULL REFERENCES galaxies(id), value TEXT NOT NULL,"
    " tag_name TEXT NOT NULL UNIQUE, json TEXT NOT NULL);"
    "CREATE INDEX galaxy_clusters_galaxy ON galaxy_clusters(galaxy_id, value);"
    "CREATE TABLE shadow_attributes(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " event_id INTEGER NOT NULL REFERENCES events(id), attribute_id INTEGER,"
    " org_id INTEGER NOT NULL REFERENCES orgs(id), user_id INTEGER,"
    " action INTEGER NOT NULL CHECK(action IN (0,1,2)), json TEXT NOT NULL,"
    " state INTEGER NOT NULL DEFAULT 0 CHECK(state IN (0,1,2)), created INTEGER NOT NULL,"
    " decided INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX shadow_attributes_event ON shadow_attributes(event_id, state);"
    /* objects/delete finds an object's event by its attributes */
    "CREATE INDEX attributes_object ON attributes(object_uuid) WHERE object_uuid IS NOT NULL;";

static void bind_text(wbi_stmt *st, int i, const char *v)
{
    if (v)
        wbi_db_bind_text(st, i, v);
    else
        wbi_db_bind_null(st, i);
}

static const char *col(wbi_stmt *st, int i)
{
    return wbi_db_col_text(st, i);
}

/* Steps st, calling row for each row until it returns non-zero;
 * WB_ENOTFOUND when want_one and there was none. */
static int walk(wb_store *s, wbi_stmt *st, bool want_one, int (*row)(wbi_stmt *, void *), void *ud,
                wb_error *err)
{
    bool any = false;
    for (;;) {
        int rc = wbi_db_step(st);
        if (rc == WBI_DB_DONE) break;
        if (rc != WBI_DB_ROW) return wbi_sqlite_fail(s, st, NULL, err);
        any = true;
        if (row(st, ud)) break;
    }
    wbi_db_finalize(st);
    if (want_one && !any) return wb_error_set(err, WB_ENOTFOUND, "not found");
    return 0;
}

/* ---- galaxies --------------------------------------------------------------------------- */

/* Replaces the row with g's uuid or type (one statement form both back
 * ends take: PostgreSQL has one ON CONFLICT target per statement). */
int wb_store_galaxy_put(wb_store *s, const wb_galaxy_rec *g, int64_t *id, wb_error *err)
{
    for (int pass = 0; pass < 2; pass++) {
        wbi_stmt *st = wbi_sqlite_prep(
            s,
            pass == 0 ? "UPDATE galaxies SET uuid=lower(?1),type=?2,name=?3,json=?4,"
                        "updated=?5 WHERE uuid=lower(?1) OR type=?2 RETURNING id"
                      : "INSERT INTO galaxies(uuid,type,name,json,updated)"
                        " VALUES(lower(?1),?2,?3,?4,?5) RETURNING id",
            err);
        if (st == NULL) return err->code;
        bind_text(st, 1, g->uuid);
        bind_text(st, 2, g->type);
        bind_text(st, 3, g->name);
        bind_text(st, 4, g->json);
        wbi_db_bind_i64(st, 5, wb_time_now() / 1000000);
        int rc = wbi_db_step(st);
        if (rc == WBI_DB_ROW) {
            if (id) *id = wbi_db_col_i64(st, 0);
            wbi_db_finalize(st);
            return 0;
        }
        if (rc != WBI_DB_DONE) return wbi_sqlite_fail(s, st, NULL, err);
        wbi_db_finalize(st);
    }
    return wb_error_set(err, WB_EIO, "galaxy %s: not stored", g->type);
}

int wb_store_cluster_put(wb_store *s, const wb_cluster_rec *c, wb_error *err)
{
    for (int pass = 0; pass < 2; pass++) {
        wbi_stmt *st =
            wbi_sqlite_prep(s,
                            pass == 0 ? "UPDATE galaxy_clusters SET uuid=lower(?1),galaxy_id=?2,"
                                        "value=?3,tag_name=?4,json=?5"
                                        " WHERE uuid=lower(?1) OR tag_name=?4 RETURNING id"
                                      : "INSERT INTO galaxy_clusters(uuid,galaxy_id,value,"
                                        "tag_name,json) VALUES(lower(?1),?2,?3,?4,?5) RETURNING id",
                            err);
        if (st == NULL) return err->code;
        bind_text(st, 1, c->uuid);
        wbi_db_bind_i64(st, 2, c->galaxy_id);
        bind_text(st, 3, c->value);
        bind_text(st, 4, c->tag_name);
        bind_text(st, 5, c->json);
        int rc = wbi_db_step(st);
        if (rc == WBI_DB_ROW) {
            wbi_db_finalize(st);
            return 0;
        }
        if (rc != WBI_DB_DONE) return wbi_sqlite_fail(s, st, NULL, err);
        wbi_db_finalize(st);
    }
    return wb_error_set(err, WB_EIO, "cluster %s: not stored", c->tag_name);
}

typedef struct gwalk {
    wb_galaxy_cb cb;
    wb_cluster_cb ccb;
    wb_proposal_cb pcb;
    void *ud;
} gwalk;

static int galaxy_row(wbi_stmt *st, void *ud)
{
    gwalk *w = ud;
    wb_galaxy_rec g = {.id = wbi_db_col_i64(st, 0),
                       .uuid = col(st, 1),
                       .type = col(st, 2),
                       .name = col(st, 3),
                       .json = col(st, 4),
                       .clusters = wbi_db_col_i64(st, 5)};
    return w->cb(w->ud, &g);
}

#define GALAXY_COLS                                                                                \
    "SELECT g.id,g.uuid,g.type,g.name,g.json,"                                                     \
    "(SELECT count(*) FROM galaxy_clusters c WHERE c.galaxy_id=g.id) FROM galaxies g"

int wb_store_galaxy_list(wb_store *s, wb_galaxy_cb cb, void *ud, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(s, GALAXY_COLS " ORDER BY g.name COLLATE NOCASE, g.id", err);
    if (st == NULL) return err->code;
    gwalk w = {.cb = cb, .ud = ud};
    return walk(s, st, false, galaxy_row, &w, err);
}

int wb_store_galaxy_get(wb_store *s, const char *ref, wb_galaxy_cb cb, void *ud, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(
        s, GALAXY_COLS " WHERE CAST(g.id AS TEXT)=?1 OR g.uuid=lower(?1) OR g.type=?1 LIMIT 1",
        err);
    if (st == NULL) return err->code;
    bind_text(st, 1, ref);
    gwalk w = {.cb = cb, .ud = ud};
    return walk(s, st, true, galaxy_row, &w, err);
}

static int cluster_row(wbi_stmt *st, void *ud)
{
    gwalk *w = ud;
    wb_cluster_rec c = {.id = wbi_db_col_i64(st, 0),
                        .uuid = col(st, 1),
                        .galaxy_id = wbi_db_col_i64(st, 2),
                        .value = col(st, 3),
                        .tag_name = col(st, 4),
                        .json = col(st, 5)};
    return w->ccb(w->ud, &c);
}

#define CLUSTER_COLS "SELECT id,uuid,galaxy_id,value,tag_name,json FROM galaxy_clusters"

int wb_store_cluster_list(wb_store *s, int64_t galaxy_id, wb_cluster_cb cb, void *ud, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(
        s, CLUSTER_COLS " WHERE galaxy_id=? ORDER BY value COLLATE NOCASE, id", err);
    if (st == NULL) return err->code;
    wbi_db_bind_i64(st, 1, galaxy_id);
    gwalk w = {.ccb = cb, .ud = ud};
    return walk(s, st, false, cluster_row, &w, err);
}

int wb_store_cluster_get(wb_store *s, const char *ref, bool by_tag, wb_cluster_cb cb, void *ud,
                         wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(s,
                                   by_tag ? CLUSTER_COLS " WHERE tag_name=?1"
                                          : CLUSTER_COLS
                                       " WHERE CAST(id AS TEXT)=?1 OR uuid=lower(?1) LIMIT 1",
                                   err);
    if (st == NULL) return err->code;
    bind_text(st, 1, ref);
    gwalk w = {.ccb = cb, .ud = ud};
    return walk(s, st, true, cluster_row, &w, err);
}

/* ---- proposals ------------------------------------------------------------------------ */

int wb_store_proposal_add(wb_store *s, const wb_proposal_rec *p, int64_t *id, wb_error *err)
{
    char uuid[WB_UUID_LEN + 1];
    if (p->uuid == NULL) wb_uuid_v4(uuid);
    wbi_stmt *st =
        wbi_sqlite_prep(s,
                        "INSERT INTO shadow_attributes(uuid,event_id,attribute_id,org_id,"
                        "user_id,action,json,created) VALUES(lower(?),?,?,?,?,?,?,?) RETURNING id",
                        err);
    if (st == NULL) return err->code;
    bind_text(st, 1, p->uuid ? p->uuid : uuid);
    wbi_db_bind_i64(st, 2, p->event_id);
    if (p->attribute_id)
        wbi_db_bind_i64(st, 3, p->attribute_id);
    else
        wbi_db_bind_null(st, 3);
    wbi_db_bind_i64(st, 4, p->org_id);
    if (p->user_id)
        wbi_db_bind_i64(st, 5, p->user_id);
    else
        wbi_db_bind_null(st, 5);
    wbi_db_bind_int(st, 6, (int)p->action);
    bind_text(st, 7, p->json);
    wbi_db_bind_i64(st, 8, p->created);
    int rc = wbi_db_step(st);
    if (rc != WBI_DB_ROW) return wbi_sqlite_fail(s, st, NULL, err);
    if (id) *id = wbi_db_col_i64(st, 0);
    wbi_db_finalize(st);
    return 0;
}

static int proposal_row(wbi_stmt *st, void *ud)
{
    gwalk *w = ud;
    wb_proposal_rec p = {.id = wbi_db_col_i64(st, 0),
                         .uuid = col(st, 1),
                         .event_id = wbi_db_col_i64(st, 2),
                         .attribute_id = wbi_db_col_i64(st, 3),
                         .org_id = wbi_db_col_i64(st, 4),
                         .org_name = col(st, 5),
                         .user_id = wbi_db_col_i64(st, 6),
                         .email = col(st, 7),
                         .action = (wb_proposal_action)wbi_db_col_int(st, 8),
                         .json = col(st, 9),
                         .state = (wb_proposal_state)wbi_db_col_int(st, 10),
                         .created = wbi_db_col_i64(st, 11),
                         .decided = wbi_db_col_i64(st, 12)};
    return w->pcb(w->ud, &p);
}

#define PROPOSAL_COLS                                                                              \
    "SELECT p.id,p.uuid,p.event_id,coalesce(p.attribute_id,0),p.org_id,o.name,"                    \
    "coalesce(p.user_id,0),u.email,p.action,p.json,p.state,p.created,p.decided"                    \
    " FROM shadow_attributes p JOIN orgs o ON o.id=p.org_id"                                       \
    " LEFT JOIN users u ON u.id=p.user_id"

int wb_store_proposal_get(wb_store *s, int64_t id, wb_proposal_cb cb, void *ud, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(s, PROPOSAL_COLS " WHERE p.id=?", err);
    if (st == NULL) return err->code;
    wbi_db_bind_i64(st, 1, id);
    gwalk w = {.pcb = cb, .ud = ud};
    return walk(s, st, true, proposal_row, &w, err);
}

int wb_store_proposal_list(wb_store *s, int64_t event_id, wb_proposal_cb cb, void *ud,
                           wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(
        s, PROPOSAL_COLS " WHERE p.state=0 AND (?1=0 OR p.event_id=?1) ORDER BY p.id", err);
    if (st == NULL) return err->code;
    wbi_db_bind_i64(st, 1, event_id);
    gwalk w = {.pcb = cb, .ud = ud};
    return walk(s, st, false, proposal_row, &w, err);
}

int wb_store_proposal_close(wb_store *s, int64_t id, wb_proposal_state state, int64_t at,
                            wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(
        s, "UPDATE shadow_attributes SET state=?2, decided=?3 WHERE id=?1 AND state=0", err);
    if (st == NULL) return err->code;
    wbi_db_bind_i64(st, 1, id);
    wbi_db_bind_int(st, 2, (int)state);
    wbi_db_bind_i64(st, 3, at);
    int rc = wbi_sqlite_run(s, st, NULL, err);
    if (rc == 0 && wbi_db_changes(wbi_sqlite_db(s)) == 0)
        return wb_error_set(err, WB_ENOTFOUND, "proposal %lld is not open", (long long)id);
    return rc;
}

/* ---- attributes by id -------------------------------------------------------------------- */

int wb_store_attr_uuid_of(wb_store *s, int64_t id, char uuid[WB_UUID_LEN + 1], wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(s, "SELECT uuid FROM attributes WHERE id=?", err);
    if (st == NULL) return err->code;
    wbi_db_bind_i64(st, 1, id);
    int rc = wbi_db_step(st);
    if (rc == WBI_DB_ROW) {
        snprintf(uuid, WB_UUID_LEN + 1, "%s", col(st, 0));
        wbi_db_finalize(st);
        return 0;
    }
    if (rc != WBI_DB_DONE) return wbi_sqlite_fail(s, st, NULL, err);
    wbi_db_finalize(st);
    return wb_error_set(err, WB_ENOTFOUND, "no attribute %lld", (long long)id);
}

int wb_store_object_event_uuid(wb_store *s, const char *object_uuid, char uuid[WB_UUID_LEN + 1],
                               wb_error *err)
{
    wbi_stmt *st =
        wbi_sqlite_prep(s,
                        "SELECT e.uuid FROM attributes a JOIN events e ON e.id=a.event_id"
                        " WHERE a.object_uuid=lower(?) AND a.deleted=0 LIMIT 1",
                        err);
    if (st == NULL) return err->code;
    bind_text(st, 1, object_uuid);
    int rc = wbi_db_step(st);
    if (rc == WBI_DB_ROW) {
        snprintf(uuid, WB_UUID_LEN + 1, "%s", col(st, 0));
        wbi_db_finalize(st);
        return 0;
    }
    if (rc != WBI_DB_DONE) return wbi_sqlite_fail(s, st, NULL, err);
    wbi_db_finalize(st);
    return wb_error_set(err, WB_ENOTFOUND, "no object %.64s", object_uuid);
}
