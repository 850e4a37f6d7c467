/*
 * misp_write.c - MISP's attribute and object writes and its lists (tags,
 * sharing groups, organisations) over the share service.
 *
 * A MISP client adds an attribute to an event, or edits or deletes one,
 * by the attribute; this hub stores events whole (wb_store_event_put with
 * replace). So a write rebuilds the caller's organisation's event as
 * posted (its stored JSON with every live attribute put back, into its
 * object when it has one), applies the change, and stores it through the
 * event path: the same validation, rights, warninglists and audit entry
 * (event.edit) as PUT /api/v1/events/{uuid}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "share/share_internal.h"
#include "weerbaar/mispsvc.h"
#include "weerbaar/store_misp.h"

typedef struct doc_walk {
    wb_share *s;
    json_t *top, *objs;
    int rc;
} doc_walk;

static int doc_attr_cb(void *ud, const wb_event_rec *unused, const wb_attr_rec *a)
{
    (void)unused;
    doc_walk *w = ud;
    if (a->deleted) return 0;
    json_t *j = json_loads(a->json, 0, NULL);
    if (j == NULL) {
        w->rc =
            wb_error_set(&w->s->err, WB_EINTERNAL, "attribute %s: stored JSON unreadable", a->uuid);
        return 1;
    }
    json_t *dst = w->top;
    size_t i;
    json_t *o;
    if (a->object_uuid) json_array_foreach(w->objs, i, o)
        {
            const char *u = json_string_value(json_object_get(o, "uuid"));
            if (u && strcmp(u, a->object_uuid) == 0) {
                dst = json_object_get(o, "Attribute");
                if (!json_is_array(dst)) {
                    dst = json_array();
                    json_object_set_new(o, "Attribute", dst);
                }
                break;
            }
        }
    json_array_append_new(dst, j);
    return 0;
}

int wbi_misp_own_doc(wb_share *s, const char *uuid, wb_event_rec *ev, json_t **doc)
{
    return wbi_misp_event_doc(s, uuid, false, ev, doc);
}

int wbi_misp_event_doc(wb_share *s, const char *uuid, bool admin_ok, wb_event_rec *ev, json_t **doc)
{
    *doc = NULL;
    int rc = wbi_share_fetch_own(s, uuid, admin_ok, ev);
    if (rc) return rc;
    json_t *e = json_loads(ev->json, 0, NULL);
    if (!json_is_object(e)) {
        json_decref(e);
        wb_error_set(&s->err, WB_EINTERNAL, "event %s: stored JSON unreadable", ev->uuid);
        return wbi_share_internal(s, WB_EINTERNAL);
    }
    json_t *objs = json_object_get(e, "Object");
    doc_walk w = {.s = s, .top = json_array(), .objs = json_is_array(objs) ? objs : NULL};
    json_object_set_new(e, "Attribute", w.top);
    rc = wb_store_attr_list(s->st, ev->id, doc_attr_cb, &w, &s->err);
    if (rc == 0) rc = w.rc;
    if (rc) {
        json_decref(e);
        return wbi_share_internal(s, rc);
    }
    *doc = json_pack("{s:o}", "Event", e);
    return 0;
}

/* Stores doc (taken) as the edit of ev; the event answer is dropped. */
int wbi_misp_store_doc(wb_share *s, const wb_event_rec *ev, json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (text == NULL) {
        wb_error_set(&s->err, WB_ENOMEM, "out of memory");
        return wbi_share_internal(s, WB_ENOMEM);
    }
    wb_buf back = {0};
    int rc = wbi_share_store_event(s, text, strlen(text), true, ev, ev->org_id, &back);
    free(text);
    wb_buf_free(&back);
    return rc;
}

static int attr_find_cb(void *ud, const wb_event_rec *e, const wb_attr_rec *a)
{
    wbi_attr_find *f = ud;
    wbi_share_copy_event(f->s, e, &f->ev);
    f->a = *a;
    f->a.uuid = wbi_share_dup(f->s, a->uuid);
    f->a.json = wbi_share_dup(f->s, a->json);
    f->found = true;
    return 1;
}

