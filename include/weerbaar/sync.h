/*
 * sync.h - hub-to-hub synchronisation with MISP's server semantics.
 *
 * A hub links to other hubs (weerbaar or MISP) as "servers": it pulls
 * their events (GET /events/index, then /events/view/{uuid} for each event
 * that is new or newer) and pushes its own (POST /events/add, or
 * /events/edit/{uuid}), with a sync user's key of the other side. Events
 * keep their uuid, timestamp and creator organisation (Orgc); a newer
 * timestamp wins and an equal one changes nothing, so nothing loops.
 *
 * What may travel, the same on both sides (wb_sync_may_leave on the way
 * out, wb_sync_arrival on the way in):
 *   distribution 0 (organisation) and 1 (community): never;
 *   2 (connected communities): one hop, arrives as 1;
 *   3 (all communities): travels on as 3;
 *   4 (sharing group): only to and from servers the sharing group lists;
 *   TLP AMBER+STRICT and RED: never, whatever the distribution.
 * Attributes are judged one by one the same way (5 inherits the event's).
 *
 * The serving side (the MISP routes of the hub) recognises a sync caller
 * by its key's organisation: the organisation a server was added with
 * stands for that hub, and what it reads is what may leave to it.
 */
#ifndef WEERBAAR_SYNC_H
#define WEERBAAR_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "weerbaar/error.h"
#include "weerbaar/hub.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wb_store wb_store;

/* ---- the rules (pure) ---------------------------------------------------------- */

/* Whether an item of TLP `tlp` (UNSET counts as amber) and distribution
 * `dist` (0-4) may be sent to a server; in_sgroup says whether its
 * sharing group lists that server (distribution 4 only). */
bool wb_sync_may_leave(wb_tlp tlp, int dist, bool in_sgroup);
/* The distribution an item sent with `dist` is stored with on arrival
 * (2 -> 1, 3 -> 3, 4 -> 4), or -1 when it may not arrive by sync at all. */
int wb_sync_arrival(wb_tlp tlp, int dist);

/* What decides whether a sighting may go to a server (pull or push). */
typedef struct wb_sync_sighting_facts {
    wb_tlp tlp;                /* the attribute's effective TLP (UNSET counts as amber) */
    int event_dist, attr_dist; /* attr_dist with 5 resolved to the event's */
    bool event_in_sgroup, attr_in_sgroup; /* distribution 4: the group lists the server */
    bool event_from_there;                /* the event came to this hub from that server */
    bool sighting_from_there;             /* the sighting came to this hub from that server */
    bool party;          /* the server's organisation made the event or the sighting */
    bool sightings_open; /* the hub's sighting policy (serve --sighting-policy event) */
} wb_sync_sighting_facts;

/* A sighting never goes back to the server it came from, and never on
 * AMBER+STRICT or RED. It goes only with an event and attribute that may
 * go there (wb_sync_may_leave) or that came from there; and then as the
 * hub's sighting policy lets that side see it: with the open policy
 * always; with MISP's (the default: the event's creator and the sighting
 * organisation see a sighting) only towards the event's creator - to the
 * server the event came from, or one whose organisation made the event
 * or the sighting. */
bool wb_sync_sighting_may_leave(const wb_sync_sighting_facts *f);

/* ---- servers --------------------------------------------------------------------- */

typedef struct wb_sync_server_opts {
    const char *name, *url, *key;
    const char *org; /* local organisation for the remote hub; NULL: one named `name` */
    bool pull, push;
    bool push_sightings; /* sightings pushed even without push (MISP's "push sightings") */
    const char *rules;   /* JSON object, or NULL */
    const char *sgroups; /* sharing groups that may travel to it: "A,B", or NULL */
} wb_sync_server_opts;

/* Opens the hub database at db for the calls below; close with
 * wb_sync_close. */
int wb_sync_open(wb_store **st, const char *db, wb_error *err);
void wb_sync_close(wb_store *st);

/* Adds a server (audited). The organisation is created when it does not
 * exist; *created_org says so. */
int wb_sync_server_add(wb_store *st, const wb_sync_server_opts *o, bool *created_org,
                       wb_error *err);
