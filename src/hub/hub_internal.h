/*
 * hub_internal.h - what the hub's HTTP files share: the per-key rate
 * limiter (ratelimit.c), the connection limits and request-head checks
 * (http_head.c, server.c), streamed answers (stream.c), and the request
 * context with the reply helpers of the router (api.c) for every handler
 * file; router.h adds what only the HTTP layer's files share.
 *
 * The events domain's parsing, policy and feeds are the share module's
 * (src/share/share_internal.h, included here for the handlers, the fuzz
 * targets and the tests that drive them).
 */
#ifndef WB_HUB_INTERNAL_H
#define WB_HUB_INTERNAL_H

#include <pthread.h>

#include <jansson.h>

#include "share/share_internal.h"
#include "weerbaar/feed.h"
#include "weerbaar/hub.h"
#include "weerbaar/websession.h"

/* ---- streamed answers (stream.c) ---------------------------------------------------- */

/* Produces a streamed body on a thread of its own with a store connection
 * of its own (stream.c): run(ctx, st, write, wctx) writes the body; free_ctx
 * releases ctx afterwards. The stream owns ctx from the call on, also when
 * NULL is returned (out of memory, database not opened: *err says). */
typedef int (*wbi_hub_stream_run)(void *ctx, wb_store *st, wb_feed_write_fn w, void *wctx,
                                  wb_error *err);
wb_hub_stream *wbi_hub_stream_start(const char *db, wbi_hub_stream_run run, void *ctx,
                                    void (*free_ctx)(void *ctx),
                                    void (*log)(void *ud, const char *msg), void *log_ud,
                                    wb_error *err);

/* ---- rate limiting ------------------------------------------------------------- */

typedef struct wbi_hub_bucket {
    int64_t key_id; /* 0 = empty slot */
    double tokens;
    wb_time last;
} wbi_hub_bucket;

typedef struct wbi_hub_ratelimit {
    pthread_mutex_t lock;
    double rate, burst;
    wbi_hub_bucket *slots;
    size_t cap, used;
} wbi_hub_ratelimit;

int wbi_hub_ratelimit_init(wbi_hub_ratelimit *rl, double rate, double burst);
/* Takes a token for key_id at time now: true when allowed; otherwise false
 * and *retry the seconds until the next token. */
bool wbi_hub_ratelimit_take(wbi_hub_ratelimit *rl, int64_t key_id, wb_time now, unsigned *retry);
/* Gives back a token taken before (up to the burst). */
void wbi_hub_ratelimit_give(wbi_hub_ratelimit *rl, int64_t key_id);
void wbi_hub_ratelimit_free(wbi_hub_ratelimit *rl);

/* ---- connection-level limits (ratelimit.c, http_head.c, server.c) -------------- */

/* A client address: IPv6, or IPv4 as ::ffff:a.b.c.d. */
typedef struct wbi_hub_addr {
    uint8_t b[16];
} wbi_hub_addr;

/* "127.0.0.2" or "::1" into *a; false when s is not an address. */
bool wbi_hub_addr_parse(const char *s, wbi_hub_addr *a);

typedef struct wbi_hub_addrslot {
    wbi_hub_addr a;
    unsigned n; /* 0: free, or an address whose count went back to 0 */
    bool used;
} wbi_hub_addrslot;

/* How many of something (connections, streams) each address holds now,
 * behind one mutex. Addresses whose count is back to 0 are dropped when the
 * table is rebuilt, so it is bounded by the addresses active at once. */
typedef struct wbi_hub_addrcount {
    pthread_mutex_t lock;
    wbi_hub_addrslot *slots;
    size_t cap, used;
} wbi_hub_addrcount;

int wbi_hub_addrcount_init(wbi_hub_addrcount *t);
/* Counts one more for a unless it holds max already (false then, nothing
 * counted); also false when out of memory. */
bool wbi_hub_addrcount_take(wbi_hub_addrcount *t, const wbi_hub_addr *a, unsigned max);
/* Gives one back (a taken before). */
void wbi_hub_addrcount_give(wbi_hub_addrcount *t, const wbi_hub_addr *a);
void wbi_hub_addrcount_free(wbi_hub_addrcount *t);

/* What wbi_hub_http_head_check found in a complete request head. */
typedef struct wbi_hub_http_head {
    size_t len; /* bytes up to and with the blank line that ends it */
    bool http10;
    bool has_host, has_auth, has_te, has_length;
    uint64_t length; /* Content-Length when has_length */
} wbi_hub_http_head;

/* Checks the head of an HTTP/1.x request, n bytes as they arrived so far:
 * 0 when it is complete and acceptable (*h filled), 1 when more is needed
 * and nothing is wrong yet, -1 when it is refused (*prob: 400, 411, 414,
 * 431 or 505 with a stable code). Pure; see http_head.c for the rules. */
int wbi_hub_http_head_check(const char *buf, size_t n, size_t max_head, size_t max_target,
                            wbi_hub_http_head *h, wbi_problem *prob);

/* ---- the API's request context (api.c), shared with incident_api.c ---------- */

#define WBI_MAX_AUDIT_PENDING 256

typedef struct wbi_hub_pending_audit {
    const char *action, *object, *detail;
} wbi_hub_pending_audit;

/* One request being answered: what the handlers of api.c and
 * incident_api.c get. */