/* The visible, live attribute `uuid` (404 otherwise) and its event. */
int wbi_misp_find_attr(wb_share *s, const char *uuid, wbi_attr_find *f)
{
    memset(f, 0, sizeof *f);
    f->s = s;
    /* MISP's numeric attribute id, or the uuid */
    int64_t num;
    char byid[WB_UUID_LEN + 1];
    if (uuid && !wb_uuid_valid(uuid, strlen(uuid)) &&
        wb_parse_i64(uuid, strlen(uuid), 1, INT64_MAX, &num) == 0) {
        wb_error e2 = {0};
        int r2 = wb_store_attr_uuid_of(s->st, num, byid, &e2);
        if (r2 == WB_ENOTFOUND) return wbi_share_not_found(s);
        if (r2) {
            s->err = e2;
            return wbi_share_internal(s, r2);
        }
        uuid = byid;
    }
    if (uuid == NULL || !wb_uuid_valid(uuid, strlen(uuid))) return wbi_share_not_found(s);
    int rc = wb_store_attr_get(s->st, uuid, attr_find_cb, f, &s->err);
    if (rc == WB_ENOTFOUND || (rc == 0 && (!f->found || f->a.deleted || f->ev.deleted)))
        return wbi_share_not_found(s);
    if (rc) return wbi_share_internal(s, rc);
    wb_policy_item it = wbi_policy_item_of(&f->ev, &f->a);
    if (wb_policy_read(s->who, WB_READ_EVENT_GET, &it) == WB_DENY) return wbi_share_not_found(s);
    return 0;
}

/* {"Attribute": {...}} of the stored attribute `uuid`, MISP's ids on it. */
static int answer_attr(wb_share *s, const char *uuid, const char *key, wb_buf *out)
{
    wbi_attr_find f;
    int rc = wbi_misp_find_attr(s, uuid, &f);
    if (rc) return rc;
    json_t *j = json_loads(f.a.json, 0, NULL);
    if (j == NULL) return wbi_share_internal(s, WB_EINTERNAL);
    wb_policy_item it = wbi_policy_item_of(&f.ev, &f.a);
    wbi_tags_set_effective(j, "AttributeTag", wb_policy_tlp(&it), f.a.tlp != WB_TLP_UNSET);
    wbi_misp_attr_ids(s, j, &f.a, &f.ev);
    return wbi_share_dump(s, json_pack("{s:o}", key, j), out);
}

/* The posted object under key ("Attribute", "Object") or the bare one. */
json_t *wbi_misp_posted(wb_share *s, const char *body, size_t len, const char *key, int *rc)
{
    wbi_problem prob;
    json_t *root = wbi_json_load(body, len, wbi_share_max_depth(s), &prob);
    if (root == NULL) {
        *rc = wbi_share_fail(s, prob.status, prob.code, "%s", prob.msg);
        return NULL;
    }
    json_t *o = json_object_get(root, key);
    o = json_is_object(o) ? json_incref(o) : json_incref(root);
    json_decref(root);
    if (!json_is_object(o)) {
        json_decref(o);
        *rc = wbi_share_fail(s, 422, "invalid_event", "$: expected an object");
        return NULL;
    }
    *rc = 0;
    return o;
}

int wb_share_misp_attr_add(wb_share *s, const char *event_uuid, const char *body, size_t len,
                           wb_buf *out)
{
    int rc;
    json_t *a = wbi_misp_posted(s, body, len, "Attribute", &rc);
    if (a == NULL) return rc;
    char uuid[WB_UUID_LEN + 1];
    const char *u = json_string_value(json_object_get(a, "uuid"));
    if (u && strlen(u) == WB_UUID_LEN) {
        memcpy(uuid, u, sizeof uuid);
    } else {
        wb_uuid_v4(uuid);
        json_object_set_new(a, "uuid", json_string(uuid));
    }
    /* ids are this hub's to give */
    json_object_del(a, "id");
    json_object_del(a, "event_id");
    wb_event_rec ev;
    json_t *doc;
    rc = wbi_misp_own_doc(s, event_uuid, &ev, &doc);
    if (rc) {
        json_decref(a);
        return rc;
    }
    json_array_append_new(json_object_get(json_object_get(doc, "Event"), "Attribute"), a);
    rc = wbi_misp_store_doc(s, &ev, doc);
    return rc ? rc : answer_attr(s, uuid, "Attribute", out);
}

