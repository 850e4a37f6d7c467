/*
 * sync_servers.c - the share service's writes for the sync module's own
 * bookkeeping (sync_servers.h): servers added and removed, a run's
 * progress, the audit of a site admin's reads of the sync index. Each
 * validates, opens its transaction, writes, audits as the actor and
 * commits.
 */
#include <stdio.h>
#include <string.h>

#include "share/sync_servers.h"

static int audit(wb_store *st, const wb_actor *who, const char *action, const char *object,
                 const char *detail, wb_error *err)
{
    wb_audit_rec a = {.user = who->user,
                      .org = who->org_name,
                      .action = action,
                      .object = object,
                      .detail = detail};
    return wb_store_audit(st, &a, err);
}

static int org_id_cb(void *ud, const wb_org *o)
{
    *(int64_t *)ud = o->id;
    return 1;
}

static int sg_id_cb(void *ud, const wb_sgroup *g)
{
    *(int64_t *)ud = g->id;
    return 1;
}

/* The sharing groups of a comma-separated list, by name or uuid. */
static int sgroup_ids(wb_store *st, const char *list, int64_t *ids, size_t max, size_t *n,
                      wb_error *err)
{
    *n = 0;
    const char *p = list;
    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char name[WB_NAME_MAX + 1];
        if (len == 0 || len > WB_NAME_MAX || *n == max)
            return wb_error_set(err, WB_EINVAL,
                                "--sharing-groups: a list of 1-%zu sharing group names", max);
        memcpy(name, p, len);
        name[len] = '\0';
        int64_t id = 0;
        int rc = wb_store_sgroup_find(st, 0, name, sg_id_cb, &id, err);
        if (rc == WB_ENOTFOUND || (rc == 0 && id == 0))
            return wb_error_set(err, WB_ENOTFOUND, "unknown sharing group '%s'", name);
        if (rc) return rc;
        ids[(*n)++] = id;
        p += len + (comma ? 1 : 0);
    }
    return 0;
}

int wbi_share_server_check(const wb_sync_server_opts *o, wb_error *err)
{
    if (o->url == NULL ||
        (strncmp(o->url, "http://", 7) != 0 && strncmp(o->url, "https://", 8) != 0))
        return wb_error_set(err, WB_EINVAL, "--url: expected an http:// or https:// URL");
    if (strlen(o->url) > 2000) return wb_error_set(err, WB_EINVAL, "--url: longer than 2000 bytes");
    if (o->key == NULL || o->key[0] == '\0' || strlen(o->key) > 512)
        return wb_error_set(err, WB_EINVAL, "--key: the remote hub's API key (1-512 bytes)");
    for (const char *k = o->key; *k; k++)
        if ((unsigned char)*k <= ' ' || *k == 0x7f)
            return wb_error_set(err, WB_EINVAL, "--key: no spaces or control characters");
    if (!o->pull && !o->push && !o->push_sightings)
        return wb_error_set(err, WB_EINVAL, "give --pull, --push, --push-sightings or a mix");
    return 0;
}

int wbi_share_server_add(wb_store *st, const wb_actor *who, const wb_sync_server_opts *o,
                         bool *created_org, wb_error *err)
{
    *created_org = false;
    int rc = wbi_share_server_check(o, err);
    if (rc) return rc;
    int64_t sgs[WB_PRINCIPAL_MAX_GROUPS];
    size_t nsgs = 0;
    rc = wb_store_begin(st, err);
    if (rc) return rc;
    if (o->sgroups) rc = sgroup_ids(st, o->sgroups, sgs, WB_PRINCIPAL_MAX_GROUPS, &nsgs, err);
    const char *org = o->org ? o->org : o->name;
    int64_t org_id = 0;
    if (rc == 0) {
        rc = wb_store_org_find(st, org, org_id_cb, &org_id, err);
        if (rc == WB_ENOTFOUND) {
            rc = wb_store_org_add(st, org, WB_ORG_OTHER, NULL, NULL, &org_id, err);
            if (rc == 0) rc = audit(st, who, "org.add", org, "for sync server", err);
            *created_org = rc == 0;
        }
    }
    wb_sync_server_rec r = {.name = o->name,
                            .url = o->url,
                            .key = o->key,
                            .org_id = org_id,
                            .pull = o->pull,
                            .push = o->push,
                            .push_sightings = o->push_sightings,
                            .rules = o->rules};
    if (rc == 0) rc = wb_store_server_add(st, &r, sgs, nsgs, NULL, err);
    if (rc == 0) {
        char d[WB_ERROR_MSG_MAX];
        snprintf(d, sizeof d, "%.900s as %.128s;%s%s%s; sharing groups: %.600s", o->url, org,
                 o->pull ? " pull" : "", o->push ? " push" : "",
                 o->push_sightings ? " push-sightings" : "", o->sgroups ? o->sgroups : "-");
        rc = audit(st, who, "server.add", o->name, d, err);
    }
    if (rc == 0) rc = wb_store_commit(st, err);
    if (rc) {
        wb_store_rollback(st);
        *created_org = false;
    }
    return rc;
}

int wbi_share_server_remove(wb_store *st, const wb_actor *who, const char *name, wb_error *err)
{
    int rc = wb_store_begin(st, err);
    if (rc) return rc;
    rc = wb_store_server_remove(st, name, err);
    if (rc == 0) rc = audit(st, who, "server.remove", name, NULL, err);
    if (rc == 0) rc = wb_store_commit(st, err);
    if (rc) wb_store_rollback(st);
    return rc;
}

int wbi_share_server_progress(wb_store *st, const wb_actor *who, int64_t id, const char *name,
                              bool push, int64_t cursor, const char *result, bool audited,
                              wb_error *err)
{
    int rc = wb_store_begin(st, err);
    if (rc) return rc;
    rc = wb_store_server_progress(st, id, push, cursor, wb_time_now() / 1000000, result, err);
    if (rc == 0 && audited)
        rc = audit(st, who, push ? "server.push" : "server.pull", name, result, err);
    if (rc == 0) rc = wb_store_commit(st, err);
    if (rc) wb_store_rollback(st);
    return rc;
}

int wbi_share_audit_reads(wb_store *st, const wb_actor *who, const char (*uuids)[WB_UUID_LEN + 1],
                          size_t n, const char *detail, wb_error *err)
{
    if (n == 0) return 0;
    int rc = wb_store_begin(st, err);
    if (rc) return rc;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = audit(st, who, "read.admin", uuids[i], detail, err);
    if (rc == 0) rc = wb_store_commit(st, err);
    if (rc) wb_store_rollback(st);
    return rc;
}
