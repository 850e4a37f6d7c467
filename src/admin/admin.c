/*
 * admin.c - the hub database's operation (admin.h): connections and read
 * snapshots for the front ends, the schema's state, the audit log's
 * writing and chain, routes, reminder webhooks, the warninglists' listing,
 * backup and restore. The demo's accounts are in demo.c.
 *
 * Each write validates, opens its transaction, writes, audits as the
 * actor and commits here, so `weerbaar admin --db` and the hub cannot
 * apply different rules.
 */
#include <stdio.h>
#include <string.h>

#include "weerbaar/admin.h"
#include "weerbaar/incident.h"

/* ---- a connection ------------------------------------------------------------ */

int wb_admin_open(wb_store **s, const char *path, wb_error *err)
{
    return wb_store_open(s, path, err);
}

void wb_admin_close(wb_store *s)
{
    wb_store_close(s);
}

void wb_admin_read_begin(wb_store *s)
{
    wb_store_read_begin(s);
}

int wb_admin_read_end(wb_store *s, wb_error *err)
{
    return wb_store_read_end(s, err);
}

int wb_admin_schema_version(wb_store *s)
{
    return wb_store_schema_version(s);
}

int wb_admin_schema_check(wb_store *s, int64_t *in_db, int *known, wb_error *err)
{
    return wb_store_schema_check(s, in_db, known, err);
}

int wb_admin_feed_seq(wb_store *s, int64_t *seq, wb_error *err)
{
    return wb_store_event_seq_max(s, seq, err);
}

/* ---- the audit log ----------------------------------------------------------- */

