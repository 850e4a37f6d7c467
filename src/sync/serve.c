/*
 * serve.c - the answers of the MISP routes servers sync through
 * (src/hub/misp_sync_api.c): /events/index with MISP's filters and
 * /events/view for a sync caller.
 *
 * Every event goes through the read policy (wb_policy_read) as on every
 * other path; for a sync caller (a key of the organisation a server was
 * added with) also through the rules of what may leave to that server, so
 * a remote hub never lists, counts or fetches what may not travel to it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub_internal.h"
#include "sync/sync_internal.h"

/* The largest index answer: MISP pages with limit/page; without a limit a
 * caller gets at most this many. */
#define MAX_INDEX 200000

int wb_sync_event_ref(wb_store *st, const char *ref, char uuid[37], wb_error *err)
{
    size_t n = strlen(ref);
    int64_t id;
    if (n == WB_UUID_LEN && wb_uuid_valid(ref, n)) {
        for (size_t i = 0; i <= n; i++)
            uuid[i] = (char)(ref[i] >= 'A' && ref[i] <= 'Z' ? ref[i] + 32 : ref[i]);
        return 0;
    }
    if (wb_parse_i64(ref, n, 1, INT64_MAX, &id) != 0)
        return wb_error_set(err, WB_ENOTFOUND, "no such event");
    return wb_store_event_uuid_of(st, id, uuid, err);
}

typedef struct index_walk {
    wb_store *st;
    const wb_principal *p;
    int64_t server_id;
    const wb_sync_index_filter *f;
    json_t *out;
    int64_t skip;
    size_t n;
    /* uuids of events read only by the site-admin right, audited after */
    char (*audited)[WB_UUID_LEN + 1];
    size_t naudited, capaudited;
    bool oom;
} index_walk;

static json_t *str_num(int64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%lld", (long long)v);
    return json_string(b);
}

static int index_cb(void *ud, const wb_event_rec *e)
{
    index_walk *w = ud;
    const wb_sync_index_filter *f = w->f;
    if (f->published >= 0 && e->published != (f->published == 1)) return 0;
    if (f->eventid > 0 && e->id != f->eventid) return 0;
    if (f->uuid && strcmp(f->uuid, e->uuid) != 0) return 0;
    wb_policy_item it = wbi_policy_item_of(e, NULL);
    wb_access acc = wb_policy_read(w->p, WB_READ_EVENT_LIST, &it);
    if (acc == WB_DENY) return 0;
    if (w->server_id > 0 && !wbi_sync_item_leaves(w->st, wb_policy_tlp(&it), e->distribution,
                                                  e->sharing_group_id, w->server_id))
        return 0;
    if (w->skip > 0) {
        w->skip--;
        return 0;
    }
    if (acc == WB_ALLOW_AUDITED) {
        if (w->naudited == w->capaudited) {
            size_t cap = w->capaudited ? 2 * w->capaudited : 64;
            void *p = realloc(w->audited, cap * sizeof *w->audited);
            if (p == NULL) {
                w->oom = true;
                return 1;
            }
            w->audited = p;
            w->capaudited = cap;
        }
        snprintf(w->audited[w->naudited++], WB_UUID_LEN + 1, "%s", e->uuid);
    }
    json_t *stored = json_loads(e->json ? e->json : "{}", 0, NULL);
    json_t *orgc = json_object_get(stored, "Orgc");
    const char *oc_uuid = json_string_value(json_object_get(orgc, "uuid"));
    const char *oc_name = json_string_value(json_object_get(orgc, "name"));
    if (oc_uuid == NULL) {
        oc_uuid = e->org_uuid;
        oc_name = e->org_name;
    }
    json_t *o;
    if (f->minimal) {
        o = json_pack("{s:o,s:o,s:s,s:b,s:s,s:s}", "id", str_num(e->id), "timestamp",
                      str_num(e->timestamp), "sighting_timestamp", "0", "published", e->published,
                      "uuid", e->uuid, "orgc_uuid", oc_uuid ? oc_uuid : "");
    } else {
        o = json_pack("{s:o,s:o,s:o,s:s,s:s,s:s,s:b,s:o,s:o,s:o,s:{s:o,s:s,s:s},s:{s:s,s:s}}", "id",
                      str_num(e->id), "org_id", str_num(e->org_id), "orgc_id", str_num(e->org_id),
                      "date", e->date ? e->date : "", "info", e->info ? e->info : "", "uuid",
                      e->uuid, "published", e->published, "timestamp", str_num(e->timestamp),
                      "distribution", str_num(e->distribution), "sharing_group_id",
                      str_num(e->sharing_group_id), "Org", "id", str_num(e->org_id), "name",
                      e->org_name ? e->org_name : "", "uuid", e->org_uuid ? e->org_uuid : "",
                      "Orgc", "name", oc_name ? oc_name : "", "uuid", oc_uuid ? oc_uuid : "");
        static const char *const keep[] = {"analysis", "threat_level_id"};
        for (size_t i = 0; o && i < sizeof keep / sizeof keep[0]; i++) {
            json_t *v = json_object_get(stored, keep[i]);
            if (v) json_object_set(o, keep[i], v);
        }
        if (o) json_object_set_new(o, "EventTag", json_array());
        if (o) {
            json_t *tags = wbi_tags_effective(stored, "EventTag", e->tlp, true, false);
            size_t i;
            json_t *t;
            json_array_foreach(tags, i, t)
            {
                json_array_append_new(json_object_get(o, "EventTag"), json_pack("{s:O}", "Tag", t));
            }
            json_decref(tags);
        }
    }
    json_decref(stored);
    if (o == NULL || json_array_append_new(w->out, o) != 0) {
        w->oom = true;
        return 1;
    }
    w->n++;
    return (f->limit > 0 && w->n == (size_t)f->limit) || w->n == MAX_INDEX;
}

