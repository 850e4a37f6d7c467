/*
 * hub_internal.h - what the hub's files share: the parsed form of a posted
 * MISP event and of sightings (event.c), the normalised look-up keys of an
 * indicator value, and the per-key rate limiter (ratelimit.c).
 *
 * Parsing needs no database, so the fuzz targets drive it directly; the API
 * (api.c) resolves sharing groups and writes afterwards. The request context
 * and the reply helpers of the router (api.c) are here too, for every
 * handler file; router.h adds what only the HTTP layer's files share.
 */
#ifndef WB_HUB_INTERNAL_H
#define WB_HUB_INTERNAL_H

#include <pthread.h>

#include <jansson.h>

#include "weerbaar/feed.h"
#include "weerbaar/hub.h"

/* Longest attribute value and info string accepted (bytes). */
#define WBI_MAX_VALUE 65535
#define WBI_MAX_TAGS 256
#define WBI_MAX_SIGHTINGS 10000

/* Why a body was refused: an HTTP status, a stable code, a message that
 * names the JSON path. */
/* The policy's view of a stored event, or of one of its attributes (a
 * non-NULL): what wb_policy_read judges on every read path. */
wb_policy_item wbi_policy_item_of(const wb_event_rec *e, const wb_attr_rec *a);

typedef struct wbi_problem {
    unsigned status;
    const char *code;
    char msg[WB_ERROR_MSG_MAX];
} wbi_problem;

/* A sharing group as a request names it: an id or a uuid. */
typedef struct wbi_sgref {
    int64_t id;
    char uuid[WB_UUID_LEN + 1]; /* "" when not given */
} wbi_sgref;

typedef struct wbi_attr_in {
    wb_attr_rec rec; /* uuid, type, value, flags, keys; event_id and json filled later */
    wbi_sgref sg;    /* when rec.distribution is 4 */
    json_t *json;    /* the attribute object as it will be stored (borrowed from root) */
    char path[96];   /* "$.Event.Attribute[3]" for messages */
} wbi_attr_in;

typedef struct wbi_event_in {
    json_t *root;  /* owns everything below */
    json_t *event; /* the event object; Attribute arrays are taken out of it */
    char uuid[WB_UUID_LEN + 1];
    bool uuid_given; /* false when the hub made the uuid */
    const char *info;
    char date[11];
    int distribution;
    wbi_sgref sg;
    wb_tlp tlp; /* effective: amber when untagged */
    bool published;
    const char *tags[WBI_MAX_TAGS];
    size_t ntags;
    wbi_attr_in *attrs;
    size_t nattrs;
    wb_arena arena; /* keys, uuids */
} wbi_event_in;

typedef struct wbi_limits {
    unsigned max_depth;
    size_t max_attributes;
    int default_distribution;
} wbi_limits;

/* Parses and validates a posted event ({"Event": {...}} or the bare event).
 * 0, or non-zero with *prob filled (400 invalid_json, 422 invalid_event or
 * invalid_tlp_distribution, 413 too_large). Free with wbi_event_free (also
 * after a failure). `now` is Unix seconds, for the default date. */
int wbi_event_parse(const char *body, size_t len, const wbi_limits *lim, int64_t now,
                    wbi_event_in *ev, wbi_problem *prob);
void wbi_event_free(wbi_event_in *ev);

/* Refuses JSON nested deeper than max (jansson has no such bound of its
 * own at a level a server wants). 0 or non-zero. */
int wbi_json_depth_ok(const char *s, size_t n, unsigned max);
/* Parses JSON with the depth check; 400 invalid_json in *prob on failure. */
json_t *wbi_json_load(const char *body, size_t len, unsigned max_depth, wbi_problem *prob);

/* The keys an indicator look-up for value v searches (wb_ioc_keys, the
 * same answer `weerbaar match` gives). `type` is a MISP or weerbaar type
 * name, or NULL to classify the value by its shape as match does. Returns
 * how many keys were written (at most max), or -1 with *prob set for a
 * value or type that is not valid. */
int wbi_lookup_keys(const char *v, size_t n, const char *type, wb_ioc_key *keys, size_t max,
                    wbi_problem *prob);
/* The same, with only the address blocks whose prefix length is in `only`
 * (what the store holds, wb_store_cidr_prefixes); NULL for every length. */
int wbi_lookup_keys_in(const char *v, size_t n, const char *type, const wb_prefix_set *only,
                       wb_ioc_key *keys, size_t max, wbi_problem *prob);

