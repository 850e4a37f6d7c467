/*
 * serve.c - the answers of the MISP routes servers sync through
 * (src/hub/misp_sync_api.c): /events/index with MISP's filters (and each
 * event's sighting_timestamp, so a pull sees sightings that changed on an
 * event that did not), /events/view for a sync caller, and the sightings
 * a sync caller pushes (/sightings/bulkSaveSightings).
 *
 * Every event goes through the read policy (wb_policy_read) as on every
 * other path; for a sync caller (a key of the organisation a server was
 * added with) also through the rules of what may leave to that server, so
 * a remote hub never lists, counts or fetches what may not travel to it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share/share_internal.h"
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

/* A sighting's facts without its strings (the index's sighting_timestamp). */
typedef struct sfacts {
    wb_sync_sighting_rec *v;
    size_t n, cap;
    bool oom;
} sfacts;

static int sfact_cb(void *ud, const wb_sync_sighting_rec *r)
{
    sfacts *f = ud;
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 256;
        void *p = realloc(f->v, cap * sizeof *f->v);
        if (p == NULL) {
            f->oom = true;
            return 1;
        }
        f->v = p;
        f->cap = cap;
    }
    wb_sync_sighting_rec *x = &f->v[f->n++];
    *x = *r;
    x->uuid = x->attribute_uuid = x->event_uuid = x->org_name = x->org_uuid = x->source = NULL;
    return 0;
}

typedef struct index_walk {
    wb_store *st;
    const wb_principal *p;
    int64_t server_id;
    wbi_sync_peer peer;
    const sfacts *sf; /* sorted by event id */
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
    int64_t sts = 0;
    if (w->sf && w->sf->n) {
        size_t lo = 0, hi = w->sf->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (w->sf->v[mid].event_id < e->id)
                lo = mid + 1;
            else
                hi = mid;
        }
        int from_there = -1;
        for (size_t k = lo; k < w->sf->n && w->sf->v[k].event_id == e->id; k++) {
            if (from_there < 0) from_there = wbi_sync_came_from(w->st, e->uuid, w->server_id);
            if (w->sf->v[k].changed > sts &&
                wbi_sync_sighting_leaves(w->st, &w->peer, e, &w->sf->v[k], from_there))
                sts = w->sf->v[k].changed;
        }
    }
    json_t *o;
    if (f->minimal) {
        o = json_pack("{s:o,s:o,s:o,s:b,s:s,s:s}", "id", str_num(e->id), "timestamp",
                      str_num(e->timestamp), "sighting_timestamp", str_num(sts), "published",
                      e->published, "uuid", e->uuid, "orgc_uuid", oc_uuid ? oc_uuid : "");
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
        if (o) json_object_set_new(o, "sighting_timestamp", str_num(sts));
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
    index_walk w = {
        .st = st,
        .p = p,
        .server_id = server_id,
        .peer = {.server_id = server_id, .org_id = p->org_id, .sightings_open = f->sightings_open},
        .f = f,
        .out = *out};
    /* For a sync caller, the sightings of every event in event order (one
     * query), judged per event in index_cb: the sighting_timestamp shows
     * only changes of sightings that may go to it. */
    sfacts sf = {0};
    if (server_id > 0) {
        int r = wb_store_sync_sightings(st, 0, 0, 0, true, sfact_cb, &sf, err);
        if (r == 0 && sf.oom) r = wb_error_set(err, WB_ENOMEM, "out of memory");
        if (r) {
            free(sf.v);
            json_decref(*out);
            *out = NULL;
            return r;
        }
        w.sf = &sf;
    }
    if (f->limit > 0 && f->page > 1) {
        if (f->page - 1 > MAX_INDEX / f->limit)
            return wb_error_set(err, WB_ELIMIT, "page: more than %d events in", MAX_INDEX);
        w.skip = (f->page - 1) * f->limit;
    }
    wb_event_filter ef = {.since = f->timestamp};
    int rc = wb_store_event_list(st, &ef, index_cb, &w, err);
    if (rc == 0 && w.oom) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0) {
        wb_actor who = {.user = user,
                        .org_name = org,
                        .org_id = p->org_id,
                        .role = p->role,
                        .channel = WB_ACTOR_API};
        rc = wbi_share_audit_reads(st, &who, (const char(*)[WB_UUID_LEN + 1]) w.audited, w.naudited,
                                   "read by site admin via MISP event index", err);
    }
    free(w.audited);
    free(sf.v);
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

int wb_sync_view(wb_store *st, const wb_principal *p, int64_t server_id, bool sightings_open,
                 const char *ref, json_t **out, wb_error *err)
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
        wbi_sync_peer peer = {
            .server_id = server_id, .org_id = p->org_id, .sightings_open = sightings_open};
        *out = wbi_sync_render(st, p, server_id > 0 ? &peer : NULL, &o.ev, err);
        if (*out == NULL) rc = err->code ? err->code : WB_ENOMEM;
    }
    wbi_sync_event_free(&o);
    return rc;
}

/* ---- sightings pushed by a server ----------------------------------------------------------- */

int wb_sync_sightings_save(wb_store *st, int64_t server_id, const char *user, const char *org,
                           const char *ref, const char *body, size_t len, unsigned max_depth,
                           wb_sync_counts *c, wb_error *err)
{
    memset(c, 0, sizeof *c);
    char uuid[WB_UUID_LEN + 1];
    int rc = wb_sync_event_ref(st, ref, uuid, err);
    if (rc) return rc;
    wbi_problem prob;
    json_t *root = wbi_json_load(body, len, max_depth ? max_depth : 32, &prob);
    if (root == NULL) return wb_error_set(err, WB_EPARSE, "%s", prob.msg);
    json_t *arr = json_is_object(root) ? json_object_get(root, "Sighting") : root;
    if (!json_is_array(arr)) {
        json_decref(root);
        return wb_error_set(err, WB_EPARSE, "$: expected an array of Sighting objects");
    }
    /* the same reading as sightings inside an event (ingest.c) */
    json_t *holder = json_pack("{s:O}", "Sighting", arr);
    json_decref(root);
    if (holder == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    wbi_sync_from from = {.server_id = server_id, .user = user, .org = org};
    wbi_sync_arrived *x = malloc(sizeof *x);
    rc = x ? wbi_sync_server_org(st, server_id, &from.server_org, err)
           : wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0) rc = wbi_sync_prepare_sightings(st, &from, holder, x, err);
    if (rc == 0) rc = wbi_share_sync_sightings(st, &x->doc, uuid, err);
    if (rc == 0) {
        c->sightings = x->doc.s_added + x->doc.s_updated;
        c->sightings_unchanged = x->doc.s_unchanged;
        c->sightings_withheld = x->doc.s_withheld + x->sbad;
    }
    if (x) {
        wbi_sync_arrived_free(x);
        free(x);
    }
    json_decref(holder);
    return rc;
}
