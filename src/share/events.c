/*
 * events.c - the events of the share service (sharesvc.h): the list, the
 * change feed hub-sync and sensors pull, one event, and the writes (add,
 * edit, delete, publish). Attributes and objects travel inside their
 * event. Every row that goes out passes wb_policy_read (through
 * wbi_share_may_read); every write is validated (event.c), checked
 * against the caller's rights, written and audited in one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share/share_internal.h"
#include "weerbaar/mispsvc.h"

/* Rows of other events looked at for one page of changes: each invisible
 * change costs a version look-up, so a page stops after this many. */
#define MAX_CHANGES_SCANNED 10000
/* The furthest offset paging goes (page - 1) x limit, in visible events. */
#define MAX_LIST_OFFSET 100000
#define DEFAULT_MAX_PAGE_BYTES ((size_t)16 << 20)

static size_t max_page_bytes(const wb_share *s)
{
    return s->conf && s->conf->max_page_bytes ? s->conf->max_page_bytes : DEFAULT_MAX_PAGE_BYTES;
}

/* ---- fetching an event --------------------------------------------------------------- */

typedef struct one_event {
    wb_share *s;
    wb_event_rec ev;
    bool found;
} one_event;

static int one_event_cb(void *ud, const wb_event_rec *e)
{
    one_event *o = ud;
    wbi_share_copy_event(o->s, e, &o->ev);
    o->found = true;
    return 1;
}

int wb_share_event_fetch(wb_share *s, const char *uuid, wb_read_path path, wb_event_rec *ev)
{
    if (uuid == NULL || !wb_uuid_valid(uuid, strlen(uuid))) return wbi_share_not_found(s);
    one_event o = {.s = s};
    int rc = wb_store_event_get(s->st, uuid, one_event_cb, &o, &s->err);
    if (rc == WB_ENOTFOUND || (rc == 0 && (!o.found || o.ev.deleted)))
        return wbi_share_not_found(s);
    if (rc) return wbi_share_internal(s, rc);
    wb_policy_item it = wbi_policy_item_of(&o.ev, NULL);
    if (!wbi_share_may_read(s, path, &it, o.ev.uuid)) return wbi_share_not_found(s);
    *ev = o.ev;
    return 0;
}

/* ---- rendering events --------------------------------------------------------------- */

typedef struct attr_walk {
    wb_share *s;
    const wb_event_rec *ev;
    wb_read_path path;
    json_t *top;  /* the event's Attribute array */
    json_t *objs; /* the event's Object array, or NULL */
    /* object uuid -> its index in objs: a scan per attribute made an event
     * of 30,000 objects take 40 s to render */
    wbi_uuid_index index;
    bool misp; /* MISP's numeric ids on each attribute */
    int rc;
} attr_walk;

static json_t *find_object(const attr_walk *w, const char *uuid)
{
    size_t i;
    return wbi_uuid_index_get(&w->index, uuid, &i) ? json_array_get(w->objs, i) : NULL;
}

/* Indexes the objects by uuid (the first of a uuid wins, as a scan found
 * it). WB_ENOMEM. */
static int index_objects(attr_walk *w)
{
    size_t n = json_array_size(w->objs);
    if (n == 0) return 0;
    if (wbi_uuid_index_init(&w->index, n) != 0) return WB_ENOMEM;
    for (size_t i = n; i > 0; i--) {
        const char *u = json_string_value(json_object_get(json_array_get(w->objs, i - 1), "uuid"));
        if (u && wbi_uuid_index_put(&w->index, u, i - 1) != 0) return WB_ENOMEM;
    }
    return 0;
}

static int render_attr_cb(void *ud, const wb_event_rec *unused, const wb_attr_rec *a)
{
    (void)unused;
    attr_walk *w = ud;
    if (a->deleted) return 0;
    wb_policy_item it = wbi_policy_item_of(w->ev, a);
    if (!wbi_share_may_read(w->s, w->path, &it, a->uuid)) return 0;
    json_t *j = json_loads(a->json, 0, NULL);
    if (j == NULL) {
        w->rc =
            wb_error_set(&w->s->err, WB_EINTERNAL, "attribute %s: stored JSON unreadable", a->uuid);
        return 1;
    }
    /* Its tags in one array with its effective TLP: a weaker tlp: tag it
     * was posted with is not served. */
    wbi_tags_set_effective(j, "AttributeTag", wb_policy_tlp(&it), a->tlp != WB_TLP_UNSET);
    if (w->misp) wbi_misp_attr_ids(w->s, j, a, w->ev);
    json_t *dst = w->top;
    if (a->object_uuid && w->objs) {
        json_t *o = find_object(w, a->object_uuid);
        if (o) {
            dst = json_object_get(o, "Attribute");
            if (dst == NULL) {
                dst = json_array();
                json_object_set_new(o, "Attribute", dst);
            }
        }
    }
    json_array_append_new(dst, j);
    return 0;
}

