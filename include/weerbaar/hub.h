/*
 * hub.h - the hub: who may read what (the TLP and distribution policy), the
 * JSON API as a function from request to response, and the HTTP server
 * that puts that function on the network.
 *
 * The API handler (wb_hub_handle) knows nothing of sockets: the HTTP server
 * (src/hub/server.c, libmicrohttpd) turns each request into a
 * wb_hub_request and sends back the wb_hub_response; tests and the demo
 * set-up call the handler directly.
 *
 * Every read path - event list, event get, indicator look-up, sightings,
 * MISP feeds (feed.h), STIX export - asks wb_policy_read about each event, attribute and sighting
 * before it goes out. Nothing else decides visibility.
 */
#ifndef WEERBAAR_HUB_H
#define WEERBAAR_HUB_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/core.h"
#include "weerbaar/ioc.h"
#include "weerbaar/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- policy ------------------------------------------------------------------ */

/* Sharing groups an organisation belongs to that a principal carries. */
#define WB_PRINCIPAL_MAX_GROUPS 256

/* The caller of a request. An anonymous principal has authenticated false. */
typedef struct wb_principal {
    bool authenticated;
    int64_t key_id;
    int64_t user_id;
    int64_t org_id;
    wb_role role;
    size_t ngroups;
    int64_t groups[WB_PRINCIPAL_MAX_GROUPS]; /* sharing groups of org_id */
} wb_principal;

/* What is being read, by which path. */
typedef enum wb_read_path {
    WB_READ_EVENT_LIST,
    WB_READ_EVENT_GET,
    WB_READ_INDICATOR,
    WB_READ_SIGHTING,
    WB_READ_FEED, /* MISP feed files (a sensor may read them) */
    WB_READ_STIX, /* STIX 2.1 export of an event */
    WB_READ_PATH_COUNT
} wb_read_path;

/* The facts the policy needs about one item. For an attribute, fill the
 * event fields and the attribute fields; for an event, the attribute fields
 * are ignored; for a sighting, also sighting_org. tlp values are as stored:
 * the event's effective level (amber when untagged) and the attribute's own
 * tag (WB_TLP_UNSET when none). */
typedef enum wb_item_kind { WB_ITEM_EVENT, WB_ITEM_ATTRIBUTE, WB_ITEM_SIGHTING } wb_item_kind;

typedef struct wb_policy_item {
    wb_item_kind kind;
    int64_t creator_org;
    wb_tlp event_tlp;
    int event_distribution;
    int64_t event_sharing_group;
    wb_tlp attr_tlp;
    int attr_distribution; /* 5 inherits the event's */
    int64_t attr_sharing_group;
    int64_t sighting_org;
    /* The hub's sighting policy (serve --sighting-policy): false (the
     * default, MISP's) lets the event's creator and the sighting
     * organisation see a sighting; true everyone who may read the
     * attribute, who then sees the organisation only as its sector
     * (wb_policy_sighting_named). */
    bool sightings_open;
} wb_policy_item;

typedef enum wb_access {
    WB_DENY = 0,
    WB_ALLOW,
    /* Allowed only because the caller is a site admin, for AMBER or
     * stricter data: the read must be written to the audit log. */
    WB_ALLOW_AUDITED
} wb_access;

/* The one decision every read path asks for (see docs/hub.md for the table). */
wb_access wb_policy_read(const wb_principal *p, wb_read_path path, const wb_policy_item *item);
/* Whether a caller allowed to read a sighting (item->kind WB_ITEM_SIGHTING)
 * sees the sighting organisation's name: the organisation itself, the
 * event's creator and site admins do; under the open policy everyone else
 * sees only its sector. */
bool wb_policy_sighting_named(const wb_principal *p, const wb_policy_item *item);
/* True when TLP `tlp` (UNSET counts as amber) may be shared with MISP
 * distribution `dist` (0-4): AMBER+STRICT and RED only with 0 or 4. */
