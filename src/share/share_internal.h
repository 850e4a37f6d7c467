/*
 * share_internal.h - what the share module's files (src/share/) share, and
 * what the hub's HTTP layer, the fuzz targets and the tests use of them:
 * the parsed form of a posted MISP event and of sightings (event.c), the
 * normalised look-up keys of an indicator value, the policy's view of a
 * stored row (policy.c), the feed helpers (feed.c, feed_pull.c) and the
 * STIX export (stix_out.c).
 *
 * Parsing needs no database, so the fuzz targets drive it directly; the
 * service (events.c) resolves sharing groups and writes afterwards.
 */
#ifndef WB_SHARE_INTERNAL_H
#define WB_SHARE_INTERNAL_H

#include <jansson.h>

#include "weerbaar/feed.h"
#include "weerbaar/hub.h"
#include "weerbaar/sharesvc.h"

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

/* ---- feeds and exports (feed.c, feed_pull.c, stix_out.c) --------------------------- */

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

/* ---- the service's call context (share.c) ------------------------------------------- */

#define WBI_SHARE_MAX_AUDITS 256

struct wbi_share_audit {
    const char *action, *object, *detail;
};

/* A refusal: sets s->status, code and message; returns WB_ENOTFOUND for
 * 404, WB_ELIMIT for 413, WB_EINVAL otherwise. */