typedef struct sg_name {
    wb_share *s;
    const char *uuid, *name;
} sg_name;

static int sg_name_cb(void *ud, const wb_sgroup *g)
{
    sg_name *n = ud;
    n->uuid = wbi_share_dup(n->s, g->uuid);
    n->name = wbi_share_dup(n->s, g->name);
    return 1;
}

json_t *wbi_share_render_event(wb_share *s, const wb_event_rec *ev, wb_read_path path)
{
    return wbi_share_render_event_ex(s, ev, path, false);
}

json_t *wbi_share_render_event_ex(wb_share *s, const wb_event_rec *ev, wb_read_path path, bool misp)
{
    json_t *e = json_loads(ev->json, 0, NULL);
    if (!json_is_object(e)) {
        json_decref(e);
        wb_error_set(&s->err, WB_EINTERNAL, "event %s: stored JSON unreadable", ev->uuid);
        wbi_share_internal(s, WB_EINTERNAL);
        return NULL;
    }
    json_object_set_new(e, "uuid", json_string(ev->uuid));
    /* Tag and EventTag as one Tag array naming the TLP the hub enforces. */
    wbi_tags_set_effective(e, "EventTag", ev->tlp, true);
    json_object_set_new(e, "distribution", json_string(wbi_share_num(s, ev->distribution)));
    if (ev->distribution == 4 && ev->sharing_group_id > 0) {
        sg_name n = {.s = s};
        wb_store_sgroup_find(s->st, ev->sharing_group_id, NULL, sg_name_cb, &n, NULL);
        json_object_set_new(e, "sharing_group_id",
                            json_string(wbi_share_num(s, ev->sharing_group_id)));
        if (n.uuid)
            json_object_set_new(e, "SharingGroup",
                                json_pack("{s:s,s:s}", "uuid", n.uuid, "name", n.name));
    }
    json_object_set_new(e, "published", json_boolean(ev->published));
    json_object_set_new(e, "timestamp", json_string(wbi_share_num(s, ev->timestamp)));
    json_t *org = json_pack("{s:s,s:s}", "name", ev->org_name, "uuid", ev->org_uuid);
    /* A pulled feed's event keeps the organisation that made it as Orgc
     * (feed_pull.c); Org is the one that holds it here, as in MISP. */
    if (!json_is_object(json_object_get(e, "Orgc")))
        json_object_set_new(e, "Orgc", json_deep_copy(org));
    json_object_set_new(e, "Org", org);
    if (misp) {
        json_object_set_new(e, "id", json_string(wbi_share_num(s, ev->id)));
        json_object_set_new(e, "org_id", json_string(wbi_share_num(s, ev->org_id)));
        json_object_set_new(e, "orgc_id", json_string(wbi_share_num(s, ev->org_id)));
    }
    attr_walk w = {.s = s, .ev = ev, .path = path, .top = json_array(), .misp = misp};
    json_t *objs = json_object_get(e, "Object");
    w.objs = json_is_array(objs) ? objs : NULL;
    int rc = index_objects(&w) ? wb_error_set(&s->err, WB_ENOMEM, "out of memory") : 0;
    if (rc == 0) rc = wb_store_attr_list(s->st, ev->id, render_attr_cb, &w, &s->err);
    if (rc == 0) rc = w.rc;
    wbi_uuid_index_free(&w.index);
    json_object_set_new(e, "Attribute", w.top);
    if (w.objs) {
        /* An object none of whose attributes the caller may see goes too
         * (into a new array: removing one by one moves the rest each time). */
        json_t *kept = json_array();
        size_t i;
        json_t *o;
        json_array_foreach(w.objs, i, o)
        {
            if (json_array_size(json_object_get(o, "Attribute")) > 0) json_array_append(kept, o);
        }
        json_object_set_new(e, "Object", kept);
    }
    /* MISP's Galaxy arrays from the event's and attributes' misp-galaxy:
     * tags (galaxy.c) */
    if (rc == 0) rc = wbi_galaxy_decorate(s, e, true);
    if (rc) {
        json_decref(e);
        wbi_share_internal(s, rc);
        return NULL;
    }
    return json_pack("{s:o}", "Event", e);
}

