/*
 * sharesvc.h - the events domain as one service for every front end: MISP
 * events with their attributes, objects and tags, the indicator look-up,
 * MISP's restSearch, the sharing group and organisation lists and the MISP
 * feed export, for the hub's /api/v1 and MISP routes, `weerbaar feed` and
 * whatever comes next (the web page, hub-to-hub sync). Sightings are not
 * here yet: their write and read paths are src/hub/sightings_api.c's.
 *
 * Each operation takes a wb_share: who asks (the policy's principal and the
 * actor the audit log names), the connection, the hub's limits, the clock,
 * and an arena for what it hands back. It validates, asks wb_policy_read
 * about every event, attribute and sighting before it goes out (the one
 * gate every read passes), opens the transaction, writes, audits as the
 * actor and commits. Reads of AMBER or stricter data that only the
 * site-admin right allows are audited before the answer is handed back.
 *
 * Answers are JSON text in a wb_buf, the bytes the hub's API sends, so
 * that every front end prints from the same document. A refusal returns a
 * negative WB_E* code and leaves in the wb_share a status (the HTTP status
 * a web front end answers with: 400, 403, 404, 409, 413, 422; 500 for the
 * store's trouble, whose message is for the log, not the client), a stable
 * code ("not_found", "invalid_event", ...) and a message naming the JSON
 * path. Something the caller may not see is refused exactly as something
 * that does not exist (404 "not_found").
 */
#ifndef WEERBAAR_SHARESVC_H
#define WEERBAAR_SHARESVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/actor.h"
#include "weerbaar/core.h"
#include "weerbaar/error.h"
#include "weerbaar/feed.h"
#include "weerbaar/hub.h"
#include "weerbaar/ioc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The hub's settings the service applies (shared by threads, read only). */
typedef struct wb_share_conf {
    unsigned max_depth;        /* deepest JSON nesting of a posted document; 0 = 32 */
    size_t max_attributes;     /* per event; 0 = 100000 */
    int default_distribution;  /* of an event that names none (0: the organisation) */
    size_t max_page_bytes;     /* rendered events one list page holds; 0 = 16 MiB */
    const wb_warninglists *wl; /* applied at ingest; NULL for none */
    /* Trouble that does not fail the call (an audit entry of a refused
     * write that could not be written) goes here; may be NULL. */
    void (*log)(void *ud, const char *msg);
    void *log_ud;
} wb_share_conf;

struct wbi_share_audit;

/* One call's context: fill the first block, zero the rest. */
typedef struct wb_share {
    wb_store *st;
    const wb_share_conf *conf;
    const wb_principal *who; /* the policy's caller (sharing groups loaded) */
    wb_actor actor;          /* the audit log's: user, organisation name, channel */
    int64_t now;             /* Unix seconds */
    wb_arena *arena;         /* strings of records handed back live here */
    wb_ioc_key *keys;        /* a look-up key buffer of WB_SHARE_MAX_KEYS, or NULL */
    /* The warninglists in force now, asked only by a call that applies
     * them (the hub reloads them when they changed); NULL: conf->wl. */
    const wb_warninglists *(*wl_now)(void *ud);
    void *wl_ud;
    /* An event written answers in MISP's shape, with MISP's numeric ids
     * (events/add and events/edit of a MISP caller); false: /api/v1's. */
    bool misp_shape;

    /* a refusal: status, stable code and message (err.msg) */
    unsigned status;
    const char *code;
    wb_error err;
    /* read audits collected during the call, written before it returns */
    struct wbi_share_audit *audits;
    size_t naudits, audits_dropped;
} wb_share;

/* Look-up keys one indicator value may expand to (an address and its CIDR
 * blocks, a domain and its parents, ...). */
#define WB_SHARE_MAX_KEYS 160

/* Opens (and migrates) a hub database for a local command; the front ends
 * never open the store themselves. */
int wb_share_open(wb_store **st, const char *path, wb_error *err);
void wb_share_close(wb_store *st);
/* The principal and actor of a local --db command: the hub operator (a
 * site admin of no organisation, channel cli, audited as "cli"). */
wb_principal wb_share_operator_principal(void);
wb_actor wb_share_operator(void);
/* ---- events -------------------------------------------------------------------- */