static json_t *find_in(json_t *arr, const char *uuid)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
    {
        const char *u = json_string_value(json_object_get(x, "uuid"));
        if (u && strcmp(u, uuid) == 0) return x;
    }
    return NULL;
}

/* The attribute `uuid` inside doc (top level or in an object), with the
 * array that holds it. */
json_t *wbi_misp_doc_attr(json_t *doc, const char *uuid, json_t **arr, size_t *at)
{
    json_t *e = json_object_get(doc, "Event");
    json_t *list[1 + 4096];
    size_t n = 0;
    list[n++] = json_object_get(e, "Attribute");
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(e, "Object"), i, o)
    {
        if (n < sizeof list / sizeof list[0]) list[n++] = json_object_get(o, "Attribute");
    }
    for (size_t k = 0; k < n; k++) {
        json_t *x;
        json_array_foreach(list[k], i, x)
        {
            const char *u = json_string_value(json_object_get(x, "uuid"));
            if (u && strcmp(u, uuid) == 0) {
                *arr = list[k];
                *at = i;
                return x;
            }
        }
    }
    return NULL;
}

static int change_attr(wb_share *s, const char *attr_uuid, json_t *changes, bool remove,
                       wb_buf *out)
{
    wbi_attr_find f;
    int rc = wbi_misp_find_attr(s, attr_uuid, &f);
    if (rc) {
        json_decref(changes);
        return rc;
    }
    char uuid[WB_UUID_LEN + 1];
    memcpy(uuid, f.a.uuid, sizeof uuid);
    wb_event_rec ev;
    json_t *doc;
    rc = wbi_misp_own_doc(s, f.ev.uuid, &ev, &doc);
    if (rc) {
        json_decref(changes);
        return rc;
    }
    json_t *arr = NULL;
    size_t at = 0;
    json_t *x = wbi_misp_doc_attr(doc, uuid, &arr, &at);
    if (x == NULL) {
        json_decref(changes);
        json_decref(doc);
        return wbi_share_not_found(s);
    }
    if (remove) {
        json_array_remove(arr, at);
    } else {
        const char *k;
        json_t *v;
        json_object_foreach(changes, k, v)
        {
            /* the attribute's identity and place stay */
            if (strcmp(k, "uuid") == 0 || strcmp(k, "id") == 0 || strcmp(k, "event_id") == 0 ||
                strcmp(k, "object_id") == 0 || strcmp(k, "timestamp") == 0)
                continue;
            json_object_set(x, k, v);
        }
    }
    json_decref(changes);
    rc = wbi_misp_store_doc(s, &ev, doc);
    if (rc) return rc;
    if (remove) return wbi_share_dump(s, json_pack("{s:s}", "message", "Attribute deleted."), out);
    return answer_attr(s, uuid, "Attribute", out);
}

int wb_share_misp_attr_edit(wb_share *s, const char *attr_uuid, const char *body, size_t len,
                            wb_buf *out)
{
    int rc;
    json_t *a = wbi_misp_posted(s, body, len, "Attribute", &rc);
    if (a == NULL) return rc;
    return change_attr(s, attr_uuid, a, false, out);
}

int wb_share_misp_attr_delete(wb_share *s, const char *attr_uuid, wb_buf *out)
{
    return change_attr(s, attr_uuid, NULL, true, out);
}

/* Whether relation rel is among the object's attributes. */
static bool has_relation(const json_t *attrs, const char *rel)
{
    size_t i;
    const json_t *a;
    json_array_foreach(attrs, i, a)
    {
        const char *r = json_string_value(json_object_get(a, "object_relation"));
        if (r && strcmp(r, rel) == 0) return true;
    }
    return false;
}

/* An object of a template MISP ships (misp_templates.c) is held to it, as
 * MISP's template conformity check does: every "required" relation, one
 * of "requiredOneOf", and each known relation with the attribute type the
 * template gives it. The template's uuid, version and meta-category are
 * filled in when the client left them out. Unknown templates and unknown
 * relations pass, as in MISP. */