int wb_share_event_get(wb_share *s, const char *uuid, wb_read_path path, wb_buf *out)
{
    wb_event_rec ev;
    int rc = wb_share_event_fetch(s, uuid, path, &ev);
    if (rc) return rc;
    json_t *e = wbi_share_render_event(s, &ev, path);
    if (e == NULL) return wbi_share_internal(s, s->err.code);
    rc = wb_share_flush(s);
    if (rc) {
        json_decref(e);
        return rc;
    }
    return wbi_share_dump(s, e, out);
}

int wb_share_misp_event_view(wb_share *s, const char *uuid, wb_buf *out)
{
    wb_event_rec ev;
    int rc = wb_share_event_fetch(s, uuid, WB_READ_EVENT_GET, &ev);
    if (rc) return rc;
    json_t *e = wbi_share_render_event_ex(s, &ev, WB_READ_EVENT_GET, true);
    if (e == NULL) return wbi_share_internal(s, s->err.code);
    rc = wb_share_flush(s);
    if (rc) {
        json_decref(e);
        return rc;
    }
    return wbi_share_dump(s, e, out);
}

/* ---- the list ---------------------------------------------------------------------------- */

typedef struct list_walk {
    wb_share *s;
    int64_t skip, limit;
    wb_event_rec *rows;
    size_t n;
} list_walk;

static int list_cb(void *ud, const wb_event_rec *e)
{
    list_walk *w = ud;
    wb_policy_item it = wbi_policy_item_of(e, NULL);
    /* Invisible events do not count towards pages: paging is over what the
     * caller can see. The audit entry is only for events sent. */
    if (wb_policy_read(w->s->who, WB_READ_EVENT_LIST, &it) == WB_DENY) return 0;
    if (w->skip > 0) {
        w->skip--;
        return 0;
    }
    wbi_share_copy_event(w->s, e, &w->rows[w->n++]);
    return w->n == (size_t)w->limit;
}

typedef struct org_id_walk {
    int64_t id;
} org_id_walk;

static int org_id_cb(void *ud, const wb_org *o)
{
    ((org_id_walk *)ud)->id = o->id;
    return 1;
}

int wb_share_event_list(wb_share *s, const wb_share_list_req *q, wb_buf *out)
{
    int64_t page = q->page > 0 ? q->page : 1, limit = q->limit > 0 ? q->limit : 100;
    /* Offset paging counts visible events, which no index knows, so page
     * N reads every event before it: bounded here; the change feed
     * (after=SEQ) pages by key and walks any number of events. */
    if ((page - 1) * limit > MAX_LIST_OFFSET)
        return wbi_share_fail(
            s, 400, "invalid_request",
            "page: more than %d events in; page on with after=SEQ (the change feed)",
            MAX_LIST_OFFSET);
    wb_event_filter f = {.since = q->since, .tag = q->tag};
    wb_buf_reset(out);
    if (q->org) {
        org_id_walk o = {0};
        int rc = wb_store_org_find(s->st, q->org, org_id_cb, &o, &s->err);
        if (rc == WB_ENOTFOUND) {
            if (wb_buf_puts(out, "{\"response\":[]}") != 0) return wbi_share_internal(s, WB_ENOMEM);
            return 0;
        }
        if (rc) return wbi_share_internal(s, rc);
        f.org_id = o.id;
    }
    list_walk w = {.s = s, .skip = (page - 1) * limit, .limit = limit};
    w.rows = wb_arena_alloc(s->arena, (size_t)limit * sizeof *w.rows);
    if (w.rows == NULL) {
        wb_error_set(&s->err, WB_ENOMEM, "out of memory");
        return wbi_share_internal(s, WB_ENOMEM);
    }
    int rc = wb_store_event_list(s->st, &f, list_cb, &w, &s->err);
    if (rc) return wbi_share_internal(s, rc);
    /* Written event by event (see wb_share_event_changes). Offset paging
     * must keep its offsets, so an event past max_page_bytes is not left
     * out but sent as a stub without attributes ({"uuid", "timestamp",
     * "attributes_omitted": true}): the client fetches it by uuid. */
    rc = wb_buf_puts(out, "{\"response\":[");
    size_t sent = 0;
    for (size_t i = 0; rc == 0 && i < w.n; i++) {
        wb_policy_item it = wbi_policy_item_of(&w.rows[i], NULL);
        json_t *e;
        if (!wbi_share_may_read(s, WB_READ_EVENT_LIST, &it, w.rows[i].uuid)) continue;
        if (sent > 0 && out->len >= max_page_bytes(s)) {
            e = json_pack("{s:{s:s,s:s,s:b}}", "Event", "uuid", w.rows[i].uuid, "timestamp",
                          wbi_share_num(s, w.rows[i].timestamp), "attributes_omitted", 1);
        } else {
            e = wbi_share_render_event(s, &w.rows[i], WB_READ_EVENT_LIST);
            if (e == NULL) return wbi_share_internal(s, s->err.code);
        }
        rc = wbi_body_json(out, e, sent++ > 0);
    }
    if (rc == 0) rc = wb_buf_puts(out, "]}");
    if (rc != 0) {
        wb_error_set(&s->err, WB_ENOMEM, "out of memory");
        return wbi_share_internal(s, rc);
    }
    return wb_share_flush(s);
}

