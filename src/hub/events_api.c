/*
 * events_api.c - the event endpoints: GET /api/v1/events (the list, and
 * with ?after=SEQ the change feed hub-sync and sensors pull), GET, PUT and
 * DELETE /api/v1/events/{uuid}, POST /api/v1/events and
 * /api/v1/events/{uuid}/publish. Attributes and objects travel inside
 * their event. Also the helpers the other resources share: fetching a
 * visible event, rendering it through the policy (router.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/router.h"

/* ---- copies of rows ------------------------------------------------------------------- */

void wbi_copy_event(wbi_req *r, const wb_event_rec *src, wb_event_rec *dst)
{
    *dst = *src;
    dst->uuid = wbi_rdup(r, src->uuid);
    dst->org_name = wbi_rdup(r, src->org_name);
    dst->org_uuid = wbi_rdup(r, src->org_uuid);
    dst->info = wbi_rdup(r, src->info);
    dst->date = wbi_rdup(r, src->date);
    dst->json = wbi_rdup(r, src->json);
}

static void audit_admin_read(wbi_req *r, wb_read_path path, const char *uuid,
                             const wb_policy_item *it)
{
    static const char *const paths[] = {"event list", "event",     "indicator look-up",
                                        "sightings",  "MISP feed", "STIX export"};
    char d[96];
    const char *tlp = wb_tlp_name(wb_policy_tlp(it));
    snprintf(d, sizeof d, "TLP:%s read by site admin via %s", tlp ? tlp : "?", paths[path]);
    wbi_audit_later(r, "read.admin", uuid, d);
}

/* Asks the policy; collects the audit entry a site admin's read needs. */
bool wbi_may_read(wbi_req *r, wb_read_path path, const wb_policy_item *it, const char *uuid)
{
    wb_access acc = wb_policy_read(&r->who, path, it);
    if (acc == WB_ALLOW_AUDITED) audit_admin_read(r, path, uuid, it);
    return acc != WB_DENY;
}

/* ---- fetching an event --------------------------------------------------------------- */

typedef struct one_event {
    wbi_req *r;
    wb_event_rec ev;
    bool found;
} one_event;

static int one_event_cb(void *ud, const wb_event_rec *e)
{
    one_event *o = ud;
    wbi_copy_event(o->r, e, &o->ev);
    o->found = true;
    return 1;
}

/* 0 with *ev a visible, undeleted event; otherwise the reply is sent (404
 * or 500) and -1 returned. */
int wbi_fetch_event(wbi_req *r, wb_read_path path, wb_event_rec *ev)
{
    if (!wb_uuid_valid(r->id, strlen(r->id))) {
        wbi_reply_not_found(r);
        return -1;
    }
    one_event o = {.r = r};
    int rc = wb_store_event_get(r->st, r->id, one_event_cb, &o, &r->err);
    if (rc == WB_ENOTFOUND || (rc == 0 && (!o.found || o.ev.deleted))) {
        wbi_reply_not_found(r);
        return -1;
    }
    if (rc) {
        wbi_reply_internal(r);
        return -1;
    }
    wb_policy_item it = wbi_policy_item_of(&o.ev, NULL);
    if (!wbi_may_read(r, path, &it, o.ev.uuid)) {
        wbi_reply_not_found(r);
        return -1;
    }
    *ev = o.ev;
    return 0;
}

/* ---- rendering events --------------------------------------------------------------- */