static int template_check(wb_share *s, json_t *o, const json_t *attrs)
{
    const wbi_template *t = wbi_template_find(json_string_value(json_object_get(o, "name")));
    if (t == NULL) return 0;
    size_t i;
    const json_t *a;
    json_array_foreach(attrs, i, a)
    {
        const char *rel = json_string_value(json_object_get(a, "object_relation"));
        const char *type = json_string_value(json_object_get(a, "type"));
        if (rel == NULL)
            return wbi_share_fail(s, 422, "invalid_event",
                                  "$.Object.Attribute[%zu].object_relation: needed in a %s object",
                                  i, t->name);
        for (const wbi_template_rel *r = t->rels; r->relation; r++) {
            if (strcmp(r->relation, rel) != 0) continue;
            if (type && strcmp(type, r->type) != 0)
                return wbi_share_fail(s, 422, "invalid_event",
                                      "$.Object.Attribute[%zu].type: '%s' is %s in template %s "
                                      "(not %.64s)",
                                      i, rel, r->type, t->name, type);
            break;
        }
    }
    for (size_t k = 0; t->required && t->required[k]; k++)
        if (!has_relation(attrs, t->required[k]))
            return wbi_share_fail(s, 422, "invalid_event",
                                  "$.Object.Attribute: template %s requires '%s'", t->name,
                                  t->required[k]);
    if (t->required_one_of) {
        bool one = false;
        for (size_t k = 0; !one && t->required_one_of[k]; k++)
            one = has_relation(attrs, t->required_one_of[k]);
        if (!one)
            return wbi_share_fail(s, 422, "invalid_event",
                                  "$.Object.Attribute: template %s requires one of '%s', '%s', ...",
                                  t->name, t->required_one_of[0],
                                  t->required_one_of[1] ? t->required_one_of[1] : "");
    }
    if (!json_is_string(json_object_get(o, "template_uuid")))
        json_object_set_new(o, "template_uuid", json_string(t->uuid));
    if (json_object_get(o, "template_version") == NULL)
        json_object_set_new(o, "template_version", json_string(wbi_share_num(s, t->version)));
    if (!json_is_string(json_object_get(o, "meta-category")))
        json_object_set_new(o, "meta-category", json_string(t->meta_category));
    return 0;
}

int wb_share_misp_object_add(wb_share *s, const char *event_uuid, const char *body, size_t len,
                             wb_buf *out)
{
    int rc;
    json_t *o = wbi_misp_posted(s, body, len, "Object", &rc);
    if (o == NULL) return rc;
    const char *name = json_string_value(json_object_get(o, "name"));
    json_t *attrs = json_object_get(o, "Attribute");
    if (name == NULL || *name == '\0' || !json_is_array(attrs) || json_array_size(attrs) == 0) {
        json_decref(o);
        return wbi_share_fail(s, 422, "invalid_event",
                              "$.Object: needs a name and at least one Attribute");
    }
    rc = template_check(s, o, attrs);
    if (rc) {
        json_decref(o);
        return rc;
    }
    char uuid[WB_UUID_LEN + 1];
    const char *u = json_string_value(json_object_get(o, "uuid"));
    if (u && strlen(u) == WB_UUID_LEN) {
        memcpy(uuid, u, sizeof uuid);
    } else {
        wb_uuid_v4(uuid);
        json_object_set_new(o, "uuid", json_string(uuid));
    }
    json_object_del(o, "id");
    json_object_del(o, "event_id");
    size_t i;
    json_t *a;
    json_array_foreach(attrs, i, a)
    {
        json_object_del(a, "id");
        json_object_del(a, "event_id");
        json_object_del(a, "object_id");
    }
    wb_event_rec ev;
    json_t *doc;
    rc = wbi_misp_own_doc(s, event_uuid, &ev, &doc);
    if (rc) {
        json_decref(o);
        return rc;
    }
    json_t *e = json_object_get(doc, "Event");
    json_t *objs = json_object_get(e, "Object");
    if (!json_is_array(objs)) {
        objs = json_array();
        json_object_set_new(e, "Object", objs);
    }
    if (find_in(objs, uuid)) {
        json_decref(o);
        json_decref(doc);
        return wbi_share_fail(s, 409, "conflict", "$.Object.uuid: already in this event");
    }
    json_array_append_new(objs, o);
    rc = wbi_misp_store_doc(s, &ev, doc);
    if (rc) return rc;
    /* The object as stored: read back through the event. */
    wb_event_rec back;
    rc = wb_share_event_fetch(s, ev.uuid, WB_READ_EVENT_GET, &back);
    json_t *r = rc ? NULL : wbi_share_render_event_ex(s, &back, WB_READ_EVENT_GET, true);
    s->naudits = s->audits_dropped = 0;
    if (r == NULL) return rc ? rc : wbi_share_internal(s, s->err.code);
    json_t *obj = find_in(json_object_get(json_object_get(r, "Event"), "Object"), uuid);
    json_t *ans = json_pack("{s:O}", "Object", obj ? obj : json_object());
    json_decref(r);
    return wbi_share_dump(s, ans, out);
}

