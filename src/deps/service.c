/*
 * service.c - what the front ends of the dependency picture need from the
 * store besides depsdb.c (depsdb.h): opening a local database, the
 * organisation look-ups the policy and `deps sectors --for` need, and the
 * audit entry of a site admin's read. `weerbaar deps --db` and the hub's
 * deps endpoints call these, so neither front end touches the store.
 */
#include "weerbaar/depsdb.h"
#include "weerbaar/store.h"

int wb_depsdb_open(wb_store **s, const char *path, wb_error *err)
{
    return wb_store_open(s, path, err);
}

void wb_depsdb_close(wb_store *s)
{
    wb_store_close(s);
}

typedef struct org_pick {
    int64_t id;
    wb_org_kind kind;
} org_pick;

static int org_cb(void *ud, const wb_org *o)
{
    org_pick *p = ud;
    p->id = o->id;
    p->kind = o->kind;
    return 1;
}

int wb_depsdb_org_find(wb_store *s, const char *name, int64_t *id, wb_org_kind *kind, wb_error *err)
{
    org_pick p = {0, WB_ORG_OTHER};
    int rc = wb_store_org_find(s, name, org_cb, &p, err);
    *id = p.id;
    *kind = p.kind;
    return rc;
}

int wb_depsdb_org_kind(wb_store *s, int64_t id, wb_org_kind *kind, wb_error *err)
{
    org_pick p = {0, WB_ORG_OTHER};
    int rc = wb_store_org_get(s, id, org_cb, &p, err);
    *kind = p.kind;
    return rc;
}

int wb_depsdb_audit_sectors(wb_store *s, const char *user, const char *org,
                            wb_share_audience audience, wb_error *err)
{
    wb_audit_rec a = {.user = user,
                      .org = org,
                      .action = "deps.sectors.read",
                      .object = "dependency sector view",
                      .detail = wb_share_audience_name(audience)};
    int rc = wb_store_begin(s, err);
    if (rc == 0) rc = wb_store_audit(s, &a, err);
    if (rc == 0) rc = wb_store_commit(s, err);
    if (rc != 0) wb_store_rollback(s);
    return rc;
}
