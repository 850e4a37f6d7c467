/*
 * api.c - the hub's JSON API (/api/v1) as one function from request to
 * response (wb_hub_handle), independent of the HTTP library.
 *
 * A request goes: route (a static table; 404 or 405 when nothing fits),
 * authenticate (Bearer key, hashed and looked up on every request so that a
 * revocation holds at once), rate-limit per key, then the route's handler.
 * Handlers read through the store and ask wb_policy_read about every event,
 * attribute and sighting before it goes out; what the caller may not see is
 * left out, and a request for it answers 404 exactly as for something that
 * does not exist.
 *
 * Store walks call back while a statement is running, so callbacks only
 * copy what they need (into the request's arena); further queries, audit
 * writes and rendering happen after the walk. Every error is an HTTP status
 * and {"error": {"code", "message"}} with a stable code; database errors are
 * logged through opts.log and reach the client only as "internal".
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hub/assess_api.h"
#include "hub/deps_api.h"
#include "hub/hub_internal.h"
#include "weerbaar/assessdb.h"
#include "weerbaar/incident.h"
#include "weerbaar/register.h"

/* Most attributes one sightings request may record (across all its sightings). */
#define MAX_SIGHTING_HITS 100000

#define DEFAULT_MAX_BODY ((size_t)50 * 1000 * 1000)
#define MAX_LOOKUP_KEYS 160
#define MAX_RESULTS 10000
/* The rate-limit bucket all failed authentications share (key ids are > 0). */
#define AUTH_FAIL_BUCKET ((int64_t)-1)
/* The bucket all keyless fetches of the public feed's manifest and hashes
 * share: each is an audit row and an fsync, like a failed authentication. */
#define PUBLIC_FEED_BUCKET ((int64_t)-2)
/* Streamed answers at once: each holds a thread and a database connection
 * while it is produced, and a temporary file while it is read (stream.c).
 * Keyless and keyed callers have budgets of their own, so that strangers
 * reading the public feed slowly never make a member's feed answer 503. */
#define MAX_STREAMS_PUBLIC 8
#define MAX_STREAMS_KEYED 16
#define MAX_STREAMS_PER_ADDRESS 4

struct wb_hub {
    wb_hub_opts opts;
    wbi_limits lim;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    wb_store **pool; /* every connection */
    size_t *idle;    /* indexes into pool of the ones free now */
    /* Per connection, used by whoever holds it: the look-up keys (48 KB,
     * which a malloc and free per request made the allocator's work). */
    wb_ioc_key **keys;
    size_t npool, nidle;
    wbi_ratelimit rl;
    wbi_catalogues cats;                      /* assessments (assess_api.c) */
    atomic_int streams_public, streams_keyed; /* streamed answers in flight (feeds) */
    wbi_addrcount stream_addrs;               /* and per client address */
    /* The database's warninglists as the hub started (admin warninglist
     * add takes effect at the next start); immutable, shared by threads. */
    wb_warninglists *wl;
    /* Anonymous audit entries aggregated (audit_anon). */
    pthread_mutex_t agg_lock;
    struct agg_slot {
        char action[24], object[48], detail[48];
        int64_t since; /* the window's start (Unix seconds); 0 = free */
        uint64_t more; /* occurrences since the last entry written */
    } agg[16];
    wbi_metrics *metrics; /* requests by route and status (ops_api.c) */
};

/* A window of aggregation: the first anonymous read (or failed
 * authentication) of a kind in it is an audit entry, the rest are counted
 * into the next one. */
#define AUDIT_AGG_WINDOW_S 60

/* The request context (wbi_req) is in hub_internal.h: incident_api.c shares it. */
typedef wbi_req hreq;

/* ---- responses ------------------------------------------------------------------- */