bool wb_policy_distribution_allowed(wb_tlp tlp, int dist);
/* The effective TLP of an item: untagged counts as amber; the stricter of
 * event and attribute. */
wb_tlp wb_policy_tlp(const wb_policy_item *item);

/* ---- incident policy ------------------------------------------------------------ */

/* Who an incident concerns: its organisation, and the CSIRT and supervisor
 * that the organisation's sector routes to (0 when there is none). */
typedef struct wb_incident_audience {
    int64_t org_id;
    int64_t csirt_id;
    int64_t supervisor_id;
} wb_incident_audience;

typedef enum wb_incident_op {
    WB_INCIDENT_READ,   /* the incident, its reports, actions and deadlines */
    WB_INCIDENT_SUBMIT, /* a report: the organisation itself */
    WB_INCIDENT_CSIRT   /* ack, ask, comment: the routed CSIRT only */
} wb_incident_op;

/* The one decision every incident endpoint asks for (docs/hub.md has the
 * table). Visible to the organisation, the routed CSIRT and the routed
 * supervisor; a site admin reads with WB_ALLOW_AUDITED; sensors and
 * everyone else are denied (and get 404, as for an incident that does not
 * exist). Pure: no database, no clock. */
wb_access wb_policy_incident(const wb_principal *p, wb_incident_op op,
                             const wb_incident_audience *a);

/* ---- assessment policy ------------------------------------------------------------ */

/* Who an assessment concerns: its organisation, the CSIRT and supervisor
 * its sector routes to (0 when none), and whether it is shared with them. */
typedef struct wb_assessment_audience {
    int64_t org_id;
    int64_t csirt_id;
    int64_t supervisor_id;
    bool shared_csirt;
    bool shared_supervisor;
} wb_assessment_audience;

typedef enum wb_assessment_op {
    WB_ASSESSMENT_READ,  /* the assessment, any version, its history */
    WB_ASSESSMENT_WRITE, /* answer, import: the organisation's members */
    WB_ASSESSMENT_SHARE  /* share and revoke: the organisation's admins */
} wb_assessment_op;

/* The one decision every assessment endpoint asks for (docs/hub.md has the
 * table). An assessment is the organisation's own: its routed CSIRT or
 * supervisor reads it only while it is shared with them; a site admin reads
 * with WB_ALLOW_AUDITED; sensors and everyone else are denied (404, as for
 * one that does not exist). Pure: no database, no clock. */
wb_access wb_policy_assessment(const wb_principal *p, wb_assessment_op op,
                               const wb_assessment_audience *a);
/* The sector view (aggregates only): supervisors, CSIRTs (by the kind of
 * the caller's organisation) and site admins. */
wb_access wb_policy_sector_view(const wb_principal *p, wb_org_kind caller_kind);

/* ---- dependency picture policy (depsdb.h) ---------------------------------------- */

typedef enum wb_deps_op {
    WB_DEPS_SHARE,  /* store the own organisation's picture, share, revoke: its admins */
    WB_DEPS_OWN,    /* read the own organisation's newest picture: its members */
    WB_DEPS_SECTORS /* the sector view: CSIRTs and supervisors (each over the
                       sectors routed to it), site admins (audited) */
} wb_deps_op;
/* Every request names only the caller's own organisation, so the
 * organisation boundary holds by construction; this decides the role. Pure;
 * sensors, unauthenticated callers and unknown ops are denied. */
wb_access wb_policy_deps(const wb_principal *p, wb_deps_op op, wb_org_kind caller_kind);

/* ---- API ----------------------------------------------------------------------- */

typedef struct wb_hub wb_hub;