/* The event `uuid` as the caller may see it, through read path `path`:
 * {"Event": {...}} with the visible attributes inside it and its objects.
 * 404 not_found for a uuid that is not valid, an event that does not
 * exist, is deleted, or is not visible. */
int wb_share_event_get(wb_share *s, const char *uuid, wb_read_path path, wb_buf *out);
/* The event row only (visible and not deleted, as wb_share_event_get
 * decides), its strings in s->arena; the audit entry of a site admin's
 * read is collected and written by wb_share_flush. */
int wb_share_event_fetch(wb_share *s, const char *uuid, wb_read_path path, wb_event_rec *ev);
/* Writes the read audits collected so far. */
int wb_share_flush(wb_share *s);

typedef struct wb_share_list_req {
    int64_t page, limit; /* 1-based; 1..1000 */
    int64_t since;       /* Unix seconds; 0 for all */
    const char *tag;     /* exact tag name, or NULL */
    const char *org;     /* creator organisation's name or uuid, or NULL */
} wb_share_list_req;

/* {"response": [{"Event": ...}, ...]}: a page of the visible events in
 * (timestamp, id) order (paging counts visible events only). */
int wb_share_event_list(wb_share *s, const wb_share_list_req *q, wb_buf *out);
/* The change feed: {"response": [...], "last_seq": N, "more": bool}, the
 * visible events written after sequence `after` and tombstones for those
 * the caller held at `after` that went (docs/hub.md, "Change feed"). */
int wb_share_event_changes(wb_share *s, int64_t after, int64_t limit, wb_buf *out);

/* Stores a posted event (MISP's {"Event": {...}} or the bare event) for
 * the actor's organisation, or for creator_org when it is not 0 (an
 * incident shared by its organisation's CSIRT); *out gets the event as
 * stored, read back as the caller sees it (status 201). */
int wb_share_event_add(wb_share *s, const char *body, size_t len, int64_t creator_org, wb_buf *out);
/* Replaces the caller's organisation's event `uuid` with a posted one
 * (attributes missing from it are deleted); 403 for another
 * organisation's event. *out as for add (status 200). */
int wb_share_event_edit(wb_share *s, const char *uuid, const char *body, size_t len, wb_buf *out);
/* Marks the event deleted or published: its organisation, or a site
 * admin. *out gets {"uuid", "deleted"|"published": true}. */
int wb_share_event_delete(wb_share *s, const char *uuid, wb_buf *out);
int wb_share_event_publish(wb_share *s, const char *uuid, wb_buf *out);

/* For a proposal shown before it is accepted: appends {"type", "value",
 * "warninglist"} to *hits (a JSON array's text) for each attribute of the
 * event document on one of the hub's warninglists. The count, or -1 when
 * the events path would refuse the document. */
int wb_share_event_warninglisted(wb_share *s, const char *body, size_t len, wb_buf *hits);

/* The STIX 2.1 bundle of event `uuid` (read path WB_READ_STIX). */
int wb_share_event_stix(wb_share *s, const char *uuid, wb_buf *out);

/* ---- the indicator look-up ------------------------------------------------------ */

/* {"response": {"Attribute": [...]}}: every attribute the caller may see
 * that `value` matches (wb_ioc_keys: the answer `weerbaar match` gives),
 * each with its event's uuid, info and creator, its effective TLP and the
 * kind of key it matched as. type: a MISP or weerbaar type name, or NULL
 * to classify the value by its shape. */
int wb_share_indicators(wb_share *s, const char *value, const char *type, wb_buf *out);

/* A visible attribute a value matches. */
typedef struct wb_share_hit {
    int64_t attr_id;
    wb_ioc_type kind;
} wb_share_hit;

/* The ids of the attributes visible through `path` that `value` matches,
 * deduplicated, at most max: a heap array in *hits (the caller frees it).
 * 422 for a value or type that is not valid. */
int wb_share_lookup_ids(wb_share *s, const char *value, const char *type, wb_read_path path,
                        size_t max, wb_share_hit **hits, size_t *n);

/* ---- MISP feeds ------------------------------------------------------------------ */

/* Writes the feed `as` (an organisation's name or uuid; NULL or "" for the
 * public feed) may see into directory dir (wb_feed_export) and audits the
 * export as the actor. */
