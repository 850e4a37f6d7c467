/*
 * sync_put.c - the share service's "sync put" (sync_put.h): events,
 * sightings and deletions that arrived from another hub, written with
 * MISP's server semantics.
 *
 * An event keeps its uuid, its timestamp and the organisation that made it
 * (Orgc; created here as an organisation of kind "other" when this hub
 * does not know it, as MISP does). A newer timestamp replaces the stored
 * event; an equal or older one changes nothing, which is what stops an
 * event from looping between hubs. An event made on this hub is never
 * rewritten by sync: its organisation edits it here and the edit travels
 * out. A sighting record is stored by its uuid and only ever widened
 * (wb_store_sync_sighting_put), so a record that comes back, or comes
 * twice, changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share/sync_put.h"

typedef struct old_event {
    bool found, deleted, published;
    int64_t id, org_id, timestamp;
} old_event;

static int old_cb(void *ud, const wb_event_rec *e)
{
    old_event *o = ud;
    o->found = true;
    o->deleted = e->deleted;
    o->published = e->published;
    o->id = e->id;
    o->org_id = e->org_id;
    o->timestamp = e->timestamp;
    return 1;
}

static void why(char *reason, size_t cap, const char *msg)
{
    if (reason && cap) snprintf(reason, cap, "%s", msg);
}

/* The local organisation with that uuid, created when new (a name taken
 * by another organisation gets the uuid added). */
static int org_local(wb_store *st, const char *uuid, const char *name, int64_t *id, wb_error *err)
{
    int rc = wb_store_org_by_uuid(st, uuid, id, err);
    if (rc != WB_ENOTFOUND) return rc;
    rc = wb_store_org_add_uuid(st, uuid, name, id, err);
    if (rc == WB_EINVAL) {
        char alt[WB_NAME_MAX + 1];
        snprintf(alt, sizeof alt, "%.88s (%.36s)", name, uuid);
        rc = wb_store_org_add_uuid(st, uuid, alt, id, err);
    }
    return rc;
}

/* ---- sightings ---------------------------------------------------------------------------- */

typedef struct attr_hit {
    bool found, deleted;
    char ev_uuid[WB_UUID_LEN + 1];
    int64_t event_id;
    wb_event_rec ev; /* policy facts only (no strings) */
    wb_attr_rec a;
} attr_hit;

static int attr_cb(void *ud, const wb_event_rec *ev, const wb_attr_rec *a)
{
    attr_hit *h = ud;
    h->found = true;
    h->deleted = a->deleted || (ev && ev->deleted);
    h->event_id = a->event_id;
    if (ev) {
        h->ev = *ev;
        snprintf(h->ev_uuid, sizeof h->ev_uuid, "%s", ev->uuid ? ev->uuid : "");
        h->ev.uuid = h->ev.org_name = h->ev.org_uuid = h->ev.info = h->ev.date = NULL;
        h->ev.json = NULL;
    }
    h->a = *a;
    h->a.uuid = h->a.object_uuid = h->a.type = h->a.value = h->a.json = NULL;
    return 1;
}

/* d's sightings on event event_id, in the caller's transaction. */
static int put_sightings(wb_store *st, wbi_share_sync_doc *d, int64_t event_id, wb_error *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < d->nsightings; i++) {
        const wbi_sync_sighting_in *x = &d->sightings[i];
        attr_hit h = {0};
        wb_error e2;
        int r = wb_store_attr_get(st, x->attr_uuid, attr_cb, &h, &e2);
        if (r != 0 && r != WB_ENOTFOUND) {
            *err = e2;
            return r;
        }
        /* an attribute not here (it may not travel, or was left out), of
         * another event, or deleted: the sighting has nothing to attach to */
        h.ev.uuid = h.ev_uuid;
        if (!h.found || h.deleted || h.event_id != event_id ||
            (d->sighting_ok && !d->sighting_ok(d->ud, &h.ev, &h.a))) {
            d->s_withheld++;
            continue;
        }
        int64_t org = d->server_org;
        if (x->org_uuid) rc = org_local(st, x->org_uuid, x->org_name, &org, err);
        if (rc) break;
        wb_sighting_rec rec = {.uuid = x->uuid,
                               .attribute_id = h.a.id,
                               .org_id = org,
                               .type = x->type,
                               .source = x->source,
                               .date_sighting = x->date_sighting,
                               .count = x->count,
                               .first_seen = x->first_seen};
        int how = 0;
        rc = wb_store_sync_sighting_put(st, &rec, d->server_id, &how, err);
        if (rc == WB_EINVAL) { /* the uuid is another attribute's sighting here */
            rc = 0;
            d->s_withheld++;
            continue;
        }
        if (rc == 0) {
            if (how == 1)
                d->s_added++;
            else if (how == 2)
                d->s_updated++;
            else
                d->s_unchanged++;
        }
    }
    if (rc == 0 && d->s_added + d->s_updated > 0) {
        char dsc[160];
        snprintf(dsc, sizeof dsc, "by sync (server %lld): %zu added, %zu updated",
                 (long long)d->server_id, d->s_added, d->s_updated);
        wb_audit_rec au = {.user = d->user ? d->user : "sync",
                           .org = d->org ? d->org : "-",
                           .action = "sighting.add",
                           .object = d->in ? d->in->uuid : NULL,
                           .detail = dsc};
        rc = wb_store_audit(st, &au, err);
    }
    return rc;
}