int wb_sync_server_remove(wb_store *st, const char *name, wb_error *err);
/* The servers as a JSON array of {name, url, org, pull, push, rules,
 * sharing_groups, pull_cursor, push_cursor, push_sightings, sighting_push_cursor,
 * sighting_pull_cursor, last_pull, last_push,
 * last_result}: never the key. */
int wb_sync_server_list(wb_store *st, json_t **out, wb_error *err);

/* ---- pull and push ----------------------------------------------------------------- */

typedef struct wb_sync_counts {
    size_t listed;    /* pull: index entries; push: changes looked at */
    size_t added;     /* new on the receiving side */
    size_t updated;   /* a newer version replaced the stored one */
    size_t unchanged; /* the receiver had it as new or newer */
    size_t withheld;  /* may not travel (distribution, TLP, sharing group, loop) */
    size_t failed;    /* refused or unreadable: see the log callback */
    size_t deleted;   /* deletions applied (push: by the receiver; pull: here) */
    /* sighting records: stored new or widened on the receiving side; the
     * receiver had them; may not travel (sighting policy, TLP,
     * distribution, loop) or had nothing to attach to */
    size_t sightings, sightings_unchanged, sightings_withheld;
} wb_sync_counts;

typedef struct wb_sync_run_opts {
    long timeout_s;     /* per request; 0 = 60 s */
    unsigned max_depth; /* JSON nesting; 0 = 32 */
    size_t max_attributes;
    /* Progress: done of total (total 0 when not known). May be NULL. */
    void (*progress)(void *ud, size_t done, size_t total);
    /* One line per event that failed or per server-level problem. May be NULL. */
    void (*log)(void *ud, const char *msg);
    void *ud;
    /* Checked between events: the run stops early (and resumes next time)
     * once it is non-zero. May be NULL. */
    const volatile int *stop;
    /* The hub's sighting policy (serve --sighting-policy event): which
     * sightings may go to a server (wb_sync_sighting_may_leave). */
    bool sightings_open;
} wb_sync_run_opts;

/* Pulls from (push: pushes to) server `name`. 0 when the run got through
 * (events that failed are counted and logged), or an error when the server
 * could not be reached or answered nonsense; what was done before that is
 * kept, and the next run carries on. Call wb_hub_global_init first. */
int wb_sync_pull(wb_store *st, const char *name, const wb_sync_run_opts *o, wb_sync_counts *c,
                 wb_error *err);
int wb_sync_push(wb_store *st, const char *name, const wb_sync_run_opts *o, wb_sync_counts *c,
                 wb_error *err);
/* Pull then push for every server that has them switched on (serve's
 * schedule). Errors of one server are logged and do not stop the others. */
void wb_sync_all(wb_store *st, const wb_sync_run_opts *o);

/* serve's schedule: a thread with its own database connection that runs
 * wb_sync_all every interval_s seconds (the first run at once). log gets
 * its lines. Stop it with wb_sync_scheduler_stop (waits for the run in
 * progress to reach the next event). */
typedef struct wb_sync_scheduler wb_sync_scheduler;
int wb_sync_scheduler_start(wb_sync_scheduler **out, const char *db, unsigned interval_s,
                            bool sightings_open, void (*log)(void *ud, const char *msg), void *ud,
                            wb_error *err);
void wb_sync_scheduler_stop(wb_sync_scheduler *s);

/* ---- the serving side (the hub's MISP routes) ---------------------------------------- */

/* The server whose organisation is org_id (0 when the caller is not a
 * sync caller). */
int wb_sync_caller(wb_store *st, int64_t org_id, int64_t *server_id, wb_error *err);

/* MISP's /events/index filters. */
typedef struct wb_sync_index_filter {
    bool minimal;
    int published;     /* -1 any, 0, 1 */
    int64_t timestamp; /* events with timestamp >= this (0: any) */
    int64_t eventid;   /* 0: any */
    const char *uuid;  /* NULL: any */
    int64_t limit;     /* 0: no limit */
    int64_t page;      /* from 1 */
    /* the hub's sighting policy: for a sync caller, each row's
     * sighting_timestamp is the last change of a sighting that may go to it */
    bool sightings_open;
} wb_sync_index_filter;

/* The events p may read (and, for a sync caller server_id > 0, that may
 * leave to that server) as MISP's index array. Site admins' reads of what
 * their organisation could not see are audited as read.admin. */
