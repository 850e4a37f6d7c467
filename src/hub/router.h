/*
 * router.h - what the hub's HTTP layer shares between the router (api.c:
 * replies, the route table, authentication, the connection pool and the
 * request context) and its resource files: events_api.c (events and their
 * attributes), lookup_api.c (status and the indicator look-up),
 * sightings_api.c, feeds_api.c (MISP feeds and the STIX export),
 * admin_api.c (the audit log), incident_api.c and assess_api.c.
 *
 * The request context (wbi_hub_req) and the reply and audit helpers the
 * incident endpoints use are in hub_internal.h; this header adds the hub
 * itself and the helpers only the resource files need.
 */
#ifndef WB_HUB_ROUTER_H
#define WB_HUB_ROUTER_H

#include <stdatomic.h>

#include "hub/assess_api.h"
#include "hub/hub_internal.h"
#include "weerbaar/warnlistsvc.h"

/* The web page's static files (static.c). */
typedef struct wbi_hub_static wbi_hub_static;

/* Look-up keys one indicator value may expand to (the buffer per pool connection). */
#define MAX_LOOKUP_KEYS WB_SHARE_MAX_KEYS
/* The default of the most bytes of rendered events one page of the event
 * list or the change feed holds (opts.max_page_bytes; docs/hub.md,
 * Limits); a page may pass it by its last event, itself bounded by
 * --max-attributes. */
#define MAX_PAGE_BYTES ((size_t)16 << 20)

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
    wbi_hub_ratelimit rl;
    wbi_hub_catalogues cats;                  /* assessments (assess_api.c) */
    wb_share_conf share;                      /* the share service's settings */
    atomic_int streams_public, streams_keyed; /* streamed answers in flight (feeds) */
    wbi_hub_addrcount stream_addrs;           /* and per client address */
    /* The database's warninglists, immutable and shared by threads; a
     * request that needs them compares the stored generation and loads
     * them again when `admin warninglist add` changed them
     * (wbi_hub_warninglists). Replaced sets are kept until the hub closes, as
     * a request may still use one; lists change seldom. */
    pthread_mutex_t wl_lock;
    wb_warninglists *wl;
    wb_wlsvc_gen wl_gen;
    wb_warninglists **wl_old;
    size_t nwl_old;
    /* Anonymous audit entries aggregated (wbi_hub_audit_anon). */
    pthread_mutex_t agg_lock;
    struct agg_slot {
        char action[24], object[48], detail[48];
        int64_t since; /* the window's start (Unix seconds); 0 = free */
        uint64_t more; /* occurrences since the last entry written */
    } agg[16];
    wbi_hub_metrics *metrics; /* requests by route and status (ops_api.c) */
    /* the web page: its files (static.c), sign-in's options and its
     * throttles per account and per client address (session_api.c) */
    wbi_hub_static *web;
    struct wb_vscan_db *vscan;  /* the advisories scans run against; NULL: none */
    pthread_mutex_t vscan_lock; /* over the pointer; the db counts its users */
    wb_signin_opts signin;
    wbi_hub_ratelimit signin_acct, signin_addr;
};

/* ---- router helpers (api.c) ------------------------------------------------------ */

/* The hub's parts the web files reach (api.c). */
const wbi_hub_static *wbi_hub_web(const wb_hub *hub);
const wb_signin_opts *wbi_hub_signin_opts(const wb_hub *hub);
const char *wbi_hub_signin_name(const wb_hub *hub);
/* account: the per-account throttle; else the per-address one */
wbi_hub_ratelimit *wbi_hub_signin_rl(wb_hub *hub, bool account);