/* ---- the change feed (hub-sync) ---------------------------------------------------------- */

typedef struct change_walk {
    wb_share *s;
    int64_t after, limit;
    wb_event_rec *rows; /* visible events (json kept) and candidates (json NULL) */
    bool *visible;
    size_t n, nvisible, scanned;
    int64_t last; /* the sequence number of the last row examined */
    bool more;
} change_walk;

/* The read path the change feed asks the policy about: a sensor reads it
 * for its indicators (match --hub), so it is held to the indicator
 * look-up's rule; everyone else to the event list's. */
static wb_read_path feed_path(const wb_share *s)
{
    return s->who->role == WB_ROLE_SENSOR ? WB_READ_INDICATOR : WB_READ_EVENT_LIST;
}

static int change_cb(void *ud, const wb_event_rec *e)
{
    change_walk *w = ud;
    wb_policy_item it = wbi_policy_item_of(e, NULL);
    bool vis = !e->deleted && wb_policy_read(w->s->who, feed_path(w->s), &it) != WB_DENY;
    if ((vis && w->nvisible == (size_t)w->limit) || (!vis && w->scanned == MAX_CHANGES_SCANNED)) {
        w->more = true;
        return 1;
    }
    w->last = e->seq;
    if (vis) {
        w->nvisible++;
    } else {
        w->scanned++;
        if (w->after == 0) return 0; /* nothing to take back from a first pull */
    }
    wb_event_rec *d = &w->rows[w->n];
    if (vis) {
        wbi_share_copy_event(w->s, e, d);
    } else {
        memset(d, 0, sizeof *d);
        d->id = e->id;
        d->org_id = e->org_id;
        d->uuid = wbi_share_dup(w->s, e->uuid);
    }
    d->seq = e->seq;
    w->visible[w->n++] = vis;
    return 0;
}

/* Whether the caller could see the version of event `ev` in force at
 * sequence `at`: then it holds the event and must hear that it went. Only
 * then is a tombstone sent, so the feed never tells anyone that an event
 * exists which they could not see before. */
static int held_at(wb_share *s, const wb_event_rec *ev, int64_t at, bool *held)
{
    *held = false;
    if (at <= 0) return 0;
    wb_event_rec v = {0};
    int rc = wb_store_event_version_at(s->st, ev->id, at, &v, &s->err);
    if (rc == WB_ENOTFOUND) return 0;
    if (rc) return rc;
    v.org_id = ev->org_id;
    wb_policy_item it = wbi_policy_item_of(&v, NULL);
    /* the caller as it was at `at`: with the sharing groups its
     * organisation has been taken out of since (migration 15) */
    wb_principal then = *s->who;
    size_t nr = 0;
    int64_t removed[WB_PRINCIPAL_MAX_GROUPS];
    rc = wb_store_sgroup_removed_since(s->st, then.org_id, at, removed, WB_PRINCIPAL_MAX_GROUPS,
                                       &nr, &s->err);
    if (rc) return rc;
    for (size_t i = 0; i < nr && then.ngroups < WB_PRINCIPAL_MAX_GROUPS; i++)
        then.groups[then.ngroups++] = removed[i];
    *held = !v.deleted && wb_policy_read(&then, feed_path(s), &it) != WB_DENY;
    return 0;
}

