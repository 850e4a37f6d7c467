/*
 * api.c - the hub's router: the JSON API (/api/v1) and the feeds as one
 * function from request to response (wb_hub_handle), independent of the
 * HTTP library. The replies, the route table, authentication, the
 * connection pool and the request context are here; the handlers are in
 * one file per resource (router.h lists them).
 *
 * A request goes: route (a static table; 404 or 405 when nothing fits),
 * authenticate (Bearer key, hashed and looked up on every request so that a
 * revocation holds at once), rate-limit per key, admit by role (deny by
 * default: each route names the roles it admits, anonymous only where it
 * is public; anyone else gets 401 or 403), then the route's handler, all
 * of one signature (wbi_hub_handler).
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

#include "hub/admin_api.h"
#include "hub/deps_api.h"
#include "hub/picture_api.h"
#include "hub/misp_more_api.h"
#include "hub/router.h"
#include "weerbaar/accounts.h"
#include "weerbaar/admin.h"
#include "weerbaar/assessdb.h"
#include "weerbaar/incident.h"
#include "weerbaar/register.h"
#include "weerbaar/vulnsvc.h"

#define DEFAULT_MAX_BODY ((size_t)50 * 1000 * 1000)
/* The rate-limit bucket all failed authentications share (key ids are > 0). */
#define AUTH_FAIL_BUCKET ((int64_t)-1)
/* Streamed answers at once: each holds a thread and a database connection
 * while it is produced, and a temporary file while it is read (stream.c).
 * Keyless and keyed callers have budgets of their own, so that strangers
 * reading the public feed slowly never make a member's feed answer 503. */
#define MAX_STREAMS_PUBLIC 8
#define MAX_STREAMS_KEYED 16
#define MAX_STREAMS_PER_ADDRESS 4

/* A window of aggregation: the first anonymous read (or failed
 * authentication) of a kind in it is an audit entry, the rest are counted
 * into the next one. */
#define AUDIT_AGG_WINDOW_S 60

/* ---- responses ------------------------------------------------------------------- */

void wbi_hub_log(wb_hub *hub, const char *fmt, ...)
{
    if (hub->opts.log == NULL) return;
    char msg[WB_ERROR_MSG_MAX + 128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hub->opts.log(hub->opts.log_ud, msg);
}

void wbi_hub_reply_error(wbi_hub_req *r, unsigned status, const char *code, const char *fmt, ...)
{
    char msg[WB_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *o = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg);
    if (o == NULL) /* a message that is not UTF-8 (it quotes input): say less */
        o = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", "invalid input");
    wbi_hub_reply_json(r, status, o);
}

/* Database trouble: the details go to the log, never to the client. */
void wbi_hub_reply_internal(wbi_hub_req *r)
{
    wbi_hub_log(r->hub, "%s %s: %s", r->req->method, r->req->path,
                r->err.msg[0] ? r->err.msg : wb_strerror(r->err.code));
    wbi_hub_reply_error(r, 500, "internal", "internal error (the hub's log has the details)");
}

void wbi_hub_reply_json(wbi_hub_req *r, unsigned status, json_t *o)
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

void wbi_hub_reply_problem(wbi_hub_req *r, const wbi_problem *p)
{
    if (p->status >= 500) {
        wb_error_set(&r->err, WB_ENOMEM, "%s", p->msg);
        wbi_hub_reply_internal(r);
        return;
    }
    wbi_hub_reply_error(r, p->status, p->code, "%s", p->msg);
}

void wbi_hub_reply_not_found(wbi_hub_req *r)
{
    wbi_hub_reply_error(r, 404, "not_found", "no such event, attribute or resource");
}

/* ---- small helpers ----------------------------------------------------------------- */

const char *wbi_hub_rdup(wbi_hub_req *r, const char *s)
{
    return s ? wb_arena_strdup(&r->arena, s) : NULL;
}

const char *wbi_hub_arg(const wbi_hub_req *r, const char *key)
{
    for (size_t i = 0; i < r->req->nargs; i++)
        if (strcmp(r->req->args[i].key, key) == 0)
            return r->req->args[i].value ? r->req->args[i].value : "";
    return NULL;
}

/* An integer query argument in [min, max]; false (and a 400 sent) when bad. */
bool wbi_hub_arg_int(wbi_hub_req *r, const char *key, int64_t min, int64_t max, int64_t *out)
{
    const char *v = wbi_hub_arg(r, key);
    if (v == NULL) return true;
    if (wb_parse_i64(v, strlen(v), min, max, out) != 0) {
        wbi_hub_reply_error(r, 400, "invalid_request", "%s: expected an integer from %lld to %lld",
                            key, (long long)min, (long long)max);
        return false;
    }
    return true;
}

/* `since`: Unix seconds or an RFC 3339 time/date. */
bool wbi_hub_arg_time(wbi_hub_req *r, const char *key, wb_time *out)
{
    const char *v = wbi_hub_arg(r, key);
    if (v == NULL) return true;
    int64_t secs;
    if (wb_parse_i64(v, strlen(v), 0, INT64_MAX, &secs) == 0 && wb_time_from_unix(secs, out) == 0)
        return true;
    if (wb_time_parse(v, strlen(v), out) == 0) return true;
    wbi_hub_reply_error(r, 400, "invalid_request", "%s: expected Unix seconds or an RFC 3339 time",
                        key);
    return false;
}

char *wbi_hub_num(wbi_hub_req *r, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    return wb_arena_strdup(&r->arena, buf);
}

void wbi_hub_audit_later(wbi_hub_req *r, const char *action, const char *object, const char *detail)
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
    r->audits[r->naudits++] =
        (wbi_hub_pending_audit){action, wbi_hub_rdup(r, object), wbi_hub_rdup(r, detail)};
}

/* Writes the audit entries a handler collected; a read that must be
 * audited is not answered unless its entry is on disk. */
