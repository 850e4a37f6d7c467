/*
 * sightingsvc.h - sightings as one service for every front end: the hub's
 * POST /api/v1/sightings and GET /api/v1/sightings, `weerbaar sighting
 * list --db`, and what sync brings in.
 *
 * A sighting has one identity everywhere: the reporting organisation and
 * key, the attribute, and the type (0 seen, 1 false positive, 2 expired).
 * A record of that identity covers a window [first_seen, last_seen] with a
 * count; a report is merged into the record whose window it overlaps or
 * touches within the hub's gap (default an hour) instead of being stored
 * again. A client-supplied request uuid makes a retried report change
 * nothing.
 *
 * Who sees a sighting is the policy's (wb_policy_read, with the hub's
 * sighting policy in wb_policy_item.sightings_open); this module applies it
 * row by row and writes the rows the API sends, so `--db` and `--hub`
 * print from the same bytes.
 */
#ifndef WEERBAAR_SIGHTINGSVC_H
#define WEERBAAR_SIGHTINGSVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"
#include "weerbaar/hub.h"
#include "weerbaar/incidentsvc.h"
#include "weerbaar/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The largest merge gap accepted (serve --sighting-gap): a week. */
#define WB_SIGHTING_GAP_MAX (7 * 86400)

/* Opens (and migrates) a hub database for a local command; close with
 * wb_sightsvc_close. */
int wb_sightsvc_open(wb_store **s, const char *path, wb_error *err);
void wb_sightsvc_close(wb_store *s);

/* One report: a sighting of each attribute in attrs. */
typedef struct wb_sightsvc_report {
    const char *request_uuid; /* client-supplied (sighting_uuid), or NULL */
    const int64_t *attrs;
    size_t nattrs;
    int type;
    const char *source;
    int64_t date_sighting; /* Unix seconds: last seen */
    int64_t first_seen;    /* 0: the same as date_sighting */
    int64_t count;
} wb_sightsvc_report;

typedef struct wb_sightsvc_result {
    size_t saved;    /* attribute sightings written (new records or merged) */
    size_t merged;   /* of them, merged into an existing record */
    size_t repeated; /* reports skipped: their request uuid was seen before */
} wb_sightsvc_result;

/* Who reports: the actor plus the user and key the hub authenticated
 * (0 for the local operator). */
typedef struct wb_sightsvc_who {
    const wb_actor *actor;
    int64_t user_id;
    int64_t key_id;
} wb_sightsvc_who;

/* Records the reports in one transaction with one audit entry
 * ("sighting.add"). gap is the merge gap in seconds (0..WB_SIGHTING_GAP_MAX).
 * All or nothing: on error nothing is written. */
int wb_sightsvc_save(wb_store *s, const wb_sightsvc_who *who, const wb_sightsvc_report *reps,
                     size_t n, int64_t gap, wb_sightsvc_result *res, wb_error *err);

/* Records reports that name one attribute each by uuid (attr_uuids[i] for
 * reps[i], whose attrs the function fills), from a sensor p that is not an
 * HTTP caller (NATS, src/nats/): an attribute p may not read through the
 * indicator path, or that does not exist, is not recorded and counted in
 * *unseen. reps is reordered. Then as wb_sightsvc_save. */
int wb_sightsvc_save_uuids(wb_store *s, const wb_principal *p, const wb_sightsvc_who *who,
                           const char *const *attr_uuids, wb_sightsvc_report *reps, size_t n,
                           int64_t gap, wb_sightsvc_result *res, size_t *unseen, wb_error *err);

/* The who-sighted-what view. */
typedef struct wb_sightsvc_query {
    int64_t after;       /* sighting id to go on after (paging) */
    int64_t since;       /* last seen at or after (Unix seconds) */
    const char *org;     /* the sighting organisation's name or uuid, or NULL */
    const char *event;   /* event uuid, or NULL */
    const char *value;   /* an indicator value, or NULL */
    size_t limit;        /* rows a page holds at most; 0 = 1000 */
    size_t max_bytes;    /* and bytes; 0 = 16 MiB */
    bool sightings_open; /* the hub's sighting policy */
} wb_sightsvc_query;

/* Writes {"response":[{"Sighting":{...}}, ...],"last_id":N,"more":B} of
 * the sightings p may read into out (docs/hub.md, Sightings). audited is
 * called for each row a site admin reads only by being one (the hub
 * audits those); may be NULL. An unknown org or event is WB_ENOTFOUND, a
 * value that is no indicator WB_EINVAL, with a message a client can read. */
int wb_sightsvc_list(wb_store *s, const wb_principal *p, const wb_sightsvc_query *q, wb_buf *out,
                     void (*audited)(void *ud, const char *attr_uuid), void *ud, wb_error *err);

/* Appends one sighting row as the API sends it ({"Sighting": {...}},
 * preceded by a comma when comma), with the organisation named or shown
 * as its sector as the policy says (wb_policy_sighting_named). a may be
 * NULL (then the value and its type are left out). WB_ENOMEM. */
int wb_sightsvc_row_put(wb_buf *out, bool comma, const wb_principal *p, const wb_policy_item *it,
                        const char *event_uuid, const wb_attr_rec *a, const wb_sighting_rec *s);

/* ---- the rows behind the hub's views (sighting_rows.c) ------------------------- */

/* Raw rows for a front end that applies the policy row by row itself (the
 * hub's GET /events/{uuid}/sightings and the sighting of an attribute by
 * uuid): nothing here is filtered. */
/* One attribute by uuid with its event; WB_ENOTFOUND. */
int wb_sightsvc_attr_get(wb_store *s, const char *uuid, wb_attr_cb cb, void *ud, wb_error *err);
/* The event's attributes in id order, deleted ones included. */
int wb_sightsvc_event_attrs(wb_store *s, int64_t event_id, wb_attr_cb cb, void *ud, wb_error *err);
/* The event's sightings in id order. */
int wb_sightsvc_event_rows(wb_store *s, int64_t event_id, wb_sighting_cb cb, void *ud,
                           wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