int wb_sync_index(wb_store *st, const wb_principal *p, const char *user, const char *org,
                  int64_t server_id, const wb_sync_index_filter *f, json_t **out, wb_error *err);
/* One event for sync caller server_id: {"Event": {...}} with the
 * attributes that may leave to it and their sightings that may
 * (sightings_open: the hub's sighting policy); WB_ENOTFOUND when it does
 * not exist, may not be read by p or may not leave. `ref` is a uuid or a
 * numeric id. */
int wb_sync_view(wb_store *st, const wb_principal *p, int64_t server_id, bool sightings_open,
                 const char *ref, json_t **out, wb_error *err);
/* The uuid of event `ref` (a uuid or MISP's numeric id) into uuid;
 * WB_ENOTFOUND. */
int wb_sync_event_ref(wb_store *st, const char *ref, char uuid[37], wb_error *err);

typedef enum wb_sync_outcome {
    WB_SYNC_ADDED,
    WB_SYNC_UPDATED,
    WB_SYNC_UNCHANGED, /* as new or newer here: an equal timestamp is a no-op */
    WB_SYNC_WITHHELD,  /* may not arrive by sync (distribution, TLP, sharing group) */
    WB_SYNC_REFUSED,   /* invalid, or the uuid belongs to another organisation's event */
    WB_SYNC_DELETED    /* wb_sync_delete: the event is deleted here now */
} wb_sync_outcome;

/* Stores a MISP event document that arrived from server server_id (pulled,
 * or pushed by it), in its own transaction with its audit entry: the
 * arrival rules above, uuid, timestamp and Orgc kept (the organisation is
 * created here when it is new), the newer timestamp wins. uuid_out (37
 * bytes, may be NULL) gets the event's uuid. 0 with *oc set (reason says
 * why for WITHHELD and REFUSED), or a database error. user and org name
 * the caller in the audit entry. */
int wb_sync_ingest(wb_store *st, int64_t server_id, const char *user, const char *org,
                   const char *body, size_t len, unsigned max_depth, size_t max_attributes,
                   wb_sync_outcome *oc, char *uuid_out, char *reason, size_t cap, wb_error *err);

/* A deletion that arrived from server server_id (MISP's POST
 * /events/delete/{uuid} by its sync user): the event is deleted here, in
 * a transaction with its audit entry, only when it came here from that
 * server (sync_origins); never an event made on this hub or received from
 * another server (WB_SYNC_REFUSED, reason says why). An unknown uuid is
 * WB_ENOTFOUND; one deleted already is WB_SYNC_UNCHANGED. */
int wb_sync_delete(wb_store *st, int64_t server_id, const char *user, const char *org,
                   const char *uuid, wb_sync_outcome *oc, char *reason, size_t cap, wb_error *err);

/* Sightings pushed by server server_id (MISP's POST
 * /sightings/bulkSaveSightings/{event}: an array of Sighting objects, or
 * {"Sighting": [...]}) for the event `ref` (uuid or numeric id): each
 * stored by its uuid, in a transaction with one audit entry, when its
 * attribute is of that event and the event came from that server or may
 * go to it. Counts into c (sightings, sightings_unchanged,
 * sightings_withheld). WB_ENOTFOUND when the event is not here; WB_EPARSE
 * for a body that is no such array (err says where). */
int wb_sync_sightings_save(wb_store *st, int64_t server_id, const char *user, const char *org,
                           const char *ref, const char *body, size_t len, unsigned max_depth,
                           wb_sync_counts *c, wb_error *err);

/* ---- parsing a remote index (fuzzed) -------------------------------------------------- */

typedef struct wb_sync_entry {
    char uuid[37];
    int64_t timestamp;
    int64_t sighting_timestamp; /* 0 when the entry has none */
    bool published;             /* true when the entry does not say */
} wb_sync_entry;

/* MISP's /events/index answer (an array of events, minimal or full, or
 * {"response": [...]}) into a heap array sorted by timestamp then uuid.
 * Entries without a valid uuid or timestamp are counted in *bad. 0, or
 * WB_EPARSE (err names the JSON path) / WB_ELIMIT / WB_ENOMEM. */
int wb_sync_index_parse(const char *text, size_t len, unsigned max_depth, size_t max_entries,
                        wb_sync_entry **out, size_t *n, size_t *bad, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