int wbi_share_fail(wb_share *s, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* 404 not_found, the one answer for missing and invisible. */
int wbi_share_not_found(wb_share *s);
/* The store's trouble (s->err already says what): status 500. Returns rc
 * (WB_EINTERNAL when rc is 0). */
int wbi_share_internal(wb_share *s, int rc);
/* A copy in the call's arena (NULL for NULL). */
const char *wbi_share_dup(wb_share *s, const char *str);
/* v as decimal text in the call's arena. */
char *wbi_share_num(wb_share *s, int64_t v);
/* The limits of wbi_event_parse from the configuration. */
wbi_limits wbi_share_limits(const wb_share *s);
unsigned wbi_share_max_depth(const wb_share *s);
/* A line to conf->log. */
void wbi_share_log(wb_share *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Audit entries collected during a read and written by wb_share_flush
 * (a read that must be audited is not answered otherwise). */
void wbi_share_audit_later(wb_share *s, const char *action, const char *object, const char *detail);
/* An audit entry written at once (in its own transaction, or as part of
 * the caller's). */
int wbi_share_audit_now(wb_share *s, const char *action, const char *object, const char *detail);
/* Asks the policy; collects the audit entry a site admin's read needs. */
bool wbi_share_may_read(wb_share *s, wb_read_path path, const wb_policy_item *it, const char *uuid);
/* A copy of a row with its strings in the call's arena. */
void wbi_share_copy_event(wb_share *s, const wb_event_rec *src, wb_event_rec *dst);
/* Appends o (taking its reference) to b as compact JSON, after a comma
 * when comma is set. 0 or WB_ENOMEM. */
int wbi_body_json(wb_buf *b, json_t *o, bool comma);
/* o (taking its reference) as compact JSON into out (reset first). */
int wbi_share_dump(wb_share *s, json_t *o, wb_buf *out);

/* ---- events (events.c) ---------------------------------------------------------------- */

/* {"Event": {...}} of a stored event with the attributes visible through
 * path, as the event endpoints answer; NULL with s failed (500). */
json_t *wbi_share_render_event(wb_share *s, const wb_event_rec *ev, wb_read_path path);
/* The same with MISP's numeric ids (Event id, org_id, orgc_id; each
 * attribute's id and event_id) for the MISP routes. */
json_t *wbi_share_render_event_ex(wb_share *s, const wb_event_rec *ev, wb_read_path path,
                                  bool misp);
/* Sets id, event_id (and uuid) of a stored attribute's JSON j. */
void wbi_misp_attr_ids(wb_share *s, json_t *j, const wb_attr_rec *a, const wb_event_rec *ev);
/* Validates, resolves and stores a posted event (replace: an edit of
 * old; org: the creator of a new one); *out gets the event as stored. */
int wbi_share_store_event(wb_share *s, const char *body, size_t len, bool replace,
                          const wb_event_rec *old, int64_t org, wb_buf *out);
/* The event for a write by the caller: visible (else 404) and its
 * organisation's (else 403; admin_ok: a site admin's too). */
int wbi_share_fetch_own(wb_share *s, const char *uuid, bool admin_ok, wb_event_rec *ev);
/* The sharing group id a posted reference names, when the caller's
 * organisation belongs to it (a site admin: any); 422 otherwise. */
int wbi_share_resolve_sg(wb_share *s, const wbi_sgref *ref, const char *path, int64_t *out);

/* ---- the indicator look-up (lookup.c) -------------------------------------------------- */

typedef wb_share_hit wbi_hit;

typedef struct wbi_look_walk {
    wb_share *s;
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
    size_t max; /* most hits kept; 0 = WBI_LOOKUP_MAX_RESULTS */
    int rc;
} wbi_look_walk;

/* Most attributes one look-up answers with. */
#define WBI_LOOKUP_MAX_RESULTS 10000

/* Finds every attribute visible to the caller that a value matches; -1
 * with *prob set (422 for a bad value or type, 500). */
int wbi_share_lookup(wb_share *s, const char *value, const char *type, wb_read_path path,
                     wbi_look_walk *w, wbi_problem *prob);
/* Whether attribute id is among w's hits. */
bool wbi_look_seen(const wbi_look_walk *w, int64_t id);
/* Appends a hit, doubling the array. Returns 0, 1 when growing would pass
 * max_cap, or WB_ENOMEM (with err set). */
int wbi_look_add(wbi_look_walk *w, wb_error *err, wbi_hit h, size_t max_cap);
void wbi_look_free(wbi_look_walk *w);

/* ---- MISP's restSearch (misp_filter.c, misp.c) ------------------------------------------- */

#define WBI_MISP_FILTER_MAX 64
/* Most results one restSearch answers with; more needs limit and page. */
#define WBI_MISP_MAX_RESULTS 10000

typedef struct wbi_strlist {
    const char *v[WBI_MISP_FILTER_MAX];
    size_t n;
} wbi_strlist;

enum { WBI_MISP_JSON, WBI_MISP_CSV, WBI_MISP_TEXT, WBI_MISP_STIX2 };

typedef struct wbi_misp_filter {
    json_t *root; /* owns the strings */
    wbi_strlist value, type, category, org, eventid, uuid;
    wbi_strlist tags_or, tags_and, tags_not;
    int to_ids, published;    /* -1: either */
    int64_t ts_from, ts_to;   /* timestamp; 0: open */
    int64_t pts_from, pts_to; /* publish_timestamp, last */
    char date_from[11], date_to[11];
    int64_t limit, page; /* 0: not given */
    bool include_event_tags, include_event_uuid, enforce_warninglist, headerless;
    bool include_galaxy; /* includeGalaxy: MISP's Galaxy arrays (galaxy.c) */
    int format;          /* WBI_MISP_* */
    wb_read_path path;   /* set by the search: the policy's read path */
    char num[WBI_MISP_FILTER_MAX][24];
    size_t nnum;
} wbi_misp_filter;

/* Reads a restSearch body (empty: no filters). 0, or -1 with *prob (400
 * naming the member). Free with wbi_misp_filter_free either way. */
int wbi_misp_filter_parse(const char *body, size_t len, unsigned max_depth, int64_t now,
                          wbi_misp_filter *f, wbi_problem *prob);
void wbi_misp_filter_free(wbi_misp_filter *f);
/* MISP's value filter on a stored value: equal to one of l's values (or
 * a composite value's part equal to it), case-insensitive, '%' matching
 * any run of characters. True when l is empty. */
bool wbi_misp_value_match(const wbi_strlist *l, const char *v);

/* Unix seconds of a restSearch time member: seconds, a span back from now
 * ("7d", "12h") or a date ("2026-12-01", its first second in UTC). 0, or
 * -1 with *prob naming $.key. */
int wbi_misp_time_of(const char *key, const json_t *v, int64_t now, int64_t *out,
                     wbi_problem *prob);

/* ---- MISP's sightings/restSearch (misp_sightings.c) ------------------------------------ */

enum { WBI_SIGHT_ANY, WBI_SIGHT_ATTRIBUTE, WBI_SIGHT_EVENT };

typedef struct wbi_sight_filter {
    json_t *root;     /* owns the strings */
    int context;      /* WBI_SIGHT_*: what id names (the sighting itself for ANY) */
    const char *id;   /* an id or uuid, or NULL */
    const char *uuid; /* the sighting's uuid, or NULL */
    const char *value;
    const char *source;
    const char *org;  /* org_id / org: an id, name or uuid */
    int type;         /* -1: any */
    int64_t from, to; /* date_sighting bounds; 0: open */
    int64_t limit, page;
    bool include_attribute, include_event;
    int format; /* WBI_MISP_JSON or WBI_MISP_CSV */
    char num[3][24];
} wbi_sight_filter;

/* Reads a sightings/restSearch body; context is the path's ("attribute",
 * "event", or NULL: the body's "context", else any). 0, or -1 with *prob
 * (400 naming the member). Free with wbi_sight_filter_free either way. */
int wbi_sight_filter_parse(const char *body, size_t len, const char *context, unsigned max_depth,
                           int64_t now, wbi_sight_filter *f, wbi_problem *prob);
void wbi_sight_filter_free(wbi_sight_filter *f);

/* ---- MISP's writes over whole events (misp_write.c) ---------------------------------------- */

/* A visible, live attribute with its event (strings in the call's arena). */
typedef struct wbi_attr_find {
    wb_share *s;
    wb_event_rec ev;
    wb_attr_rec a;
    bool found;
} wbi_attr_find;

/* The attribute `ref` (a uuid or MISP's numeric id), visible to the
 * caller through the event path; 404 otherwise. */
int wbi_misp_find_attr(wb_share *s, const char *ref, wbi_attr_find *f);
/* The caller's organisation's event `uuid` as a posted document
 * ({"Event": {...}} with every live attribute) into *doc (403/404). */
int wbi_misp_own_doc(wb_share *s, const char *uuid, wb_event_rec *ev, json_t **doc);
/* The same, also for a site admin when admin_ok. */
int wbi_misp_event_doc(wb_share *s, const char *uuid, bool admin_ok, wb_event_rec *ev,
                       json_t **doc);
/* Stores doc (taken) as the edit of ev (the event path: validation,
 * audit, change feed); the answer is dropped. */
int wbi_misp_store_doc(wb_share *s, const wb_event_rec *ev, json_t *doc);
/* The posted object under key ("Attribute", "Object", "ShadowAttribute")
 * or the bare one; NULL with *rc the refusal (400, 422). */
json_t *wbi_misp_posted(wb_share *s, const char *body, size_t len, const char *key, int *rc);
/* The attribute `uuid` inside doc (top level or in an object), with the
 * array that holds it and its place there; NULL when not there. */
json_t *wbi_misp_doc_attr(json_t *doc, const char *uuid, json_t **arr, size_t *at);

/* ---- galaxies (galaxy.c) ------------------------------------------------------------------ */

/* Most values one cluster file may hold. */
#define WBI_GALAXY_MAX_VALUES 100000

/* One MISP galaxy JSON file: a galaxy definition, or a cluster collection
 * (its "values"). Strings are borrowed from root. */
typedef struct wbi_galaxy_doc {
    json_t *root;
    bool clusters;
    const char *type, *name, *uuid, *description, *namespace_, *icon, *source;
    json_t *values; /* the collection's values, or NULL */
} wbi_galaxy_doc;

/* Reads one file (no database: fuzz/fuzz_galaxy.c drives it). 0, or -1
 * with *prob naming the file's JSON path. Free with wbi_galaxy_doc_free
 * either way. */
int wbi_galaxy_doc_parse(const char *text, size_t len, unsigned max_depth, wbi_galaxy_doc *d,
                         wbi_problem *prob);
void wbi_galaxy_doc_free(wbi_galaxy_doc *d);
/* Value i of a collection: 0 with its value and uuid and the tag it is
 * attached as (misp-galaxy:TYPE="VALUE", into tag of cap bytes), or -1
 * with *prob saying why it is skipped. */
int wbi_galaxy_value(const wbi_galaxy_doc *d, size_t i, const char **value, const char **uuid,
                     char *tag, size_t cap, wbi_problem *prob);
/* Puts MISP's Galaxy arrays on a rendered event ({"Event": {...}}) and
 * its attributes, from their misp-galaxy: tags and the clusters the hub
 * knows; attributes only when attrs. 0 or the store's code. */
int wbi_galaxy_decorate(wb_share *s, json_t *event, bool attrs);
/* The same for one attribute object. */
int wbi_galaxy_decorate_attr(wb_share *s, json_t *attr);

/* ---- MISP object templates (misp_templates.c) ------------------------------------------------ */

typedef struct wbi_template_rel {
    const char *relation, *type;
    bool multiple;
} wbi_template_rel;

typedef struct wbi_template {
    const char *name, *uuid;
    int version;
    const char *meta_category;
    const wbi_template_rel *rels;       /* ends with a NULL relation */
    const char *const *required;        /* every one, or NULL */
    const char *const *required_one_of; /* at least one, or NULL */
} wbi_template;

extern const wbi_template wbi_templates[];
/* The template of that name, or NULL. */
const wbi_template *wbi_template_find(const char *name);

#endif
