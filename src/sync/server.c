/*
 * server.c - the servers a hub synchronises with (`weerbaar admin server`):
 * add, remove, list. The writes are the share service's
 * (share/sync_servers.c), which validates, audits and commits; the remote
 * key is kept for the sync engine and never shown again: the list has
 * everything else.
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

/* The local operator: `weerbaar admin server` acts on the hub's own
 * database (channel cli, audited as user "cli" of organisation "-"). */
static const wb_actor operator_actor = {
    .user = "cli", .org_name = "-", .role = WB_ROLE_SITE_ADMIN, .channel = WB_ACTOR_CLI};

int wb_sync_server_add(wb_store *st, const wb_sync_server_opts *o, bool *created_org, wb_error *err)
{
    *created_org = false;
    /* the service's checks first, then the rules (the sync module's
     * language), then the service's write */
    int rc = wbi_share_server_check(o, err);
    if (rc == 0) rc = wbi_sync_rules_check(o->rules, err);
    if (rc == 0) rc = wbi_share_server_add(st, &operator_actor, o, created_org, err);
    return rc;
}

int wb_sync_server_remove(wb_store *st, const char *name, wb_error *err)
{
    return wbi_share_server_remove(st, &operator_actor, name, err);
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
