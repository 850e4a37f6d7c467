/*
 * sync_internal.h - what the files of the sync module share: rules.c (the
 * rules and the index parser), ingest.c (storing an event that arrived),
 * render.c (an event as it may leave), run.c (pull and push over HTTP),
 * server.c (the servers) and serve.c (the MISP routes' index and view).
 *
 * The event parser, the policy's view of a row and the tag helpers are the
 * share service's (src/share/share_internal.h): an event that arrives by
 * sync is validated exactly as one posted to the API, and stored by the
 * share service's sync put (src/share/sync_put.h), which keeps what its
 * add does not (the uuid's owner, the timestamp, Orgc) and writes it with
 * its audit entry. This module opens no write transaction of its own.
 */
#ifndef WB_SYNC_INTERNAL_H
#define WB_SYNC_INTERNAL_H

#include <jansson.h>

#include "share/sync_put.h"
#include "share/sync_servers.h"
#include "weerbaar/store.h"
#include "weerbaar/sync.h"

#define WB_SYNC_UUID_LEN 36

int wbi_sync_ts(const json_t *v, int64_t *out);
bool wbi_sync_depth_ok(const char *s, size_t n, unsigned max);

/* The strictest tlp: tag of obj's Tag array and of its link_key array
 * ([{"Tag": {...}}]); WB_TLP_UNSET when it has none. */
wb_tlp wbi_sync_tags_tlp(const json_t *obj, const char *link_key);

/* The server an event or sighting goes to: its id, the local
 * organisation that stands for it, and the hub's sighting policy. */
typedef struct wbi_sync_peer {
    int64_t server_id;
    int64_t org_id;
    bool sightings_open;
} wbi_sync_peer;

/* {"Event": {...}} of stored event ev as it may go to server peer (and,
 * when p is not NULL, as p may read it): the attributes that may leave,
 * each with the sightings that may go to it (MISP's Sighting array),
 * Orgc and Org, its sharing group by uuid. peer NULL: no server, no
 * sightings. NULL with *err set. */
json_t *wbi_sync_render(wb_store *st, const wb_principal *p, const wbi_sync_peer *peer,
                        const wb_event_rec *ev, wb_error *err);

/* The sharing group of a stored item may go to server_id. */
bool wbi_sync_item_leaves(wb_store *st, wb_tlp tlp, int dist, int64_t sg, int64_t server_id);

/* Whether sighting s of event ev may go to peer (sync.h's sighting rule,
 * wb_sync_sighting_may_leave, with the facts read from the store).
 * from_there: ev came here from that server (-1: look it up). */
bool wbi_sync_sighting_leaves(wb_store *st, const wbi_sync_peer *peer, const wb_event_rec *ev,
                              const wb_sync_sighting_rec *s, int from_there);
/* Whether event uuid came here from server_id. */
bool wbi_sync_came_from(wb_store *st, const char *uuid, int64_t server_id);
/* A sighting as it goes to another hub (MISP's Sighting object). */
json_t *wbi_sync_sighting_json(const wb_sync_sighting_rec *s);

/* Who a document arrived from. */
typedef struct wbi_sync_from {
    int64_t server_id, server_org;
    const char *user, *org; /* the audit entry's actor */
} wbi_sync_from;

/* A document read and judged, ready for the share service's sync put
 * (doc.in is NULL when there is nothing to put: doc.oc and doc.reason say
 * why). Must not move once prepared (doc.ud points into it). */
typedef struct wbi_sync_arrived {
    wbi_share_sync_doc doc;
    wb_store *st;
    wbi_event_in in;
    bool parsed;
    json_t *held; /* the sighting objects the records' strings point into */
    int64_t *attr_sgroups;
    wbi_sync_sighting_in *sightings;
    size_t sbad; /* sightings that were not valid, left out */
    char orgc_name[WB_NAME_MAX + 1], orgc_uuid[WB_UUID_LEN + 1];
    char uuid[WB_UUID_LEN + 1];
} wbi_sync_arrived;

int wbi_sync_prepare(wb_store *st, const wbi_sync_from *from, const char *body, size_t len,
                     unsigned max_depth, size_t max_attributes, wbi_sync_arrived *x, wb_error *err);
/* Only sightings: holder's Sighting array (each naming attribute_uuid). */
int wbi_sync_prepare_sightings(wb_store *st, const wbi_sync_from *from, json_t *holder,
                               wbi_sync_arrived *x, wb_error *err);
void wbi_sync_arrived_free(wbi_sync_arrived *x);
/* The organisation of server server_id into *org. */
int wbi_sync_server_org(wb_store *st, int64_t server_id, int64_t *org, wb_error *err);

/* A stored event copied out of the store's walk. */
typedef struct wbi_sync_event {
    wb_event_rec ev;
    char *uuid, *org_name, *org_uuid, *info, *date, *json;
    bool found;
} wbi_sync_event;
/* WB_ENOTFOUND; free with wbi_sync_event_free (also after a failure). */
int wbi_sync_event_get(wb_store *st, const char *uuid, wbi_sync_event *o, wb_error *err);
void wbi_sync_event_free(wbi_sync_event *o);

/* MISP's server rules: {"tags": {"OR": [...], "NOT": [...]}, "orgs":
 * {...}} (names; orgs by Orgc name or uuid). check: 0 or WB_EINVAL;
 * pass: whether event (MISP's document) may travel; rules NULL passes. */
#define WBI_SYNC_MAX_RULE_NAMES 256
int wbi_sync_rules_check(const char *text, wb_error *err);
bool wbi_sync_rules_pass(const json_t *rules, const json_t *event);

#endif