typedef struct wbi_hub_req {
    wb_hub *hub;
    wb_store *st;
    const wb_hub_request *req;
    wb_hub_response *resp;
    wb_principal who;
    wb_keyowner owner;
    const char *id; /* the {uuid} of the path */
    int64_t now;    /* Unix seconds */
    bool raw_key;   /* the route is marked WBI_ROUTE_RAW_KEY (every route takes "Authorization: KEY"
                       now) */
    wb_arena arena;
    wb_error err;
    wbi_hub_pending_audit *audits; /* WBI_MAX_AUDIT_PENDING, from the arena when first needed */
    size_t naudits, audits_dropped;
    wb_ioc_key *keys;    /* the connection's look-up key buffer (MAX_LOOKUP_KEYS) */
    bool web;            /* authenticated by a session cookie (session_api.c) */
    wb_web_session sess; /* that session */
} wbi_hub_req;

/* Replies: {"error": {"code", "message"}} with the status; internal errors
 * go to the hub's log and reach the client only as "internal". */
void wbi_hub_reply_error(wbi_hub_req *r, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void wbi_hub_reply_internal(wbi_hub_req *r);
/* Sends o (taking its reference) with status. */
void wbi_hub_reply_json(wbi_hub_req *r, unsigned status, json_t *o);
void wbi_hub_reply_problem(wbi_hub_req *r, const wbi_problem *p);
/* A copy in the request's arena (NULL for NULL). */
const char *wbi_hub_rdup(wbi_hub_req *r, const char *s);
/* A query argument ("" for "?flag"), or NULL. */
const char *wbi_hub_arg(const wbi_hub_req *r, const char *key);
/* A time argument (Unix seconds or RFC 3339); false with a 400 sent. */
bool wbi_hub_arg_time(wbi_hub_req *r, const char *key, wb_time *out);
/* v as decimal text in the request's arena. */
char *wbi_hub_num(wbi_hub_req *r, int64_t v);
/* Audit entries collected and written by wbi_hub_flush_audits before the
 * answer (a read that must be audited is not answered otherwise). */
void wbi_hub_audit_later(wbi_hub_req *r, const char *action, const char *object,
                         const char *detail);
int wbi_hub_flush_audits(wbi_hub_req *r);
/* An audit entry written at once (inside the caller's transaction). */
int wbi_hub_audit_now(wbi_hub_req *r, const char *action, const char *object, const char *detail);
unsigned wbi_hub_max_depth(const wb_hub *hub);
/* POST /api/v1/events with `body` as the request body and `creator_org` as
 * the event's organisation; the reply is that endpoint's (201 with the
 * event as stored, read back as the creator would see it). */
void wbi_hub_event_create(wbi_hub_req *r, const char *body, size_t len, int64_t creator_org);
/* The attributes of an event document on the hub's warninglists (api.c). */
int wbi_hub_event_warninglisted(wbi_hub_req *r, const char *body, size_t len, json_t *hits);

/* ---- incident endpoints (incident_api.c); routes in api.c ------------------- */

void wbi_hub_h_incident_add(wbi_hub_req *r);
void wbi_hub_h_incident_list(wbi_hub_req *r);
void wbi_hub_h_incident_due(wbi_hub_req *r);
void wbi_hub_h_incident_get(wbi_hub_req *r);
void wbi_hub_h_incident_pdf(wbi_hub_req *r);
void wbi_hub_h_incident_significance(wbi_hub_req *r);
void wbi_hub_h_incident_report(wbi_hub_req *r);
void wbi_hub_h_incident_ack(wbi_hub_req *r);
void wbi_hub_h_incident_ask(wbi_hub_req *r);
void wbi_hub_h_incident_comment(wbi_hub_req *r);
void wbi_hub_h_incident_handled(wbi_hub_req *r);
void wbi_hub_h_incident_share(wbi_hub_req *r);
void wbi_hub_h_proposal_list(wbi_hub_req *r);
void wbi_hub_h_proposal_approve(wbi_hub_req *r);
void wbi_hub_h_proposal_discard(wbi_hub_req *r);
void wbi_hub_h_proposal_withdraw(wbi_hub_req *r);

/* Operations (ops_api.c): the request counters the router fills and the
 * handlers of GET /healthz and GET /metrics. */
typedef struct wbi_hub_metrics wbi_hub_metrics;
/* Counters for a route table of nroutes routes; WB_ENOMEM or 0. */
int wbi_hub_metrics_new(wbi_hub_metrics **out, size_t nroutes);
/* Names route i (static strings, kept). */
void wbi_hub_metrics_route(wbi_hub_metrics *m, size_t i, const char *method, const char *pattern);
void wbi_hub_metrics_free(wbi_hub_metrics *m);
/* A monotonic clock in microseconds, for the latency. */
uint64_t wbi_hub_metrics_clock_us(void);
/* Counts one answered request: route is the index in the route table, or
 * -1 when none fitted. Lock-free; m may be NULL. */
void wbi_hub_metrics_count(wbi_hub_metrics *m, long route, unsigned status, uint64_t usec);
/* A connection the gate (gate.c) refused before the router saw a request,
 * by its stable error code ("too_many_connections", "busy",
 * "request_timeout", "invalid_request", ...). NULL m is fine. */
void wbi_hub_metrics_refused(wbi_hub_metrics *m, const char *code);
wbi_hub_metrics *wbi_hub_metrics_of(const wb_hub *hub);
const char *wbi_hub_db_path(const wb_hub *hub);
void wbi_hub_h_healthz(wbi_hub_req *r);
void wbi_hub_h_metrics(wbi_hub_req *r);

#endif