static void hub_log(wb_hub *hub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void hub_log(wb_hub *hub, const char *fmt, ...)
{
    if (hub->opts.log == NULL) return;
    char msg[WB_ERROR_MSG_MAX + 128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hub->opts.log(hub->opts.log_ud, msg);
}

static void reply_json(hreq *r, unsigned status, json_t *o);

static void reply_error(hreq *r, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void reply_error(hreq *r, unsigned status, const char *code, const char *fmt, ...)
{
    char msg[WB_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *o = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg);
    if (o == NULL) /* a message that is not UTF-8 (it quotes input): say less */
        o = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", "invalid input");
    reply_json(r, status, o);
}

/* Database trouble: the details go to the log, never to the client. */
static void reply_internal(hreq *r)
{
    hub_log(r->hub, "%s %s: %s", r->req->method, r->req->path,
            r->err.msg[0] ? r->err.msg : wb_strerror(r->err.code));
    reply_error(r, 500, "internal", "internal error (the hub's log has the details)");
}

static void reply_json(hreq *r, unsigned status, json_t *o)
{
    wb_buf_reset(&r->resp->body);
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (text == NULL) {
        r->resp->status = 500;
        wb_buf_puts(&r->resp->body,
                    "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
        return;
    }
    r->resp->status = status;
    if (wb_buf_puts(&r->resp->body, text) != 0) r->resp->status = 500;
    free(text);
}

static void reply_problem(hreq *r, const wbi_problem *p)
{
    if (p->status >= 500) {
        wb_error_set(&r->err, WB_ENOMEM, "%s", p->msg);
        reply_internal(r);
        return;
    }
    reply_error(r, p->status, p->code, "%s", p->msg);
}

static void reply_not_found(hreq *r)
{
    reply_error(r, 404, "not_found", "no such event, attribute or resource");
}

/* ---- small helpers ----------------------------------------------------------------- */

static const char *rdup(hreq *r, const char *s)
{
    return s ? wb_arena_strdup(&r->arena, s) : NULL;
}

static const char *arg(const hreq *r, const char *key)
{
    for (size_t i = 0; i < r->req->nargs; i++)
        if (strcmp(r->req->args[i].key, key) == 0)
            return r->req->args[i].value ? r->req->args[i].value : "";
    return NULL;
}

/* An integer query argument in [min, max]; false (and a 400 sent) when bad. */
static bool arg_int(hreq *r, const char *key, int64_t min, int64_t max, int64_t *out)
{
    const char *v = arg(r, key);
    if (v == NULL) return true;
    if (wb_parse_i64(v, strlen(v), min, max, out) != 0) {
        reply_error(r, 400, "invalid_request", "%s: expected an integer from %lld to %lld", key,
                    (long long)min, (long long)max);
        return false;
    }
    return true;
}

/* `since`: Unix seconds or an RFC 3339 time/date. */
static bool arg_time(hreq *r, const char *key, wb_time *out)
{
    const char *v = arg(r, key);
    if (v == NULL) return true;
    int64_t secs;
    if (wb_parse_i64(v, strlen(v), 0, INT64_MAX, &secs) == 0 && wb_time_from_unix(secs, out) == 0)
        return true;
    if (wb_time_parse(v, strlen(v), out) == 0) return true;
    reply_error(r, 400, "invalid_request", "%s: expected Unix seconds or an RFC 3339 time", key);
    return false;
}

static char *num(hreq *r, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    return wb_arena_strdup(&r->arena, buf);
}

static void audit_later(hreq *r, const char *action, const char *object, const char *detail)
{
    if (r->audits == NULL) {
        /* Most requests audit nothing: no 6 KB to clear for them. */
        r->audits = wb_arena_alloc(&r->arena, WBI_MAX_AUDIT_PENDING * sizeof *r->audits);
        if (r->audits == NULL) {
            r->audits_dropped++;
            return;
        }
    }
    if (r->naudits == WBI_MAX_AUDIT_PENDING) {
        r->audits_dropped++;
        return;
    }
    r->audits[r->naudits++] = (wbi_pending_audit){action, rdup(r, object), rdup(r, detail)};
}

/* Writes the audit entries a handler collected; a read that must be
 * audited is not answered unless its entry is on disk. */
static int flush_audits(hreq *r)
{
    if (r->naudits == 0) return 0;
    int rc = wb_store_begin(r->st, &r->err);
    for (size_t i = 0; rc == 0 && i < r->naudits; i++) {
        wb_audit_rec a = {.user = r->owner.email,
                          .org = r->owner.org_name,
                          .action = r->audits[i].action,
                          .object = r->audits[i].object,
                          .detail = r->audits[i].detail};
        rc = wb_store_audit(r->st, &a, &r->err);
    }
    if (rc == 0 && r->audits_dropped) {
        char d[64];
        snprintf(d, sizeof d, "%zu further entries of this request", r->audits_dropped);
        wb_audit_rec a = {.user = r->owner.email,
                          .org = r->owner.org_name,
                          .action = r->audits[0].action,
                          .object = NULL,
                          .detail = d};
        rc = wb_store_audit(r->st, &a, &r->err);
    }
    if (rc == 0) rc = wb_store_commit(r->st, &r->err);
    if (rc) wb_store_rollback(r->st);
    r->naudits = r->audits_dropped = 0;
    return rc;
}

/* An audit entry written at once: in its own transaction, or as part of
 * the caller's when one is open (transactions nest). Never a bare write:
 * the request's read transaction (wb_store_read_begin) would hold it
 * uncommitted. */
static int audit_now(hreq *r, const char *action, const char *object, const char *detail)
{
    wb_audit_rec a = {.user = r->who.authenticated ? r->owner.email : "-",
                      .org = r->who.authenticated ? r->owner.org_name : "-",
                      .action = action,
                      .object = object,
                      .detail = detail};
    int rc = wb_store_begin(r->st, &r->err);
    if (rc == 0) rc = wb_store_audit(r->st, &a, &r->err);
    if (rc == 0) rc = wb_store_commit(r->st, &r->err);
    if (rc) wb_store_rollback(r->st);
    return rc;
}

/* Audit entries of callers without a valid key (public feed fetches,
 * failed authentications), aggregated: a stranger could otherwise add
 * 2 x --rate rows a second. The first of a kind (action, object, detail)
 * in a window of AUDIT_AGG_WINDOW_S is written at once; later ones in the
 * window are counted, and the count is written with the next entry of
 * that kind after the window ("... and N more since TIME"), when its slot
 * is taken by another kind, or when the hub closes. */
typedef struct agg_out {
    char action[24], object[48], detail[160];
    bool has_object, write;
} agg_out;

static void agg_fill(agg_out *o, const struct agg_slot *sl, uint64_t more, int64_t since,
                     bool alone)
{
    snprintf(o->action, sizeof o->action, "%s", sl->action);
    snprintf(o->object, sizeof o->object, "%s", sl->object);
    o->has_object = sl->object[0] != '\0';
    char t[40] = "";
    wb_time_format(since * 1000000, t, sizeof t);
    if (alone)
        snprintf(o->detail, sizeof o->detail, "%llu more: %s (since %s)", (unsigned long long)more,
                 sl->detail, t);
    else if (more)
        snprintf(o->detail, sizeof o->detail, "%s (and %llu more since %s)", sl->detail,
                 (unsigned long long)more, t);
    else
        snprintf(o->detail, sizeof o->detail, "%s", sl->detail);
    o->write = true;
}

static void agg_write(hreq *r, const agg_out *o)
{
    if (o->write && audit_now(r, o->action, o->has_object ? o->object : NULL, o->detail) != 0)
        hub_log(r->hub, "audit: %s", r->err.msg);
}

static void audit_anon(hreq *r, const char *action, const char *object, const char *detail)
{
    wb_hub *hub = r->hub;
    agg_out evicted = {0}, mine = {0};
    const char *obj = object ? object : "";
    pthread_mutex_lock(&hub->agg_lock);
    struct agg_slot *sl = NULL, *oldest = &hub->agg[0];
    for (size_t i = 0; i < sizeof hub->agg / sizeof hub->agg[0] && sl == NULL; i++) {
        struct agg_slot *c = &hub->agg[i];
        if (c->since && strcmp(c->action, action) == 0 && strcmp(c->object, obj) == 0 &&
            strcmp(c->detail, detail) == 0)
            sl = c;
        else if (c->since < oldest->since)
            oldest = c;
    }
    if (sl && r->now - sl->since < AUDIT_AGG_WINDOW_S) {
        sl->more++;
        pthread_mutex_unlock(&hub->agg_lock);
        return;
    }
    if (sl == NULL) {
        sl = oldest;
        if (sl->since && sl->more) agg_fill(&evicted, sl, sl->more, sl->since, true);
        snprintf(sl->action, sizeof sl->action, "%s", action);
        snprintf(sl->object, sizeof sl->object, "%s", obj);
        snprintf(sl->detail, sizeof sl->detail, "%s", detail);
        sl->more = 0;
        sl->since = r->now;
    }
    agg_fill(&mine, sl, sl->more, sl->since, false);
    sl->since = r->now;
    sl->more = 0;
    pthread_mutex_unlock(&hub->agg_lock);
    agg_write(r, &evicted);
    agg_write(r, &mine);
}

/* ---- the helpers incident_api.c shares (hub_internal.h) ---------------------------------- */

void wbi_reply_error(wbi_req *r, unsigned status, const char *code, const char *fmt, ...)
{
    char msg[WB_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    reply_error(r, status, code, "%s", msg);
}

void wbi_reply_internal(wbi_req *r)
{
    reply_internal(r);
}

void wbi_reply_json(wbi_req *r, unsigned status, json_t *o)
{
    reply_json(r, status, o);
}

void wbi_reply_problem(wbi_req *r, const wbi_problem *p)
{
    reply_problem(r, p);
}

const char *wbi_rdup(wbi_req *r, const char *s)
{
    return rdup(r, s);
}

const char *wbi_arg(const wbi_req *r, const char *key)
{
    return arg(r, key);
}

bool wbi_arg_time(wbi_req *r, const char *key, wb_time *out)
{
    return arg_time(r, key, out);
}

char *wbi_num(wbi_req *r, int64_t v)
{
    return num(r, v);
}

void wbi_audit_later(wbi_req *r, const char *action, const char *object, const char *detail)
{
    audit_later(r, action, object, detail);
}

int wbi_flush_audits(wbi_req *r)
{
    return flush_audits(r);
}

int wbi_audit_now(wbi_req *r, const char *action, const char *object, const char *detail)
{
    return audit_now(r, action, object, detail);
}

unsigned wbi_hub_max_depth(const wb_hub *hub)
{
    return hub->lim.max_depth;
}

wbi_metrics *wbi_hub_metrics(const wb_hub *hub)
{
    return hub->metrics;
}

const char *wbi_hub_db_path(const wb_hub *hub)
{
    return hub->opts.db;
}

/* ---- copies of rows ------------------------------------------------------------------- */

static void copy_event(hreq *r, const wb_event_rec *src, wb_event_rec *dst)
{
    *dst = *src;
    dst->uuid = rdup(r, src->uuid);
    dst->org_name = rdup(r, src->org_name);
    dst->org_uuid = rdup(r, src->org_uuid);
    dst->info = rdup(r, src->info);
    dst->date = rdup(r, src->date);
    dst->json = rdup(r, src->json);
}

static void audit_admin_read(hreq *r, wb_read_path path, const char *uuid, const wb_policy_item *it)
{
    static const char *const paths[] = {"event list", "event",     "indicator look-up",
                                        "sightings",  "MISP feed", "STIX export"};
    char d[96];
    const char *tlp = wb_tlp_name(wb_policy_tlp(it));
    snprintf(d, sizeof d, "TLP:%s read by site admin via %s", tlp ? tlp : "?", paths[path]);
    audit_later(r, "read.admin", uuid, d);
}

/* Asks the policy; collects the audit entry a site admin's read needs. */
static bool may_read(hreq *r, wb_read_path path, const wb_policy_item *it, const char *uuid)
{
    wb_access acc = wb_policy_read(&r->who, path, it);
    if (acc == WB_ALLOW_AUDITED) audit_admin_read(r, path, uuid, it);
    return acc != WB_DENY;
}

/* ---- fetching an event --------------------------------------------------------------- */

typedef struct one_event {
    hreq *r;
    wb_event_rec ev;
    bool found;
} one_event;

static int one_event_cb(void *ud, const wb_event_rec *e)
{
    one_event *o = ud;
    copy_event(o->r, e, &o->ev);
    o->found = true;
    return 1;
}

/* 0 with *ev a visible, undeleted event; otherwise the reply is sent (404
 * or 500) and -1 returned. */
static int fetch_event(hreq *r, wb_read_path path, wb_event_rec *ev)
{
    if (!wb_uuid_valid(r->id, strlen(r->id))) {
        reply_not_found(r);
        return -1;
    }
    one_event o = {.r = r};
    int rc = wb_store_event_get(r->st, r->id, one_event_cb, &o, &r->err);
    if (rc == WB_ENOTFOUND || (rc == 0 && (!o.found || o.ev.deleted))) {
        reply_not_found(r);
        return -1;
    }
    if (rc) {
        reply_internal(r);
        return -1;
    }
    wb_policy_item it = wbi_policy_item_of(&o.ev, NULL);
    if (!may_read(r, path, &it, o.ev.uuid)) {
        reply_not_found(r);
        return -1;
    }
    *ev = o.ev;
    return 0;
}

/* ---- rendering events --------------------------------------------------------------- */

typedef struct attr_walk {
    hreq *r;
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
    if (!may_read(w->r, w->path, &it, a->uuid)) return 0;
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
    hreq *r;
    const char *uuid, *name;
} sg_name;

static int sg_name_cb(void *ud, const wb_sgroup *g)
{
    sg_name *s = ud;
    s->uuid = rdup(s->r, g->uuid);
    s->name = rdup(s->r, g->name);
    return 1;
}

/* {"Event": {...}} with the attributes the caller may see; NULL after
 * reply_internal. */
static json_t *render_event(hreq *r, const wb_event_rec *ev, wb_read_path path)
{
    json_t *e = json_loads(ev->json, 0, NULL);
    if (!json_is_object(e)) {
        json_decref(e);
        wb_error_set(&r->err, WB_EINTERNAL, "event %s: stored JSON unreadable", ev->uuid);
        reply_internal(r);
        return NULL;
    }
    json_object_set_new(e, "uuid", json_string(ev->uuid));
    /* Tag and EventTag as one Tag array naming the TLP the hub enforces. */
    wbi_tags_set_effective(e, "EventTag", ev->tlp, true);
    json_object_set_new(e, "distribution", json_string(num(r, ev->distribution)));
    if (ev->distribution == 4 && ev->sharing_group_id > 0) {
        sg_name s = {.r = r};
        wb_store_sgroup_find(r->st, ev->sharing_group_id, NULL, sg_name_cb, &s, NULL);
        json_object_set_new(e, "sharing_group_id", json_string(num(r, ev->sharing_group_id)));
        if (s.uuid)
            json_object_set_new(e, "SharingGroup",
                                json_pack("{s:s,s:s}", "uuid", s.uuid, "name", s.name));
    }
    json_object_set_new(e, "published", json_boolean(ev->published));
    json_object_set_new(e, "timestamp", json_string(num(r, ev->timestamp)));
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
        reply_internal(r);
        return NULL;
    }
    return json_pack("{s:o}", "Event", e);
}

/* ---- GET / ------------------------------------------------------------------------------ */

static void h_status(hreq *r)
{
    reply_json(r, 200,
               json_pack("{s:s,s:s,s:s,s:i}", "name", "weerbaar hub", "version", WB_VERSION, "api",
                         "/api/v1", "schema", wb_store_schema_version(r->st)));
}

/* ---- GET /api/v1/events ---------------------------------------------------------------- */

typedef struct list_walk {
    hreq *r;
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
    copy_event(w->r, e, &w->rows[w->n++]);
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

/* The default of the most bytes of rendered events one page of the event
 * list or the change feed holds (opts.max_page_bytes; docs/hub.md,
 * Limits); a page may pass it by its last event, itself bounded by
 * --max-attributes. */
#define MAX_PAGE_BYTES ((size_t)16 << 20)

static int body_dump_cb(const char *p, size_t n, void *ud)
{
    return wb_buf_append(ud, p, n) == 0 ? 0 : -1;
}

/* Appends o (taking its reference) to b as compact JSON, after a comma
 * when comma is set. 0 or WB_ENOMEM. */
static int body_json(wb_buf *b, json_t *o, bool comma)
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
    hreq *r;
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
static wb_read_path feed_path(const hreq *r)
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
        copy_event(w->r, e, d);
    } else {
        memset(d, 0, sizeof *d);
        d->id = e->id;
        d->org_id = e->org_id;
        d->uuid = rdup(w->r, e->uuid);
    }
    d->seq = e->seq;
    w->visible[w->n++] = vis;
    return 0;
}

/* Whether the caller could see the version of event `ev` in force at
 * sequence `at`: then it holds the event and must hear that it went. Only
 * then is a tombstone sent, so the feed never tells anyone that an event
 * exists which they could not see before. */
static int held_at(hreq *r, const wb_event_rec *ev, int64_t at, bool *held)
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
static void h_event_changes(hreq *r)
{
    int64_t after = 0, limit = 100;
    if (arg(r, "page") || arg(r, "since") || arg(r, "tag") || arg(r, "org")) {
        reply_error(r, 400, "invalid_request",
                    "after: the change feed takes only after and limit (no page, since, tag, org)");
        return;
    }
    if (!arg_int(r, "after", 0, INT64_MAX, &after) || !arg_int(r, "limit", 1, 1000, &limit)) return;
    /* A cursor past every change this hub made comes from another
     * database (restored from a backup, or replaced): the client must not
     * wait for numbers this hub may give to other events, so it is told to
     * start again. */
    int64_t max = 0;
    if (wb_store_event_seq_max(r->st, &max, &r->err) != 0) {
        reply_internal(r);
        return;
    }
    if (after > max) {
        reply_error(r, 409, "cursor_ahead",
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
        reply_internal(r);
        return;
    }
    if (wb_store_event_changes(r->st, after, change_cb, &w, &r->err) != 0) {
        reply_internal(r);
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
            may_read(r, feed_path(r), &it, w.rows[i].uuid); /* the admin's audit entry */
            e = render_event(r, &w.rows[i], feed_path(r));
            if (e == NULL) return;
        } else {
            bool held;
            if (held_at(r, &w.rows[i], after, &held) != 0) {
                reply_internal(r);
                return;
            }
            if (!held) continue;
            e = json_pack("{s:{s:s,s:b}}", "Event", "uuid", w.rows[i].uuid, "deleted", 1);
        }
        rc = body_json(body, e, sent++ > 0);
    }
    if (rc == 0)
        rc = wb_buf_printf(body, "],\"last_seq\":%lld,\"more\":%s}", (long long)w.last,
                           w.more ? "true" : "false");
    if (rc != 0) wb_error_set(&r->err, WB_ENOMEM, "out of memory");
    if (rc != 0 || flush_audits(r) != 0) {
        reply_internal(r);
        return;
    }
    r->resp->status = 200;
}

static void h_event_list(hreq *r)
{
    if (arg(r, "after") != NULL) {
        h_event_changes(r);
        return;
    }
    int64_t page = 1, limit = 100;
    wb_time since = 0;
    if (!arg_int(r, "page", 1, 1000000, &page) || !arg_int(r, "limit", 1, 1000, &limit) ||
        !arg_time(r, "since", &since))
        return;
    /* Offset paging counts visible events, which no index knows, so page
     * N reads every event before it: bounded here; the change feed
     * (after=SEQ) pages by key and walks any number of events. */
    if ((page - 1) * limit > MAX_LIST_OFFSET) {
        reply_error(r, 400, "invalid_request",
                    "page: more than %d events in; page on with after=SEQ (the change feed)",
                    MAX_LIST_OFFSET);
        return;
    }
    wb_event_filter f = {.since = since > 0 ? since / 1000000 : 0, .tag = arg(r, "tag")};
    const char *org = arg(r, "org");
    if (org) {
        org_id_walk o = {0};
        int rc = wb_store_org_find(r->st, org, org_id_cb, &o, &r->err);
        if (rc == WB_ENOTFOUND) {
            reply_json(r, 200, json_pack("{s:[]}", "response"));
            return;
        }
        if (rc) {
            reply_internal(r);
            return;
        }
        f.org_id = o.id;
    }
    list_walk w = {.r = r, .skip = (page - 1) * limit, .limit = limit};
    w.rows = wb_arena_alloc(&r->arena, (size_t)limit * sizeof *w.rows);
    if (w.rows == NULL) {
        wb_error_set(&r->err, WB_ENOMEM, "out of memory");
        reply_internal(r);
        return;
    }
    if (wb_store_event_list(r->st, &f, list_cb, &w, &r->err) != 0) {
        reply_internal(r);
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
            if (!may_read(r, WB_READ_EVENT_LIST, &it, w.rows[i].uuid)) continue;
            e = json_pack("{s:{s:s,s:s,s:b}}", "Event", "uuid", w.rows[i].uuid, "timestamp",
                          num(r, w.rows[i].timestamp), "attributes_omitted", 1);
        } else {
            if (!may_read(r, WB_READ_EVENT_LIST, &it, w.rows[i].uuid)) continue;
            e = render_event(r, &w.rows[i], WB_READ_EVENT_LIST);
            if (e == NULL) return;
        }
        rc = body_json(body, e, sent++ > 0);
    }
    if (rc == 0) rc = wb_buf_puts(body, "]}");
    if (rc != 0) wb_error_set(&r->err, WB_ENOMEM, "out of memory");
    if (rc != 0 || flush_audits(r) != 0) {
        reply_internal(r);
        return;
    }
    r->resp->status = 200;
}

/* ---- GET /api/v1/events/{uuid} -------------------------------------------------------- */

static void h_event_get(hreq *r)
{
    wb_event_rec ev;
    if (fetch_event(r, WB_READ_EVENT_GET, &ev) != 0) return;
    json_t *e = render_event(r, &ev, WB_READ_EVENT_GET);
    if (e == NULL) return;
    if (flush_audits(r) != 0) {
        json_decref(e);
        reply_internal(r);
        return;
    }
    reply_json(r, 200, e);
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
static int resolve_sg(hreq *r, const wbi_sgref *ref, const char *path, int64_t *out)
{
    sg_id_walk w = {0};
    int rc = ref->id > 0 ? wb_store_sgroup_find(r->st, ref->id, NULL, sg_id_cb, &w, &r->err)
                         : wb_store_sgroup_find(r->st, 0, ref->uuid, sg_id_cb, &w, &r->err);
    if (rc != 0 && rc != WB_ENOTFOUND) {
        reply_internal(r);
        return -1;
    }
    if (rc == WB_ENOTFOUND || w.id == 0 ||
        (!in_groups(&r->who, w.id) && r->who.role != WB_ROLE_SITE_ADMIN)) {
        /* The same answer for a group that exists elsewhere: no oracle. */
        reply_error(r, 422, "invalid_event",
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
    hreq *r;
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

static void uuid_conflict(hreq *r, const char *event_uuid, const wbi_event_in *in)
{
    size_t clashes = 0;
    for (size_t i = 0; in && i < in->nattrs; i++) {
        attr_clash c = {.r = r};
        if (wb_store_attr_get(r->st, in->attrs[i].rec.uuid, attr_clash_cb, &c, &r->err) != 0 ||
            !c.hidden)
            continue;
        if (++clashes <= MAX_CLASH_AUDITS &&
            audit_now(r, "attribute.uuid_conflict", in->attrs[i].rec.uuid,
                      "POST with the uuid of an attribute the caller cannot see") != 0)
            hub_log(r->hub, "audit: %s", r->err.msg);
    }
    if (clashes > MAX_CLASH_AUDITS) {
        char d[96];
        snprintf(d, sizeof d, "%zu further attribute uuids the caller cannot see in this POST",
                 clashes - MAX_CLASH_AUDITS);
        if (audit_now(r, "attribute.uuid_conflict", in->uuid, d) != 0)
            hub_log(r->hub, "audit: %s", r->err.msg);
    }
    if (event_uuid) {
        one_event o = {.r = r};
        if (wb_store_event_get(r->st, event_uuid, one_event_cb, &o, &r->err) == 0 && o.found) {
            wb_policy_item it = wbi_policy_item_of(&o.ev, NULL);
            if (o.ev.deleted || wb_policy_read(&r->who, WB_READ_EVENT_GET, &it) == WB_DENY)
                if (audit_now(r, "event.uuid_conflict", event_uuid,
                              "POST with the uuid of an event the caller cannot see") != 0)
                    hub_log(r->hub, "audit: %s", r->err.msg);
        }
    }
    reply_error(r, 409, "conflict",
                "a uuid in this event (the event's or an attribute's) is already in use on this "
                "hub; leave uuids out to have new ones made, or PUT to change your own event");
}

/* An indicator on one of the hub's warninglists (a public resolver, a
 * top site) is almost always a false positive: it is kept for analysts but
 * with to_ids false, so sensors (match --hub) do not alert on it, and
 * named, as MISP's enforced warninglists do. Returns the attributes
 * flagged. */
static size_t apply_warninglists(hreq *r, wbi_attr_in *a)
{
    if (r->hub->wl == NULL) return 0;
    for (unsigned k = 0; k < a->rec.nkeys; k++) {
        const char *name = wb_warninglists_find(r->hub->wl, a->rec.key_kind[k], a->rec.key[k],
                                                strlen(a->rec.key[k]));
        if (name == NULL) continue;
        a->rec.to_ids = false;
        json_object_set_new(a->json, "to_ids", json_false());
        json_object_set_new(a->json, "warninglist", json_string(name));
        return 1;
    }
    return 0;
}

/* Validates, resolves and stores a posted event; replace for PUT. */
static void store_event(hreq *r, bool replace, const wb_event_rec *old)
{
    wbi_event_in in;
    wbi_problem prob;
    if (wbi_event_parse(r->req->body, r->req->body_len, &r->hub->lim, r->now, &in, &prob) != 0) {
        wbi_event_free(&in);
        reply_problem(r, &prob);
        return;
    }
    const char *base = json_object_get(in.root, "Event") ? "$.Event" : "$";
    if (replace) {
        if (in.uuid_given && strcmp(in.uuid, old->uuid) != 0) {
            wbi_event_free(&in);
            reply_error(r, 422, "invalid_event",
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
    if (in.distribution == 4) bad = resolve_sg(r, &in.sg, base, &ev.sharing_group_id);
    for (size_t i = 0; bad == 0 && i < in.nattrs; i++) {
        wbi_attr_in *a = &in.attrs[i];
        warned += apply_warninglists(r, a);
        if (a->rec.distribution == 4)
            bad = resolve_sg(r, &a->sg, a->path, &a->rec.sharing_group_id);
        if (bad == 0 && a->rec.sharing_group_id > 0)
            json_object_set_new(a->json, "sharing_group_id",
                                json_string(num(r, a->rec.sharing_group_id)));
        if (bad == 0) {
            char *j = json_dumps(a->json, JSON_COMPACT | JSON_PRESERVE_ORDER);
            a->rec.json = j ? wb_arena_strdup(&r->arena, j) : NULL;
            free(j);
            if (a->rec.json == NULL) {
                wb_error_set(&r->err, WB_ENOMEM, "out of memory");
                reply_internal(r);
                bad = -1;
            }
        }
    }
    char *ej = bad ? NULL : json_dumps(in.event, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (bad == 0 && ej == NULL) {
        wb_error_set(&r->err, WB_ENOMEM, "out of memory");
        reply_internal(r);
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
        rc = audit_now(r, replace ? "event.edit" : "event.add", in.uuid, d);
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
        reply_internal(r);
        return;
    }
    /* Answer with the event as stored, read back through the policy. */
    r->id = wb_arena_strdup(&r->arena, uuid);
    wb_event_rec back;
    if (r->id == NULL || fetch_event(r, WB_READ_EVENT_GET, &back) != 0) {
        if (r->id == NULL) reply_internal(r);
        return;
    }
    json_t *e = render_event(r, &back, WB_READ_EVENT_GET);
    if (e) reply_json(r, replace ? 200 : 201, e);
}

static void h_event_add(hreq *r)
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
    for (size_t i = 0; r->hub->wl && i < in.nattrs; i++) {
        const wb_attr_rec *a = &in.attrs[i].rec;
        for (unsigned k = 0; k < a->nkeys; k++) {
            const char *name =
                wb_warninglists_find(r->hub->wl, a->key_kind[k], a->key[k], strlen(a->key[k]));
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
static int fetch_own_event(hreq *r, bool admin_ok, wb_event_rec *ev)
{
    if (fetch_event(r, WB_READ_EVENT_GET, ev) != 0) return -1;
    r->naudits = 0; /* a write is audited as such, not as a read */
    if (ev->org_id != r->who.org_id && !(admin_ok && r->who.role == WB_ROLE_SITE_ADMIN)) {
        reply_error(r, 403, "forbidden",
                    "only the organisation that created an event may change it");
        return -1;
    }
    return 0;
}

static void h_event_put(hreq *r)
{
    wb_event_rec ev;
    if (fetch_own_event(r, false, &ev) != 0) return;
    store_event(r, true, &ev);
}

static void set_flags(hreq *r, bool publish)
{
    wb_event_rec ev;
    if (fetch_own_event(r, true, &ev) != 0) return;
    int rc = wb_store_begin(r->st, &r->err);
    if (rc == 0)
        rc = wb_store_event_flag(r->st, ev.id, publish ? true : ev.published, !publish,
                                 publish ? ev.timestamp : r->now, &r->err);
    if (rc == 0) rc = audit_now(r, publish ? "event.publish" : "event.delete", ev.uuid, NULL);
    if (rc == 0) rc = wb_store_commit(r->st, &r->err);
    if (rc) {
        wb_store_rollback(r->st);
        reply_internal(r);
        return;
    }
    reply_json(r, 200,
               json_pack("{s:s,s:b}", "uuid", ev.uuid, publish ? "published" : "deleted", 1));
}

static void h_event_delete(hreq *r)
{
    set_flags(r, false);
}

static void h_event_publish(hreq *r)
{
    set_flags(r, true);
}

/* ---- GET /api/v1/indicators ---------------------------------------------------------------- */

typedef struct hit {
    int64_t attr_id;
    wb_ioc_type kind;
} hit;

typedef struct look_walk {
    hreq *r;
    wb_read_path path;
    wb_ioc_type kind;
    json_t *out; /* NULL when only collecting ids */
    hit *hits;   /* visible attributes found, for dedup and sightings */
    size_t n, cap;
    /* The ids in hits as an open-addressing set (0 = empty; attribute ids
     * are > 0), at most half full: a sightings request can collect 100,000
     * hits, and a linear scan per hit made that quadratic. */
    int64_t *ids;
    size_t idcap;
    int rc;
} look_walk;

static size_t id_slot(int64_t id, size_t cap)
{
    return (size_t)wb_hash_u64((uint64_t)id) & (cap - 1);
}

static bool seen(const look_walk *w, int64_t id)
{
    if (w->idcap == 0) return false;
    for (size_t k = id_slot(id, w->idcap);; k = (k + 1) & (w->idcap - 1)) {
        if (w->ids[k] == 0) return false;
        if (w->ids[k] == id) return true;
    }
}

static int ids_add(look_walk *w, int64_t id)
{
    if ((w->n + 1) * 2 > w->idcap) {
        size_t nc = w->idcap ? w->idcap * 2 : 64;
        int64_t *ni = calloc(nc, sizeof *ni);
        if (ni == NULL) return WB_ENOMEM;
        for (size_t i = 0; i < w->idcap; i++) {
            if (w->ids[i] == 0) continue;
            size_t k = id_slot(w->ids[i], nc);
            while (ni[k])
                k = (k + 1) & (nc - 1);
            ni[k] = w->ids[i];
        }
        free(w->ids);
        w->ids = ni;
        w->idcap = nc;
    }
    size_t k = id_slot(id, w->idcap);
    while (w->ids[k] && w->ids[k] != id)
        k = (k + 1) & (w->idcap - 1);
    w->ids[k] = id;
    return 0;
}

static void look_free(look_walk *w)
{
    free(w->hits);
    free(w->ids);
    w->hits = NULL;
    w->ids = NULL;
}

/* Appends a hit, doubling the array. Returns 0, 1 when growing would pass
 * max_cap, or WB_ENOMEM (with r->err set). */
static int hits_push(look_walk *w, hreq *r, hit h, size_t max_cap)
{
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 16;
        if (nc > max_cap) return 1;
        hit *nh = realloc(w->hits, nc * sizeof *nh);
        if (nh == NULL) return wb_error_set(&r->err, WB_ENOMEM, "out of memory");
        w->hits = nh;
        w->cap = nc;
    }
    if (ids_add(w, h.attr_id) != 0) return wb_error_set(&r->err, WB_ENOMEM, "out of memory");
    w->hits[w->n++] = h;
    return 0;
}

static int look_cb(void *ud, const wb_event_rec *e, const wb_attr_rec *a)
{
    look_walk *w = ud;
    if (seen(w, a->id)) return 0;
    wb_policy_item it = wbi_policy_item_of(e, a);
    if (!may_read(w->r, w->path, &it, a->uuid)) return 0;
    int pr = hits_push(w, w->r, (hit){a->id, w->kind}, MAX_RESULTS);
    if (pr != 0) {
        if (pr < 0) w->rc = pr;
        return 1;
    }
    if (w->out == NULL) return 0;
    json_t *j = json_loads(a->json, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        w->rc =
            wb_error_set(&w->r->err, WB_EINTERNAL, "attribute %s: stored JSON unreadable", a->uuid);
        return 1;
    }
    wb_tlp tlp = wb_policy_tlp(&it);
    /* The effective TLP (the event's at least) travels on the attribute,
     * so that match -i, reading this response without events around the
     * attributes, keeps it; a weaker tlp: tag of its own is dropped. */
    wbi_tags_set_effective(j, "AttributeTag", tlp, true);
    json_object_set_new(j, "event_uuid", json_string(e->uuid));
    json_object_set_new(j, "tlp", json_string(wb_tlp_name(tlp)));
    json_object_set_new(j, "matched_as", json_string(wb_ioc_type_name(w->kind)));
    json_object_set_new(j, "Event",
                        json_pack("{s:s,s:s,s:{s:s}}", "uuid", e->uuid, "info", e->info, "Orgc",
                                  "name", e->org_name));
    json_array_append_new(w->out, j);
    return 0;
}

/* Finds every attribute visible to the caller that a value matches. */
static int lookup(hreq *r, const char *value, const char *type, wb_read_path path, look_walk *w,
                  wbi_problem *prob)
{
    wb_ioc_key *keys = r->keys;
    wb_prefix_set pf;
    if (wb_store_cidr_prefixes(r->st, &pf, &r->err) != 0) {
        wbi_problem_set(prob, 500, "internal", "%s", r->err.msg);
        return -1;
    }
    int nk = wbi_lookup_keys_in(value, strlen(value), type, &pf, keys, MAX_LOOKUP_KEYS, prob);
    if (nk < 0) return -1;
    w->r = r;
    w->path = path;
    for (int i = 0; i < nk; i++) {
        w->kind = keys[i].kind;
        int rc = wb_store_attr_lookup(r->st, keys[i].kind, keys[i].text, look_cb, w, &r->err);
        if (rc == 0) rc = w->rc;
        if (rc) {
            wbi_problem_set(prob, 500, "internal", "%s", r->err.msg);
            return -1;
        }
    }
    return 0;
}

static void h_indicators(hreq *r)
{
    const char *value = arg(r, "value");
    if (value == NULL || *value == '\0') {
        reply_error(r, 400, "invalid_request", "value: required (the indicator to look up)");
        return;
    }
    look_walk w = {.out = json_array()};
    wbi_problem prob;
    if (lookup(r, value, arg(r, "type"), WB_READ_INDICATOR, &w, &prob) != 0) {
        look_free(&w);
        json_decref(w.out);
        reply_problem(r, &prob);
        return;
    }
    look_free(&w);
    if (flush_audits(r) != 0) {
        json_decref(w.out);
        reply_internal(r);
        return;
    }
    reply_json(r, 200, json_pack("{s:{s:o}}", "response", "Attribute", w.out));
}

/* ---- sightings --------------------------------------------------------------------------- */

typedef struct attr_one {
    hreq *r;
    bool visible;
    int64_t id;
} attr_one;

static int attr_one_cb(void *ud, const wb_event_rec *e, const wb_attr_rec *a)
{
    attr_one *o = ud;
    wb_policy_item it = wbi_policy_item_of(e, a);
    o->visible = !a->deleted && !e->deleted && may_read(o->r, WB_READ_INDICATOR, &it, a->uuid);
    o->id = a->id;
    return 1;
}

static void h_sighting_add(hreq *r)
{
    json_t *root = NULL;
    wbi_sighting_in *in = NULL;
    size_t n = 0;
    wbi_problem prob;
    if (wbi_sightings_parse(r->req->body, r->req->body_len, r->hub->lim.max_depth, r->now, &root,
                            &in, &n, &prob) != 0) {
        free(in);
        json_decref(root);
        reply_problem(r, &prob);
        return;
    }
    /* Find every target first (reads), then write all in one transaction. */
    look_walk w = {0};
    size_t *first = calloc(n + 1, sizeof *first); /* hits of sighting i: first[i]..first[i+1] */
    json_t *missed = json_array();
    int rc = first ? 0 : wb_error_set(&r->err, WB_ENOMEM, "out of memory");
    bool bad_request = false;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        first[i] = w.n;
        if (in[i].uuid) {
            attr_one o = {.r = r};
            int g = wb_store_attr_get(r->st, in[i].uuid, attr_one_cb, &o, &r->err);
            if (g != 0 && g != WB_ENOTFOUND) {
                rc = g;
                break;
            }
            if (g == 0 && o.visible && !seen(&w, o.id)) {
                rc = hits_push(&w, r, (hit){o.id, WB_IOC_TYPE_COUNT}, SIZE_MAX);
                if (rc) break;
            }
        } else {
            /* A value: every visible attribute it matches, as a look-up. */
            look_walk one = {0};
            if (lookup(r, in[i].value, in[i].type_filter, WB_READ_INDICATOR, &one, &prob) != 0) {
                look_free(&one);
                if (prob.status >= 500) {
                    rc = WB_EIO;
                    break;
                }
                /* prob.msg is the look-up's reason: copied out first, as
                 * vsnprintf must not read the buffer it writes. */
                char why[sizeof prob.msg];
                memcpy(why, prob.msg, sizeof why);
                wbi_problem_set(&prob, 422, "invalid_sighting", "%s.value: %s", in[i].path, why);
                bad_request = true;
                break;
            }
            if (w.n + one.n > MAX_SIGHTING_HITS) {
                /* Each value sighting can touch thousands of attributes; a
                 * small body must not become millions of rows. */
                look_free(&one);
                wbi_problem_set(&prob, 413, "too_large",
                                "%s: the sightings touch more than %d attributes; post fewer "
                                "at a time",
                                in[i].path, MAX_SIGHTING_HITS);
                bad_request = true;
                break;
            }
            for (size_t k = 0; k < one.n && rc == 0; k++)
                rc = hits_push(&w, r, one.hits[k], SIZE_MAX);
            look_free(&one);
        }
        if (w.n == first[i]) json_array_append_new(missed, json_string(in[i].path));
    }
    if (first) first[n] = w.n;
    size_t saved = 0;
    if (rc == 0 && !bad_request && w.n > 0) {
        rc = wb_store_begin(r->st, &r->err);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            for (size_t k = first[i]; rc == 0 && k < first[i + 1]; k++) {
                wb_sighting_rec s = {
                    .attribute_id = w.hits[k].attr_id,
                    .org_id = r->who.org_id,
                    .user_id = r->who.user_id,
                    .type = in[i].type,
                    .source = in[i].source,
                    .date_sighting = in[i].date_sighting,
                    .count = in[i].count,
                    .first_seen = in[i].first_seen,
                };
                rc = wb_store_sighting_add(r->st, &s, NULL, &r->err);
                saved++;
            }
        }
        if (rc == 0) {
            char d[64];
            snprintf(d, sizeof d, "%zu sightings", saved);
            rc = audit_now(r, "sighting.add", NULL, d);
        }
        if (rc == 0) rc = wb_store_commit(r->st, &r->err);
        if (rc) wb_store_rollback(r->st);
    }
    free(first);
    look_free(&w);
    free(in);
    json_decref(root);
    if (bad_request) {
        json_decref(missed);
        reply_problem(r, &prob);
    } else if (rc) {
        json_decref(missed);
        reply_internal(r);
    } else if (saved == 0) {
        json_decref(missed);
        reply_not_found(r);
    } else {
        reply_json(r, 201, json_pack("{s:i,s:o}", "saved", (json_int_t)saved, "missed", missed));
    }
}

typedef struct attr_facts {
    int64_t id;
    wb_attr_rec rec; /* the policy fields only */
} attr_facts;

typedef struct sight_walk {
    hreq *r;
    const wb_event_rec *ev;
    attr_facts *attrs;
    size_t n, cap;
    wb_buf *body;  /* the answer, written sighting by sighting */
    size_t sent;   /* sightings written */
    int64_t after; /* only sightings with a higher id (paging) */
    int64_t last;  /* the id of the last one written */
    bool more;     /* the page stopped at the byte budget */
    int rc;
} sight_walk;

static int facts_cb(void *ud, const wb_event_rec *unused, const wb_attr_rec *a)
{
    sight_walk *w = ud;
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 32;
        attr_facts *na = realloc(w->attrs, nc * sizeof *na);
        if (na == NULL) {
            w->rc = wb_error_set(&w->r->err, WB_ENOMEM, "out of memory");
            return 1;
        }
        w->attrs = na;
        w->cap = nc;
    }
    attr_facts *f = &w->attrs[w->n++];
    memset(f, 0, sizeof *f);
    f->id = a->id;
    f->rec.distribution = a->distribution;
    f->rec.sharing_group_id = a->sharing_group_id;
    f->rec.tlp = a->tlp;
    f->rec.deleted = a->deleted;
    return 0;
}

static int sight_cb(void *ud, const wb_sighting_rec *s)
{
    sight_walk *w = ud;
    /* The attributes came in id order (wb_store_attr_list): a binary
     * search, as a scan per sighting was quadratic. */
    const attr_facts *f = NULL;
    size_t lo = 0, hi = w->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->attrs[mid].id < s->attribute_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < w->n && w->attrs[lo].id == s->attribute_id) f = &w->attrs[lo];
    if (f == NULL || f->rec.deleted || s->id <= w->after) return 0;
    wb_policy_item it = wbi_policy_item_of(w->ev, &f->rec);
    it.kind = WB_ITEM_SIGHTING;
    it.sighting_org = s->org_id;
    if (wb_policy_read(&w->r->who, WB_READ_SIGHTING, &it) == WB_DENY) return 0;
    if (w->sent > 0 && w->body->len >= w->r->hub->opts.max_page_bytes) {
        w->more = true;
        return 1;
    }
    may_read(w->r, WB_READ_SIGHTING, &it, s->attribute_uuid); /* the admin's audit entry */
    char fs[40], id[24], type[24], date[24];
    if (s->first_seen > 0) wb_time_format(s->first_seen * 1000000, fs, sizeof fs);
    snprintf(id, sizeof id, "%lld", (long long)s->id);
    snprintf(type, sizeof type, "%d", s->type);
    snprintf(date, sizeof date, "%lld", (long long)s->date_sighting);
    json_t *o = json_pack("{s:{s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:{s:s}}}", "Sighting", "id", id,
                          "attribute_uuid", s->attribute_uuid, "event_uuid", w->ev->uuid, "type",
                          type, "date_sighting", date, "count", (json_int_t)s->count, "source",
                          s->source ? s->source : "", "Organisation", "name", s->org_name);
    if (o && s->first_seen > 0)
        json_object_set_new(json_object_get(o, "Sighting"), "first_seen", json_string(fs));
    if (body_json(w->body, o, w->sent++ > 0) != 0) {
        w->rc = wb_error_set(&w->r->err, WB_ENOMEM, "out of memory");
        return 1;
    }
    w->last = s->id;
    return 0;
}

static void h_event_sightings(hreq *r)
{
    wb_event_rec ev;
    if (fetch_event(r, WB_READ_SIGHTING, &ev) != 0) return;
    int64_t after = 0;
    if (!arg_int(r, "after", 0, INT64_MAX, &after)) return;
    /* Written sighting by sighting and paged by size, as the event list
     * is: after=ID goes on from the last_id of the page before. */
    sight_walk w = {.r = r, .ev = &ev, .body = &r->resp->body, .after = after, .last = after};
    wb_buf_reset(w.body);
    int rc = wb_buf_puts(w.body, "{\"response\":[");
    if (rc == 0) rc = wb_store_attr_list(r->st, ev.id, facts_cb, &w, &r->err);
    if (rc == 0) rc = w.rc;
    if (rc == 0) rc = wb_store_sighting_list(r->st, ev.id, sight_cb, &w, &r->err);
    if (rc == 0) rc = w.rc;
    free(w.attrs);
    if (rc == 0 && wb_buf_printf(w.body, "],\"last_id\":%lld,\"more\":%s}", (long long)w.last,
                                 w.more ? "true" : "false") != 0)
        rc = wb_error_set(&r->err, WB_ENOMEM, "out of memory");
    if (rc == 0) rc = flush_audits(r);
    if (rc) {
        reply_internal(r);
        return;
    }
    r->resp->status = 200;
}

/* ---- GET /api/v1/audit --------------------------------------------------------------------- */

static int audit_cb(void *ud, const wb_audit_rec *a)
{
    char t[40];
    wb_time_format(a->time, t, sizeof t);
    json_t *o = json_pack("{s:{s:I,s:s,s:s,s:s,s:s}}", "Audit", "id", (json_int_t)a->id, "time", t,
                          "user", a->user, "org", a->org, "action", a->action);
    if (o == NULL) return 1;
    json_t *in = json_object_get(o, "Audit");
    json_object_set_new(in, "object", a->object ? json_string(a->object) : json_null());
    json_object_set_new(in, "detail", a->detail ? json_string(a->detail) : json_null());
    json_array_append_new(ud, o);
    return 0;
}

static void h_audit(hreq *r)
{
    int64_t page = 1, limit = 100;
    wb_time since = WB_TIME_NONE;
    if (!arg_int(r, "page", 1, 1000000, &page) || !arg_int(r, "limit", 1, 1000, &limit) ||
        !arg_time(r, "since", &since))
        return;
    json_t *arr = json_array();
    if (wb_store_audit_list(r->st, since, (page - 1) * limit, limit, audit_cb, arr, &r->err) != 0) {
        json_decref(arr);
        reply_internal(r);
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "response", arr));
}

/* ---- assessments (assess_api.c) ----------------------------------------------------------- */

static void assess_call(hreq *r, void (*fn)(wbi_areq *a))
{
    wbi_areq a = {.st = r->st,
                  .who = &r->who,
                  .user = r->owner.email,
                  .org_name = r->owner.org_name,
                  .id = r->id,
                  .req = r->req,
                  .max_depth = r->hub->lim.max_depth,
                  .sector_k = r->hub->opts.sector_k,
                  .cats = &r->hub->cats};
    fn(&a);
    if (a.internal) {
        r->err = a.err;
        reply_internal(r);
    } else if (a.code) {
        reply_error(r, a.status, a.code, "%s", a.msg);
    } else {
        reply_json(r, a.status, a.reply);
    }
}

#define ASSESS_HANDLER(name)                                                                       \
    static void h_##name(hreq *r)                                                                  \
    {                                                                                              \
        assess_call(r, wbi_##name);                                                                \
    }
ASSESS_HANDLER(assess_list)
ASSESS_HANDLER(assess_add)
ASSESS_HANDLER(assess_sectors)
ASSESS_HANDLER(assess_get)
ASSESS_HANDLER(assess_history)
ASSESS_HANDLER(assess_answer)
ASSESS_HANDLER(assess_import)
ASSESS_HANDLER(assess_share)
ASSESS_HANDLER(deps_share) /* deps_api.c, with the same narrow request */
ASSESS_HANDLER(deps_own)
ASSESS_HANDLER(deps_sectors)

/* ---- feeds and STIX (feed.c, stix_out.c) ------------------------------------------------ */

typedef struct feed_job {
    wb_principal who;
    bool hashes;         /* hashes.csv, else manifest.json */
    atomic_int *streams; /* the hub's count, given back when the stream ends */
    wbi_addrcount *addrs;
    wbi_addr addr;
    bool has_addr;
} feed_job;

static void feed_job_free(void *ctx)
{
    feed_job *j = ctx;
    atomic_fetch_sub(j->streams, 1);
    if (j->has_addr) wbi_addrcount_give(j->addrs, &j->addr);
    free(j);
}

static int feed_run(void *ctx, wb_store *st, wb_feed_write_fn w, void *wctx, wb_error *err)
{
    feed_job *j = ctx;
    wb_feed_stats stats = {0};
    return j->hashes ? wb_feed_hashes(st, &j->who, w, wctx, &stats, err)
                     : wb_feed_manifest(st, &j->who, w, wctx, &stats, err);
}

/* manifest.json and hashes.csv: streamed, each request written to the
 * audit log first (an export is audited even if the client stops early). */
static void feed_stream(hreq *r, bool hashes)
{
    unsigned retry;
    if (!r->who.authenticated &&
        !wbi_ratelimit_take(&r->hub->rl, PUBLIC_FEED_BUCKET, wb_time_now(), &retry)) {
        r->resp->retry_after = retry;
        reply_error(r, 429, "rate_limited", "too many public feed requests; retry in %u s", retry);
        return;
    }
    wb_hub *hub = r->hub;
    bool keyed = r->who.authenticated;
    atomic_int *count = keyed ? &hub->streams_keyed : &hub->streams_public;
    int max = (int)(keyed ? hub->opts.max_streams_keyed : hub->opts.max_streams_public);
    if (atomic_fetch_add(count, 1) >= max) {
        atomic_fetch_sub(count, 1);
        r->resp->retry_after = 1;
        reply_error(r, 503, "busy", "%d %s feed downloads are running; retry in a second", max,
                    keyed ? "keyed" : "public");
        return;
    }
    wbi_addr addr;
    bool has_addr = wbi_addr_parse(r->req->peer, &addr);
    if (has_addr &&
        !wbi_addrcount_take(&hub->stream_addrs, &addr, hub->opts.max_streams_per_address)) {
        atomic_fetch_sub(count, 1);
        r->resp->retry_after = 5;
        reply_error(r, 429, "too_many_streams",
                    "%u feed downloads from your address are running; retry when one is done",
                    hub->opts.max_streams_per_address);
        return;
    }
    const char *file = hashes ? "hashes.csv" : "manifest.json";
    feed_job *j = malloc(sizeof *j);
    /* A member's export is an entry of its own; anonymous ones aggregate. */
    if (j && !r->who.authenticated) audit_anon(r, "feed.export", file, "public feed");
    if (j == NULL ||
        (r->who.authenticated && audit_now(r, "feed.export", file, "MISP feed") != 0)) {
        if (j == NULL) wb_error_set(&r->err, WB_ENOMEM, "out of memory");
        free(j);
        atomic_fetch_sub(count, 1);
        if (has_addr) wbi_addrcount_give(&hub->stream_addrs, &addr);
        reply_internal(r);
        return;
    }
    j->who = r->who;
    j->hashes = hashes;
    j->streams = count;
    j->addrs = &hub->stream_addrs;
    j->addr = addr;
    j->has_addr = has_addr;
    wb_hub_stream *s = wbi_stream_start(r->hub->opts.db, feed_run, j, feed_job_free,
                                        r->hub->opts.log, r->hub->opts.log_ud, &r->err);
    if (s == NULL) {
        reply_internal(r);
        return;
    }
    wb_buf_reset(&r->resp->body);
    r->resp->status = 200;
    r->resp->stream = s;
    r->resp->content_type = hashes ? "text/csv; charset=utf-8" : "application/json";
}

static void h_feed_manifest(hreq *r)
{
    feed_stream(r, false);
}

static void h_feed_hashes(hreq *r)
{
    feed_stream(r, true);
}

static int body_write(void *ud, const char *p, size_t n)
{
    return wb_buf_append(ud, p, n);
}

/* {uuid}.json: one event, built in memory (an event is bounded by
 * max_attributes at ingest). */
static void h_feed_event(hreq *r)
{
    size_t n = strlen(r->id);
    if (n != WB_UUID_LEN + 5 || strcmp(r->id + WB_UUID_LEN, ".json") != 0) {
        reply_not_found(r);
        return;
    }
    char uuid[WB_UUID_LEN + 1];
    memcpy(uuid, r->id, WB_UUID_LEN);
    uuid[WB_UUID_LEN] = '\0';
    wb_feed_stats stats = {0};
    wb_buf_reset(&r->resp->body);
    int rc = wb_feed_event(r->st, &r->who, uuid, body_write, &r->resp->body, &stats, &r->err);
    if (rc == 0 && stats.admin_reads)
        audit_later(r, "read.admin", uuid,
                    "TLP:AMBER or stricter read by site admin via MISP feed");
    if (rc == 0) rc = flush_audits(r);
    if (rc == WB_ENOTFOUND) {
        reply_not_found(r);
        return;
    }
    if (rc) {
        reply_internal(r);
        return;
    }
    r->resp->status = 200;
}

static void h_event_stix(hreq *r)
{
    wb_event_rec ev;
    if (fetch_event(r, WB_READ_STIX, &ev) != 0) return;
    json_t *bundle = NULL;
    size_t admin_reads = 0;
    int rc = wbi_stix_bundle(r->st, &r->who, &ev, &bundle, &admin_reads, &r->err);
    if (rc == 0 && admin_reads)
        audit_later(r, "read.admin", ev.uuid,
                    "TLP:AMBER or stricter attributes read by site admin via STIX export");
    if (rc == 0) rc = flush_audits(r);
    if (rc) {
        json_decref(bundle);
        reply_internal(r);
        return;
    }
    reply_json(r, 200, bundle);
}

/* ---- routing ------------------------------------------------------------------------------ */

enum {
    R_PUBLIC = 1u << 0,     /* no key needed */
    R_NO_SENSOR = 1u << 1,  /* sensor keys get 403 */
    R_SITE_ADMIN = 1u << 2, /* only site admins */
    R_RAW_KEY = 1u << 3,    /* "Authorization: KEY" also accepted, as a MISP feed sends it */
    /* with R_NO_SENSOR: a sensor may still read the change feed (?after=),
     * which is how it loads its indicators */
    R_SENSOR_FEED = 1u << 4,
    /* no key needed from the loopback address; a key otherwise (with
     * R_SITE_ADMIN, a site admin's): /metrics */
    R_LOCAL = 1u << 5
};

typedef struct route {
    const char *method;
    const char *pattern; /* '*' stands for one path segment: an event uuid */
    void (*fn)(hreq *r);
    unsigned flags;
} route;

static const route routes[] = {
    {"GET", "/", h_status, R_PUBLIC},
    {"GET", "/healthz", wbi_h_healthz, R_PUBLIC},
    {"GET", "/metrics", wbi_h_metrics, R_LOCAL | R_SITE_ADMIN},
    {"GET", "/api/v1/events", h_event_list, R_NO_SENSOR | R_SENSOR_FEED},
    {"POST", "/api/v1/events", h_event_add, R_NO_SENSOR},
    {"GET", "/api/v1/events/*", h_event_get, R_NO_SENSOR},
    {"PUT", "/api/v1/events/*", h_event_put, R_NO_SENSOR},
    {"DELETE", "/api/v1/events/*", h_event_delete, R_NO_SENSOR},
    {"POST", "/api/v1/events/*/publish", h_event_publish, R_NO_SENSOR},
    {"GET", "/api/v1/events/*/sightings", h_event_sightings, R_NO_SENSOR},
    {"GET", "/api/v1/events/*/stix", h_event_stix, R_NO_SENSOR},
    /* MISP feeds: the caller's view, and the public one (no key). The named
     * files come before '*', which stands for "{uuid}.json". */
    {"GET", "/feeds/misp/manifest.json", h_feed_manifest, R_RAW_KEY},
    {"GET", "/feeds/misp/hashes.csv", h_feed_hashes, R_RAW_KEY},
    {"GET", "/feeds/misp/*", h_feed_event, R_RAW_KEY},
    {"GET", "/feeds/public/manifest.json", h_feed_manifest, R_PUBLIC},
    {"GET", "/feeds/public/hashes.csv", h_feed_hashes, R_PUBLIC},
    {"GET", "/feeds/public/*", h_feed_event, R_PUBLIC},
    {"GET", "/api/v1/indicators", h_indicators, 0},
    {"POST", "/api/v1/sightings", h_sighting_add, 0},
    {"GET", "/api/v1/audit", h_audit, R_SITE_ADMIN},
    /* "due" before "*": the first route that fits wins. */
    {"GET", "/api/v1/incidents/due", wbi_h_incident_due, R_NO_SENSOR},
    {"GET", "/api/v1/incidents/proposals", wbi_h_proposal_list, R_NO_SENSOR},
    {"POST", "/api/v1/incidents/proposals/*/approve", wbi_h_proposal_approve, R_NO_SENSOR},
    {"POST", "/api/v1/incidents/proposals/*/discard", wbi_h_proposal_discard, R_NO_SENSOR},
    {"POST", "/api/v1/incidents/proposals/*/withdraw", wbi_h_proposal_withdraw, R_NO_SENSOR},
    {"GET", "/api/v1/incidents", wbi_h_incident_list, R_NO_SENSOR},
    {"POST", "/api/v1/incidents", wbi_h_incident_add, R_NO_SENSOR},
    {"GET", "/api/v1/incidents/*", wbi_h_incident_get, R_NO_SENSOR},
    {"POST", "/api/v1/incidents/*/reports", wbi_h_incident_report, R_NO_SENSOR},
    {"POST", "/api/v1/incidents/*/ack", wbi_h_incident_ack, R_NO_SENSOR},
    {"POST", "/api/v1/incidents/*/ask", wbi_h_incident_ask, R_NO_SENSOR},
    {"POST", "/api/v1/incidents/*/comments", wbi_h_incident_comment, R_NO_SENSOR},
    {"POST", "/api/v1/incidents/*/handled", wbi_h_incident_handled, R_NO_SENSOR},
    {"POST", "/api/v1/incidents/*/share", wbi_h_incident_share, R_NO_SENSOR},
    {"GET", "/api/v1/incidents/*/pdf", wbi_h_incident_pdf, R_NO_SENSOR},
    /* assessments: "sectors" before "*" */
    {"GET", "/api/v1/assessments", h_assess_list, R_NO_SENSOR},
    {"POST", "/api/v1/assessments", h_assess_add, R_NO_SENSOR},
    {"GET", "/api/v1/assessments/sectors", h_assess_sectors, R_NO_SENSOR},
    {"GET", "/api/v1/assessments/*", h_assess_get, R_NO_SENSOR},
    {"GET", "/api/v1/assessments/*/versions", h_assess_history, R_NO_SENSOR},
    {"POST", "/api/v1/assessments/*/versions", h_assess_import, R_NO_SENSOR},
    {"POST", "/api/v1/assessments/*/answers", h_assess_answer, R_NO_SENSOR},
    {"POST", "/api/v1/assessments/*/share", h_assess_share, R_NO_SENSOR},
    /* dependency pictures (deps_api.c) */
    {"POST", "/api/v1/deps/pictures", h_deps_share, R_NO_SENSOR},
    {"GET", "/api/v1/deps/pictures/own", h_deps_own, R_NO_SENSOR},
    {"GET", "/api/v1/deps/sectors", h_deps_sectors, R_NO_SENSOR},
};

/* Matches path against pattern; the segment under '*' goes to *param
 * (copied into the arena). A trailing slash is ignored. */
static bool path_match(hreq *r, const char *pattern, const char *path, const char **param)
{
    size_t plen = strlen(path);
    if (plen > 1 && path[plen - 1] == '/') plen--;
    const char *p = pattern, *s = path, *end = path + plen;
    while (*p && s < end) {
        if (*p == '*') {
            const char *seg = s;
            while (s < end && *s != '/')
                s++;
            if (s == seg) return false;
            *param = wb_arena_strndup(&r->arena, seg, (size_t)(s - seg));
            p++;
        } else if (*p == *s) {
            p++;
            s++;
        } else {
            return false;
        }
    }
    return *p == '\0' && s == end;
}

/* Bearer key to principal; -1 with the reply sent. */
static int authenticate(hreq *r)
{
    const char *h = r->req->authorization;
    if (h == NULL) {
        reply_error(r, 401, "unauthorized", "an API key is required (Authorization: Bearer KEY)");
        return -1;
    }
    while (*h == ' ')
        h++;
    if (wb_strn_ieq(h, strlen(h) < 7 ? strlen(h) : 7, "bearer ")) {
        h += 7;
    } else if (!r->raw_key) {
        reply_error(r, 401, "unauthorized", "the Authorization header must be 'Bearer KEY'");
        return -1;
    }
    while (*h == ' ')
        h++;
    size_t n = strlen(h);
    while (n > 0 && h[n - 1] == ' ')
        n--;
    int rc = wb_store_key_auth(r->st, h, n, &r->owner, &r->err);
    if (rc == 0 && r->owner.revoked) rc = WB_ENOTFOUND;
    if (rc == WB_ENOTFOUND) {
        /* Logged by key id when the key exists (revoked), never the key. */
        char obj[32];
        snprintf(obj, sizeof obj, "key %lld", (long long)r->owner.key_id);
        const char *detail = r->owner.key_id ? "revoked key" : "unknown key";
        memset(&r->owner, 0, sizeof r->owner);
        /* Failed authentications share one bucket of the rate limit: each
         * is an audit row and an fsync, so an unauthenticated flood must
         * not turn into an unbounded audit log. */
        unsigned retry;
        if (!wbi_ratelimit_take(&r->hub->rl, AUTH_FAIL_BUCKET, wb_time_now(), &retry)) {
            r->resp->retry_after = retry;
            reply_error(r, 429, "rate_limited", "too many failed authentications; retry in %u s",
                        retry);
            return -1;
        }
        audit_anon(r, "auth.fail", detail[0] == 'r' ? obj : NULL, detail);
        reply_error(r, 401, "unauthorized", "the API key is not valid");
        return -1;
    }
    if (rc) {
        reply_internal(r);
        return -1;
    }
    wb_principal *p = &r->who;
    p->authenticated = true;
    p->key_id = r->owner.key_id;
    p->user_id = r->owner.user_id;
    p->org_id = r->owner.org_id;
    p->role = r->owner.role;
    /* Order: the key is checked first (a hash and one indexed read), so
     * that the limit is per key and a stranger cannot spend someone
     * else's bucket; failures share one bucket above, taken before their
     * audit write. The limit comes before any further work for the key. */
    unsigned retry;
    if (!r->req->admitted && !wbi_ratelimit_take(&r->hub->rl, p->key_id, wb_time_now(), &retry)) {
        r->resp->retry_after = retry;
        reply_error(r, 429, "rate_limited", "too many requests for this key; retry in %u s", retry);
        return -1;
    }
    if (wb_store_org_sgroups(r->st, p->org_id, p->groups, WB_PRINCIPAL_MAX_GROUPS, &p->ngroups,
                             &r->err) != 0) {
        reply_internal(r);
        return -1;
    }
    return 0;
}

static size_t acquire(wb_hub *hub)
{
    pthread_mutex_lock(&hub->lock);
    while (hub->nidle == 0)
        pthread_cond_wait(&hub->cond, &hub->lock);
    size_t i = hub->idle[--hub->nidle];
    pthread_mutex_unlock(&hub->lock);
    return i;
}

static void release(wb_hub *hub, size_t i)
{
    pthread_mutex_lock(&hub->lock);
    hub->idle[hub->nidle++] = i;
    pthread_cond_signal(&hub->cond);
    pthread_mutex_unlock(&hub->lock);
}

/* A request context for req, or NULL with a 500 in resp. */
static hreq *req_new(wb_hub *hub, const wb_hub_request *req, wb_hub_response *resp)
{
    memset(resp, 0, sizeof *resp);
    hreq *r = calloc(1, sizeof *r);
    if (r == NULL) {
        resp->status = 500;
        wb_buf_puts(&resp->body,
                    "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
        return NULL;
    }
    r->hub = hub;
    r->req = req;
    r->resp = resp;
    r->now = wb_time_now() / 1000000;
    wb_arena_init(&r->arena, 16384);
    return r;
}

static void req_free(hreq *r)
{
    wb_arena_free(&r->arena);
    sodium_memzero(&r->owner, sizeof r->owner);
    free(r);
}

/* The route that fits; NULL with the 404 or 405 sent. */
static const route *route_of(hreq *r)
{
    const wb_hub_request *req = r->req;
    bool path_known = false;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const char *param = NULL;
        if (!path_match(r, routes[i].pattern, req->path ? req->path : "", &param)) continue;
        path_known = true;
        if (strcmp(routes[i].method, req->method ? req->method : "") == 0) {
            r->id = param;
            return &routes[i];
        }
    }
    if (path_known)
        reply_error(r, 405, "method_not_allowed", "%s is not allowed on %s", req->method,
                    req->path);
    else
        reply_not_found(r);
    return NULL;
}

/* Whether the authenticated caller's role may use the route; false with
 * the 403 sent. */
static bool role_admitted(hreq *r, const route *found)
{
    if ((found->flags & R_NO_SENSOR) && r->who.role == WB_ROLE_SENSOR &&
        !((found->flags & R_SENSOR_FEED) && arg(r, "after") != NULL)) {
        reply_error(r, 403, "forbidden",
                    "a sensor key may only look up indicators, read the change feed "
                    "(?after=) and the MISP feeds, and post sightings");
        return false;
    }
    if ((found->flags & R_SITE_ADMIN) && r->who.role != WB_ROLE_SITE_ADMIN) {
        reply_error(r, 403, "forbidden", "only site admins may read this");
        return false;
    }
    return true;
}

/* The metrics hook: one relaxed atomic add per counter (ops_api.c). */
static void count_request(hreq *r, const route *found, uint64_t t0)
{
    wbi_metrics_count(r->hub->metrics, found ? (long)(found - routes) : -1, r->resp->status,
                      wbi_metrics_clock_us() - t0);
}

/* A request from the hub's own machine, for R_LOCAL routes. */
static bool from_loopback(const hreq *r)
{
    const char *p = r->req->peer;
    return p && (strncmp(p, "127.", 4) == 0 || strcmp(p, "::1") == 0 ||
                 strncmp(p, "::ffff:127.", 11) == 0);
}

bool wb_hub_admit(wb_hub *hub, const wb_hub_request *req, wb_hub_response *resp)
{
    uint64_t t0 = wbi_metrics_clock_us();
    hreq *r = req_new(hub, req, resp);
    if (r == NULL) return false;
    bool ok = false;
    const route *found = route_of(r);
    if (found && strcmp(found->method, "POST") != 0 && strcmp(found->method, "PUT") != 0) {
        reply_error(r, 400, "invalid_request", "%s %s takes no request body", found->method,
                    req->path);
    } else if (found && (found->flags & R_PUBLIC)) {
        ok = true;
    } else if (found) {
        /* The key and role are checked before a byte of the body is read:
         * a stranger cannot make the hub hold a body it would refuse. */
        size_t slot = acquire(hub);
        r->st = hub->pool[slot];
        r->keys = hub->keys[slot];
        r->raw_key = (found->flags & R_RAW_KEY) != 0;
        wb_store_read_begin(r->st);
        ok = authenticate(r) == 0 && role_admitted(r, found);
        if (wb_store_read_end(r->st, &r->err) != 0 && ok) {
            reply_internal(r);
            ok = false;
        }
        release(hub, slot);
    }
    /* an admitted request is counted when wb_hub_handle answers it */
    if (!ok) count_request(r, found, t0);
    resp->key_id = r->who.authenticated ? r->who.key_id : 0;
    req_free(r);
    return ok;
}

void wb_hub_handle(wb_hub *hub, const wb_hub_request *req, wb_hub_response *resp)
{
    uint64_t t0 = wbi_metrics_clock_us();
    hreq *r = req_new(hub, req, resp);
    if (r == NULL) return;
    const route *found = route_of(r);
    if (found) {
        size_t slot = acquire(hub);
        r->st = hub->pool[slot];
        r->keys = hub->keys[slot];
        r->raw_key = (found->flags & R_RAW_KEY) != 0;
        wb_store_read_begin(r->st);
        bool local = (found->flags & R_LOCAL) && from_loopback(r);
        if (local ||
            (((found->flags & R_PUBLIC) || authenticate(r) == 0) && role_admitted(r, found)))
            found->fn(r);
        if (wb_store_read_end(r->st, &r->err) != 0 && resp->status < 300) reply_internal(r);
        release(hub, slot);
    }
    count_request(r, found, t0);
    resp->key_id = r->who.authenticated ? r->who.key_id : 0;
    req_free(r);
}

void wb_hub_response_free(wb_hub_response *resp)
{
    wb_buf_free(&resp->body);
    wb_hub_stream_free(resp->stream);
    resp->stream = NULL;
}

size_t wb_hub_max_body(const wb_hub *hub)
{
    return hub->opts.max_body;
}

typedef struct wl_load {
    wb_hub *hub;
    wb_error *err;
    int rc;
} wl_load;

static int wl_load_cb(void *ud, const wb_warninglist_rec *w)
{
    wl_load *l = ud;
    char name[WB_NAME_MAX + 32];
    snprintf(name, sizeof name, "warninglist '%.*s'", WB_NAME_MAX, w->name);
    l->rc = wb_warninglists_load_buffer(l->hub->wl, name, w->json, strlen(w->json), l->err);
    return l->rc != 0;
}

/* The database's warninglists into hub->wl; none is fine. */
static int load_warninglists(wb_hub *hub, wb_error *err)
{
    wl_load l = {.hub = hub, .err = err};
    int rc = wb_store_warninglist_list(hub->pool[0], wl_load_cb, &l, err);
    if (rc == 0) rc = l.rc;
    if (rc == 0 && wb_warninglists_count(hub->wl) == 0) {
        wb_warninglists_free(hub->wl);
        hub->wl = NULL;
    }
    return rc;
}

int wb_hub_open(wb_hub **out, const wb_hub_opts *opts, wb_error *err)
{
    *out = NULL;
    wb_hub *hub = calloc(1, sizeof *hub);
    if (hub == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    hub->opts = *opts;
    if (hub->opts.connections == 0) hub->opts.connections = 4;
    if (hub->opts.max_body == 0) hub->opts.max_body = DEFAULT_MAX_BODY;
    if (hub->opts.max_depth == 0) hub->opts.max_depth = 32;
    if (hub->opts.max_attributes == 0) hub->opts.max_attributes = 100000;
    if (hub->opts.rate <= 0) hub->opts.rate = 100;
    if (hub->opts.burst <= 0) hub->opts.burst = 2 * hub->opts.rate;
    if (hub->opts.sector_k == 0) hub->opts.sector_k = WB_SECTOR_K_DEFAULT;
    if (hub->opts.max_page_bytes == 0) hub->opts.max_page_bytes = MAX_PAGE_BYTES;
    if (hub->opts.max_streams_public == 0) hub->opts.max_streams_public = MAX_STREAMS_PUBLIC;
    if (hub->opts.max_streams_keyed == 0) hub->opts.max_streams_keyed = MAX_STREAMS_KEYED;
    if (hub->opts.max_streams_per_address == 0)
        hub->opts.max_streams_per_address = MAX_STREAMS_PER_ADDRESS;
    hub->lim.max_depth = hub->opts.max_depth;
    hub->lim.max_attributes = hub->opts.max_attributes;
    /* Organisation only unless the event says otherwise: the safe default. */
    hub->lim.default_distribution = 0;
    hub->pool = calloc(hub->opts.connections, sizeof *hub->pool);
    hub->idle = calloc(hub->opts.connections, sizeof *hub->idle);
    hub->keys = calloc(hub->opts.connections, sizeof *hub->keys);
    int rc =
        hub->pool && hub->idle && hub->keys ? 0 : wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0 && hub->opts.sector_k < 2)
        rc = wb_error_set(err, WB_EINVAL, "the sector view needs k of at least 2, not %u",
                          hub->opts.sector_k);
    if (rc == 0) rc = wbi_catalogues_init(&hub->cats, hub->opts.catalogues, err);
    if (rc == 0) rc = wbi_ratelimit_init(&hub->rl, hub->opts.rate, hub->opts.burst);
    if (rc == 0 && wbi_addrcount_init(&hub->stream_addrs) != 0)
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    atomic_init(&hub->streams_public, 0);
    atomic_init(&hub->streams_keyed, 0);
    if (rc == 0) {
        pthread_mutex_init(&hub->lock, NULL);
        pthread_cond_init(&hub->cond, NULL);
        pthread_mutex_init(&hub->agg_lock, NULL);
    }
    if (rc == 0)
        rc = wb_warninglists_new(&hub->wl) ? wb_error_set(err, WB_ENOMEM, "out of memory") : 0;
    for (unsigned i = 0; rc == 0 && i < hub->opts.connections; i++) {
        hub->keys[i] = malloc(MAX_LOOKUP_KEYS * sizeof **hub->keys);
        rc = hub->keys[i] ? wb_store_open(&hub->pool[i], opts->db, err)
                          : wb_error_set(err, WB_ENOMEM, "out of memory");
        if (rc == 0) {
            hub->idle[hub->nidle++] = i;
            hub->npool++;
        }
    }
    if (rc == 0) rc = load_warninglists(hub, err);
    if (rc == 0 && wbi_metrics_new(&hub->metrics, sizeof routes / sizeof routes[0]) != 0)
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < sizeof routes / sizeof routes[0]; i++)
        wbi_metrics_route(hub->metrics, i, routes[i].method, routes[i].pattern);
    if (rc) {
        wbi_metrics_free(hub->metrics);
        wb_warninglists_free(hub->wl);
        for (size_t i = 0; i < hub->npool; i++)
            wb_store_close(hub->pool[i]);
        wbi_catalogues_free(&hub->cats);
        for (size_t i = 0; hub->keys && i < hub->opts.connections; i++)
            free(hub->keys[i]);
        free(hub->keys);
        wbi_addrcount_free(&hub->stream_addrs);
        if (hub->rl.slots) {
            wbi_ratelimit_free(&hub->rl);
            pthread_mutex_destroy(&hub->lock);
            pthread_cond_destroy(&hub->cond);
            pthread_mutex_destroy(&hub->agg_lock);
        }
        free(hub->pool);
        free(hub->idle);
        free(hub);
        return rc;
    }
    *out = hub;
    return 0;
}

/* The counts of aggregated anonymous entries not yet written. */
static void agg_flush(wb_hub *hub)
{
    if (hub->npool == 0) return;
    hreq r = {.hub = hub, .st = hub->pool[0]};
    for (size_t i = 0; i < sizeof hub->agg / sizeof hub->agg[0]; i++) {
        struct agg_slot *sl = &hub->agg[i];
        if (sl->since == 0 || sl->more == 0) continue;
        agg_out o = {0};
        agg_fill(&o, sl, sl->more, sl->since, true);
        agg_write(&r, &o);
        sl->more = 0;
    }
}

void wb_hub_close(wb_hub *hub)
{
    if (hub == NULL) return;
    agg_flush(hub);
    pthread_mutex_destroy(&hub->agg_lock);
    for (size_t i = 0; i < hub->npool; i++) {
        wb_store_close(hub->pool[i]);
        free(hub->keys[i]);
    }
    free(hub->keys);
    wb_warninglists_free(hub->wl);
    wbi_ratelimit_free(&hub->rl);
    wbi_addrcount_free(&hub->stream_addrs);
    wbi_catalogues_free(&hub->cats);
    wbi_metrics_free(hub->metrics);
    pthread_mutex_destroy(&hub->lock);
    pthread_cond_destroy(&hub->cond);
    free(hub->pool);
    free(hub->idle);
    free(hub);
}