int wb_sync_index(wb_store *st, const wb_principal *p, const char *user, const char *org,
                  int64_t server_id, const wb_sync_index_filter *f, json_t **out, wb_error *err)
{
    *out = json_array();
    if (*out == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    index_walk w = {.st = st, .p = p, .server_id = server_id, .f = f, .out = *out};
    if (f->limit > 0 && f->page > 1) {
        if (f->page - 1 > MAX_INDEX / f->limit)
            return wb_error_set(err, WB_ELIMIT, "page: more than %d events in", MAX_INDEX);
        w.skip = (f->page - 1) * f->limit;
    }
    wb_event_filter ef = {.since = f->timestamp};
    int rc = wb_store_event_list(st, &ef, index_cb, &w, err);
    if (rc == 0 && w.oom) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0 && w.naudited) rc = wb_store_begin(st, err);
    for (size_t i = 0; rc == 0 && i < w.naudited; i++) {
        wb_audit_rec a = {.user = user,
                          .org = org,
                          .action = "read.admin",
                          .object = w.audited[i],
                          .detail = "read by site admin via MISP event index"};
        rc = wb_store_audit(st, &a, err);
    }
    if (rc == 0 && w.naudited) rc = wb_store_commit(st, err);
    if (rc && w.naudited) wb_store_rollback(st);
    free(w.audited);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

static char *sdup(const char *s)
{
    if (s == NULL) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static int one_cb(void *ud, const wb_event_rec *e)
{
    wbi_sync_event *o = ud;
    o->ev = *e;
    o->ev.uuid = o->uuid = sdup(e->uuid);
    o->ev.org_name = o->org_name = sdup(e->org_name);
    o->ev.org_uuid = o->org_uuid = sdup(e->org_uuid);
    o->ev.info = o->info = sdup(e->info);
    o->ev.date = o->date = sdup(e->date);
    o->json = sdup(e->json);
    o->ev.json = e->json ? o->json : NULL;
    o->found = true;
    return 1;
}

void wbi_sync_event_free(wbi_sync_event *o)
{
    free(o->uuid);
    free(o->org_name);
    free(o->org_uuid);
    free(o->info);
    free(o->date);
    free(o->json);
}

int wbi_sync_event_get(wb_store *st, const char *uuid, wbi_sync_event *o, wb_error *err)
{
    memset(o, 0, sizeof *o);
    int rc = wb_store_event_get(st, uuid, one_cb, o, err);
    if (rc == 0 && !o->found) rc = wb_error_set(err, WB_ENOTFOUND, "no such event");
    if (rc == 0 && (o->uuid == NULL || (o->ev.json == NULL) != (o->json == NULL)))
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0 && o->json == NULL) rc = wb_error_set(err, WB_EINTERNAL, "event without JSON");
    return rc;
}

int wb_sync_view(wb_store *st, const wb_principal *p, int64_t server_id, const char *ref,
                 json_t **out, wb_error *err)
{
    *out = NULL;
    char uuid[WB_UUID_LEN + 1];
    int rc = wb_sync_event_ref(st, ref, uuid, err);
    if (rc) return rc;
    wbi_sync_event o;
    rc = wbi_sync_event_get(st, uuid, &o, err);
    if (rc) {
        wbi_sync_event_free(&o);
        return rc;
    }
    wb_policy_item it = wbi_policy_item_of(&o.ev, NULL);
    if (o.ev.deleted || wb_policy_read(p, WB_READ_EVENT_GET, &it) == WB_DENY ||
        (server_id > 0 && !wbi_sync_item_leaves(st, wb_policy_tlp(&it), o.ev.distribution,
                                                o.ev.sharing_group_id, server_id)))
        rc = wb_error_set(err, WB_ENOTFOUND, "no such event");
    if (rc == 0) {
        *out = wbi_sync_render(st, p, server_id, &o.ev, err);
        if (*out == NULL) rc = err->code ? err->code : WB_ENOMEM;
    }
    wbi_sync_event_free(&o);
    return rc;
}
