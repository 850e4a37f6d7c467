/*
 * server.c - the servers a hub synchronises with (`weerbaar admin server`):
 * add, remove, list, each audited. The remote key is kept for the sync
 * engine and never shown again: the list has everything else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/sync_internal.h"

int wb_sync_open(wb_store **st, const char *db, wb_error *err)
{
    return wb_store_open(st, db, err);
}

void wb_sync_close(wb_store *st)
{
    wb_store_close(st);
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

static int audit(wb_store *st, const char *action, const char *object, const char *detail,
                 wb_error *err)
{
    wb_audit_rec a = {
        .user = "cli", .org = "-", .action = action, .object = object, .detail = detail};
    return wb_store_audit(st, &a, err);
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

int wb_sync_server_add(wb_store *st, const wb_sync_server_opts *o, bool *created_org, wb_error *err)
{
    *created_org = false;
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
    int rc = wbi_sync_rules_check(o->rules, err);
    if (rc) return rc;
    int64_t sgs[WB_PRINCIPAL_MAX_GROUPS];
    size_t nsgs = 0;
    rc = wb_store_begin(st, err);
    if (rc == 0 && o->sgroups)
        rc = sgroup_ids(st, o->sgroups, sgs, WB_PRINCIPAL_MAX_GROUPS, &nsgs, err);
    const char *org = o->org ? o->org : o->name;
    int64_t org_id = 0;
    if (rc == 0) {
        rc = wb_store_org_find(st, org, org_id_cb, &org_id, err);
        if (rc == WB_ENOTFOUND) {
            rc = wb_store_org_add(st, org, WB_ORG_OTHER, NULL, NULL, &org_id, err);
            if (rc == 0) rc = audit(st, "org.add", org, "for sync server", err);
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
        rc = audit(st, "server.add", o->name, d, err);
    }
    if (rc == 0) rc = wb_store_commit(st, err);
    if (rc) {
        wb_store_rollback(st);
        *created_org = false;
    }
    return rc;
}

int wb_sync_server_remove(wb_store *st, const char *name, wb_error *err)
{
    int rc = wb_store_begin(st, err);
    if (rc == 0) rc = wb_store_server_remove(st, name, err);
    if (rc == 0) rc = audit(st, "server.remove", name, NULL, err);
    if (rc == 0) rc = wb_store_commit(st, err);
    if (rc) wb_store_rollback(st);
    return rc;
}

static json_t *time_or_null(int64_t t)
{
    if (t <= 0) return json_null();
    char buf[40];
    wb_time tt;
    if (wb_time_from_unix(t, &tt) != 0) return json_null();
    wb_time_format(tt, buf, sizeof buf);
    return json_string(buf);
}

static int list_cb(void *ud, const wb_sync_server_rec *r)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:b,s:b}", "name", r->name, "url", r->url, "org",
                          r->org_name ? r->org_name : "?", "pull", r->pull, "push", r->push);
    if (o == NULL) return 1;
    json_object_set_new(o, "rules", r->rules ? json_loads(r->rules, 0, NULL) : json_null());
    json_t *sg = json_array();
    const char *p = r->sgroups;
    while (p && *p) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        json_array_append_new(sg, json_stringn(p, n));
        p += n + (c ? 1 : 0);
    }
    json_object_set_new(o, "sharing_groups", sg);
    json_object_set_new(o, "pull_cursor", json_integer(r->pull_cursor));
    json_object_set_new(o, "push_cursor", json_integer(r->push_cursor));
    json_object_set_new(o, "push_sightings", json_boolean(r->push_sightings));
    json_object_set_new(o, "sighting_push_cursor", json_integer(r->sighting_push_cursor));
    json_object_set_new(o, "sighting_pull_cursor", json_integer(r->sighting_pull_cursor));
    json_object_set_new(o, "last_pull", time_or_null(r->last_pull));
    json_object_set_new(o, "last_push", time_or_null(r->last_push));
    json_object_set_new(o, "last_result",
                        r->last_result ? json_string(r->last_result) : json_null());
    json_array_append_new(ud, o);
    return 0;
}

int wb_sync_server_list(wb_store *st, json_t **out, wb_error *err)
{
    *out = json_array();
    if (*out == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    int rc = wb_store_server_list(st, list_cb, *out, err);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

static int first_cb(void *ud, const wb_sync_server_rec *r)
{
    *(int64_t *)ud = r->id;
    return 1;
}

int wb_sync_caller(wb_store *st, int64_t org_id, int64_t *server_id, wb_error *err)
{
    *server_id = 0;
    if (org_id <= 0) return 0;
    return wb_store_server_find(st, NULL, org_id, first_cb, server_id, err);
}

typedef struct org_of {
    int64_t id, org;
} org_of;

static int org_of_cb(void *ud, const wb_sync_server_rec *r)
{
    org_of *o = ud;
    if (r->id != o->id) return 0;
    o->org = r->org_id;
    return 1;
}

int wbi_sync_server_org(wb_store *st, int64_t server_id, int64_t *org, wb_error *err)
{
    org_of o = {.id = server_id};
    int rc = wb_store_server_list(st, org_of_cb, &o, err);
    if (rc == 0 && o.org == 0)
        rc = wb_error_set(err, WB_ENOTFOUND, "no server %lld", (long long)server_id);
    *org = o.org;
    return rc;
}