typedef struct attr_walk {
    wbi_req *r;
    const wb_event_rec *ev;
    wb_read_path path;
    json_t *top;  /* the event's Attribute array */
    json_t *objs; /* the event's Object array, or NULL */
    /* object uuid -> its index in objs: a scan per attribute made an event
     * of 30,000 objects take 40 s to render */
    wbi_uuid_index index;
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
    attr_walk *w = ud;
    if (a->deleted) return 0;
    wb_policy_item it = wbi_policy_item_of(w->ev, a);
    if (!wbi_may_read(w->r, w->path, &it, a->uuid)) return 0;
    json_t *j = json_loads(a->json, 0, NULL);
    if (j == NULL) {
        w->rc =
            wb_error_set(&w->r->err, WB_EINTERNAL, "attribute %s: stored JSON unreadable", a->uuid);
        return 1;
    }
    /* Its tags in one array with its effective TLP: a weaker tlp: tag it
     * was posted with is not served. */
    wbi_tags_set_effective(j, "AttributeTag", wb_policy_tlp(&it), a->tlp != WB_TLP_UNSET);
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
    wbi_req *r;
    const char *uuid, *name;
} sg_name;

static int sg_name_cb(void *ud, const wb_sgroup *g)
{
    sg_name *s = ud;
    s->uuid = wbi_rdup(s->r, g->uuid);
    s->name = wbi_rdup(s->r, g->name);
    return 1;
}

/* {"Event": {...}} with the attributes the caller may see; NULL after
 * wbi_reply_internal. */
static json_t *render_event(wbi_req *r, const wb_event_rec *ev, wb_read_path path)
{
    json_t *e = json_loads(ev->json, 0, NULL);
    if (!json_is_object(e)) {
        json_decref(e);
        wb_error_set(&r->err, WB_EINTERNAL, "event %s: stored JSON unreadable", ev->uuid);
        wbi_reply_internal(r);
        return NULL;
    }
    json_object_set_new(e, "uuid", json_string(ev->uuid));
    /* Tag and EventTag as one Tag array naming the TLP the hub enforces. */
    wbi_tags_set_effective(e, "EventTag", ev->tlp, true);
    json_object_set_new(e, "distribution", json_string(wbi_num(r, ev->distribution)));
    if (ev->distribution == 4 && ev->sharing_group_id > 0) {
        sg_name s = {.r = r};
        wb_store_sgroup_find(r->st, ev->sharing_group_id, NULL, sg_name_cb, &s, NULL);
        json_object_set_new(e, "sharing_group_id", json_string(wbi_num(r, ev->sharing_group_id)));
        if (s.uuid)
            json_object_set_new(e, "SharingGroup",
                                json_pack("{s:s,s:s}", "uuid", s.uuid, "name", s.name));
    }
    json_object_set_new(e, "published", json_boolean(ev->published));
    json_object_set_new(e, "timestamp", json_string(wbi_num(r, ev->timestamp)));
    json_t *org = json_pack("{s:s,s:s}", "name", ev->org_name, "uuid", ev->org_uuid);
    /* A pulled feed's event keeps the organisation that made it as Orgc
     * (feed_pull.c); Org is the one that holds it here, as in MISP. */
    if (!json_is_object(json_object_get(e, "Orgc")))
        json_object_set_new(e, "Orgc", json_deep_copy(org));
    json_object_set_new(e, "Org", org);
    attr_walk w = {.r = r, .ev = ev, .path = path, .top = json_array()};
    json_t *objs = json_object_get(e, "Object");
    w.objs = json_is_array(objs) ? objs : NULL;
    int rc = index_objects(&w) ? wb_error_set(&r->err, WB_ENOMEM, "out of memory") : 0;
    if (rc == 0) rc = wb_store_attr_list(r->st, ev->id, render_attr_cb, &w, &r->err);
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
    if (rc) {
        json_decref(e);
        wbi_reply_internal(r);
        return NULL;
    }
    return json_pack("{s:o}", "Event", e);
}

/* ---- GET /api/v1/events ---------------------------------------------------------------- */