int wb_share_event_changes(wb_share *s, int64_t after, int64_t limit, wb_buf *out)
{
    /* A cursor past every change this hub made comes from another
     * database (restored from a backup, or replaced): the client must not
     * wait for numbers this hub may give to other events, so it is told to
     * start again. */
    int64_t max = 0;
    int rc = wb_store_event_seq_max(s->st, &max, &s->err);
    if (rc) return wbi_share_internal(s, rc);
    if (after > max)
        return wbi_share_fail(s, 409, "cursor_ahead",
                              "after=%lld is past this hub's last change (%lld): the database "
                              "was restored or replaced; pull again from after=0",
                              (long long)after, (long long)max);
    change_walk w = {.s = s, .after = after, .limit = limit, .last = after};
    size_t cap = (size_t)limit + MAX_CHANGES_SCANNED;
    w.rows = wb_arena_alloc(s->arena, cap * sizeof *w.rows);
    w.visible = wb_arena_alloc(s->arena, cap * sizeof *w.visible);
    if (w.rows == NULL || w.visible == NULL) {
        wb_error_set(&s->err, WB_ENOMEM, "out of memory");
        return wbi_share_internal(s, WB_ENOMEM);
    }
    rc = wb_store_event_changes(s->st, after, change_cb, &w, &s->err);
    if (rc) return wbi_share_internal(s, rc);
    /* Written event by event into the body: the tree of a whole page was
     * ten times its text (1.5 GB for ten large events). A page stops at
     * max_page_bytes, after at least one event; last_seq then is the last
     * change sent and more is true. */
    wb_buf_reset(out);
    rc = wb_buf_puts(out, "{\"response\":[");
    size_t sent = 0;
    for (size_t i = 0; rc == 0 && i < w.n; i++) {
        json_t *e = NULL;
        if (sent > 0 && out->len >= max_page_bytes(s)) {
            w.last = w.rows[i - 1].seq;
            w.more = true;
            break;
        }
        if (w.visible[i]) {
            wb_policy_item it = wbi_policy_item_of(&w.rows[i], NULL);
            wbi_share_may_read(s, feed_path(s), &it, w.rows[i].uuid); /* the admin's audit */
            e = wbi_share_render_event(s, &w.rows[i], feed_path(s));
            if (e == NULL) return wbi_share_internal(s, s->err.code);
        } else {
            bool held;
            int hr = held_at(s, &w.rows[i], after, &held);
            if (hr) return wbi_share_internal(s, hr);
            if (!held) continue;
            e = json_pack("{s:{s:s,s:b}}", "Event", "uuid", w.rows[i].uuid, "deleted", 1);
        }
        rc = wbi_body_json(out, e, sent++ > 0);
    }
    if (rc == 0)
        rc = wb_buf_printf(out, "],\"last_seq\":%lld,\"more\":%s}", (long long)w.last,
                           w.more ? "true" : "false");
    if (rc != 0) {
        wb_error_set(&s->err, WB_ENOMEM, "out of memory");
        return wbi_share_internal(s, rc);
    }
    return wb_share_flush(s);
}

/* ---- writes -------------------------------------------------------------------------------- */

typedef struct sg_id_walk {
    int64_t id;
} sg_id_walk;

static int sg_id_cb(void *ud, const wb_sgroup *g)
{
    ((sg_id_walk *)ud)->id = g->id;
    return 1;
}

static bool in_groups(const wb_principal *p, int64_t sg)
{
    for (size_t i = 0; i < p->ngroups; i++)
        if (p->groups[i] == sg) return true;
    return false;
}

int wbi_share_resolve_sg(wb_share *s, const wbi_sgref *ref, const char *path, int64_t *out)
{
    sg_id_walk w = {0};
    int rc = ref->id > 0 ? wb_store_sgroup_find(s->st, ref->id, NULL, sg_id_cb, &w, &s->err)
                         : wb_store_sgroup_find(s->st, 0, ref->uuid, sg_id_cb, &w, &s->err);
    if (rc != 0 && rc != WB_ENOTFOUND) return wbi_share_internal(s, rc);
    if (rc == WB_ENOTFOUND || w.id == 0 ||
        (!in_groups(s->who, w.id) && s->who->role != WB_ROLE_SITE_ADMIN))
        /* The same answer for a group that exists elsewhere: no oracle. */
        return wbi_share_fail(s, 422, "invalid_event",
                              "%s.sharing_group_id: no sharing group your organisation belongs to",
                              path);
    *out = w.id;
    return 0;
}

/* A posted uuid (the event's or an attribute's) that is taken. uuids are
 * unique across the hub, so refusing one necessarily tells the poster that
 * it is taken; everything else is withheld: the answer is the same whoever
 * holds it, whether the caller may see it or not, whether it is an event
 * or an attribute uuid, deleted or not (no 404 for invisible, no 403 for
 * someone else's, unlike MISP's 403 with the existing event's location).
 * Knowing a uuid of an event one cannot see means having learnt it
 * elsewhere; such a collision is audited so probing shows in the log. */
typedef struct attr_clash {
    wb_share *s;
    bool hidden;
} attr_clash;

