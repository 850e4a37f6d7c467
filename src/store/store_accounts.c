/*
 * store_accounts.c - the public face of the accounts domain's
 * administration (store.h, "administration"): checks that do not depend on
 * the back end, then the back end's wbi_store_admin_ops. The rules of who may
 * do what, and the audit entries, are the accounts service's (accounts.h).
 */
#include <string.h>

#include "store/store_internal.h"

int wb_store_org_update(wb_store *s, int64_t id, const char *name, const wb_org_kind *kind,
                        const char *sector, const char *kvk, int disabled, wb_error *err)
{
    if (name && (name[0] == '\0' || strlen(name) > WB_NAME_MAX))
        return wb_error_set(err, WB_EINVAL, "an organisation name is 1-%d bytes", WB_NAME_MAX);
    return s->admin->org_update(s, id, name, kind, sector, kvk, disabled, err);
}

int wb_store_org_holdings(wb_store *s, int64_t id, wb_holding_cb cb, void *ud, wb_error *err)
{
    return s->admin->org_holdings(s, id, cb, ud, err);
}

int wb_store_org_remove(wb_store *s, int64_t id, int64_t transfer_to, wb_error *err)
{
    if (transfer_to == id)
        return wb_error_set(err, WB_EINVAL, "an organisation cannot be given its own records");
    return s->admin->org_remove(s, id, transfer_to, err);
}

int wb_store_user_update(wb_store *s, int64_t id, int64_t org_id, const wb_role *role, int disabled,
                         wb_error *err)
{
    return s->admin->user_update(s, id, org_id, role, disabled, err);
}

int wb_store_user_remove(wb_store *s, int64_t id, wb_error *err)
{
    return s->admin->user_remove(s, id, err);
}

int wb_store_key_set(wb_store *s, int64_t id, wb_time expires, const char *comment, wb_error *err)
{
    return s->admin->key_set(s, id, expires, comment, err);
}

int wb_store_key_touch(wb_store *s, int64_t id, wb_time day, wb_error *err)
{
    return s->admin->key_touch(s, id, day, err);
}

int wb_store_sgroup_rename(wb_store *s, int64_t id, const char *name, wb_error *err)
{
    if (name[0] == '\0' || strlen(name) > WB_NAME_MAX)
        return wb_error_set(err, WB_EINVAL, "sharing group name must be 1-%d bytes", WB_NAME_MAX);
    return s->admin->sgroup_rename(s, id, name, err);
}

int wb_store_sgroup_member(wb_store *s, int64_t sg_id, int64_t org_id, bool add, bool *changed,
                           wb_error *err)
{
    return s->admin->sgroup_member(s, sg_id, org_id, add, changed, err);
}

int wb_store_sgroup_removed_since(wb_store *s, int64_t org_id, int64_t after, int64_t *ids,
                                  size_t max, size_t *n, wb_error *err)
{
    return s->admin->sgroup_removed_since(s, org_id, after, ids, max, n, err);
}

int wb_store_sgroup_touch(wb_store *s, int64_t sg_id, int64_t *n, wb_error *err)
{
    return s->admin->sgroup_touch(s, sg_id, n, err);
}

int wb_store_audit_query(wb_store *s, const wb_audit_filter *f, wb_audit_cb cb, void *ud,
                         wb_error *err)
{
    return s->admin->audit_query(s, f, cb, ud, err);
}