int wbi_hub_flush_audits(wbi_hub_req *r)
{
    if (r->naudits == 0) return 0;
    /* One more entry that counts the dropped ones. */
    wb_audit_rec *recs = wb_arena_alloc(&r->arena, (r->naudits + 1) * sizeof *recs);
    if (recs == NULL) {
        r->naudits = r->audits_dropped = 0;
        return wb_error_set(&r->err, WB_ENOMEM, "out of memory");
    }
    size_t n = 0;
    for (size_t i = 0; i < r->naudits; i++)
        recs[n++] = (wb_audit_rec){.user = r->owner.email,
                                   .org = r->owner.org_name,
                                   .action = r->audits[i].action,
                                   .object = r->audits[i].object,
                                   .detail = r->audits[i].detail};
    char d[64];
    if (r->audits_dropped) {
        snprintf(d, sizeof d, "%zu further entries of this request", r->audits_dropped);
        recs[n++] = (wb_audit_rec){.user = r->owner.email,
                                   .org = r->owner.org_name,
                                   .action = r->audits[0].action,
                                   .object = NULL,
                                   .detail = d};
    }
    int rc = wb_admin_audit_write(r->st, recs, n, &r->err);
    r->naudits = r->audits_dropped = 0;
    return rc;
}

/* An audit entry written at once: in its own transaction, or as part of
 * the caller's when one is open (transactions nest). Never a bare write:
 * the request's read transaction (wb_store_read_begin) would hold it
 * uncommitted. */