typedef struct list_walk {
    wbi_req *r;
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
    if (wb_policy_read(&w->r->who, WB_READ_EVENT_LIST, &it) == WB_DENY) return 0;
    if (w->skip > 0) {
        w->skip--;
        return 0;
    }
    wbi_copy_event(w->r, e, &w->rows[w->n++]);
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

/* ---- GET /api/v1/events?after=SEQ: the change feed (hub-sync) ----------------------------- */

static int body_dump_cb(const char *p, size_t n, void *ud)
{
    return wb_buf_append(ud, p, n) == 0 ? 0 : -1;
}

/* Appends o (taking its reference) to b as compact JSON, after a comma
 * when comma is set. 0 or WB_ENOMEM. */
int wbi_body_json(wb_buf *b, json_t *o, bool comma)
{
    int rc = o ? 0 : WB_ENOMEM;
    if (rc == 0 && comma) rc = wb_buf_putc(b, ',');
    if (rc == 0 && json_dump_callback(o, body_dump_cb, b, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0)
        rc = WB_ENOMEM;
    json_decref(o);
    return rc;
}

/* Rows of other events looked at for one page of changes: each invisible
 * change costs a version look-up, so a page stops after this many. */
#define MAX_CHANGES_SCANNED 10000
/* The furthest offset paging goes (page - 1) x limit, in visible events. */
#define MAX_LIST_OFFSET 100000

typedef struct change_walk {
    wbi_req *r;
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
static wb_read_path feed_path(const wbi_req *r)
{
    return r->who.role == WB_ROLE_SENSOR ? WB_READ_INDICATOR : WB_READ_EVENT_LIST;
}

static int change_cb(void *ud, const wb_event_rec *e)
{
    change_walk *w = ud;
    wb_policy_item it = wbi_policy_item_of(e, NULL);
    bool vis = !e->deleted && wb_policy_read(&w->r->who, feed_path(w->r), &it) != WB_DENY;
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
        wbi_copy_event(w->r, e, d);
    } else {
        memset(d, 0, sizeof *d);
        d->id = e->id;
        d->org_id = e->org_id;
        d->uuid = wbi_rdup(w->r, e->uuid);
    }
    d->seq = e->seq;
    w->visible[w->n++] = vis;
    return 0;
}

/* Whether the caller could see the version of event `ev` in force at
 * sequence `at`: then it holds the event and must hear that it went. Only
 * then is a tombstone sent, so the feed never tells anyone that an event
 * exists which they could not see before. */
static int held_at(wbi_req *r, const wb_event_rec *ev, int64_t at, bool *held)
{
    *held = false;
    if (at <= 0) return 0;
    wb_event_rec v = {0};
    int rc = wb_store_event_version_at(r->st, ev->id, at, &v, &r->err);
    if (rc == WB_ENOTFOUND) return 0;
    if (rc) return rc;
    v.org_id = ev->org_id;
    wb_policy_item it = wbi_policy_item_of(&v, NULL);
    *held = !v.deleted && wb_policy_read(&r->who, feed_path(r), &it) != WB_DENY;
    return 0;
}

/* The changes since the caller's last pull: events written after sequence
 * `after` that the caller may see, in full, and {"Event": {"uuid",
 * "deleted": true}} for those it held at `after` that are deleted or no
 * longer visible to it. `last_seq` is where the next pull starts. */
static void h_event_changes(wbi_req *r)
{
    int64_t after = 0, limit = 100;
    if (wbi_arg(r, "page") || wbi_arg(r, "since") || wbi_arg(r, "tag") || wbi_arg(r, "org")) {
        wbi_reply_error(
            r, 400, "invalid_request",
            "after: the change feed takes only after and limit (no page, since, tag, org)");
        return;
    }
    if (!wbi_arg_int(r, "after", 0, INT64_MAX, &after) || !wbi_arg_int(r, "limit", 1, 1000, &limit))
        return;
    /* A cursor past every change this hub made comes from another
     * database (restored from a backup, or replaced): the client must not
     * wait for numbers this hub may give to other events, so it is told to
     * start again. */
    int64_t max = 0;
    if (wb_store_event_seq_max(r->st, &max, &r->err) != 0) {
        wbi_reply_internal(r);
        return;
    }
    if (after > max) {
        wbi_reply_error(r, 409, "cursor_ahead",
                        "after=%lld is past this hub's last change (%lld): the database was "
                        "restored or replaced; pull again from after=0",
                        (long long)after, (long long)max);
        return;
    }
    change_walk w = {.r = r, .after = after, .limit = limit, .last = after};
    size_t cap = (size_t)limit + MAX_CHANGES_SCANNED;
    w.rows = wb_arena_alloc(&r->arena, cap * sizeof *w.rows);
    w.visible = wb_arena_alloc(&r->arena, cap * sizeof *w.visible);
    if (w.rows == NULL || w.visible == NULL) {
        wb_error_set(&r->err, WB_ENOMEM, "out of memory");
        wbi_reply_internal(r);
        return;
    }
    if (wb_store_event_changes(r->st, after, change_cb, &w, &r->err) != 0) {
        wbi_reply_internal(r);
        return;
    }
    /* Written event by event into the body: the tree of a whole page was
     * ten times its text (1.5 GB for ten large events). A page stops at
     * opts.max_page_bytes, after at least one event; last_seq then is the last
     * change sent and more is true. */
    wb_buf *body = &r->resp->body;
    wb_buf_reset(body);
    int rc = wb_buf_puts(body, "{\"response\":[");
    size_t sent = 0;
    for (size_t i = 0; rc == 0 && i < w.n; i++) {
        json_t *e = NULL;
        if (sent > 0 && body->len >= r->hub->opts.max_page_bytes) {
            w.last = w.rows[i - 1].seq;
            w.more = true;
            break;
        }
        if (w.visible[i]) {
            wb_policy_item it = wbi_policy_item_of(&w.rows[i], NULL);
            wbi_may_read(r, feed_path(r), &it, w.rows[i].uuid); /* the admin's audit entry */
            e = render_event(r, &w.rows[i], feed_path(r));
            if (e == NULL) return;
        } else {
            bool held;
            if (held_at(r, &w.rows[i], after, &held) != 0) {
                wbi_reply_internal(r);
                return;
            }
            if (!held) continue;
            e = json_pack("{s:{s:s,s:b}}", "Event", "uuid", w.rows[i].uuid, "deleted", 1);
        }
        rc = wbi_body_json(body, e, sent++ > 0);
    }
    if (rc == 0)
        rc = wb_buf_printf(body, "],\"last_seq\":%lld,\"more\":%s}", (long long)w.last,
                           w.more ? "true" : "false");
    if (rc != 0) wb_error_set(&r->err, WB_ENOMEM, "out of memory");
    if (rc != 0 || wbi_flush_audits(r) != 0) {
        wbi_reply_internal(r);
        return;
    }
    r->resp->status = 200;
}

void wbi_h_event_list(wbi_req *r)
{
    if (wbi_arg(r, "after") != NULL) {
        h_event_changes(r);
        return;
    }
    int64_t page = 1, limit = 100;
    wb_time since = 0;
    if (!wbi_arg_int(r, "page", 1, 1000000, &page) || !wbi_arg_int(r, "limit", 1, 1000, &limit) ||
        !wbi_arg_time(r, "since", &since))
        return;
    /* Offset paging counts visible events, which no index knows, so page
     * N reads every event before it: bounded here; the change feed
     * (after=SEQ) pages by key and walks any number of events. */
    if ((page - 1) * limit > MAX_LIST_OFFSET) {
        wbi_reply_error(r, 400, "invalid_request",
                        "page: more than %d events in; page on with after=SEQ (the change feed)",
                        MAX_LIST_OFFSET);
        return;
    }
    wb_event_filter f = {.since = since > 0 ? since / 1000000 : 0, .tag = wbi_arg(r, "tag")};
    const char *org = wbi_arg(r, "org");
    if (org) {
        org_id_walk o = {0};
        int rc = wb_store_org_find(r->st, org, org_id_cb, &o, &r->err);
        if (rc == WB_ENOTFOUND) {
            wbi_reply_json(r, 200, json_pack("{s:[]}", "response"));
            return;
        }
        if (rc) {
            wbi_reply_internal(r);
            return;
        }
        f.org_id = o.id;
    }
    list_walk w = {.r = r, .skip = (page - 1) * limit, .limit = limit};
    w.rows = wb_arena_alloc(&r->arena, (size_t)limit * sizeof *w.rows);
    if (w.rows == NULL) {
        wb_error_set(&r->err, WB_ENOMEM, "out of memory");
        wbi_reply_internal(r);
        return;
    }
    if (wb_store_event_list(r->st, &f, list_cb, &w, &r->err) != 0) {
        wbi_reply_internal(r);
        return;
    }
    /* Written event by event (see h_event_changes). Offset paging must keep
     * its offsets, so an event past opts.max_page_bytes is not left out but
     * sent as a stub without attributes ({"uuid", "timestamp",
     * "attributes_omitted": true}): the client fetches it by uuid. */
    wb_buf *body = &r->resp->body;
    wb_buf_reset(body);
    int rc = wb_buf_puts(body, "{\"response\":[");
    size_t sent = 0;
    for (size_t i = 0; rc == 0 && i < w.n; i++) {
        wb_policy_item it = wbi_policy_item_of(&w.rows[i], NULL);
        json_t *e;
        if (sent > 0 && body->len >= r->hub->opts.max_page_bytes) {
            if (!wbi_may_read(r, WB_READ_EVENT_LIST, &it, w.rows[i].uuid)) continue;
            e = json_pack("{s:{s:s,s:s,s:b}}", "Event", "uuid", w.rows[i].uuid, "timestamp",
                          wbi_num(r, w.rows[i].timestamp), "attributes_omitted", 1);
        } else {
            if (!wbi_may_read(r, WB_READ_EVENT_LIST, &it, w.rows[i].uuid)) continue;
            e = render_event(r, &w.rows[i], WB_READ_EVENT_LIST);
            if (e == NULL) return;
        }
        rc = wbi_body_json(body, e, sent++ > 0);
    }
    if (rc == 0) rc = wb_buf_puts(body, "]}");
    if (rc != 0) wb_error_set(&r->err, WB_ENOMEM, "out of memory");
    if (rc != 0 || wbi_flush_audits(r) != 0) {
        wbi_reply_internal(r);
        return;
    }
    r->resp->status = 200;
}

/* ---- GET /api/v1/events/{uuid} -------------------------------------------------------- */

void wbi_h_event_get(wbi_req *r)
{
    wb_event_rec ev;
    if (wbi_fetch_event(r, WB_READ_EVENT_GET, &ev) != 0) return;
    json_t *e = render_event(r, &ev, WB_READ_EVENT_GET);
    if (e == NULL) return;
    if (wbi_flush_audits(r) != 0) {
        json_decref(e);
        wbi_reply_internal(r);
        return;
    }
    wbi_reply_json(r, 200, e);
}

/* ---- POST /api/v1/events, PUT /api/v1/events/{uuid} ---------------------------------------- */

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

/* Resolves a sharing group reference to an id the caller's organisation
 * belongs to (a site admin may use any). -1 with the reply sent. */
static int resolve_sg(wbi_req *r, const wbi_sgref *ref, const char *path, int64_t *out)
{
    sg_id_walk w = {0};
    int rc = ref->id > 0 ? wb_store_sgroup_find(r->st, ref->id, NULL, sg_id_cb, &w, &r->err)
                         : wb_store_sgroup_find(r->st, 0, ref->uuid, sg_id_cb, &w, &r->err);
    if (rc != 0 && rc != WB_ENOTFOUND) {
        wbi_reply_internal(r);
        return -1;
    }
    if (rc == WB_ENOTFOUND || w.id == 0 ||
        (!in_groups(&r->who, w.id) && r->who.role != WB_ROLE_SITE_ADMIN)) {
        /* The same answer for a group that exists elsewhere: no oracle. */
        wbi_reply_error(r, 422, "invalid_event",
                        "%s.sharing_group_id: no sharing group your organisation belongs to", path);
        return -1;
    }
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
    wbi_req *r;
    bool hidden;
} attr_clash;

static int attr_clash_cb(void *ud, const wb_event_rec *e, const wb_attr_rec *a)
{
    attr_clash *c = ud;
    wb_policy_item it = wbi_policy_item_of(e, a);
    /* Taken by an attribute the caller cannot see (or sees only deleted). */
    c->hidden =
        a->deleted || e->deleted || wb_policy_read(&c->r->who, WB_READ_EVENT_GET, &it) == WB_DENY;
    return 1;
}

/* At most this many attribute uuid collisions of one POST are audited one
 * by one; the rest as one entry with their count. */
#define MAX_CLASH_AUDITS 16

static void uuid_conflict(wbi_req *r, const char *event_uuid, const wbi_event_in *in)
{
    size_t clashes = 0;
    for (size_t i = 0; in && i < in->nattrs; i++) {
        attr_clash c = {.r = r};
        if (wb_store_attr_get(r->st, in->attrs[i].rec.uuid, attr_clash_cb, &c, &r->err) != 0 ||
            !c.hidden)
            continue;
        if (++clashes <= MAX_CLASH_AUDITS &&
            wbi_audit_now(r, "attribute.uuid_conflict", in->attrs[i].rec.uuid,
                          "POST with the uuid of an attribute the caller cannot see") != 0)
            wbi_hub_log(r->hub, "audit: %s", r->err.msg);
    }
    if (clashes > MAX_CLASH_AUDITS) {
        char d[96];
        snprintf(d, sizeof d, "%zu further attribute uuids the caller cannot see in this POST",
                 clashes - MAX_CLASH_AUDITS);
        if (wbi_audit_now(r, "attribute.uuid_conflict", in->uuid, d) != 0)
            wbi_hub_log(r->hub, "audit: %s", r->err.msg);
    }
    if (event_uuid) {
        one_event o = {.r = r};
        if (wb_store_event_get(r->st, event_uuid, one_event_cb, &o, &r->err) == 0 && o.found) {
            wb_policy_item it = wbi_policy_item_of(&o.ev, NULL);
            if (o.ev.deleted || wb_policy_read(&r->who, WB_READ_EVENT_GET, &it) == WB_DENY)
                if (wbi_audit_now(r, "event.uuid_conflict", event_uuid,
                                  "POST with the uuid of an event the caller cannot see") != 0)
                    wbi_hub_log(r->hub, "audit: %s", r->err.msg);
        }
    }
    wbi_reply_error(
        r, 409, "conflict",
        "a uuid in this event (the event's or an attribute's) is already in use on this "
        "hub; leave uuids out to have new ones made, or PUT to change your own event");
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

/* Validates, resolves and stores a posted event; replace for PUT. */
static void store_event(wbi_req *r, bool replace, const wb_event_rec *old)
{
    wbi_event_in in;
    wbi_problem prob;
    if (wbi_event_parse(r->req->body, r->req->body_len, &r->hub->lim, r->now, &in, &prob) != 0) {
        wbi_event_free(&in);
        wbi_reply_problem(r, &prob);
        return;
    }
    const char *base = json_object_get(in.root, "Event") ? "$.Event" : "$";
    if (replace) {
        if (in.uuid_given && strcmp(in.uuid, old->uuid) != 0) {
            wbi_event_free(&in);
            wbi_reply_error(r, 422, "invalid_event",
                            "%s.uuid: differs from the event's uuid in the "
                            "path",
                            base);
            return;
        }
        memcpy(in.uuid, old->uuid, WB_UUID_LEN + 1);
        json_object_set_new(in.event, "uuid", json_string(in.uuid));
    }
    wb_event_rec ev = {
        .uuid = in.uuid,
        .org_id = replace ? old->org_id : r->who.org_id,
        .info = in.info,
        .date = in.date,
        .distribution = in.distribution,
        .tlp = in.tlp,
        .published = in.published,
        .timestamp = r->now,
    };
    int bad = 0;
    size_t warned = 0;
    const wb_warninglists *wl = wbi_warninglists(r);
    if (in.distribution == 4) bad = resolve_sg(r, &in.sg, base, &ev.sharing_group_id);
    for (size_t i = 0; bad == 0 && i < in.nattrs; i++) {
        wbi_attr_in *a = &in.attrs[i];
        warned += apply_warninglists(wl, a);
        if (a->rec.distribution == 4)
            bad = resolve_sg(r, &a->sg, a->path, &a->rec.sharing_group_id);
        if (bad == 0 && a->rec.sharing_group_id > 0)
            json_object_set_new(a->json, "sharing_group_id",
                                json_string(wbi_num(r, a->rec.sharing_group_id)));
        if (bad == 0) {
            char *j = json_dumps(a->json, JSON_COMPACT | JSON_PRESERVE_ORDER);
            a->rec.json = j ? wb_arena_strdup(&r->arena, j) : NULL;
            free(j);
            if (a->rec.json == NULL) {
                wb_error_set(&r->err, WB_ENOMEM, "out of memory");
                wbi_reply_internal(r);
                bad = -1;
            }
        }
    }
    char *ej = bad ? NULL : json_dumps(in.event, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (bad == 0 && ej == NULL) {
        wb_error_set(&r->err, WB_ENOMEM, "out of memory");
        wbi_reply_internal(r);
        bad = -1;
    }
    if (bad) {
        free(ej);
        wbi_event_free(&in);
        return;
    }
    ev.json = ej;
    wb_attr_rec *recs = in.nattrs ? calloc(in.nattrs, sizeof *recs) : NULL;
    int rc = in.nattrs && recs == NULL ? wb_error_set(&r->err, WB_ENOMEM, "out of memory") : 0;
    for (size_t i = 0; rc == 0 && i < in.nattrs; i++)
        recs[i] = in.attrs[i].rec;
    int64_t id = 0;
    if (rc == 0) rc = wb_store_begin(r->st, &r->err);
    if (rc == 0)
        rc = wb_store_event_put(r->st, &ev, in.tags, in.ntags, recs, in.nattrs, replace, &id,
                                &r->err);
    if (rc == 0) {
        char d[128];
        snprintf(d, sizeof d, "%zu attributes, TLP:%s, distribution %d", in.nattrs,
                 wb_tlp_name(in.tlp), in.distribution);
        if (warned)
            snprintf(d + strlen(d), sizeof d - strlen(d), "; %zu on warninglists (to_ids off)",
                     warned);
        rc = wbi_audit_now(r, replace ? "event.edit" : "event.add", in.uuid, d);
    }
    if (rc == 0) rc = wb_store_commit(r->st, &r->err);
    if (rc) wb_store_rollback(r->st);
    free(recs);
    free(ej);
    char uuid[WB_UUID_LEN + 1];
    memcpy(uuid, in.uuid, sizeof uuid);
    if (rc == WB_EINVAL) {
        uuid_conflict(r, in.uuid_given && !replace ? uuid : NULL, &in);
        wbi_event_free(&in);
        return;
    }
    wbi_event_free(&in);
    if (rc) {
        wbi_reply_internal(r);
        return;
    }
    /* Answer with the event as stored, read back through the policy. */
    r->id = wb_arena_strdup(&r->arena, uuid);
    wb_event_rec back;
    if (r->id == NULL || wbi_fetch_event(r, WB_READ_EVENT_GET, &back) != 0) {
        if (r->id == NULL) wbi_reply_internal(r);
        return;
    }
    json_t *e = render_event(r, &back, WB_READ_EVENT_GET);
    if (e) wbi_reply_json(r, replace ? 200 : 201, e);
}

void wbi_h_event_add(wbi_req *r)
{
    store_event(r, false, NULL);
}

/* The event creation path of POST /api/v1/events for incident_api.c
 * (incident share): the body and the creator organisation are the
 * caller's to set; validation, the TLP and distribution rules, sharing
 * groups and the audit entry (with the real user) are exactly those of the
 * endpoint, and so is the reply. */
void wbi_event_create(wbi_req *r, const char *body, size_t len, int64_t creator_org)
{
    wb_hub_request req = *r->req;
    req.body = body;
    req.body_len = len;
    const wb_hub_request *saved = r->req;
    int64_t org = r->who.org_id;
    r->req = &req;
    r->who.org_id = creator_org;
    store_event(r, false, NULL);
    r->req = saved;
    r->who.org_id = org;
}

/* For incident_api.c (a proposal shown to the CSIRT before it decides):
 * appends {"type", "value", "warninglist"} to hits for each attribute of
 * the event document that stands on one of the hub's warninglists, found
 * as store_event finds them. The count, or -1 for a document the events
 * path would refuse. */
int wbi_event_warninglisted(wbi_req *r, const char *body, size_t len, json_t *hits)
{
    wbi_event_in in;
    wbi_problem prob;
    if (wbi_event_parse(body, len, &r->hub->lim, r->now, &in, &prob) != 0) {
        wbi_event_free(&in);
        return -1;
    }
    int n = 0;
    const wb_warninglists *wl = wbi_warninglists(r);
    for (size_t i = 0; wl && i < in.nattrs; i++) {
        const wb_attr_rec *a = &in.attrs[i].rec;
        for (unsigned k = 0; k < a->nkeys; k++) {
            const char *name =
                wb_warninglists_find(wl, a->key_kind[k], a->key[k], strlen(a->key[k]));
            if (name == NULL) continue;
            json_array_append_new(hits, json_pack("{s:s, s:s, s:s}", "type", a->type, "value",
                                                  a->value, "warninglist", name));
            n++;
            break;
        }
    }
    wbi_event_free(&in);
    return n;
}

/* The event for a write by the caller: visible (else 404) and created by
 * the caller's organisation (else 403; a site admin may delete and publish
 * but not rewrite another organisation's event). */
static int fetch_own_event(wbi_req *r, bool admin_ok, wb_event_rec *ev)
{
    if (wbi_fetch_event(r, WB_READ_EVENT_GET, ev) != 0) return -1;
    r->naudits = 0; /* a write is audited as such, not as a read */
    if (ev->org_id != r->who.org_id && !(admin_ok && r->who.role == WB_ROLE_SITE_ADMIN)) {
        wbi_reply_error(r, 403, "forbidden",
                        "only the organisation that created an event may change it");
        return -1;
    }
    return 0;
}

void wbi_h_event_put(wbi_req *r)
{
    wb_event_rec ev;
    if (fetch_own_event(r, false, &ev) != 0) return;
    store_event(r, true, &ev);
}

static void set_flags(wbi_req *r, bool publish)
{
    wb_event_rec ev;
    if (fetch_own_event(r, true, &ev) != 0) return;
    int rc = wb_store_begin(r->st, &r->err);
    if (rc == 0)
        rc = wb_store_event_flag(r->st, ev.id, publish ? true : ev.published, !publish,
                                 publish ? ev.timestamp : r->now, &r->err);
    if (rc == 0) rc = wbi_audit_now(r, publish ? "event.publish" : "event.delete", ev.uuid, NULL);
    if (rc == 0) rc = wb_store_commit(r->st, &r->err);
    if (rc) {
        wb_store_rollback(r->st);
        wbi_reply_internal(r);
        return;
    }
    wbi_reply_json(r, 200,
                   json_pack("{s:s,s:b}", "uuid", ev.uuid, publish ? "published" : "deleted", 1));
}

void wbi_h_event_delete(wbi_req *r)
{
    set_flags(r, false);
}

void wbi_h_event_publish(wbi_req *r)
{
    set_flags(r, true);
}
