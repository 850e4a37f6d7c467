/*
 * render.c - a stored event as it may leave for another hub: MISP's event
 * document with the attributes that may travel to that server (sync.h's
 * rules) and, when a caller is named, that the caller may read, each with
 * the sightings that may go there (MISP's Attribute.Sighting array). Used
 * by push (run.c) and by the MISP routes' answers to a sync caller
 * (serve.c).
 *
 * The audience fields are written as MISP writes them (distribution as a
 * string, the sharing group by uuid and name, Orgc and Org); local ids
 * (sharing_group_id) mean nothing on the other side and are left out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share/share_internal.h"
#include "sync/sync_internal.h"

typedef struct sg_info {
    char uuid[WB_UUID_LEN + 1];
    char name[WB_NAME_MAX + 1];
} sg_info;

static int sg_cb(void *ud, const wb_sgroup *g)
{
    sg_info *s = ud;
    snprintf(s->uuid, sizeof s->uuid, "%s", g->uuid);
    snprintf(s->name, sizeof s->name, "%s", g->name);
    return 1;
}

bool wbi_sync_item_leaves(wb_store *st, wb_tlp tlp, int dist, int64_t sg, int64_t server_id)
{
    bool in_sg = dist == 4 && sg > 0 && wb_store_server_in_sgroup(st, sg, server_id);
    return wb_sync_may_leave(tlp, dist, in_sg);
}

bool wbi_sync_came_from(wb_store *st, const char *uuid, int64_t server_id)
{
    int64_t from = 0, ts = 0;
    wb_error e;
    return uuid && wb_store_sync_origin_get(st, uuid, &from, &ts, &e) == 0 && from == server_id;
}

bool wbi_sync_sighting_leaves(wb_store *st, const wbi_sync_peer *peer, const wb_event_rec *ev,
                              const wb_sync_sighting_rec *s, int from_there)
{
    wb_attr_rec a = {.tlp = s->attr_tlp,
                     .distribution = s->attr_distribution,
                     .sharing_group_id = s->attr_sharing_group};
    wb_policy_item it = wbi_policy_item_of(ev, &a);
    int dist = a.distribution == 5 ? ev->distribution : a.distribution;
    int64_t sg = a.distribution == 5 ? ev->sharing_group_id : a.sharing_group_id;
    wb_sync_sighting_facts f = {
        .tlp = wb_policy_tlp(&it),
        .event_dist = ev->distribution,
        .attr_dist = dist,
        .event_in_sgroup = ev->distribution == 4 && ev->sharing_group_id > 0 &&
                           wb_store_server_in_sgroup(st, ev->sharing_group_id, peer->server_id),
        .attr_in_sgroup = dist == 4 && sg > 0 && wb_store_server_in_sgroup(st, sg, peer->server_id),
        .event_from_there =
            from_there < 0 ? wbi_sync_came_from(st, ev->uuid, peer->server_id) : from_there != 0,
        .sighting_from_there = s->server_id == peer->server_id,
        .party = peer->org_id > 0 && (peer->org_id == ev->org_id || peer->org_id == s->org_id),
        .sightings_open = peer->sightings_open,
    };
    return wb_sync_sighting_may_leave(&f);
}

static json_t *str_int(int64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%lld", (long long)v);
    return json_string(b);
}

json_t *wbi_sync_sighting_json(const wb_sync_sighting_rec *s)
{
    /* MISP's fields (numbers as strings), then ours (count, first_seen);
     * MISP takes Organisation when org_id is not 0. */
    return json_pack(
        "{s:o,s:s,s:s,s:s,s:o,s:o,s:o,s:s,s:I,s:o,s:{s:s,s:s}}", "id", str_int(s->id), "uuid",
        s->uuid, "attribute_uuid", s->attribute_uuid, "event_uuid", s->event_uuid, "org_id",
        str_int(s->org_id), "date_sighting", str_int(s->date_sighting), "type", str_int(s->type),
        "source", s->source ? s->source : "", "count", (json_int_t)s->count, "first_seen",
        str_int(s->first_seen > 0 ? s->first_seen : s->date_sighting), "Organisation", "uuid",
        s->org_uuid ? s->org_uuid : "", "name", s->org_name ? s->org_name : "");
}

static json_t *sg_json(wb_store *st, int64_t sg)
{
    sg_info s = {0};
    wb_error e;
    if (sg <= 0 || wb_store_sgroup_find(st, sg, NULL, sg_cb, &s, &e) != 0 || s.uuid[0] == '\0')
        return NULL;
    return json_pack("{s:s,s:s}", "uuid", s.uuid, "name", s.name);
}

typedef struct walk {
    wb_store *st;
    const wb_principal *p;
    int64_t server_id;
    const wb_event_rec *ev;
    json_t *sightings; /* attribute uuid -> [Sighting] */
    json_t *top, *objs;
    wbi_uuid_index index;
    wb_error *err;
    int rc;
} walk;