int wb_admin_audit_write(wb_store *s, const wb_audit_rec *recs, size_t n, wb_error *err)
{
    if (n == 0) return 0;
    int rc = wb_store_begin(s, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = wb_store_audit(s, &recs[i], err);
    if (rc == 0) rc = wb_store_commit(s, err);
    if (rc) wb_store_rollback(s);
    return rc;
}

int wb_admin_audit_verify(wb_store *s, wb_audit_check *out, wb_error *err)
{
    return wb_store_audit_verify(s, out, err);
}

int wb_admin_audit_verify_file(wb_store *s, const char *path, wb_audit_check *out, wb_error *err)
{
    return wb_store_audit_verify_file(s, path, out, err);
}

int wb_admin_audit_archive(wb_store *s, const wb_actor *who, wb_time before, const char *path,
                           wb_audit_check *out, wb_error *err)
{
    return wb_store_audit_archive(s, before, path, who->user, out, err);
}

/* Ends the write transaction of an action with its audit entry: commits
 * both, or rolls both back. */
static int audited(wb_store *s, const wb_actor *who, int rc, const char *action, const char *object,
                   const char *detail, wb_error *err)
{
    if (rc == 0) {
        wb_audit_rec a = {.user = who->user,
                          .org = who->org_name,
                          .action = action,
                          .object = object,
                          .detail = detail};
        rc = wb_store_audit(s, &a, err);
    }
    if (rc == 0) rc = wb_store_commit(s, err);
    if (rc) wb_store_rollback(s);
    return rc;
}

/* ---- routes ------------------------------------------------------------------ */

int wb_admin_route_list(wb_store *s, wb_route_cb cb, void *ud, wb_error *err)
{
    return wb_store_route_list(s, cb, ud, err);
}

typedef struct org_pick {
    int64_t id;
    wb_org_kind kind;
} org_pick;

static int org_pick_cb(void *ud, const wb_org *o)
{
    org_pick *p = ud;
    p->id = o->id;
    p->kind = o->kind;
    return 1;
}

int wb_admin_route_set(wb_store *s, const wb_actor *who, const char *sector, const char *csirt,
                       const char *supervisor, wb_error *err)
{
    if (strcmp(sector, "*") != 0 && !wb_sector_valid(sector))
        return wb_error_set(err, WB_EINVAL,
                            "admin route add: --sector '%s' is not a NIS2 sector (see "
                            "'weerbaar incident taxonomy sectors'), or '*' for every sector "
                            "without a route",
                            sector);
    org_pick c = {0}, sup = {0};
    int rc = wb_store_org_find(s, csirt, org_pick_cb, &c, err);
    if (rc) return rc;
    if (c.kind != WB_ORG_CSIRT)
        return wb_error_set(err, WB_EINVAL,
                            "admin route add: --csirt '%s' is a %s organisation, not a csirt",
                            csirt, wb_org_kind_name(c.kind));
    if (supervisor) {
        rc = wb_store_org_find(s, supervisor, org_pick_cb, &sup, err);
        if (rc) return rc;
        if (sup.kind != WB_ORG_SUPERVISOR)
            return wb_error_set(err, WB_EINVAL,
                                "admin route add: --supervisor '%s' is a %s organisation, not a "
                                "supervisor",
                                supervisor, wb_org_kind_name(sup.kind));
    }
    char detail[300];
    snprintf(detail, sizeof detail, "csirt %s, supervisor %s", csirt,
             supervisor ? supervisor : "-");
    rc = wb_store_begin(s, err);
    if (rc == 0) rc = wb_store_route_set(s, sector, c.id, sup.id, err);
    return audited(s, who, rc, "route.set", sector, detail, err);
}

/* ---- reminder webhooks ------------------------------------------------------- */

int wb_admin_hook_list(wb_store *s, const char *org, wb_hook_cb cb, void *ud, wb_error *err)
{
    org_pick o = {0};
    if (org) {
        int rc = wb_store_org_find(s, org, org_pick_cb, &o, err);
        if (rc) return rc;
    }
    return wb_store_hook_list(s, o.id, false, cb, ud, err);
}

int wb_admin_hook_deliveries(wb_store *s, int64_t hook_id, wb_delivery_cb cb, void *ud,
                             wb_error *err)
{
    return wb_store_delivery_list(s, hook_id, cb, ud, err);
}

int wb_admin_hook_add(wb_store *s, const wb_actor *who, const char *org, const char *url,
                      bool allow_insecure, bool allow_private, int64_t *id,
                      char secret[WB_HOOK_SECRET_LEN + 1], wb_error *err)
{
    org_pick o = {0};
    int rc = wb_store_org_find(s, org, org_pick_cb, &o, err);
    if (rc == 0) rc = wb_hook_url_check(url, allow_insecure, allow_private, err);
    if (rc) return rc;
    wb_hook_secret_new(secret);
    *id = 0;
    rc = wb_store_begin(s, err);
    if (rc == 0) rc = wb_store_hook_add(s, o.id, url, secret, id, err);
    char obj[32];
    snprintf(obj, sizeof obj, "hook %lld", (long long)*id);
    return audited(s, who, rc, "hook.add", obj, url, err);
}

int wb_admin_hook_add_mail(wb_store *s, const wb_actor *who, const char *org, const char *address,
                           const char *lang, int64_t *id, wb_error *err)
{
    org_pick o = {0};
    int rc = wb_store_org_find(s, org, org_pick_cb, &o, err);
    if (rc) return rc;
    /* The secret signs webhooks only; the column wants one. */
    char secret[WB_HOOK_SECRET_LEN + 1];
    wb_hook_secret_new(secret);
    *id = 0;
    rc = wb_store_begin(s, err);
    if (rc == 0) rc = wb_store_hook_add_mail(s, o.id, address, lang ? lang : "nl", secret, id, err);
    char obj[32];
    snprintf(obj, sizeof obj, "hook %lld", (long long)*id);
    return audited(s, who, rc, "hook.add", obj, address, err);
}

int wb_admin_hook_remove(wb_store *s, const wb_actor *who, int64_t id, const char *object,
                         wb_error *err)
{
    char obj[24];
    snprintf(obj, sizeof obj, "%lld", (long long)id);
    int rc = wb_store_begin(s, err);
    if (rc == 0) rc = wb_store_hook_remove(s, id, wb_time_now(), err);
    return audited(s, who, rc, "hook.remove", object ? object : obj, NULL, err);
}

/* ---- warninglists ------------------------------------------------------------ */

int wb_admin_warninglist_list(wb_store *s, wb_warninglist_cb cb, void *ud, wb_error *err)
{
    return wb_store_warninglist_list(s, cb, ud, err);
}

/* ---- backup and restore ------------------------------------------------------ */

int wb_admin_backup(const char *db, const char *out, wb_error *err)
{
    return wb_store_backup(db, out, err);
}

int wb_admin_restore(const char *file, const char *db, bool force, wb_error *err)
{
    return wb_store_restore(file, db, force, err);
}