int wb_share_misp_attr_view(wb_share *s, const char *ref, wb_buf *out)
{
    wbi_attr_find f;
    int rc = wbi_misp_find_attr(s, ref, &f);
    if (rc) return rc;
    json_t *j = json_loads(f.a.json, 0, NULL);
    if (j == NULL) return wbi_share_internal(s, WB_EINTERNAL);
    wb_policy_item it = wbi_policy_item_of(&f.ev, &f.a);
    wbi_share_may_read(s, WB_READ_EVENT_GET, &it, f.a.uuid); /* the admin's audit entry */
    wbi_tags_set_effective(j, "AttributeTag", wb_policy_tlp(&it), f.a.tlp != WB_TLP_UNSET);
    wbi_misp_attr_ids(s, j, &f.a, &f.ev);
    rc = wbi_galaxy_decorate_attr(s, j);
    if (rc == 0) rc = wb_share_flush(s);
    if (rc) {
        json_decref(j);
        return s->status ? rc : wbi_share_internal(s, rc);
    }
    return wbi_share_dump(s, json_pack("{s:o}", "Attribute", j), out);
}

int wb_share_misp_object_delete(wb_share *s, const char *ref, wb_buf *out)
{
    if (ref == NULL || !wb_uuid_valid(ref, strlen(ref))) return wbi_share_not_found(s);
    /* The object's event is the one holding its attributes; the event
     * path then decides (invisible: 404, another organisation's: 403),
     * and the object's attributes go with it as the event is stored
     * without them. */
    wb_event_rec ev;
    json_t *doc = NULL;
    char euuid[WB_UUID_LEN + 1];
    int rc = wb_store_object_event_uuid(s->st, ref, euuid, &s->err);
    if (rc == WB_ENOTFOUND) return wbi_share_not_found(s);
    if (rc) return wbi_share_internal(s, rc);
    rc = wbi_misp_own_doc(s, euuid, &ev, &doc);
    if (rc) return rc;
    json_t *e = json_object_get(doc, "Event");
    json_t *objs = json_object_get(e, "Object");
    size_t i;
    json_t *o;
    bool found = false;
    json_array_foreach(objs, i, o)
    {
        const char *u = json_string_value(json_object_get(o, "uuid"));
        if (u && strcasecmp(u, ref) == 0) {
            json_array_remove(objs, i);
            found = true;
            break;
        }
    }
    if (!found) {
        json_decref(doc);
        return wbi_share_not_found(s);
    }
    rc = wbi_misp_store_doc(s, &ev, doc);
    if (rc) return rc;
    return wbi_share_dump(s, json_pack("{s:s}", "message", "Object deleted"), out);
}

/* ---- tags
 * ---------------------------------------------------------------------------------------- */

typedef struct tag_count {
    json_t *counts; /* name -> count */
} tag_count;

static void count_tag(void *ud, const char *name)
{
    tag_count *t = ud;
    json_t *c = json_object_get(t->counts, name);
    json_object_set_new(t->counts, name, json_integer(c ? json_integer_value(c) + 1 : 1));
}

typedef struct tag_walk {
    wb_share *s;
    tag_count tc;
} tag_walk;

static int tag_event_cb(void *ud, const wb_event_rec *e)
{
    tag_walk *w = ud;
    if (e->deleted) return 0;
    wb_policy_item it = wbi_policy_item_of(e, NULL);
    if (wb_policy_read(w->s->who, WB_READ_EVENT_LIST, &it) == WB_DENY) return 0;
    json_t *j = json_loads(e->json, 0, NULL);
    if (j == NULL) return 0;
    json_t *tags = wbi_tags_effective(j, "EventTag", e->tlp, true, false);
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *n = json_string_value(json_object_get(t, "name"));
        if (n) count_tag(&w->tc, n);
    }
    json_decref(tags);
    json_decref(j);
    return 0;
}