static int attr_clash_cb(void *ud, const wb_event_rec *e, const wb_attr_rec *a)
{
    attr_clash *c = ud;
    wb_policy_item it = wbi_policy_item_of(e, a);
    /* Taken by an attribute the caller cannot see (or sees only deleted). */
    c->hidden =
        a->deleted || e->deleted || wb_policy_read(c->s->who, WB_READ_EVENT_GET, &it) == WB_DENY;
    return 1;
}

/* At most this many attribute uuid collisions of one POST are audited one
 * by one; the rest as one entry with their count. */
#define MAX_CLASH_AUDITS 16

static int uuid_conflict(wb_share *s, const char *event_uuid, const wbi_event_in *in)
{
    size_t clashes = 0;
    for (size_t i = 0; in && i < in->nattrs; i++) {
        attr_clash c = {.s = s};
        if (wb_store_attr_get(s->st, in->attrs[i].rec.uuid, attr_clash_cb, &c, &s->err) != 0 ||
            !c.hidden)
            continue;
        if (++clashes <= MAX_CLASH_AUDITS &&
            wbi_share_audit_now(s, "attribute.uuid_conflict", in->attrs[i].rec.uuid,
                                "POST with the uuid of an attribute the caller cannot see") != 0)
            wbi_share_log(s, "audit: %s", s->err.msg);
    }
    if (clashes > MAX_CLASH_AUDITS) {
        char d[96];
        snprintf(d, sizeof d, "%zu further attribute uuids the caller cannot see in this POST",
                 clashes - MAX_CLASH_AUDITS);
        if (wbi_share_audit_now(s, "attribute.uuid_conflict", in->uuid, d) != 0)
            wbi_share_log(s, "audit: %s", s->err.msg);
    }
    if (event_uuid) {
        one_event o = {.s = s};
        if (wb_store_event_get(s->st, event_uuid, one_event_cb, &o, &s->err) == 0 && o.found) {
            wb_policy_item it = wbi_policy_item_of(&o.ev, NULL);
            if (o.ev.deleted || wb_policy_read(s->who, WB_READ_EVENT_GET, &it) == WB_DENY)
                if (wbi_share_audit_now(s, "event.uuid_conflict", event_uuid,
                                        "POST with the uuid of an event the caller cannot see") !=
                    0)
                    wbi_share_log(s, "audit: %s", s->err.msg);
        }
    }
    return wbi_share_fail(
        s, 409, "conflict",
        "a uuid in this event (the event's or an attribute's) is already in use on this "
        "hub; leave uuids out to have new ones made, or PUT to change your own event");
}

/* The warninglists of this call: the front end's current ones, else the
 * configuration's. */
static const wb_warninglists *share_wl(wb_share *s)
{
    if (s->wl_now) return s->wl_now(s->wl_ud);
    return s->conf ? s->conf->wl : NULL;
}

/* An indicator on one of the hub's warninglists (a public resolver, a
 * top site) is almost always a false positive: it is kept for analysts but
 * with to_ids false, so sensors (match --hub) do not alert on it, and
 * named, as MISP's enforced warninglists do. Returns the attributes
 * flagged. */
static size_t apply_warninglists(const wb_warninglists *wl, wbi_attr_in *a)
{
    if (wl == NULL) return 0;
    for (unsigned k = 0; k < a->rec.nkeys; k++) {
        const char *name =
            wb_warninglists_find(wl, a->rec.key_kind[k], a->rec.key[k], strlen(a->rec.key[k]));
        if (name == NULL) continue;
        a->rec.to_ids = false;
        json_object_set_new(a->json, "to_ids", json_false());
        json_object_set_new(a->json, "warninglist", json_string(name));
        return 1;
    }
    return 0;
}

static int problem(wb_share *s, const wbi_problem *p)
{
    if (p->status >= 500) {
        wb_error_set(&s->err, WB_ENOMEM, "%s", p->msg);
        return wbi_share_internal(s, WB_ENOMEM);
    }
    return wbi_share_fail(s, p->status, p->code, "%s", p->msg);
}

/* Validates, resolves and stores a posted event; replace for an edit of
 * `old`. org: the creator organisation of a new event. The answer is the
 * event as stored, read back through the policy. */