/* A posted sighting. */
typedef struct wbi_sighting_in {
    const char *uuid;  /* attribute uuid, or NULL */
    const char *value; /* or the value to look up */
    const char *type_filter;
    int type;
    const char *source;
    int64_t date_sighting;
    int64_t first_seen;
    int64_t count;
    const char *request_uuid; /* sighting_uuid: a retry with it changes nothing */
    char path[48];
} wbi_sighting_in;

/* Parses one sighting object or an array of them into a heap array (the
 * caller frees *out and json_decref's *root, which the strings point into). */
int wbi_sightings_parse(const char *body, size_t len, unsigned max_depth, int64_t now,
                        json_t **root, wbi_sighting_in **out, size_t *n, wbi_problem *prob);

void wbi_problem_set(wbi_problem *p, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* As wbi_event_parse, from an already parsed document: takes ownership of
 * root (freed by wbi_event_free, also after a failure). base names the
 * input in messages ("$" or a file name). */
int wbi_event_parse_json(json_t *root, const wbi_limits *lim, int64_t now, wbi_event_in *ev,
                         wbi_problem *prob);

/* ---- feeds and exports (feed.c, feed_pull.c, stix_out.c, stream.c) --------------- */

/* The tags of obj (an event or an attribute) as one Tag array: its Tag
 * array and the tags of MISP's link shape under link_key (EventTag or
 * AttributeTag: [{"Tag": {...}}]), with every tlp: tag of a level other
 * than eff (the effective TLP the hub enforces) left out and tlp:eff
 * added when a level was dropped or `add` is set (an attribute without a
 * TLP of its own inherits its event's). With feed, only name and colour
 * are kept and local tags are left out. A new array, NULL out of memory. */
json_t *wbi_tags_effective(const json_t *obj, const char *link_key, wb_tlp eff, bool add,
                           bool feed);
/* The same in place: obj's Tag replaced by it and link_key removed. */
void wbi_tags_set_effective(json_t *obj, const char *link_key, wb_tlp eff, bool add);

/* uuid text -> a position (borrowed keys; feed.c): placing each of an
 * event's attributes in its MISP object by probe, not by scan. */
typedef struct wbi_uuid_index {
    const char **keys;
    size_t *vals;
    size_t cap, used;
} wbi_uuid_index;
/* Room for n keys; WB_ENOMEM. put keeps the last value of a key. */
int wbi_uuid_index_init(wbi_uuid_index *x, size_t n);
int wbi_uuid_index_put(wbi_uuid_index *x, const char *uuid, size_t v);
bool wbi_uuid_index_get(const wbi_uuid_index *x, const char *uuid, size_t *v);
void wbi_uuid_index_free(wbi_uuid_index *x);

/* The feed form of a stored attribute's JSON, copied member by member from
 * the text (feed.c): 0 with out filled, 1 when the text is not in the form
 * the fast path takes (the caller goes the jansson way), -1 out of memory. */
int wbi_feed_attr_fast(const char *json, size_t n, wb_buf *out);

/* A manifest entry: an event uuid and its timestamp. */
typedef struct wbi_feed_entry {
    char uuid[WB_UUID_LEN + 1];
    int64_t timestamp;
} wbi_feed_entry;

/* Parses a MISP feed manifest (no database: the fuzz target drives it).
 * Entries that are not valid (a key that is not a uuid, a missing or bad
 * timestamp) are left out and counted in *bad, the first one described in
 * prob->msg. Returns 0 with a heap array in *out (the caller frees it),
 * or -1 with *prob set when the document is not a manifest at all. */
int wbi_feed_manifest_parse(const char *text, size_t len, unsigned max_depth, size_t max_events,
                            wbi_feed_entry **out, size_t *n, size_t *bad, wbi_problem *prob);

/* Reads one event file of a feed for storing (feed_pull.c; no database, so
 * the fuzz target drives it): checks that it is the event `uuid` the
 * manifest lists, takes its timestamp (else manifest_ts) into *ts, drops
 * the audience the file names, gives it distribution dist (with sharing
 * group sg_uuid for 4; AMBER+STRICT and RED narrowed to 0, counted in
 * *narrowed), keeps its Orgc, and validates it as wbi_event_parse does.
 * 0, or -1 with a reason naming the file and JSON path. Free *in with
 * wbi_event_free either way. */
int wbi_feed_event_read(const char *text, size_t len, const char *uuid, int64_t manifest_ts,
                        int dist, const char *sg_uuid, const wbi_limits *lim, wbi_event_in *in,
                        int64_t *ts, size_t *narrowed, char *reason, size_t cap);

/* The STIX 2.1 bundle of an event for p (stix_out.c): the attributes p may
 * see that map to STIX patterns. *admin_reads counts the items visible
 * only through the site-admin right. */
int wbi_stix_bundle(wb_store *st, const wb_principal *p, const wb_event_rec *ev, json_t **out,
                    size_t *admin_reads, wb_error *err);

/* Produces a streamed body on a thread of its own with a store connection
 * of its own (stream.c): run(ctx, st, write, wctx) writes the body; free_ctx
 * releases ctx afterwards. The stream owns ctx from the call on, also when
 * NULL is returned (out of memory, database not opened: *err says). */
typedef int (*wbi_stream_run)(void *ctx, wb_store *st, wb_feed_write_fn w, void *wctx,
                              wb_error *err);
wb_hub_stream *wbi_stream_start(const char *db, wbi_stream_run run, void *ctx,
                                void (*free_ctx)(void *ctx), void (*log)(void *ud, const char *msg),
                                void *log_ud, wb_error *err);

/* ---- rate limiting ------------------------------------------------------------- */

typedef struct wbi_bucket {
    int64_t key_id; /* 0 = empty slot */
    double tokens;
    wb_time last;
} wbi_bucket;

typedef struct wbi_ratelimit {
    pthread_mutex_t lock;
    double rate, burst;
    wbi_bucket *slots;
    size_t cap, used;
} wbi_ratelimit;

int wbi_ratelimit_init(wbi_ratelimit *rl, double rate, double burst);
/* Takes a token for key_id at time now: true when allowed; otherwise false
 * and *retry the seconds until the next token. */
bool wbi_ratelimit_take(wbi_ratelimit *rl, int64_t key_id, wb_time now, unsigned *retry);
void wbi_ratelimit_free(wbi_ratelimit *rl);

/* ---- connection-level limits (ratelimit.c, http_head.c, server.c) -------------- */

/* A client address: IPv6, or IPv4 as ::ffff:a.b.c.d. */
typedef struct wbi_addr {
    uint8_t b[16];
} wbi_addr;

/* "127.0.0.2" or "::1" into *a; false when s is not an address. */
bool wbi_addr_parse(const char *s, wbi_addr *a);

typedef struct wbi_addrslot {
    wbi_addr a;
    unsigned n; /* 0: free, or an address whose count went back to 0 */
    bool used;
} wbi_addrslot;

/* How many of something (connections, streams) each address holds now,
 * behind one mutex. Addresses whose count is back to 0 are dropped when the
 * table is rebuilt, so it is bounded by the addresses active at once. */
typedef struct wbi_addrcount {
    pthread_mutex_t lock;
    wbi_addrslot *slots;
    size_t cap, used;
} wbi_addrcount;

int wbi_addrcount_init(wbi_addrcount *t);
/* Counts one more for a unless it holds max already (false then, nothing
 * counted); also false when out of memory. */
bool wbi_addrcount_take(wbi_addrcount *t, const wbi_addr *a, unsigned max);
/* Gives one back (a taken before). */
void wbi_addrcount_give(wbi_addrcount *t, const wbi_addr *a);
void wbi_addrcount_free(wbi_addrcount *t);

/* What wbi_http_head_check found in a complete request head. */
typedef struct wbi_http_head {
    size_t len; /* bytes up to and with the blank line that ends it */
    bool http10;
    bool has_host, has_auth, has_te, has_length;
    uint64_t length; /* Content-Length when has_length */
} wbi_http_head;

/* Checks the head of an HTTP/1.x request, n bytes as they arrived so far:
 * 0 when it is complete and acceptable (*h filled), 1 when more is needed
 * and nothing is wrong yet, -1 when it is refused (*prob: 400, 411, 414,
 * 431 or 505 with a stable code). Pure; see http_head.c for the rules. */
int wbi_http_head_check(const char *buf, size_t n, size_t max_head, size_t max_target,
                        wbi_http_head *h, wbi_problem *prob);

/* ---- the API's request context (api.c), shared with incident_api.c ---------- */

#define WBI_MAX_AUDIT_PENDING 256

typedef struct wbi_pending_audit {
    const char *action, *object, *detail;
} wbi_pending_audit;

/* One request being answered: what the handlers of api.c and
 * incident_api.c get. */
typedef struct wbi_req {
    wb_hub *hub;
    wb_store *st;
    const wb_hub_request *req;
    wb_hub_response *resp;
    wb_principal who;
    wb_keyowner owner;
    const char *id; /* the {uuid} of the path */
    int64_t now;    /* Unix seconds */
    bool raw_key;   /* the route also takes "Authorization: KEY" (MISP's feed headers) */
    wb_arena arena;
    wb_error err;
    wbi_pending_audit *audits; /* WBI_MAX_AUDIT_PENDING, from the arena when first needed */
    size_t naudits, audits_dropped;
    wb_ioc_key *keys; /* the connection's look-up key buffer (MAX_LOOKUP_KEYS) */
} wbi_req;

/* Replies: {"error": {"code", "message"}} with the status; internal errors
 * go to the hub's log and reach the client only as "internal". */
void wbi_reply_error(wbi_req *r, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void wbi_reply_internal(wbi_req *r);
/* Sends o (taking its reference) with status. */
void wbi_reply_json(wbi_req *r, unsigned status, json_t *o);
void wbi_reply_problem(wbi_req *r, const wbi_problem *p);
/* A copy in the request's arena (NULL for NULL). */
const char *wbi_rdup(wbi_req *r, const char *s);
/* A query argument ("" for "?flag"), or NULL. */
const char *wbi_arg(const wbi_req *r, const char *key);
/* A time argument (Unix seconds or RFC 3339); false with a 400 sent. */
bool wbi_arg_time(wbi_req *r, const char *key, wb_time *out);
/* v as decimal text in the request's arena. */
char *wbi_num(wbi_req *r, int64_t v);
/* Audit entries collected and written by wbi_flush_audits before the
 * answer (a read that must be audited is not answered otherwise). */
void wbi_audit_later(wbi_req *r, const char *action, const char *object, const char *detail);
int wbi_flush_audits(wbi_req *r);
/* An audit entry written at once (inside the caller's transaction). */
int wbi_audit_now(wbi_req *r, const char *action, const char *object, const char *detail);
unsigned wbi_hub_max_depth(const wb_hub *hub);
/* POST /api/v1/events with `body` as the request body and `creator_org` as
 * the event's organisation; the reply is that endpoint's (201 with the
 * event as stored, read back as the creator would see it). */
void wbi_event_create(wbi_req *r, const char *body, size_t len, int64_t creator_org);
/* The attributes of an event document on the hub's warninglists (api.c). */
int wbi_event_warninglisted(wbi_req *r, const char *body, size_t len, json_t *hits);

/* ---- incident endpoints (incident_api.c); routes in api.c ------------------- */

void wbi_h_incident_add(wbi_req *r);
void wbi_h_incident_list(wbi_req *r);
void wbi_h_incident_due(wbi_req *r);
void wbi_h_incident_get(wbi_req *r);
void wbi_h_incident_pdf(wbi_req *r);
void wbi_h_incident_report(wbi_req *r);
void wbi_h_incident_ack(wbi_req *r);
void wbi_h_incident_ask(wbi_req *r);
void wbi_h_incident_comment(wbi_req *r);
void wbi_h_incident_handled(wbi_req *r);
void wbi_h_incident_share(wbi_req *r);
void wbi_h_proposal_list(wbi_req *r);
void wbi_h_proposal_approve(wbi_req *r);
void wbi_h_proposal_discard(wbi_req *r);
void wbi_h_proposal_withdraw(wbi_req *r);

/* Operations (ops_api.c): the request counters the router fills and the
 * handlers of GET /healthz and GET /metrics. */
typedef struct wbi_metrics wbi_metrics;
/* Counters for a route table of nroutes routes; WB_ENOMEM or 0. */
int wbi_metrics_new(wbi_metrics **out, size_t nroutes);
/* Names route i (static strings, kept). */
void wbi_metrics_route(wbi_metrics *m, size_t i, const char *method, const char *pattern);
void wbi_metrics_free(wbi_metrics *m);
/* A monotonic clock in microseconds, for the latency. */
uint64_t wbi_metrics_clock_us(void);
/* Counts one answered request: route is the index in the route table, or
 * -1 when none fitted. Lock-free; m may be NULL. */
void wbi_metrics_count(wbi_metrics *m, long route, unsigned status, uint64_t usec);
wbi_metrics *wbi_hub_metrics(const wb_hub *hub);
const char *wbi_hub_db_path(const wb_hub *hub);
void wbi_h_healthz(wbi_req *r);
void wbi_h_metrics(wbi_req *r);

#endif