int wb_share_misp_tags(wb_share *s, wb_buf *out)
{
    tag_walk w = {.s = s, .tc = {json_object()}};
    wb_event_filter f = {0};
    int rc = wb_store_event_list(s->st, &f, tag_event_cb, &w, &s->err);
    if (rc) {
        json_decref(w.tc.counts);
        return wbi_share_internal(s, rc);
    }
    json_t *arr = json_array();
    const char *name;
    json_t *c;
    int64_t id = 0;
    json_object_foreach(w.tc.counts, name, c)
    {
        json_array_append_new(arr,
                              json_pack("{s:s,s:s,s:s,s:b,s:b,s:I}", "id", wbi_share_num(s, ++id),
                                        "name", name, "colour", "#0088cc", "exportable", 1,
                                        "hide_tag", 0, "count", (json_int_t)json_integer_value(c)));
    }
    json_decref(w.tc.counts);
    return wbi_share_dump(s, json_pack("{s:o}", "Tag", arr), out);
}

/* ---- sharing groups and organisations ---------------------------------------------------------
 */

typedef struct sg_rows {
    wb_share *s;
    json_t *arr;
    const char *want; /* id or uuid, or NULL */
} sg_rows;

static bool in_groups(const wb_principal *p, int64_t sg)
{
    for (size_t i = 0; i < p->ngroups; i++)
        if (p->groups[i] == sg) return true;
    return false;
}

static int sg_cb(void *ud, const wb_sgroup *g)
{
    sg_rows *w = ud;
    /* Only the groups the caller's organisation is in: a group's name and
     * members are its members' business (a site admin sees every one). */
    if (!in_groups(w->s->who, g->id) && w->s->who->role != WB_ROLE_SITE_ADMIN) return 0;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)g->id);
    if (w->want && strcmp(w->want, id) != 0 && strcasecmp(w->want, g->uuid) != 0) return 0;
    json_t *orgs = json_array();
    const char *p = g->orgs ? g->orgs : "";
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        json_array_append_new(orgs, json_pack("{s:{s:s%}}", "Organisation", "name", p, n));
        p += n;
        if (*p == ',') p++;
    }
    json_array_append_new(w->arr, json_pack("{s:{s:s,s:s,s:s,s:b,s:b},s:o}", "SharingGroup", "id",
                                            id, "uuid", g->uuid, "name", g->name, "active", 1,
                                            "local", 1, "SharingGroupOrg", orgs));
    return 0;
}

int wb_share_misp_sgroups(wb_share *s, const char *id, wb_buf *out)
{
    sg_rows w = {.s = s, .arr = json_array(), .want = id};
    int rc = wb_store_sgroup_list(s->st, sg_cb, &w, &s->err);
    if (rc) {
        json_decref(w.arr);
        return wbi_share_internal(s, rc);
    }
    if (id == NULL) return wbi_share_dump(s, json_pack("{s:o}", "response", w.arr), out);
    if (json_array_size(w.arr) == 0) {
        json_decref(w.arr);
        return wbi_share_not_found(s);
    }
    json_t *one = json_incref(json_array_get(w.arr, 0));
    json_decref(w.arr);
    return wbi_share_dump(s, one, out);
}

typedef struct org_rows {
    wb_share *s;
    json_t *arr;
    const char *want;
} org_rows;

static int org_cb(void *ud, const wb_org *o)
{
    org_rows *w = ud;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)o->id);
    if (w->want && strcmp(w->want, id) != 0 && strcasecmp(w->want, o->uuid) != 0 &&
        strcasecmp(w->want, o->name) != 0)
        return 0;
    json_array_append_new(w->arr,
                          json_pack("{s:{s:s,s:s,s:s,s:s,s:s?,s:b}}", "Organisation", "id", id,
                                    "uuid", o->uuid, "name", o->name, "type",
                                    wb_org_kind_name(o->kind), "sector", o->sector, "local", 1));
    return 0;
}

int wb_share_misp_orgs(wb_share *s, const char *id, wb_buf *out)
{
    org_rows w = {.s = s, .arr = json_array(), .want = id};
    int rc = wb_store_org_list(s->st, org_cb, &w, &s->err);
    if (rc) {
        json_decref(w.arr);
        return wbi_share_internal(s, rc);
    }
    if (id == NULL) return wbi_share_dump(s, w.arr, out);
    if (json_array_size(w.arr) == 0) {
        json_decref(w.arr);
        return wbi_share_not_found(s);
    }
    json_t *one = json_incref(json_array_get(w.arr, 0));
    json_decref(w.arr);
    return wbi_share_dump(s, one, out);
}