typedef struct wb_hub_opts {
    const char *db;        /* SQLite database path */
    unsigned connections;  /* database connections (one per server thread); 0 = 4 */
    size_t max_body;       /* largest request body; 0 = 50 MB */
    unsigned max_depth;    /* deepest JSON nesting accepted; 0 = 32 */
    size_t max_attributes; /* per event; 0 = 100000 */
    double rate;           /* requests per second per key; 0 = 100 */
    double burst;          /* bucket size; 0 = 2 x rate */
    /* Internal errors (database trouble) are written here, never sent to
     * clients; may be NULL. Called from several threads. */
    void (*log)(void *ud, const char *msg);
    void *log_ud;
    /* assessments */
    unsigned sector_k;      /* least organisations a sector cell shows; 0 = 3 */
    const char *catalogues; /* a catalogue directory beside the built-in one, or NULL */
    /* rendered events one page of the event list or change feed holds
     * (docs/hub.md, Limits); 0 = 16 MiB */
    size_t max_page_bytes;
    /* Streamed feed answers (manifest.json, hashes.csv) at once: without a
     * key (0 = 8), with one (0 = 16), and from one client address (0 = 4). */
    unsigned max_streams_public, max_streams_keyed, max_streams_per_address;
    /* Sightings (sightingsvc.h): a report merges into the record of its
     * identity whose window lies within this many seconds; 0 = 3600, -1 =
     * only overlapping windows. sightings_open: everyone who may read an
     * attribute sees its sightings, the organisation as its sector only. */
    int64_t sighting_gap;
    bool sightings_open;
    /* The web page (docs/web.md): the directory of its static files,
     * served at / (NULL: none; GET / then answers the status document);
     * a browser session's lifetime in seconds (0 = 12 hours); whether
     * site and org admins must sign in with a second factor; the name the
     * hub has in authenticator apps (NULL = "weerbaar"). */
    const char *web_dir;
    /* The advisories vulnerability scans run against (vulnsvc.h): a
     * directory `vuln fetch` keeps, or what `vuln scan --advisories`
     * takes; NULL: POST /api/v1/vuln/scans answers 503. */
    const char *advisories;
    int64_t session_seconds;
    int64_t session_idle_seconds; /* 0 = 30 minutes; < 0 = no idle limit */
    bool admin_second_factor;
    const char *web_name;
} wb_hub_opts;

typedef struct wb_hub_arg {
    const char *key;
    const char *value; /* may be NULL for "?flag" */
} wb_hub_arg;

typedef struct wb_hub_request {
    const char *method;     /* "GET", "POST", ... */
    const char *path;       /* without the query string */
    const wb_hub_arg *args; /* decoded query arguments */
    size_t nargs;
    const char *authorization; /* the Authorization header, or NULL */
    const char *body;          /* may be NULL when body_len is 0 */
    size_t body_len;
    /* The client's address ("127.0.0.2", "::1"), for the per-address
     * limits of streamed feeds; NULL when not on the network (tests). */
    const char *peer;
    /* wb_hub_admit accepted this request's headers (and took its
     * rate-limit token) before its body was read. */
    bool admitted;
    /* Headers the web page's requests need (NULL when absent): Cookie
     * (the session), X-CSRF-Token, Accept (GET / answers JSON or the
     * page), If-None-Match (static files), Content-Type; tls when the
     * connection is encrypted (the session cookie is then Secure). */
    const char *cookie;
    const char *csrf;
    const char *accept;
    const char *if_none_match;
    const char *content_type;
    bool tls;
} wb_hub_request;

/* A response body produced while it is sent (feeds of any size in bounded
 * memory): read it with wb_hub_stream_read until it returns 0. */
typedef struct wb_hub_stream wb_hub_stream;

typedef struct wb_hub_response {
    unsigned status;
    wb_buf body;              /* JSON, unless content_type says otherwise; empty with stream */
    unsigned retry_after;     /* seconds, for 429; 0 otherwise */
    const char *content_type; /* NULL for application/json; a static string */
    wb_hub_stream *stream;    /* non-NULL: the body comes from here, not from body */
    int64_t key_id;           /* the authenticated key's id, 0 for none (the access log) */
    /* Headers beside the body ("" / NULL for none): Set-Cookie, ETag, and
     * Cache-Control (NULL: no-store). The server adds the security headers
     * (Content-Security-Policy, ...) to every answer itself. */
    char set_cookie[192];
    char etag[40];
    const char *cache_control;
    /* An HTML answer with one inline <style> element (the board report's
     * page): the base64 SHA-256 of its text, which the Content-Security-
     * Policy then allows as that answer's only inline style; "" for none. */
    char style_hash[48];
} wb_hub_response;

