/*
 * sync_put.h - the share service's writes for what arrives by hub-to-hub
 * sync (sync_put.c): an event stored as the other hub sent it, the
 * sightings of its attributes stored by their uuids, and a deletion.
 *
 * The sync module (src/sync/) parses a document and applies its arrival
 * rules (what may arrive from which server); these functions decide what
 * the store does with it - newer timestamp wins, an event made here is
 * never rewritten by sync, a sighting record seen again changes nothing -
 * and write it in a transaction with its audit entry (channel sync: the
 * user is "sync:<server>" or the remote's sync user), so the change feed
 * carries it on as any other write.
 */
#ifndef WB_SHARE_SYNC_PUT_H
#define WB_SHARE_SYNC_PUT_H

#include "share/share_internal.h"
#include "weerbaar/sync.h"

/* A sighting record as it arrived (MISP's Sighting object). Strings are
 * borrowed from the caller's document. org_uuid NULL: anonymous (MISP's
 * org_id 0), stored as the sending server's organisation. */
typedef struct wbi_sync_sighting_in {
    const char *uuid;
    const char *attr_uuid;
    const char *org_uuid, *org_name;
    const char *source;
    int type;
    int64_t date_sighting, first_seen, count;
} wbi_sync_sighting_in;

/* Whether a sighting of attribute a of event ev may arrive from the
 * document's server (the sync module's rule). */
typedef bool (*wbi_sync_sighting_ok)(void *ud, const wb_event_rec *ev, const wb_attr_rec *a);

typedef struct wbi_share_sync_doc {
    /* in */
    int64_t server_id;
    int64_t server_org; /* anonymous sightings are this organisation's */
    const char *user, *org;
    wbi_event_in *in; /* the parsed event, or NULL for sightings only */
    const char *orgc_uuid, *orgc_name;
    int64_t timestamp;
    int64_t sgroup;              /* the event's local sharing group (distribution 4) */
    const int64_t *attr_sgroups; /* per in->attrs: its local sharing group, or NULL */
    size_t dropped;              /* attributes the arrival rules left out */
    const wbi_sync_sighting_in *sightings;
    size_t nsightings;
    wbi_sync_sighting_ok sighting_ok;
    void *ud;
    /* out */
    wb_sync_outcome oc;
    char reason[WB_ERROR_MSG_MAX];
    size_t s_added, s_updated, s_unchanged, s_withheld;
} wbi_share_sync_doc;

/* Stores d (its event, then its sightings) in a transaction of its own or
 * in the caller's (the store's transactions nest). 0 with d->oc set (and
 * d->reason for REFUSED), or a database error. *undone is set when a
 * write failed and was rolled back, which undoes the caller's transaction
 * too. */
int wbi_share_sync_put(wb_store *st, wbi_share_sync_doc *d, bool *undone, wb_error *err);

/* Stores n documents in one transaction (one disk sync for the lot); when
 * one write fails the batch is stored again one document a transaction. */
int wbi_share_sync_batch(wb_store *st, wbi_share_sync_doc **docs, size_t n, wb_error *err);

/* Stores d's sightings (d->in NULL) on the event event_uuid, in a
 * transaction with one audit entry. WB_ENOTFOUND when the event is not
 * here or deleted. */
int wbi_share_sync_sightings(wb_store *st, wbi_share_sync_doc *d, const char *event_uuid,
                             wb_error *err);

/* Deletes (tombstones, as the change feed carries deletions) event uuid
 * for server_id: only when it came here from that server; never one made
 * on this hub or received from another server (REFUSED, reason says why).
 * `how` ends the audit detail ("push", "pull: gone from its index").
 * WB_ENOTFOUND when the uuid is unknown; UNCHANGED when deleted already. */
int wbi_share_sync_delete(wb_store *st, int64_t server_id, const char *user, const char *org,
                          const char *uuid, const char *how, wb_sync_outcome *oc, char *reason,
                          size_t cap, wb_error *err);

#endif