int wb_share_feed_export(wb_share *s, const char *as, const char *dir, wb_feed_stats *stats);
/* One event file of the feed as the caller sees it ({uuid}.json); 404 as
 * for wb_share_event_get. */
int wb_share_feed_event(wb_share *s, const char *uuid, wb_buf *out);

/* ---- MISP's shapes (the hub's MISP routes) ----------------------------------------------- */

/* MISP's restSearch over events (attributes false: {"response": [{"Event":
 * ...}]}) or attributes ({"response": {"Attribute": [...]}}), the body's
 * filters applied to what the caller may see (docs/hub.md, MISP routes).
 * returnFormat csv and text answer text; *content_type is then set (NULL
 * for JSON). 413 beyond WBI_MISP_MAX_RESULTS results without limit. */
int wb_share_misp_search(wb_share *s, bool attributes, const char *body, size_t len, wb_buf *out,
                         const char **content_type);
/* Adds a posted attribute ({"Attribute": {...}} or the bare attribute) to
 * the caller's organisation's event `event_uuid`; *out gets {"Attribute":
 * {...}} as stored. The event is rebuilt and stored as an edit. */
int wb_share_misp_attr_add(wb_share *s, const char *event_uuid, const char *body, size_t len,
                           wb_buf *out);
/* Changes the members a posted attribute names (value, type, category,
 * to_ids, comment, distribution, ...) of attribute `attr_uuid`. */
int wb_share_misp_attr_edit(wb_share *s, const char *attr_uuid, const char *body, size_t len,
                            wb_buf *out);
/* Deletes attribute `attr_uuid` from its event: {"message": ...}. */
int wb_share_misp_attr_delete(wb_share *s, const char *attr_uuid, wb_buf *out);
/* Adds a posted MISP object ({"Object": {"name", "meta-category",
 * "Attribute": [...]}}) to the caller's organisation's event: {"Object":
 * {...}} with its attributes as stored. */
int wb_share_misp_object_add(wb_share *s, const char *event_uuid, const char *body, size_t len,
                             wb_buf *out);
/* MISP's tags/attachTagToObject and removeTagFromObject: {"uuid": an
 * event's or an attribute's uuid, "tag": a name}, on the caller's
 * organisation's event (stored as its edit, so a tlp: tag is held to the
 * event's distribution like any posted one). */
int wb_share_misp_tag(wb_share *s, const char *body, size_t len, bool attach, wb_buf *out);
/* {"Tag": [{"id", "name", "colour", "count"}]}: the tags of the events and
 * attributes the caller may see. */
int wb_share_misp_tags(wb_share *s, wb_buf *out);
/* The sharing groups the caller's organisation belongs to (a site admin:
 * every one): {"response": [{"SharingGroup": ..., "SharingGroupOrg": ...}]},
 * or with id (a number or uuid) the one group; 404 for one the caller is
 * not in. */
int wb_share_misp_sgroups(wb_share *s, const char *id, wb_buf *out);
/* [{"Organisation": {...}}] of the hub's organisations, or one (id, uuid
 * or name) as {"Organisation": {...}}. */
int wb_share_misp_orgs(wb_share *s, const char *id, wb_buf *out);

/* MISP's sightings/restSearch over the sightings the caller may see
 * (wb_policy_read on each, with the hub's sighting policy sightings_open):
 * {"response": [{"Sighting": {...}}]} or csv (*content_type set). context
 * "attribute" or "event" (or NULL: the body's) says what id (NULL: the
 * body's) names. 413 beyond 10,000 sightings without limit. */
int wb_share_misp_sightings(wb_share *s, const char *context, const char *id, bool sightings_open,
                            const char *body, size_t len, wb_buf *out, const char **content_type);
/* MISP's sightings/delete/{id|uuid}: the sighting's organisation or a
 * site admin removes it, audited (sighting.delete). A sighting the
 * caller may not see (wb_policy_read with sightings_open) is 404, as one
 * that does not exist; one it sees of another organisation is 403. */
int wb_share_misp_sighting_delete(wb_share *s, const char *ref, bool sightings_open, wb_buf *out);

#ifdef __cplusplus
}
#endif
#endif