/* ---- tags on an event or an attribute ------------------------------------------------------- */

/* Removes every tag named name from obj's Tag array and MISP's link shape
 * under link; true when one was there. */
static bool tag_remove(json_t *obj, const char *link, const char *name)
{
    bool had = false;
    json_t *tags = json_object_get(obj, "Tag");
    for (size_t i = json_array_size(tags); i > 0; i--) {
        const char *n = json_string_value(json_object_get(json_array_get(tags, i - 1), "name"));
        if (n && strcasecmp(n, name) == 0) {
            json_array_remove(tags, i - 1);
            had = true;
        }
    }
    json_t *links = json_object_get(obj, link);
    for (size_t i = json_array_size(links); i > 0; i--) {
        const char *n = json_string_value(
            json_object_get(json_object_get(json_array_get(links, i - 1), "Tag"), "name"));
        if (n && strcasecmp(n, name) == 0) {
            json_array_remove(links, i - 1);
            had = true;
        }
    }
    return had;
}

int wb_share_misp_tag(wb_share *s, const char *body, size_t len, bool attach, wb_buf *out)
{
    wbi_problem prob;
    json_t *root = wbi_json_load(body, len, wbi_share_max_depth(s), &prob);
    if (root == NULL) return wbi_share_fail(s, prob.status, prob.code, "%s", prob.msg);
    char uuid[WB_UUID_LEN + 1] = "", name[WB_NAME_MAX + 1] = "";
    const char *u = json_string_value(json_object_get(root, "uuid"));
    const char *t = json_string_value(json_object_get(root, "tag"));
    if (u && strlen(u) == WB_UUID_LEN) memcpy(uuid, u, sizeof uuid);
    if (t && strlen(t) <= WB_NAME_MAX) memcpy(name, t, strlen(t) + 1);
    json_decref(root);
    if (!wb_uuid_valid(uuid, strlen(uuid)))
        return wbi_share_fail(s, 422, "invalid_event", "$.uuid: an event's or an attribute's uuid");
    int64_t num;
    if (name[0] == '\0' || wb_parse_i64(name, strlen(name), 0, INT64_MAX, &num) == 0)
        return wbi_share_fail(s, 422, "invalid_event",
                              "$.tag: the tag's name (this hub has no tag ids), at most %d bytes",
                              WB_NAME_MAX);
    /* An attribute's uuid, else the event's. */
    wbi_attr_find f;
    int rc = wbi_misp_find_attr(s, uuid, &f);
    bool on_attr = rc == 0;
    if (rc && s->status != 404) return rc;
    s->status = 0;
    s->code = NULL;
    wb_event_rec ev;
    json_t *doc;
    rc = wbi_misp_own_doc(s, on_attr ? f.ev.uuid : uuid, &ev, &doc);
    if (rc) return rc;
    json_t *target = json_object_get(doc, "Event"), *arr = NULL;
    size_t at;
    if (on_attr) target = wbi_misp_doc_attr(doc, uuid, &arr, &at);
    if (target == NULL) {
        json_decref(doc);
        return wbi_share_not_found(s);
    }
    const char *link = on_attr ? "AttributeTag" : "EventTag";
    bool had = tag_remove(target, link, name);
    if (attach) {
        json_t *tags = json_object_get(target, "Tag");
        if (!json_is_array(tags)) {
            tags = json_array();
            json_object_set_new(target, "Tag", tags);
        }
        json_array_append_new(tags, json_pack("{s:s}", "name", name));
    } else if (!had) {
        json_decref(doc);
        return wbi_share_fail(s, 404, "not_found", "$.tag: '%s' is not on %s", name, uuid);
    }
    rc = wbi_misp_store_doc(s, &ev, doc);
    if (rc) return rc;
    return wbi_share_dump(s,
                          json_pack("{s:b,s:s,s:b}", "saved", 1, "success",
                                    attach ? "Tag attached." : "Tag removed.", "check_publish", 1),
                          out);
}