/* Opens the hub on its database (creating and migrating it). */
int wb_hub_open(wb_hub **out, const wb_hub_opts *opts, wb_error *err);
/* Decides on a request's headers alone (req->body NULL) whether its body
 * may be read: the route exists and takes a body, the key is valid and its
 * role admitted, the key's rate limit has a token (taken here: set
 * req->admitted for wb_hub_handle). True to read the body; false with the
 * refusal in resp (404, 405, 400, 401, 403, 429), which the server sends
 * without reading the body. The caller frees resp either way. */
bool wb_hub_admit(wb_hub *hub, const wb_hub_request *req, wb_hub_response *resp);
/* Answers one request; safe to call from several threads at once. The
 * caller frees resp with wb_hub_response_free. */
void wb_hub_handle(wb_hub *hub, const wb_hub_request *req, wb_hub_response *resp);
void wb_hub_response_free(wb_hub_response *resp);
/* The next bytes of a streamed body into buf: how many (0 at the end), or
 * -1 when producing it failed (the hub's log says why; the client sees a
 * cut-off body). Blocks until bytes are ready. */
long wb_hub_stream_read(wb_hub_stream *s, char *buf, size_t cap);
/* Ends a stream (stopping its producer if it is not done) and frees it;
 * wb_hub_response_free calls it for a response that still holds one, so a
 * server that hands the stream on sets resp->stream to NULL first. */
void wb_hub_stream_free(wb_hub_stream *s);
size_t wb_hub_max_body(const wb_hub *hub);
/* Scans from now on use db (taking its reference; vulnsvc.h); the old
 * advisories go when the last scan using them ends. Safe from any thread
 * (serve's scheduled vuln fetch calls it). */
struct wb_vscan_db;
void wb_hub_vscan_replace(wb_hub *hub, struct wb_vscan_db *db);
void wb_hub_close(wb_hub *hub);

/* Fills an empty database with the demo: a CSIRT, three member
 * organisations, a sharing group, users with keys, and events at every TLP
 * level posted through the API. key() is called for each demo user's key.
 * WB_EINVAL when the database already holds organisations. */
int wb_hub_demo(wb_store *st, const char *db,
                void (*key)(void *ud, const char *email, const char *org, const char *role,
                            const char *key),
                void *ud, wb_error *err);

/* ---- HTTP server ------------------------------------------------------------------ */

typedef struct wb_serve_opts {
    const char *listen;   /* "ADDR:PORT", "[v6]:PORT" */
    const char *tls_cert; /* PEM files; both or neither */
    const char *tls_key;
    unsigned threads;            /* 0 = 4 */
    unsigned timeout;            /* idle connection timeout, seconds; 0 = 30 */
    unsigned header_timeout;     /* a request head must be complete within, seconds; 0 = 10 */
    unsigned max_connections;    /* open at once, all clients; 0 = 1000 */
    unsigned max_per_address;    /* open at once from one client address; 0 = 64 */
    volatile sig_atomic_t *stop; /* set non-zero (from a signal handler) to shut down */
    /* One line per request appended here (docs/hub.md, "Access log"); NULL
     * for none. When *reopen is non-zero (set by a SIGHUP handler) the file
     * is closed and opened again before the next line: log rotation. */
    const char *access_log;
    volatile sig_atomic_t *reopen;
} wb_serve_opts;

/* Serves until *stop becomes non-zero, then stops accepting, lets requests
 * in flight finish (up to 10 s) and returns 0. Errors (address in use,
 * unreadable certificate) name their cause. */
int wb_hub_serve(wb_hub *hub, const wb_serve_opts *opts, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
