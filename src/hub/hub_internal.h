/*
 * hub_internal.h - what the hub's files share: the parsed form of a posted
 * MISP event and of sightings (event.c), the normalised look-up keys of an
 * indicator value, and the per-key rate limiter (ratelimit.c).
 *
 * Parsing needs no database, so the fuzz targets drive it directly; the API
 * (api.c) resolves sharing groups and writes afterwards.
 */
#ifndef WB_HUB_INTERNAL_H
#define WB_HUB_INTERNAL_H

#include <pthread.h>

#include <jansson.h>

#include "weerbaar/hub.h"

/* Longest attribute value and info string accepted (bytes). */
#define WBI_MAX_VALUE 65535
#define WBI_MAX_TAGS 256
#define WBI_MAX_SIGHTINGS 10000

/* Why a body was refused: an HTTP status, a stable code, a message that
 * names the JSON path. */
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

/* One look-up key: the kind and canonical text the store indexes. */
typedef struct wbi_key {
    wb_ioc_type kind;
    char text[300];
} wbi_key;

/* The keys an indicator look-up for value v searches: an address, every
 * CIDR that could contain it; a domain, itself as hostname and every parent
 * domain; otherwise the normalised value. `type` is a MISP or weerbaar type
 * name or NULL to guess from the value. Returns how many keys were written
 * (at most max), or -1 with *prob set for a value or type that is not
 * valid. */
int wbi_lookup_keys(const char *v, size_t n, const char *type, wbi_key *keys, size_t max,
                    wbi_problem *prob);
/* The same, with only the address blocks whose prefix length is in `only`
 * (what the store holds, wb_store_cidr_prefixes); NULL for every length. */
int wbi_lookup_keys_in(const char *v, size_t n, const char *type, const wb_prefix_set *only,
                       wbi_key *keys, size_t max, wbi_problem *prob);

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
    char path[48];
} wbi_sighting_in;

/* Parses one sighting object or an array of them into a heap array (the
 * caller frees *out and json_decref's *root, which the strings point into). */
int wbi_sightings_parse(const char *body, size_t len, unsigned max_depth, int64_t now,
                        json_t **root, wbi_sighting_in **out, size_t *n, wbi_problem *prob);

void wbi_problem_set(wbi_problem *p, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

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

#endif