int wbi_share_store_event(wb_share *s, const char *body, size_t len, bool replace,
                          const wb_event_rec *old, int64_t org, wb_buf *out)
{
    wbi_event_in in;
    wbi_problem prob;
    wbi_limits lim = wbi_share_limits(s);
    if (wbi_event_parse(body, len, &lim, s->now, &in, &prob) != 0) {
        wbi_event_free(&in);
        return problem(s, &prob);
    }
    const char *base = json_object_get(in.root, "Event") ? "$.Event" : "$";
    if (replace) {
        if (in.uuid_given && strcmp(in.uuid, old->uuid) != 0) {
            wbi_event_free(&in);
            return wbi_share_fail(s, 422, "invalid_event",
                                  "%s.uuid: differs from the event's uuid in the path", base);
        }
        memcpy(in.uuid, old->uuid, WB_UUID_LEN + 1);
        json_object_set_new(in.event, "uuid", json_string(in.uuid));
    }
    wb_event_rec ev = {
        .uuid = in.uuid,
        .org_id = replace ? old->org_id : org,
        .info = in.info,
        .date = in.date,
        .distribution = in.distribution,
        .tlp = in.tlp,
        .published = in.published,
        .timestamp = s->now,
    };
    int bad = 0;
    size_t warned = 0;
    const wb_warninglists *wl = share_wl(s);
    if (in.distribution == 4) bad = wbi_share_resolve_sg(s, &in.sg, base, &ev.sharing_group_id);
    for (size_t i = 0; bad == 0 && i < in.nattrs; i++) {
        wbi_attr_in *a = &in.attrs[i];
        warned += apply_warninglists(wl, a);
        if (a->rec.distribution == 4)
            bad = wbi_share_resolve_sg(s, &a->sg, a->path, &a->rec.sharing_group_id);
        if (bad == 0 && a->rec.sharing_group_id > 0)
            json_object_set_new(a->json, "sharing_group_id",
                                json_string(wbi_share_num(s, a->rec.sharing_group_id)));
        if (bad == 0) {
            char *j = json_dumps(a->json, JSON_COMPACT | JSON_PRESERVE_ORDER);
            a->rec.json = j ? wb_arena_strdup(s->arena, j) : NULL;
            free(j);
            if (a->rec.json == NULL) {
                wb_error_set(&s->err, WB_ENOMEM, "out of memory");
                bad = wbi_share_internal(s, WB_ENOMEM);
            }
        }
    }
    char *ej = bad ? NULL : json_dumps(in.event, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (bad == 0 && ej == NULL) {
        wb_error_set(&s->err, WB_ENOMEM, "out of memory");
        bad = wbi_share_internal(s, WB_ENOMEM);
    }
    if (bad) {
        free(ej);
        wbi_event_free(&in);
        return bad;
    }
    ev.json = ej;
    wb_attr_rec *recs = in.nattrs ? calloc(in.nattrs, sizeof *recs) : NULL;
    int rc = in.nattrs && recs == NULL ? wb_error_set(&s->err, WB_ENOMEM, "out of memory") : 0;
    for (size_t i = 0; rc == 0 && i < in.nattrs; i++)
        recs[i] = in.attrs[i].rec;
    int64_t id = 0;
    if (rc == 0) rc = wb_store_begin(s->st, &s->err);
    if (rc == 0)
        rc = wb_store_event_put(s->st, &ev, in.tags, in.ntags, recs, in.nattrs, replace, &id,
                                &s->err);
    if (rc == 0) {
        char d[128];
        snprintf(d, sizeof d, "%zu attributes, TLP:%s, distribution %d", in.nattrs,
                 wb_tlp_name(in.tlp), in.distribution);
        if (warned)
            snprintf(d + strlen(d), sizeof d - strlen(d), "; %zu on warninglists (to_ids off)",
                     warned);
        rc = wbi_share_audit_now(s, replace ? "event.edit" : "event.add", in.uuid, d);
    }
    if (rc == 0) rc = wb_store_commit(s->st, &s->err);
    if (rc) wb_store_rollback(s->st);
    free(recs);
    free(ej);
    char uuid[WB_UUID_LEN + 1];
    memcpy(uuid, in.uuid, sizeof uuid);
    if (rc == WB_EINVAL) {
        rc = uuid_conflict(s, in.uuid_given && !replace ? uuid : NULL, &in);
        wbi_event_free(&in);
        return rc;
    }
    wbi_event_free(&in);
    if (rc) return wbi_share_internal(s, rc);
    /* Answer with the event as stored, read back through the policy (the
     * writer's own read-back is not audited as a read). */
    wb_event_rec back;
    rc = wb_share_event_fetch(s, uuid, WB_READ_EVENT_GET, &back);
    json_t *e = rc ? NULL : wbi_share_render_event_ex(s, &back, WB_READ_EVENT_GET, s->misp_shape);
    s->naudits = s->audits_dropped = 0;
    if (rc) return rc;
    if (e == NULL) return wbi_share_internal(s, s->err.code);
    return wbi_share_dump(s, e, out);
}

int wb_share_event_add(wb_share *s, const char *body, size_t len, int64_t creator_org, wb_buf *out)
{
    return wbi_share_store_event(s, body, len, false, NULL,
                                 creator_org ? creator_org : s->who->org_id, out);
}

/* The event for a write by the caller: visible (else 404) and created by
 * the caller's organisation (else 403; a site admin may delete and publish
 * but not rewrite another organisation's event). */
int wbi_share_fetch_own(wb_share *s, const char *uuid, bool admin_ok, wb_event_rec *ev)
{
    int rc = wb_share_event_fetch(s, uuid, WB_READ_EVENT_GET, ev);
    s->naudits = s->audits_dropped = 0; /* a write is audited as such, not as a read */
    if (rc) return rc;
    if (ev->org_id != s->who->org_id && !(admin_ok && s->who->role == WB_ROLE_SITE_ADMIN))
        return wbi_share_fail(s, 403, "forbidden",
                              "only the organisation that created an event may change it");
    return 0;
}

int wb_share_event_edit(wb_share *s, const char *uuid, const char *body, size_t len, wb_buf *out)
{
    wb_event_rec ev;
    int rc = wbi_share_fetch_own(s, uuid, false, &ev);
    if (rc) return rc;
    return wbi_share_store_event(s, body, len, true, &ev, ev.org_id, out);
}

static int set_flags(wb_share *s, const char *uuid, bool publish, wb_buf *out)
{
    wb_event_rec ev;
    int rc = wbi_share_fetch_own(s, uuid, true, &ev);
    if (rc) return rc;
    rc = wb_store_begin(s->st, &s->err);
    if (rc == 0)
        rc = wb_store_event_flag(s->st, ev.id, publish ? true : ev.published, !publish,
                                 publish ? ev.timestamp : s->now, &s->err);
    if (rc == 0)
        rc = wbi_share_audit_now(s, publish ? "event.publish" : "event.delete", ev.uuid, NULL);
    if (rc == 0) rc = wb_store_commit(s->st, &s->err);
    if (rc) {
        wb_store_rollback(s->st);
        return wbi_share_internal(s, rc);
    }
    return wbi_share_dump(
        s, json_pack("{s:s,s:b}", "uuid", ev.uuid, publish ? "published" : "deleted", 1), out);
}

int wb_share_event_delete(wb_share *s, const char *uuid, wb_buf *out)
{
    return set_flags(s, uuid, false, out);
}

int wb_share_event_publish(wb_share *s, const char *uuid, wb_buf *out)
{
    return set_flags(s, uuid, true, out);
}

int wb_share_event_warninglisted(wb_share *s, const char *body, size_t len, wb_buf *hits)
{
    wbi_event_in in;
    wbi_problem prob;
    wbi_limits lim = wbi_share_limits(s);
    if (wbi_event_parse(body, len, &lim, s->now, &in, &prob) != 0) {
        wbi_event_free(&in);
        return -1;
    }
    const wb_warninglists *wl = share_wl(s);
    json_t *arr = json_array();
    int n = 0;
    for (size_t i = 0; wl && i < in.nattrs; i++) {
        const wb_attr_rec *a = &in.attrs[i].rec;
        for (unsigned k = 0; k < a->nkeys; k++) {
            const char *name =
                wb_warninglists_find(wl, a->key_kind[k], a->key[k], strlen(a->key[k]));
            if (name == NULL) continue;
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "type", a->type, "value",
                                                 a->value, "warninglist", name));
            n++;
            break;
        }
    }
    wbi_event_free(&in);
    wb_buf_reset(hits);
    if (wbi_body_json(hits, arr, false) != 0) return -1;
    return n;
}

int wb_share_event_stix(wb_share *s, const char *uuid, wb_buf *out)
{
    wb_event_rec ev;
    int rc = wb_share_event_fetch(s, uuid, WB_READ_STIX, &ev);
    if (rc) return rc;
    json_t *bundle = NULL;
    size_t admin_reads = 0;
    rc = wbi_stix_bundle(s->st, s->who, &ev, &bundle, &admin_reads, &s->err);
    if (rc == 0 && admin_reads)
        wbi_share_audit_later(s, "read.admin", ev.uuid,
                              "TLP:AMBER or stricter attributes read by site admin via STIX "
                              "export");
    if (rc) return wbi_share_internal(s, rc);
    rc = wb_share_flush(s);
    if (rc) {
        json_decref(bundle);
        return rc;
    }
    return wbi_share_dump(s, bundle, out);
}