static void sightings_reset(wbi_share_sync_doc *d)
{
    d->s_added = d->s_updated = d->s_unchanged = d->s_withheld = 0;
}

int wbi_share_sync_sightings(wb_store *st, wbi_share_sync_doc *d, const char *event_uuid,
                             wb_error *err)
{
    sightings_reset(d);
    old_event old = {0};
    int rc = wb_store_event_get(st, event_uuid, old_cb, &old, err);
    if (rc) return rc;
    if (old.deleted) return wb_error_set(err, WB_ENOTFOUND, "no such event");
    rc = wb_store_begin(st, err);
    if (rc == 0) rc = put_sightings(st, d, old.id, err);
    if (rc == 0) rc = wb_store_commit(st, err);
    if (rc) {
        wb_store_rollback(st);
        sightings_reset(d);
    }
    return rc;
}

/* ---- events ------------------------------------------------------------------------------- */

/* The event write itself, in the caller's transaction. *foreign when the
 * uuid is another organisation's event here. */
static int put_event(wb_store *st, wbi_share_sync_doc *d, const old_event *old, bool *foreign,
                     wb_error *err)
{
    wbi_event_in *in = d->in;
    *foreign = false;
    json_t *orgc = json_pack("{s:s,s:s}", "name", d->orgc_name, "uuid", d->orgc_uuid);
    if (orgc == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    json_object_set_new(in->event, "Orgc", orgc);
    int64_t org_id = 0;
    int rc = org_local(st, d->orgc_uuid, d->orgc_name, &org_id, err);
    *foreign = rc == 0 && old->found && old->org_id != org_id;
    if (rc || *foreign) return rc;
    wb_attr_rec *recs = in->nattrs ? calloc(in->nattrs, sizeof *recs) : NULL;
    if (in->nattrs && recs == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    wb_arena ar;
    wb_arena_init(&ar, 0);
    for (size_t k = 0; rc == 0 && k < in->nattrs; k++) {
        recs[k] = in->attrs[k].rec;
        recs[k].sharing_group_id = 0;
        if (recs[k].distribution == 4) {
            recs[k].sharing_group_id = d->attr_sgroups ? d->attr_sgroups[k] : 0;
            json_object_set_new(in->attrs[k].json, "sharing_group_id",
                                json_integer(recs[k].sharing_group_id));
        }
        char *j = json_dumps(in->attrs[k].json, JSON_COMPACT | JSON_PRESERVE_ORDER);
        recs[k].json = j ? wb_arena_strdup(&ar, j) : NULL;
        free(j);
        if (recs[k].json == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    char *ej = rc ? NULL : json_dumps(in->event, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (rc == 0 && ej == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    wb_event_rec ev = {.uuid = in->uuid,
                       .org_id = org_id,
                       .info = in->info,
                       .date = in->date,
                       .distribution = in->distribution,
                       .sharing_group_id = in->distribution == 4 ? d->sgroup : 0,
                       .tlp = in->tlp,
                       .published = in->published,
                       .timestamp = d->timestamp,
                       .json = ej};
    if (rc == 0)
        rc = wb_store_event_put(st, &ev, in->tags, in->ntags, recs, in->nattrs, old->found, NULL,
                                err);
    if (rc == 0) rc = wb_store_sync_origin_set(st, in->uuid, d->server_id, d->timestamp, err);
    if (rc == 0) {
        char dsc[WB_ERROR_MSG_MAX];
        snprintf(dsc, sizeof dsc,
                 "by sync (server %lld; Orgc %.128s): %zu attributes, TLP:%s, distribution "
                 "%d%s",
                 (long long)d->server_id, d->orgc_name, in->nattrs, wb_tlp_name(in->tlp),
                 in->distribution, d->dropped ? "; attributes that may not travel left out" : "");
        wb_audit_rec au = {.user = d->user ? d->user : "sync",
                           .org = d->org ? d->org : "-",
                           .action = old->found ? "event.edit" : "event.add",
                           .object = in->uuid,
                           .detail = dsc};
        rc = wb_store_audit(st, &au, err);
    }
    free(ej);
    free(recs);
    wb_arena_free(&ar);
    return rc;
}

int wbi_share_sync_put(wb_store *st, wbi_share_sync_doc *d, bool *undone, wb_error *err)
{
    *undone = false;
    d->oc = WB_SYNC_REFUSED;
    d->reason[0] = '\0';
    sightings_reset(d);
    const char *uuid = d->in->uuid;
    old_event old = {0};
    int rc = wb_store_event_get(st, uuid, old_cb, &old, err);
    if (rc == WB_ENOTFOUND) rc = 0;
    if (rc) return rc;
    /* An event made on this hub (no origin record) changes only here: its
     * organisation edits it through the API, and the edit travels out. A
     * server's key relays other organisations' events, but never rewrites
     * this hub's own. */
    bool home = false;
    if (old.found && !old.deleted && old.timestamp < d->timestamp) {
        int64_t from = 0, ots = 0;
        wb_error oe;
        int r = wb_store_sync_origin_get(st, uuid, &from, &ots, &oe);
        if (r != 0 && r != WB_ENOTFOUND) {
            *err = oe;
            return r;
        }
        home = r == WB_ENOTFOUND;
    }
    if (old.found && old.deleted) {
        why(d->reason, sizeof d->reason, "deleted on this hub");
        return 0;
    }
    if (home) {
        why(d->reason, sizeof d->reason, "made on this hub: only its organisation here changes it");
        return 0;
    }
    bool write = !(old.found && old.timestamp >= d->timestamp);
    if (!write && d->nsightings == 0) {
        d->oc = WB_SYNC_UNCHANGED;
        return 0;
    }
    bool foreign = false;
    rc = wb_store_begin(st, err);
    if (rc == 0 && write) rc = put_event(st, d, &old, &foreign, err);
    int64_t eid = old.id;
    if (rc == 0 && !foreign && eid == 0) rc = wb_store_event_id_of(st, uuid, &eid, err);
    if (rc == 0 && !foreign && d->nsightings) rc = put_sightings(st, d, eid, err);
    if (rc == 0) rc = wb_store_commit(st, err);
    if (rc) {
        wb_store_rollback(st);
        sightings_reset(d);
        *undone = true; /* with the caller's transaction, when one was open */
    }
    if (foreign) {
        why(d->reason, sizeof d->reason, "an event of another organisation holds this uuid here");
    } else if (rc == WB_EINVAL) {
        /* an attribute uuid that another event holds: this event's problem */
        why(d->reason, sizeof d->reason, err->msg);
        rc = 0;
    } else if (rc == 0) {
        d->oc = !write ? WB_SYNC_UNCHANGED : old.found ? WB_SYNC_UPDATED : WB_SYNC_ADDED;
    }
    return rc;
}

int wbi_share_sync_batch(wb_store *st, wbi_share_sync_doc **docs, size_t n, wb_error *err)
{
    if (n == 0) return 0;
    int rc = wb_store_begin(st, err);
    bool redo = false;
    for (size_t i = 0; rc == 0 && i < n && !redo; i++)
        rc = wbi_share_sync_put(st, docs[i], &redo, err);
    if (rc == 0 && !redo) rc = wb_store_commit(st, err);
    if (rc) wb_store_rollback(st);
    /* A write that failed inside the batch (an attribute uuid another
     * event holds) rolled the whole batch back: each document again, one
     * transaction each, so only the one at fault fails. */
    for (size_t i = 0; rc == 0 && redo && i < n; i++) {
        bool undone;
        rc = wbi_share_sync_put(st, docs[i], &undone, err);
    }
    return rc;
}

/* ---- deletions ---------------------------------------------------------------------------- */

int wbi_share_sync_delete(wb_store *st, int64_t server_id, const char *user, const char *org,
                          const char *uuid, const char *how, wb_sync_outcome *oc, char *reason,
                          size_t cap, wb_error *err)
{
    *oc = WB_SYNC_REFUSED;
    if (reason && cap) reason[0] = '\0';
    old_event old = {0};
    int rc = wb_store_event_get(st, uuid, old_cb, &old, err);
    if (rc) return rc;
    if (old.deleted) {
        *oc = WB_SYNC_UNCHANGED;
        return 0;
    }
    int64_t from = 0, ots = 0;
    wb_error oe;
    rc = wb_store_sync_origin_get(st, uuid, &from, &ots, &oe);
    if (rc != 0 && rc != WB_ENOTFOUND) {
        *err = oe;
        return rc;
    }
    if (rc == WB_ENOTFOUND) {
        why(reason, cap, "made on this hub: only its organisation here deletes it");
        return 0;
    }
    if (from != server_id) {
        why(reason, cap, "received from another server: only a deletion from there applies");
        return 0;
    }
    /* The deletion is a change here (a new timestamp, the change feed's
     * next sequence), recorded as coming from that server so that it is
     * not pushed back to it. */
    int64_t now = wb_time_now() / 1000000;
    int64_t ts = now > old.timestamp ? now : old.timestamp + 1;
    rc = wb_store_begin(st, err);
    if (rc == 0) rc = wb_store_event_flag(st, old.id, old.published, true, ts, err);
    if (rc == 0) rc = wb_store_sync_origin_set(st, uuid, server_id, ts, err);
    if (rc == 0) {
        char dsc[128];
        snprintf(dsc, sizeof dsc, "by sync (server %lld%s%.64s)", (long long)server_id,
                 how ? "; " : "", how ? how : "");
        wb_audit_rec au = {.user = user ? user : "sync",
                           .org = org ? org : "-",
                           .action = "event.delete",
                           .object = uuid,
                           .detail = dsc};
        rc = wb_store_audit(st, &au, err);
    }
    if (rc == 0) rc = wb_store_commit(st, err);
    if (rc) {
        wb_store_rollback(st);
        return rc;
    }
    *oc = WB_SYNC_DELETED;
    return 0;
}