/* A line to opts.log. */
void wbi_hub_log(wb_hub *hub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wbi_hub_reply_not_found(wbi_hub_req *r);
/* An integer query argument in [min, max]; false (and a 400 sent) when bad. */
bool wbi_hub_arg_int(wbi_hub_req *r, const char *key, int64_t min, int64_t max, int64_t *out);
/* The hub's warninglists as stored now (NULL for none): reloaded when
 * their generation changed since the last request. */
const wb_warninglists *wbi_hub_warninglists(wbi_hub_req *r);
/* An audit entry of a caller without a valid key, aggregated per kind. */
void wbi_hub_audit_anon(wbi_hub_req *r, const char *action, const char *object, const char *detail);

/* ---- the share service (events_api.c), for every handler file ------------------------- */

/* The service's call context for request r: the caller, its connection,
 * the hub's limits, the request's arena and look-up keys. */
void wbi_hub_share_of(wbi_hub_req *r, wb_share *s);
/* The answer of a service call: status on success (the body is in
 * r->resp->body already), else the service's refusal, or 500 with its
 * message in the log. */
void wbi_hub_reply_share(wbi_hub_req *r, const wb_share *s, int rc, unsigned status);

/* A copy of a row with its strings in the request's arena. */
void wbi_hub_copy_event(wbi_hub_req *r, const wb_event_rec *src, wb_event_rec *dst);
/* Asks the policy; collects the audit entry a site admin's read needs. */
bool wbi_hub_may_read(wbi_hub_req *r, wb_read_path path, const wb_policy_item *it,
                      const char *uuid);
/* 0 with *ev the visible, undeleted event r->id; otherwise the reply is
 * sent (404 or 500) and -1 returned. */
int wbi_hub_fetch_event(wbi_hub_req *r, wb_read_path path, wb_event_rec *ev);

/* ---- the indicator look-up (lookup_api.c), lent to sightings_api.c ------------------- */

/* Finds every attribute visible to the caller that a value matches
 * (wbi_share_lookup with the request's audit entries). */
int wbi_hub_lookup(wbi_hub_req *r, const char *value, const char *type, wb_read_path path,
                   wbi_look_walk *w, wbi_problem *prob);
/* Appends a hit (wbi_look_add). */
int wbi_hub_look_push(wbi_look_walk *w, wbi_hub_req *r, wbi_hit h, size_t max_cap);

/* ---- the route table (api.c) ---------------------------------------------------------- */

/* Every handler has this signature: it reads the request from r and leaves
 * the reply in r->resp (wbi_hub_reply_*), or a stream. */
typedef void (*wbi_hub_handler)(wbi_hub_req *r);

/* Who a route admits, one bit per kind of caller. Deny by default: a
 * caller whose bit is not set gets 401 (no key) or 403. */
enum {
    WBI_ADMIT_SITE_ADMIN = 1u << 0,
    WBI_ADMIT_ORG_ADMIN = 1u << 1,
    WBI_ADMIT_MEMBER = 1u << 2,
    WBI_ADMIT_SENSOR = 1u << 3,
    /* no key needed: everyone, and a key sent along is not looked at */
    WBI_ADMIT_ANONYMOUS = 1u << 4
};

enum {
    /* a route MISP clients call (every route takes "Authorization: KEY" as
     * well as "Bearer KEY" since issue 13; the mark stays for the docs) */
    WBI_ROUTE_RAW_KEY = 1u << 0,
    /* a sensor is admitted only with ?after= (the change feed, not the list) */
    WBI_ROUTE_SENSOR_AFTER = 1u << 1,
    /* no key needed from the loopback address; otherwise the admitted
     * roles' keys (/metrics: a site admin's) */
    WBI_ROUTE_LOCAL = 1u << 2,
    /* open to a session that must set up its second factor first */
    WBI_ROUTE_SETUP = 1u << 3,
    /* a MISP path: errors in MISP's shape (wbi_hub_misp_error_shape) */
    WBI_ROUTE_MISP = 1u << 4
};

typedef struct wbi_hub_route {
    const char *method;
    const char *pattern; /* '*' stands for one path segment: a uuid or "{uuid}.json" */
    wbi_hub_handler fn;
    unsigned admits; /* WBI_ADMIT_* */
    unsigned flags;  /* WBI_ROUTE_* */
} wbi_hub_route;

/* The route table (for the route-access test and docs/hub.md); *n routes.
 * The first route that fits a request wins. */
const wbi_hub_route *wbi_hub_routes(size_t *n);
/* The WBI_ADMIT_* bit of a role; 0 for one this build does not know. */
unsigned wbi_hub_admit_bit(wb_role role);

/* ---- handlers, one per route (api.c's table) ------------------------------------------ */

void wbi_hub_h_status(wbi_hub_req *r);
void wbi_hub_h_event_list(wbi_hub_req *r);
void wbi_hub_h_event_add(wbi_hub_req *r);
void wbi_hub_h_event_get(wbi_hub_req *r);
void wbi_hub_h_event_put(wbi_hub_req *r);
void wbi_hub_h_event_delete(wbi_hub_req *r);
void wbi_hub_h_event_publish(wbi_hub_req *r);
void wbi_hub_h_indicators(wbi_hub_req *r);
void wbi_hub_h_sighting_add(wbi_hub_req *r);
void wbi_hub_h_event_sightings(wbi_hub_req *r);
void wbi_hub_h_sighting_list(wbi_hub_req *r);
void wbi_hub_h_feed_manifest(wbi_hub_req *r);
void wbi_hub_h_feed_hashes(wbi_hub_req *r);
void wbi_hub_h_feed_event(wbi_hub_req *r);
void wbi_hub_h_event_stix(wbi_hub_req *r);
void wbi_hub_h_audit(wbi_hub_req *r);
/* MISP's sync routes (misp_sync_api.c) */
void wbi_hub_h_misp_event_index(wbi_hub_req *r);
void wbi_hub_h_misp_event_view(wbi_hub_req *r);
void wbi_hub_h_misp_event_add(wbi_hub_req *r);
void wbi_hub_h_misp_event_edit(wbi_hub_req *r);
/* POST /sightings/bulkSaveSightings/{id|uuid}: a sync caller's sightings */
void wbi_hub_h_misp_sightings_bulk(wbi_hub_req *r);
/* POST|DELETE /events/delete/{id|uuid} by a sync caller (answered: true);
 * false for anyone else, whom misp_api.c's handler answers. */
bool wbi_hub_misp_sync_delete(wbi_hub_req *r);
/* An error answer rewritten into MISP's {"name", "message", "url",
 * "errors"}; anything else is left alone. */
void wbi_hub_misp_error_shape(wb_hub_response *resp, const char *path);

/* ---- the web page (static.c, session_api.c) ------------------------------------------ */

/* Reads the files of dir (NULL: none) for serving: 0 or an error naming
 * the file. */
int wbi_hub_static_load(wbi_hub_static **out, const char *dir, wb_error *err);
void wbi_hub_static_free(wbi_hub_static *s);
/* The Content-Type of a file name by its extension; NULL when not served. */
const char *wbi_hub_static_type(const char *name);
/* Answers GET or HEAD of a file's exact path: true when one did. */
bool wbi_hub_static_serve(wb_hub *hub, const wbi_hub_static *s, wbi_hub_req *r);
/* Whether an Accept header asks for JSON before HTML. */
bool wbi_hub_accept_json(const char *accept);
/* GET /: the page, or the status document to a client asking for JSON. */
void wbi_hub_h_root(wbi_hub_req *r);

/* The wb_session cookie's value in a Cookie header: true with *val, *n. */
bool wbi_hub_cookie_session(const char *cookie, const char **val, size_t *n);
/* The members a session endpoint reads (borrowed from the parsed root). */
typedef struct wbi_hub_session_body {
    const char *email, *password, *totp, *key; /* POST /session */
    const char *token;                         /* first-login, with password */
    const char *old, *new_password;            /* password */
    const char *code;                          /* totp/confirm */
} wbi_hub_session_body;
/* Parses a session endpoint's JSON body: 0, or -1 with why (the caller
 * json_decref's *root either way). */
int wbi_hub_session_body_parse(const char *body, size_t len, unsigned max_depth, json_t **root,
                               wbi_hub_session_body *out, char *why, size_t cap);
/* Authenticates by the session token of a cookie, with the CSRF check of
 * a state-changing request: 0 with r->owner, r->web and r->sess filled, or
 * -1 with the 401 or 403 sent. */
int wbi_hub_session_auth(wbi_hub_req *r, const char *tok, size_t n);
/* True (with the 403 sent) when the caller's session may only set up its
 * second factor. */
bool wbi_hub_session_setup_only(wbi_hub_req *r);
void wbi_hub_h_session_new(wbi_hub_req *r);
void wbi_hub_h_session_get(wbi_hub_req *r);
void wbi_hub_h_session_delete(wbi_hub_req *r);
void wbi_hub_h_session_password(wbi_hub_req *r);
void wbi_hub_h_first_login(wbi_hub_req *r);
void wbi_hub_h_totp_setup(wbi_hub_req *r);
void wbi_hub_h_totp_confirm(wbi_hub_req *r);
/* MISP's API (misp_api.c) */
void wbi_hub_h_misp_version(wbi_hub_req *r);
void wbi_hub_h_misp_pymisp_version(wbi_hub_req *r);
void wbi_hub_h_misp_user_me(wbi_hub_req *r);
void wbi_hub_h_misp_describe_types(wbi_hub_req *r);
void wbi_hub_h_misp_event_search(wbi_hub_req *r);
void wbi_hub_h_misp_attr_search(wbi_hub_req *r);
void wbi_hub_h_misp_event_publish(wbi_hub_req *r);
void wbi_hub_h_misp_event_delete(wbi_hub_req *r);
void wbi_hub_h_misp_attr_add(wbi_hub_req *r);
void wbi_hub_h_misp_attr_edit(wbi_hub_req *r);
void wbi_hub_h_misp_attr_delete(wbi_hub_req *r);
void wbi_hub_h_misp_object_add(wbi_hub_req *r);
void wbi_hub_h_misp_tags(wbi_hub_req *r);
void wbi_hub_h_misp_tag_attach(wbi_hub_req *r);
void wbi_hub_h_misp_tag_remove(wbi_hub_req *r);
void wbi_hub_h_misp_sgroups(wbi_hub_req *r);
void wbi_hub_h_misp_orgs(wbi_hub_req *r);
void wbi_hub_h_misp_orgs_all(wbi_hub_req *r);
void wbi_hub_h_misp_feeds(wbi_hub_req *r);

/* ---- vulnerability scans (vulnscan_api.c) ---------------------------------------------- */

/* The advisories now in use with a reference (NULL: none); give it back
 * with wb_vscan_db_free. */
struct wb_vscan_db *wbi_hub_vscan_acquire(wb_hub *hub);
void wbi_hub_h_vscan_add(wbi_hub_req *r);
void wbi_hub_h_vscan_list(wbi_hub_req *r);
void wbi_hub_h_vscan_get(wbi_hub_req *r);
void wbi_hub_h_vscan_csv(wbi_hub_req *r);
void wbi_hub_h_vscan_share(wbi_hub_req *r);
/* Answers scan id as GET /api/v1/vuln/scans/{id} would, with status. */
void wbi_hub_h_vscan_get_id(wbi_hub_req *r, int64_t id, unsigned status);

#endif
