/*
 * render.c - a stored event as it may leave for another hub: MISP's event
 * document with the attributes that may travel to that server (sync.h's
 * rules) and, when a caller is named, that the caller may read. Used by
 * push (run.c) and by the MISP routes' answers to a sync caller (serve.c).
 *
 * The audience fields are written as MISP writes them (distribution as a
 * string, the sharing group by uuid and name, Orgc and Org); local ids
 * (sharing_group_id) mean nothing on the other side and are left out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub_internal.h"
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
    json_array_append_new(dst, j);
    return 0;
}

json_t *wbi_sync_render(wb_store *st, const wb_principal *p, int64_t server_id,
                        const wb_event_rec *ev, wb_error *err)
{
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
