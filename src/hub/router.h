/*
 * router.h - what the hub's HTTP layer shares between the router (api.c:
 * replies, the route table, authentication, the connection pool and the
 * request context) and its resource files: events_api.c (events and their
 * attributes), lookup_api.c (status and the indicator look-up),
 * sightings_api.c, feeds_api.c (MISP feeds and the STIX export),
 * admin_api.c (the audit log), incident_api.c and assess_api.c.
 *
 * The request context (wbi_req) and the reply and audit helpers the
 * incident endpoints use are in hub_internal.h; this header adds the hub
 * itself and the helpers only the resource files need.
 */
#ifndef WB_HUB_ROUTER_H
#define WB_HUB_ROUTER_H

#include <stdatomic.h>

#include "hub/assess_api.h"
#include "hub/hub_internal.h"
#include "weerbaar/warnlistsvc.h"

/* Look-up keys one indicator value may expand to (the buffer per pool connection). */
#define MAX_LOOKUP_KEYS 160
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
    wbi_ratelimit rl;
    wbi_catalogues cats;                      /* assessments (assess_api.c) */
    atomic_int streams_public, streams_keyed; /* streamed answers in flight (feeds) */
    wbi_addrcount stream_addrs;               /* and per client address */
    /* The database's warninglists, immutable and shared by threads; a
     * request that needs them compares the stored generation and loads
     * them again when `admin warninglist add` changed them
     * (wbi_warninglists). Replaced sets are kept until the hub closes, as
     * a request may still use one; lists change seldom. */
    pthread_mutex_t wl_lock;
    wb_warninglists *wl;
    wb_wlsvc_gen wl_gen;
    wb_warninglists **wl_old;
    size_t nwl_old;
    /* Anonymous audit entries aggregated (wbi_audit_anon). */
    pthread_mutex_t agg_lock;
    struct agg_slot {
        char action[24], object[48], detail[48];
        int64_t since; /* the window's start (Unix seconds); 0 = free */
        uint64_t more; /* occurrences since the last entry written */
    } agg[16];
    wbi_metrics *metrics; /* requests by route and status (ops_api.c) */
};

/* ---- router helpers (api.c) ------------------------------------------------------ */

/* A line to opts.log. */
void wbi_hub_log(wb_hub *hub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wbi_reply_not_found(wbi_req *r);
/* An integer query argument in [min, max]; false (and a 400 sent) when bad. */
bool wbi_arg_int(wbi_req *r, const char *key, int64_t min, int64_t max, int64_t *out);
/* The hub's warninglists as stored now (NULL for none): reloaded when
 * their generation changed since the last request. */
const wb_warninglists *wbi_warninglists(wbi_req *r);
/* An audit entry of a caller without a valid key, aggregated per kind. */
void wbi_audit_anon(wbi_req *r, const char *action, const char *object, const char *detail);

/* ---- events (events_api.c), shared with the other resources ------------------------- */

/* A copy of a row with its strings in the request's arena. */
void wbi_copy_event(wbi_req *r, const wb_event_rec *src, wb_event_rec *dst);
/* Asks the policy; collects the audit entry a site admin's read needs. */
bool wbi_may_read(wbi_req *r, wb_read_path path, const wb_policy_item *it, const char *uuid);
/* 0 with *ev the visible, undeleted event r->id; otherwise the reply is
 * sent (404 or 500) and -1 returned. */
int wbi_fetch_event(wbi_req *r, wb_read_path path, wb_event_rec *ev);
/* Appends o (taking its reference) to b as compact JSON, after a comma
 * when comma is set. 0 or WB_ENOMEM. */
int wbi_body_json(wb_buf *b, json_t *o, bool comma);

/* ---- the indicator look-up (lookup_api.c), shared with sightings_api.c --------------- */

typedef struct wbi_hit {
    int64_t attr_id;
    wb_ioc_type kind;
} wbi_hit;

typedef struct wbi_look_walk {
    wbi_req *r;
    wb_read_path path;
    wb_ioc_type kind;
    json_t *out;   /* NULL when only collecting ids */
    wbi_hit *hits; /* visible attributes found, for dedup and sightings */
    size_t n, cap;
    /* The ids in hits as an open-addressing set (0 = empty; attribute ids
     * are > 0), at most half full: a sightings request can collect 100,000
     * hits, and a linear scan per hit made that quadratic. */
    int64_t *ids;
    size_t idcap;
    int rc;
} wbi_look_walk;

/* Finds every attribute visible to the caller that a value matches. */
int wbi_lookup(wbi_req *r, const char *value, const char *type, wb_read_path path, wbi_look_walk *w,
               wbi_problem *prob);
/* Whether attribute id is among w's hits. */
bool wbi_look_seen(const wbi_look_walk *w, int64_t id);
/* Appends a hit, doubling the array. Returns 0, 1 when growing would pass
 * max_cap, or WB_ENOMEM (with r->err set). */
int wbi_look_push(wbi_look_walk *w, wbi_req *r, wbi_hit h, size_t max_cap);
void wbi_look_free(wbi_look_walk *w);

/* ---- the route table (api.c) ---------------------------------------------------------- */

/* Every handler has this signature: it reads the request from r and leaves
 * the reply in r->resp (wbi_reply_*), or a stream. */
typedef void (*wbi_handler)(wbi_req *r);

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
    /* "Authorization: KEY" is taken as well as "Bearer KEY" (MISP's feed headers) */
    WBI_ROUTE_RAW_KEY = 1u << 0,
    /* a sensor is admitted only with ?after= (the change feed, not the list) */
    WBI_ROUTE_SENSOR_AFTER = 1u << 1,
    /* no key needed from the loopback address; otherwise the admitted
     * roles' keys (/metrics: a site admin's) */
    WBI_ROUTE_LOCAL = 1u << 2
};

typedef struct wbi_route {
    const char *method;
    const char *pattern; /* '*' stands for one path segment: a uuid or "{uuid}.json" */
    wbi_handler fn;
    unsigned admits; /* WBI_ADMIT_* */
    unsigned flags;  /* WBI_ROUTE_* */
} wbi_route;

/* The route table (for the route-access test and docs/hub.md); *n routes.
 * The first route that fits a request wins. */
const wbi_route *wbi_hub_routes(size_t *n);
/* The WBI_ADMIT_* bit of a role; 0 for one this build does not know. */
unsigned wbi_admit_bit(wb_role role);

/* ---- handlers, one per route (api.c's table) ------------------------------------------ */

void wbi_h_status(wbi_req *r);
void wbi_h_event_list(wbi_req *r);
void wbi_h_event_add(wbi_req *r);
void wbi_h_event_get(wbi_req *r);
void wbi_h_event_put(wbi_req *r);
void wbi_h_event_delete(wbi_req *r);
void wbi_h_event_publish(wbi_req *r);
void wbi_h_indicators(wbi_req *r);
void wbi_h_sighting_add(wbi_req *r);
void wbi_h_event_sightings(wbi_req *r);
void wbi_h_sighting_list(wbi_req *r);
void wbi_h_feed_manifest(wbi_req *r);
void wbi_h_feed_hashes(wbi_req *r);
void wbi_h_feed_event(wbi_req *r);
void wbi_h_event_stix(wbi_req *r);
void wbi_h_audit(wbi_req *r);

#endif