static int attr_cb(void *ud, const wb_event_rec *unused, const wb_attr_rec *a)
{
    (void)unused;
    walk *w = ud;
    if (a->deleted) return 0;
    wb_policy_item it = wbi_policy_item_of(w->ev, a);
    if (w->p && wb_policy_read(w->p, WB_READ_EVENT_GET, &it) == WB_DENY) return 0;
    int dist = a->distribution == 5 ? w->ev->distribution : a->distribution;
    int64_t sg = a->distribution == 5 ? w->ev->sharing_group_id : a->sharing_group_id;
    if (w->server_id > 0 &&
        !wbi_sync_item_leaves(w->st, wb_policy_tlp(&it), dist, sg, w->server_id))
        return 0;
    json_t *j = json_loads(a->json, 0, NULL);
    if (j == NULL) {
        w->rc = wb_error_set(w->err, WB_EINTERNAL, "attribute %s: stored JSON unreadable", a->uuid);
        return 1;
    }
    wbi_tags_set_effective(j, "AttributeTag", wb_policy_tlp(&it), a->tlp != WB_TLP_UNSET);
    json_object_del(j, "sharing_group_id");
    char num[8];
    snprintf(num, sizeof num, "%d", a->distribution);
    json_object_set_new(j, "distribution", json_string(num));
    if (a->distribution == 4) {
        json_t *g = sg_json(w->st, a->sharing_group_id);
        if (g) json_object_set_new(j, "SharingGroup", g);
    } else {
        json_object_del(j, "SharingGroup");
    }
    json_t *dst = w->top;
    size_t oi;
    if (a->object_uuid && w->objs && wbi_uuid_index_get(&w->index, a->object_uuid, &oi)) {
        json_t *o = json_array_get(w->objs, oi);
        dst = json_object_get(o, "Attribute");
        if (!json_is_array(dst)) {
            dst = json_array();
            json_object_set_new(o, "Attribute", dst);
        }
    }
    json_t *sgs = w->sightings ? json_object_get(w->sightings, a->uuid) : NULL;
    if (sgs) json_object_set(j, "Sighting", sgs);
    json_array_append_new(dst, j);
    return 0;
}

typedef struct sight_walk {
    wb_store *st;
    const wbi_sync_peer *peer;
    const wb_event_rec *ev;
    int from_there;
    json_t *map;
    bool oom;
} sight_walk;

static int sight_cb(void *ud, const wb_sync_sighting_rec *s)
{
    sight_walk *w = ud;
    if (!wbi_sync_sighting_leaves(w->st, w->peer, w->ev, s, w->from_there)) return 0;
    json_t *arr = json_object_get(w->map, s->attribute_uuid);
    if (arr == NULL) {
        arr = json_array();
        if (arr == NULL || json_object_set_new(w->map, s->attribute_uuid, arr) != 0) {
            w->oom = true;
            return 1;
        }
    }
    if (json_array_append_new(arr, wbi_sync_sighting_json(s)) != 0) {
        w->oom = true;
        return 1;
    }
    return 0;
}

json_t *wbi_sync_render(wb_store *st, const wb_principal *p, const wbi_sync_peer *peer,
                        const wb_event_rec *ev, wb_error *err)
{
    int64_t server_id = peer ? peer->server_id : 0;
    json_t *e = json_loads(ev->json, 0, NULL);
    if (!json_is_object(e)) {
        json_decref(e);
        wb_error_set(err, WB_EINTERNAL, "event %s: stored JSON unreadable", ev->uuid);
        return NULL;
    }
    char num[24];
    snprintf(num, sizeof num, "%lld", (long long)ev->id);
    json_object_set_new(e, "id", json_string(num));
    json_object_set_new(e, "uuid", json_string(ev->uuid));
    wbi_tags_set_effective(e, "EventTag", ev->tlp, true);
    snprintf(num, sizeof num, "%d", ev->distribution);
    json_object_set_new(e, "distribution", json_string(num));
    json_object_del(e, "sharing_group_id");
    if (ev->distribution == 4) {
        json_t *g = sg_json(st, ev->sharing_group_id);
        if (g) json_object_set_new(e, "SharingGroup", g);
    }
    json_object_set_new(e, "published", json_boolean(ev->published));
    snprintf(num, sizeof num, "%lld", (long long)ev->timestamp);
    json_object_set_new(e, "timestamp", json_string(num));
    json_t *org = json_pack("{s:s,s:s}", "name", ev->org_name ? ev->org_name : "?", "uuid",
                            ev->org_uuid ? ev->org_uuid : "");
    if (!json_is_object(json_object_get(e, "Orgc")))
        json_object_set_new(e, "Orgc", json_deep_copy(org));
    json_object_set_new(e, "Org", org);
    walk w = {.st = st, .p = p, .server_id = server_id, .ev = ev, .top = json_array(), .err = err};
    json_t *objs = json_object_get(e, "Object");
    w.objs = json_is_array(objs) ? objs : NULL;
    int rc = 0;
    if (server_id > 0) {
        sight_walk sw = {.st = st,
                         .peer = peer,
                         .ev = ev,
                         .from_there = wbi_sync_came_from(st, ev->uuid, server_id),
                         .map = json_object()};
        if (sw.map == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
        if (rc == 0) rc = wb_store_sync_sightings(st, ev->id, 0, 0, false, sight_cb, &sw, err);
        if (rc == 0 && sw.oom) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
        w.sightings = sw.map;
    }
    size_t n = json_array_size(w.objs);
    if (n && wbi_uuid_index_init(&w.index, n) != 0)
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    for (size_t i = n; rc == 0 && i > 0; i--) {
        const char *u = json_string_value(json_object_get(json_array_get(w.objs, i - 1), "uuid"));
        if (u && wbi_uuid_index_put(&w.index, u, i - 1) != 0)
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    if (rc == 0) rc = wb_store_attr_list(st, ev->id, attr_cb, &w, err);
    if (rc == 0) rc = w.rc;
    wbi_uuid_index_free(&w.index);
    json_decref(w.sightings);
    json_object_set_new(e, "Attribute", w.top);
    if (w.objs) {
        json_t *kept = json_array();
        size_t i;
        json_t *o;
        json_array_foreach(w.objs, i, o)
        {
            if (json_array_size(json_object_get(o, "Attribute")) > 0) json_array_append(kept, o);
        }
        json_object_set_new(e, "Object", kept);
    }
    if (rc) {
        json_decref(e);
        return NULL;
    }
    return json_pack("{s:o}", "Event", e);
}