int wbi_hub_audit_now(wbi_hub_req *r, const char *action, const char *object, const char *detail)
{
    wb_audit_rec a = {.user = r->who.authenticated ? r->owner.email : "-",
                      .org = r->who.authenticated ? r->owner.org_name : "-",
                      .action = action,
                      .object = object,
                      .detail = detail};
    return wb_admin_audit_write(r->st, &a, 1, &r->err);
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

static void agg_write(wbi_hub_req *r, const agg_out *o)
{
    if (o->write &&
        wbi_hub_audit_now(r, o->action, o->has_object ? o->object : NULL, o->detail) != 0)
        wbi_hub_log(r->hub, "audit: %s", r->err.msg);
}

void wbi_hub_audit_anon(wbi_hub_req *r, const char *action, const char *object, const char *detail)
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

unsigned wbi_hub_max_depth(const wb_hub *hub)
{
    return hub->lim.max_depth;
}

wbi_hub_metrics *wbi_hub_metrics_of(const wb_hub *hub)
{
    return hub->metrics;
}

const char *wbi_hub_db_path(const wb_hub *hub)
{
    return hub->opts.db;
}

/* ---- assessments (assess_api.c) ----------------------------------------------------------- */

static void assess_call(wbi_hub_req *r, void (*fn)(wbi_hub_areq *a))
{
    wbi_hub_areq a = {.st = r->st,
                      .who = &r->who,
                      .user = r->owner.email,
                      .org_name = r->owner.org_name,
                      .id = r->id,
                      .req = r->req,
                      .max_depth = r->hub->lim.max_depth,
                      .sector_k = r->hub->opts.sector_k,
                      .cats = &r->hub->cats};
    fn(&a);
    if (a.internal || a.code) wb_buf_free(&a.body);
    if (a.internal) {
        r->err = a.err;
        wbi_hub_reply_internal(r);
    } else if (a.code) {
        wbi_hub_reply_error(r, a.status, a.code, "%s", a.msg);
    } else if (a.content_type) {
        r->resp->body = a.body; /* taken */
        r->resp->status = a.status;
        r->resp->content_type = a.content_type;
        memcpy(r->resp->style_hash, a.style_hash, sizeof a.style_hash);
        return;
    } else {
        wbi_hub_reply_json(r, a.status, a.reply);
    }
}

#define ASSESS_HANDLER(name)                                                                       \
    static void h_##name(wbi_hub_req *r)                                                           \
    {                                                                                              \
        assess_call(r, wbi_hub_##name);                                                            \
    }
ASSESS_HANDLER(assess_list)
ASSESS_HANDLER(assess_add)
ASSESS_HANDLER(assess_sectors)
ASSESS_HANDLER(assess_get)
ASSESS_HANDLER(assess_history)
ASSESS_HANDLER(assess_answer)
ASSESS_HANDLER(assess_import)
ASSESS_HANDLER(assess_share)
ASSESS_HANDLER(assess_score)
ASSESS_HANDLER(assess_report)
ASSESS_HANDLER(catalogue_list)
ASSESS_HANDLER(catalogue_get)
ASSESS_HANDLER(deps_share) /* deps_api.c, with the same narrow request */
ASSESS_HANDLER(deps_own)
ASSESS_HANDLER(deps_sectors)
ASSESS_HANDLER(picture) /* picture_api.c */

/* ---- routing ------------------------------------------------------------------------------ */

/* Deny by default: each route names the callers it admits (router.h);
 * one that names none is open to no one. A sensor reaches only what is
 * marked KEYED: the indicator look-up, the change feed (with ?after=),
 * the MISP feeds and posting sightings, what weerbaar match --hub and a
 * sensor's reports need (docs/hub.md, "Who may call what"). */
#define PEOPLE (WBI_ADMIT_SITE_ADMIN | WBI_ADMIT_ORG_ADMIN | WBI_ADMIT_MEMBER)
#define KEYED (PEOPLE | WBI_ADMIT_SENSOR)
#define ANYONE (KEYED | WBI_ADMIT_ANONYMOUS)
#define SITE_ADMIN WBI_ADMIT_SITE_ADMIN
#define ADMINS (WBI_ADMIT_SITE_ADMIN | WBI_ADMIT_ORG_ADMIN)
#define RAW_KEY WBI_ROUTE_RAW_KEY
#define SENSOR_AFTER WBI_ROUTE_SENSOR_AFTER
#define SETUP WBI_ROUTE_SETUP
#define MISP WBI_ROUTE_MISP

static const wbi_hub_route routes[] = {
    /* the web page at / (static.c; its files are served before this
     * table is asked), the status document to a client asking for JSON */
    {"GET", "/", wbi_hub_h_root, ANYONE, 0},
    {"GET", "/api/v1", wbi_hub_h_status, ANYONE, 0},
    /* the web page's sign-in (session_api.c) */
    {"POST", "/api/v1/session", wbi_hub_h_session_new, ANYONE, 0},
    {"GET", "/api/v1/session", wbi_hub_h_session_get, PEOPLE, SETUP},
    {"DELETE", "/api/v1/session", wbi_hub_h_session_delete, PEOPLE, SETUP},
    {"POST", "/api/v1/session/password", wbi_hub_h_session_password, PEOPLE, SETUP},
    {"POST", "/api/v1/session/first-login", wbi_hub_h_first_login, ANYONE, 0},
    {"POST", "/api/v1/session/totp/setup", wbi_hub_h_totp_setup, PEOPLE, SETUP},
    {"POST", "/api/v1/session/totp/confirm", wbi_hub_h_totp_confirm, PEOPLE, SETUP},
    /* vulnerability scans (vulnscan_api.c) */
    {"POST", "/api/v1/vuln/scans", wbi_hub_h_vscan_add, PEOPLE, 0},
    {"GET", "/api/v1/vuln/scans", wbi_hub_h_vscan_list, PEOPLE, 0},
    {"GET", "/api/v1/vuln/scans/*", wbi_hub_h_vscan_get, PEOPLE, 0},
    {"GET", "/api/v1/vuln/scans/*/csv", wbi_hub_h_vscan_csv, PEOPLE, 0},
    {"POST", "/api/v1/vuln/scans/*/share", wbi_hub_h_vscan_share, PEOPLE, 0},
    {"GET", "/healthz", wbi_hub_h_healthz, ANYONE, 0},
    {"GET", "/metrics", wbi_hub_h_metrics, SITE_ADMIN, WBI_ROUTE_LOCAL},
    {"GET", "/api/v1/events", wbi_hub_h_event_list, KEYED, SENSOR_AFTER},
    {"POST", "/api/v1/events", wbi_hub_h_event_add, PEOPLE, 0},
    {"GET", "/api/v1/events/*", wbi_hub_h_event_get, PEOPLE, 0},
    {"PUT", "/api/v1/events/*", wbi_hub_h_event_put, PEOPLE, 0},
    {"DELETE", "/api/v1/events/*", wbi_hub_h_event_delete, PEOPLE, 0},
    {"POST", "/api/v1/events/*/publish", wbi_hub_h_event_publish, PEOPLE, 0},
    {"GET", "/api/v1/events/*/sightings", wbi_hub_h_event_sightings, PEOPLE, 0},
    {"GET", "/api/v1/events/*/stix", wbi_hub_h_event_stix, PEOPLE, 0},
    /* MISP feeds: the caller's view, and the public one (no key). The named
     * files come before '*', which stands for "{uuid}.json". */
    {"GET", "/feeds/misp/manifest.json", wbi_hub_h_feed_manifest, KEYED, RAW_KEY},
    {"GET", "/feeds/misp/hashes.csv", wbi_hub_h_feed_hashes, KEYED, RAW_KEY},
    {"GET", "/feeds/misp/*", wbi_hub_h_feed_event, KEYED, RAW_KEY},
    {"GET", "/feeds/public/manifest.json", wbi_hub_h_feed_manifest, ANYONE, 0},
    {"GET", "/feeds/public/hashes.csv", wbi_hub_h_feed_hashes, ANYONE, 0},
    {"GET", "/feeds/public/*", wbi_hub_h_feed_event, ANYONE, 0},
    {"GET", "/api/v1/indicators", wbi_hub_h_indicators, KEYED, 0},
    {"POST", "/api/v1/sightings", wbi_hub_h_sighting_add, KEYED, 0},
    {"GET", "/api/v1/sightings", wbi_hub_h_sighting_list, PEOPLE, 0},
    {"GET", "/api/v1/audit", wbi_hub_h_audit, SITE_ADMIN, 0},
    /* administration (admin_api.c): the accounts service decides further
     * (an org admin manages only their own organisation's users and keys) */
    {"POST", "/api/v1/admin/import", wbi_hub_h_admin_import, SITE_ADMIN, 0},
    {"GET", "/api/v1/admin/*", wbi_hub_h_admin_list, ADMINS, 0},
    {"GET", "/api/v1/admin/sharing-groups/members", wbi_hub_h_admin_list, SITE_ADMIN, 0},
    {"POST", "/api/v1/admin/*/*", wbi_hub_h_admin_op, ADMINS, 0},
    /* MISP's administration paths as PyMISP calls them (misp_admin_api.c) */
    {"POST", "/admin/organisations/add", wbi_hub_h_misp_org_add, SITE_ADMIN, RAW_KEY},
    {"POST", "/admin/organisations/edit/*", wbi_hub_h_misp_org_edit, SITE_ADMIN, RAW_KEY},
    {"POST", "/admin/organisations/delete/*", wbi_hub_h_misp_org_delete, SITE_ADMIN, RAW_KEY},
    {"GET", "/admin/users/index", wbi_hub_h_misp_user_index, ADMINS, RAW_KEY},
    {"POST", "/admin/users/add", wbi_hub_h_misp_user_add, ADMINS, RAW_KEY},
    {"POST", "/admin/users/edit/*", wbi_hub_h_misp_user_edit, ADMINS, RAW_KEY},
    {"POST", "/admin/users/delete/*", wbi_hub_h_misp_user_delete, ADMINS, RAW_KEY},
    /* MISP's API (misp_api.c; the sync routes are misp_sync_api.c's):
     * "Authorization: KEY" as MISP takes it, errors in MISP's shape. */
    {"GET", "/servers/getVersion", wbi_hub_h_misp_version, KEYED, MISP | RAW_KEY},
    {"GET", "/servers/getVersion.json", wbi_hub_h_misp_version, KEYED, MISP | RAW_KEY},
    {"GET", "/servers/getPyMISPVersion.json", wbi_hub_h_misp_pymisp_version, KEYED, MISP | RAW_KEY},
    {"GET", "/users/view/me", wbi_hub_h_misp_user_me, KEYED, MISP | RAW_KEY},
    {"GET", "/users/view/me.json", wbi_hub_h_misp_user_me, KEYED, MISP | RAW_KEY},
    {"GET", "/attributes/describeTypes.json", wbi_hub_h_misp_describe_types, KEYED, MISP | RAW_KEY},
    {"POST", "/events/restSearch", wbi_hub_h_misp_event_search, PEOPLE, MISP | RAW_KEY},
    {"POST", "/events/publish/*", wbi_hub_h_misp_event_publish, PEOPLE, MISP | RAW_KEY},
    {"POST", "/events/delete/*", wbi_hub_h_misp_event_delete, PEOPLE, MISP | RAW_KEY},
    {"DELETE", "/events/delete/*", wbi_hub_h_misp_event_delete, PEOPLE, MISP | RAW_KEY},
    {"POST", "/attributes/restSearch", wbi_hub_h_misp_attr_search, KEYED, MISP | RAW_KEY},
    {"POST", "/attributes/add/*", wbi_hub_h_misp_attr_add, PEOPLE, MISP | RAW_KEY},
    {"POST", "/attributes/edit/*", wbi_hub_h_misp_attr_edit, PEOPLE, MISP | RAW_KEY},
    {"POST", "/attributes/delete/*", wbi_hub_h_misp_attr_delete, PEOPLE, MISP | RAW_KEY},
    {"POST", "/objects/add/*", wbi_hub_h_misp_object_add, PEOPLE, MISP | RAW_KEY},
    {"GET", "/tags/index", wbi_hub_h_misp_tags, PEOPLE, MISP | RAW_KEY},
    {"POST", "/tags/attachTagToObject", wbi_hub_h_misp_tag_attach, PEOPLE, MISP | RAW_KEY},
    {"POST", "/tags/removeTagFromObject", wbi_hub_h_misp_tag_remove, PEOPLE, MISP | RAW_KEY},
    {"GET", "/organisations/index", wbi_hub_h_misp_orgs, PEOPLE, MISP | RAW_KEY},
    {"GET", "/organisations/index/*", wbi_hub_h_misp_orgs_all, PEOPLE, MISP | RAW_KEY},
    {"GET", "/organisations/view/*", wbi_hub_h_misp_orgs, PEOPLE, MISP | RAW_KEY},
    {"GET", "/sharing_groups/index", wbi_hub_h_misp_sgroups, PEOPLE, MISP | RAW_KEY},
    {"GET", "/sharingGroups/index", wbi_hub_h_misp_sgroups, PEOPLE, MISP | RAW_KEY},
    {"GET", "/sharing_groups/view/*", wbi_hub_h_misp_sgroups, PEOPLE, MISP | RAW_KEY},
    {"GET", "/feeds/index", wbi_hub_h_misp_feeds, PEOPLE, MISP | RAW_KEY},
    {"POST", "/sightings/add", wbi_hub_h_sighting_add, KEYED, MISP | RAW_KEY},
    /* sightings search, galaxies, proposals, attributes and objects by
     * id (misp_more_api.c) */
    {"POST", "/sightings/restSearch", wbi_hub_h_misp_sight_search, PEOPLE, MISP | RAW_KEY},
    {"POST", "/sightings/restSearch/*", wbi_hub_h_misp_sight_search, PEOPLE, MISP | RAW_KEY},
    {"GET", "/sightings/index", wbi_hub_h_misp_sight_index, PEOPLE, MISP | RAW_KEY},
    {"POST", "/sightings/index", wbi_hub_h_misp_sight_index, PEOPLE, MISP | RAW_KEY},
    {"GET", "/sightings/index/*", wbi_hub_h_misp_sight_index, PEOPLE, MISP | RAW_KEY},
    {"POST", "/sightings/index/*", wbi_hub_h_misp_sight_index, PEOPLE, MISP | RAW_KEY},
    {"POST", "/sightings/listSightings", wbi_hub_h_misp_sight_list, PEOPLE, MISP | RAW_KEY},
    {"POST", "/sightings/listSightings/*", wbi_hub_h_misp_sight_list, PEOPLE, MISP | RAW_KEY},
    {"POST", "/sightings/delete/*", wbi_hub_h_misp_sight_delete, PEOPLE, MISP | RAW_KEY},
    {"DELETE", "/sightings/delete/*", wbi_hub_h_misp_sight_delete, PEOPLE, MISP | RAW_KEY},
    {"GET", "/galaxies/index", wbi_hub_h_misp_galaxies, PEOPLE, MISP | RAW_KEY},
    {"POST", "/galaxies", wbi_hub_h_misp_galaxy_search, PEOPLE, MISP | RAW_KEY},
    {"GET", "/galaxies/view/*", wbi_hub_h_misp_galaxy_view, PEOPLE, MISP | RAW_KEY},
    {"GET", "/galaxy_clusters/view/*", wbi_hub_h_misp_cluster_view, PEOPLE, MISP | RAW_KEY},
    {"POST", "/galaxy_clusters/index/*", wbi_hub_h_misp_cluster_index, PEOPLE, MISP | RAW_KEY},
    {"POST", "/galaxies/attachCluster/*/*", wbi_hub_h_misp_cluster_attach, PEOPLE, MISP | RAW_KEY},
    {"POST", "/galaxies/attachCluster/*/*/*", wbi_hub_h_misp_cluster_attach, PEOPLE,
     MISP | RAW_KEY},
    {"POST", "/shadow_attributes/add/*", wbi_hub_h_misp_prop_add, PEOPLE, MISP | RAW_KEY},
    {"POST", "/shadow_attributes/edit/*", wbi_hub_h_misp_prop_edit, PEOPLE, MISP | RAW_KEY},
    {"POST", "/shadow_attributes/delete/*", wbi_hub_h_misp_prop_delete, PEOPLE, MISP | RAW_KEY},
    {"POST", "/shadow_attributes/accept/*", wbi_hub_h_misp_prop_accept, PEOPLE, MISP | RAW_KEY},
    {"POST", "/shadow_attributes/discard/*", wbi_hub_h_misp_prop_discard, PEOPLE, MISP | RAW_KEY},
    {"GET", "/shadow_attributes/index", wbi_hub_h_misp_prop_index, PEOPLE, MISP | RAW_KEY},
    {"GET", "/shadow_attributes/index/*", wbi_hub_h_misp_prop_index, PEOPLE, MISP | RAW_KEY},
    {"GET", "/shadow_attributes/view/*", wbi_hub_h_misp_prop_view, PEOPLE, MISP | RAW_KEY},
    {"POST", "/shadowAttributes/add/*", wbi_hub_h_misp_prop_add, PEOPLE, MISP | RAW_KEY},
    {"POST", "/shadowAttributes/edit/*", wbi_hub_h_misp_prop_edit, PEOPLE, MISP | RAW_KEY},
    {"POST", "/shadowAttributes/delete/*", wbi_hub_h_misp_prop_delete, PEOPLE, MISP | RAW_KEY},
    {"POST", "/shadowAttributes/accept/*", wbi_hub_h_misp_prop_accept, PEOPLE, MISP | RAW_KEY},
    {"POST", "/shadowAttributes/discard/*", wbi_hub_h_misp_prop_discard, PEOPLE, MISP | RAW_KEY},
    {"GET", "/shadowAttributes/index", wbi_hub_h_misp_prop_index, PEOPLE, MISP | RAW_KEY},
    {"GET", "/shadowAttributes/index/*", wbi_hub_h_misp_prop_index, PEOPLE, MISP | RAW_KEY},
    {"GET", "/shadowAttributes/view/*", wbi_hub_h_misp_prop_view, PEOPLE, MISP | RAW_KEY},
    {"GET", "/attributes/view/*", wbi_hub_h_misp_attr_view, PEOPLE, MISP | RAW_KEY},
    {"POST", "/objects/delete/*", wbi_hub_h_misp_object_delete, PEOPLE, MISP | RAW_KEY},
    {"DELETE", "/objects/delete/*", wbi_hub_h_misp_object_delete, PEOPLE, MISP | RAW_KEY},
    /* "due" before "*": the first route that fits wins. */
    {"GET", "/api/v1/incidents/due", wbi_hub_h_incident_due, PEOPLE, 0},
    {"POST", "/api/v1/incidents/significance", wbi_hub_h_incident_significance, PEOPLE, 0},
    {"GET", "/api/v1/incidents/proposals", wbi_hub_h_proposal_list, PEOPLE, 0},
    {"POST", "/api/v1/incidents/proposals/*/approve", wbi_hub_h_proposal_approve, PEOPLE, 0},
    {"POST", "/api/v1/incidents/proposals/*/discard", wbi_hub_h_proposal_discard, PEOPLE, 0},
    {"POST", "/api/v1/incidents/proposals/*/withdraw", wbi_hub_h_proposal_withdraw, PEOPLE, 0},
    {"GET", "/api/v1/incidents", wbi_hub_h_incident_list, PEOPLE, 0},
    {"POST", "/api/v1/incidents", wbi_hub_h_incident_add, PEOPLE, 0},
    {"GET", "/api/v1/incidents/*", wbi_hub_h_incident_get, PEOPLE, 0},
    {"POST", "/api/v1/incidents/*/reports", wbi_hub_h_incident_report, PEOPLE, 0},
    {"POST", "/api/v1/incidents/*/ack", wbi_hub_h_incident_ack, PEOPLE, 0},
    {"POST", "/api/v1/incidents/*/ask", wbi_hub_h_incident_ask, PEOPLE, 0},
    {"POST", "/api/v1/incidents/*/comments", wbi_hub_h_incident_comment, PEOPLE, 0},
    {"POST", "/api/v1/incidents/*/handled", wbi_hub_h_incident_handled, PEOPLE, 0},
    {"POST", "/api/v1/incidents/*/share", wbi_hub_h_incident_share, PEOPLE, 0},
    {"GET", "/api/v1/incidents/*/pdf", wbi_hub_h_incident_pdf, PEOPLE, 0},
    /* assessments: "sectors" before "*" */
    {"GET", "/api/v1/assessments", h_assess_list, PEOPLE, 0},
    {"POST", "/api/v1/assessments", h_assess_add, PEOPLE, 0},
    {"GET", "/api/v1/assessments/sectors", h_assess_sectors, PEOPLE, 0},
    {"GET", "/api/v1/assessments/*", h_assess_get, PEOPLE, 0},
    {"GET", "/api/v1/assessments/*/versions", h_assess_history, PEOPLE, 0},
    {"POST", "/api/v1/assessments/*/versions", h_assess_import, PEOPLE, 0},
    {"POST", "/api/v1/assessments/*/answers", h_assess_answer, PEOPLE, 0},
    {"POST", "/api/v1/assessments/*/share", h_assess_share, PEOPLE, 0},
    {"GET", "/api/v1/assessments/*/score", h_assess_score, PEOPLE, 0},
    {"GET", "/api/v1/assessments/*/report", h_assess_report, PEOPLE, 0},
    {"GET", "/api/v1/catalogues", h_catalogue_list, PEOPLE, 0},
    {"GET", "/api/v1/catalogues/*", h_catalogue_get, PEOPLE, 0},
    /* dependency pictures (deps_api.c) */
    {"POST", "/api/v1/deps/pictures", h_deps_share, PEOPLE, 0},
    {"GET", "/api/v1/deps/pictures/own", h_deps_own, PEOPLE, 0},
    {"GET", "/api/v1/deps/sectors", h_deps_sectors, PEOPLE, 0},
    /* the threat picture (picture_api.c): CSIRTs, supervisors, site admins */
    {"GET", "/api/v1/picture", h_picture, PEOPLE, 0},
    /* MISP's routes servers sync through (misp_sync_api.c): MISP's
     * "Authorization: KEY" and errors in MISP's shape */
    {"GET", "/events/index", wbi_hub_h_misp_event_index, PEOPLE, RAW_KEY | MISP},
    {"POST", "/events/index", wbi_hub_h_misp_event_index, PEOPLE, RAW_KEY | MISP},
    {"GET", "/events/view/*", wbi_hub_h_misp_event_view, PEOPLE, RAW_KEY | MISP},
    {"POST", "/events/add", wbi_hub_h_misp_event_add, PEOPLE, RAW_KEY | MISP},
    {"POST", "/events/edit/*", wbi_hub_h_misp_event_edit, PEOPLE, RAW_KEY | MISP},
    {"POST", "/sightings/bulkSaveSightings/*", wbi_hub_h_misp_sightings_bulk, PEOPLE,
     RAW_KEY | MISP},
};

/* Matches path against pattern; the segment under '*' goes to *param
 * (copied into the arena). A trailing slash is ignored. */
static bool path_match(wbi_hub_req *r, const char *pattern, const char *path, const char **param)
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

static int principal_of(wbi_hub_req *r);

/* Bearer key (or, without one, the web page's session cookie) to
 * principal; -1 with the reply sent. */
static int authenticate(wbi_hub_req *r)
{
    const char *h = r->req->authorization;
    const char *tok;
    size_t tn;
    if (h == NULL && wbi_hub_cookie_session(r->req->cookie, &tok, &tn))
        return wbi_hub_session_auth(r, tok, tn) == 0 ? principal_of(r) : -1;
    if (h == NULL) {
        wbi_hub_reply_error(r, 401, "unauthorized",
                            "an API key is required (Authorization: Bearer KEY)");
        return -1;
    }
    while (*h == ' ')
        h++;
    /* "Bearer KEY", or MISP's bare "KEY", on every path: scripts written
     * for MISP send the latter (issue 13). */
    if (wb_strn_ieq(h, strlen(h) < 7 ? strlen(h) : 7, "bearer ")) h += 7;
    while (*h == ' ')
        h++;
    size_t n = strlen(h);
    while (n > 0 && h[n - 1] == ' ')
        n--;
    /* The accounts service says whether the key may be used now
     * (revoked, expired, its user or organisation disabled) and records
     * its last use at day resolution. */
    wb_key_state state;
    int rc = wb_acct_key_auth(r->st, h, n, wb_time_now(), &r->owner, &state, &r->err);
    if (rc == 0 && state != WB_KEY_OK) {
        /* Logged by key id when the key exists, never the key. */
        char obj[32], detail[48], msg[160];
        snprintf(obj, sizeof obj, "key %lld", (long long)r->owner.key_id);
        snprintf(detail, sizeof detail, "%s key", wb_key_state_name(state));
        wb_acct_key_refusal(state, &r->owner, msg, sizeof msg);
        memset(&r->owner, 0, sizeof r->owner);
        /* Failed authentications share one bucket of the rate limit: each
         * is an audit row and an fsync, so an unauthenticated flood must
         * not turn into an unbounded audit log. */
        unsigned retry;
        if (!wbi_hub_ratelimit_take(&r->hub->rl, AUTH_FAIL_BUCKET, wb_time_now(), &retry)) {
            r->resp->retry_after = retry;
            wbi_hub_reply_error(r, 429, "rate_limited",
                                "too many failed authentications; retry in %u s", retry);
            return -1;
        }
        wbi_hub_audit_anon(r, "auth.fail", state != WB_KEY_UNKNOWN ? obj : NULL, detail);
        wbi_hub_reply_error(r, 401, state == WB_KEY_EXPIRED ? "key_expired" : "unauthorized", "%s",
                            msg);
        return -1;
    }
    if (rc) {
        wbi_hub_reply_internal(r);
        return -1;
    }
    return principal_of(r);
}

/* The principal of r->owner (a key's or a session's), after its rate
 * limit; -1 with the reply sent. */
static int principal_of(wbi_hub_req *r)
{
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
    /* A password session has no key: its user's bucket (ids below the
     * failures' -1) instead. */
    int64_t bucket = p->key_id > 0 ? p->key_id : -(p->user_id + 1);
    if (!r->req->admitted && !wbi_hub_ratelimit_take(&r->hub->rl, bucket, wb_time_now(), &retry)) {
        r->resp->retry_after = retry;
        wbi_hub_reply_error(r, 429, "rate_limited", "too many requests for this key; retry in %u s",
                            retry);
        return -1;
    }
    if (wb_acct_org_groups(r->st, p->org_id, p->groups, WB_PRINCIPAL_MAX_GROUPS, &p->ngroups,
                           &r->err) != 0) {
        wbi_hub_reply_internal(r);
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
static wbi_hub_req *req_new(wb_hub *hub, const wb_hub_request *req, wb_hub_response *resp)
{
    memset(resp, 0, sizeof *resp);
    wbi_hub_req *r = calloc(1, sizeof *r);
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

static void req_free(wbi_hub_req *r)
{
    wb_arena_free(&r->arena);
    sodium_memzero(&r->owner, sizeof r->owner);
    free(r);
}

/* The route that fits; NULL with the 404 or 405 sent. */
static const wbi_hub_route *route_of(wbi_hub_req *r)
{
    const wb_hub_request *req = r->req;
    bool path_known = false;
    /* HEAD is GET's answer without the body (RFC 9110 9.3.2): it runs the
     * GET route, and the server sends the headers only (PyMISP's
     * event_exists and attribute_exists ask with it) */
    const char *method = req->method ? req->method : "";
    if (strcmp(method, "HEAD") == 0) method = "GET";
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const char *param = NULL;
        if (!path_match(r, routes[i].pattern, req->path ? req->path : "", &param)) continue;
        path_known = true;
        if (strcmp(routes[i].method, method) == 0) {
            r->id = param;
            return &routes[i];
        }
    }
    if (path_known)
        wbi_hub_reply_error(r, 405, "method_not_allowed", "%s is not allowed on %s", req->method,
                            req->path);
    else
        wbi_hub_reply_not_found(r);
    return NULL;
}

const wbi_hub_route *wbi_hub_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}

unsigned wbi_hub_admit_bit(wb_role role)
{
    switch (role) {
    case WB_ROLE_SITE_ADMIN:
        return WBI_ADMIT_SITE_ADMIN;
    case WB_ROLE_ORG_ADMIN:
        return WBI_ADMIT_ORG_ADMIN;
    case WB_ROLE_MEMBER:
        return WBI_ADMIT_MEMBER;
    case WB_ROLE_SENSOR:
        return WBI_ADMIT_SENSOR;
    }
    return 0; /* a role this build does not know is admitted nowhere */
}

/* Whether the authenticated caller's role may use the route; false with
 * the 403 sent. */
static bool role_admitted(wbi_hub_req *r, const wbi_hub_route *found)
{
    if (found->admits & WBI_ADMIT_ANONYMOUS) return true;
    if (!(found->flags & WBI_ROUTE_SETUP) && wbi_hub_session_setup_only(r)) return false;
    unsigned bit = wbi_hub_admit_bit(r->who.role);
    bool ok = (found->admits & bit) != 0;
    if (ok && bit == WBI_ADMIT_SENSOR && (found->flags & WBI_ROUTE_SENSOR_AFTER) &&
        wbi_hub_arg(r, "after") == NULL)
        ok = false;
    if (ok) return true;
    if (bit == WBI_ADMIT_SENSOR)
        wbi_hub_reply_error(r, 403, "forbidden",
                            "a sensor key may only look up indicators, read the change feed "
                            "(?after=) and the MISP feeds, and post sightings");
    else if (found->admits == WBI_ADMIT_SITE_ADMIN)
        wbi_hub_reply_error(r, 403, "forbidden", "only site admins may read this");
    else
        wbi_hub_reply_error(r, 403, "forbidden", "a key of role %s may not use %s %s",
                            bit ? wb_role_name(r->who.role) : "unknown", found->method,
                            found->pattern);
    return false;
}

/* The metrics hook: one relaxed atomic add per counter (ops_api.c). */
static void count_request(wbi_hub_req *r, const wbi_hub_route *found, uint64_t t0)
{
    wbi_hub_metrics_count(r->hub->metrics, found ? (long)(found - routes) : -1, r->resp->status,
                          wbi_hub_metrics_clock_us() - t0);
}

/* A request from the hub's own machine, for WBI_ROUTE_LOCAL routes. */
static bool from_loopback(const wbi_hub_req *r)
{
    const char *p = r->req->peer;
    return p && (strncmp(p, "127.", 4) == 0 || strcmp(p, "::1") == 0 ||
                 strncmp(p, "::ffff:127.", 11) == 0);
}

bool wb_hub_admit(wb_hub *hub, const wb_hub_request *req, wb_hub_response *resp)
{
    uint64_t t0 = wbi_hub_metrics_clock_us();
    wbi_hub_req *r = req_new(hub, req, resp);
    if (r == NULL) return false;
    bool ok = false;
    const wbi_hub_route *found = route_of(r);
    if (found && strcmp(found->method, "POST") != 0 && strcmp(found->method, "PUT") != 0) {
        wbi_hub_reply_error(r, 400, "invalid_request", "%s %s takes no request body", found->method,
                            req->path);
    } else if (found && (found->admits & WBI_ADMIT_ANONYMOUS)) {
        ok = true;
    } else if (found) {
        /* The key and role are checked before a byte of the body is read:
         * a stranger cannot make the hub hold a body it would refuse. */
        size_t slot = acquire(hub);
        r->st = hub->pool[slot];
        r->keys = hub->keys[slot];
        r->raw_key = (found->flags & WBI_ROUTE_RAW_KEY) != 0;
        wb_admin_read_begin(r->st);
        ok = authenticate(r) == 0 && role_admitted(r, found);
        if (wb_admin_read_end(r->st, &r->err) != 0 && ok) {
            wbi_hub_reply_internal(r);
            ok = false;
        }
        release(hub, slot);
    }
    /* an admitted request is counted when wb_hub_handle answers it */
    if (!ok && found && (found->flags & WBI_ROUTE_MISP)) wbi_hub_misp_error_shape(resp, req->path);
    if (!ok) count_request(r, found, t0);
    resp->key_id = r->who.authenticated ? r->who.key_id : 0;
    req_free(r);
    return ok;
}

void wb_hub_handle(wb_hub *hub, const wb_hub_request *req, wb_hub_response *resp)
{
    uint64_t t0 = wbi_hub_metrics_clock_us();
    wbi_hub_req *r = req_new(hub, req, resp);
    if (r == NULL) return;
    /* The page's files first: they are public, and exact paths only. */
    if (wbi_hub_static_serve(hub, hub->web, r)) {
        count_request(r, NULL, t0);
        req_free(r);
        return;
    }
    const wbi_hub_route *found = route_of(r);
    if (found) {
        size_t slot = acquire(hub);
        r->st = hub->pool[slot];
        r->keys = hub->keys[slot];
        r->raw_key = (found->flags & WBI_ROUTE_RAW_KEY) != 0;
        wb_admin_read_begin(r->st);
        bool local = (found->flags & WBI_ROUTE_LOCAL) && from_loopback(r);
        if (local || (((found->admits & WBI_ADMIT_ANONYMOUS) || authenticate(r) == 0) &&
                      role_admitted(r, found)))
            found->fn(r);
        if (wb_admin_read_end(r->st, &r->err) != 0 && resp->status < 300) wbi_hub_reply_internal(r);
        release(hub, slot);
        if (found->flags & WBI_ROUTE_MISP) wbi_hub_misp_error_shape(resp, req->path);
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

const wbi_hub_static *wbi_hub_web(const wb_hub *hub)
{
    return hub->web;
}

struct wb_vscan_db *wbi_hub_vscan_acquire(wb_hub *hub)
{
    pthread_mutex_lock(&hub->vscan_lock);
    wb_vscan_db *db = hub->vscan;
    wb_vscan_db_ref(db);
    pthread_mutex_unlock(&hub->vscan_lock);
    return db;
}

void wb_hub_vscan_replace(wb_hub *hub, struct wb_vscan_db *db)
{
    pthread_mutex_lock(&hub->vscan_lock);
    wb_vscan_db *old = hub->vscan;
    hub->vscan = db;
    pthread_mutex_unlock(&hub->vscan_lock);
    wb_vscan_db_free(old);
}

const wb_signin_opts *wbi_hub_signin_opts(const wb_hub *hub)
{
    return &hub->signin;
}

const char *wbi_hub_signin_name(const wb_hub *hub)
{
    return hub->opts.web_name ? hub->opts.web_name : "weerbaar";
}

wbi_hub_ratelimit *wbi_hub_signin_rl(wb_hub *hub, bool account)
{
    return account ? &hub->signin_acct : &hub->signin_addr;
}

size_t wb_hub_max_body(const wb_hub *hub)
{
    return hub->opts.max_body;
}

/* The database's warninglists into hub->wl; none is fine. */
static int load_warninglists(wb_hub *hub, wb_error *err)
{
    return wb_wlsvc_load(hub->pool[0], &hub->wl, &hub->wl_gen, err);
}

const wb_warninglists *wbi_hub_warninglists(wbi_hub_req *r)
{
    wb_hub *hub = r->hub;
    wb_wlsvc_gen gen;
    wb_error e;
    bool known = wb_wlsvc_generation(r->st, &gen, &e) == 0;
    if (!known) wbi_hub_log(hub, "warninglists: %s", e.msg);
    pthread_mutex_lock(&hub->wl_lock);
    if (known && (gen.count != hub->wl_gen.count || gen.latest != hub->wl_gen.latest)) {
        wb_warninglists *nw = NULL;
        wb_wlsvc_gen ng;
        wb_warninglists **old = realloc(hub->wl_old, (hub->nwl_old + 1) * sizeof *old);
        if (old == NULL) {
            wbi_hub_log(hub, "warninglists: out of memory");
        } else if (wb_wlsvc_load(r->st, &nw, &ng, &e) != 0) {
            hub->wl_old = old;
            wbi_hub_log(hub, "warninglists: %s", e.msg);
        } else {
            hub->wl_old = old;
            if (hub->wl) hub->wl_old[hub->nwl_old++] = hub->wl;
            hub->wl = nw;
            hub->wl_gen = ng;
        }
    }
    const wb_warninglists *cur = hub->wl;
    pthread_mutex_unlock(&hub->wl_lock);
    return cur;
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
    if (hub->opts.sighting_gap == 0)
        hub->opts.sighting_gap = WB_SIGHTING_GAP_DEFAULT;
    else if (hub->opts.sighting_gap < 0)
        hub->opts.sighting_gap = 0;
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
    if (rc == 0) rc = wbi_hub_catalogues_init(&hub->cats, hub->opts.catalogues, err);
    if (rc == 0) rc = wbi_hub_ratelimit_init(&hub->rl, hub->opts.rate, hub->opts.burst);
    /* Sign-in attempts that fail: 5 at once per account, then one a
     * minute; 20 at once per client address, then one every 3 s. */
    if (rc == 0) rc = wbi_hub_ratelimit_init(&hub->signin_acct, 1.0 / 60, 5);
    if (rc == 0) rc = wbi_hub_ratelimit_init(&hub->signin_addr, 1.0 / 3, 20);
    if (rc == 0) rc = wbi_hub_static_load(&hub->web, hub->opts.web_dir, err);
    if (rc == 0 && hub->opts.advisories)
        rc = wb_vscan_db_open(&hub->vscan, hub->opts.advisories, err);
    pthread_mutex_init(&hub->vscan_lock, NULL);
    hub->signin.session_seconds = hub->opts.session_seconds;
    hub->signin.idle_seconds = hub->opts.session_idle_seconds;
    hub->signin.admin_second_factor = hub->opts.admin_second_factor;
    if (rc == 0 && wbi_hub_addrcount_init(&hub->stream_addrs) != 0)
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    atomic_init(&hub->streams_public, 0);
    atomic_init(&hub->streams_keyed, 0);
    if (rc == 0) {
        pthread_mutex_init(&hub->lock, NULL);
        pthread_cond_init(&hub->cond, NULL);
        pthread_mutex_init(&hub->agg_lock, NULL);
    }
    if (rc == 0) pthread_mutex_init(&hub->wl_lock, NULL);
    for (unsigned i = 0; rc == 0 && i < hub->opts.connections; i++) {
        hub->keys[i] = malloc(MAX_LOOKUP_KEYS * sizeof **hub->keys);
        rc = hub->keys[i] ? wb_admin_open(&hub->pool[i], opts->db, err)
                          : wb_error_set(err, WB_ENOMEM, "out of memory");
        if (rc == 0) {
            hub->idle[hub->nidle++] = i;
            hub->npool++;
        }
    }
    if (rc == 0) rc = load_warninglists(hub, err);
    hub->share = (wb_share_conf){.max_depth = hub->lim.max_depth,
                                 .max_attributes = hub->lim.max_attributes,
                                 .default_distribution = hub->lim.default_distribution,
                                 .max_page_bytes = hub->opts.max_page_bytes,
                                 .wl = hub->wl,
                                 .log = hub->opts.log,
                                 .log_ud = hub->opts.log_ud};
    if (rc == 0 && wbi_hub_metrics_new(&hub->metrics, sizeof routes / sizeof routes[0]) != 0)
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < sizeof routes / sizeof routes[0]; i++)
        wbi_hub_metrics_route(hub->metrics, i, routes[i].method, routes[i].pattern);
    if (rc) {
        wbi_hub_metrics_free(hub->metrics);
        wb_warninglists_free(hub->wl);
        for (size_t i = 0; i < hub->npool; i++)
            wb_admin_close(hub->pool[i]);
        wbi_hub_catalogues_free(&hub->cats);
        for (size_t i = 0; hub->keys && i < hub->opts.connections; i++)
            free(hub->keys[i]);
        free(hub->keys);
        wbi_hub_addrcount_free(&hub->stream_addrs);
        wbi_hub_static_free(hub->web);
        wb_vscan_db_free(hub->vscan);
        wbi_hub_ratelimit_free(&hub->signin_acct);
        wbi_hub_ratelimit_free(&hub->signin_addr);
        if (hub->rl.slots) {
            wbi_hub_ratelimit_free(&hub->rl);
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
    wbi_hub_req r = {.hub = hub, .st = hub->pool[0]};
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
        wb_admin_close(hub->pool[i]);
        free(hub->keys[i]);
    }
    free(hub->keys);
    wb_warninglists_free(hub->wl);
    for (size_t i = 0; i < hub->nwl_old; i++)
        wb_warninglists_free(hub->wl_old[i]);
    free(hub->wl_old);
    pthread_mutex_destroy(&hub->wl_lock);
    wbi_hub_ratelimit_free(&hub->rl);
    wbi_hub_ratelimit_free(&hub->signin_acct);
    wbi_hub_ratelimit_free(&hub->signin_addr);
    wbi_hub_static_free(hub->web);
    wb_vscan_db_free(hub->vscan);
    pthread_mutex_destroy(&hub->vscan_lock);
    wbi_hub_addrcount_free(&hub->stream_addrs);
    wbi_hub_catalogues_free(&hub->cats);
    wbi_hub_metrics_free(hub->metrics);
    pthread_mutex_destroy(&hub->lock);
    pthread_cond_destroy(&hub->cond);
    free(hub->pool);
    free(hub->idle);
    free(hub);
}
