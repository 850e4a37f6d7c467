/*
 * ingest.c - storing an event that arrived by sync, pulled from a server
 * or pushed by one (wb_sync_ingest).
 *
 * MISP's server semantics: the event keeps its uuid, its timestamp and the
 * organisation that made it (Orgc; created here as an organisation of
 * kind "other" when this hub does not know it, as MISP does). A newer
 * timestamp replaces the stored event; an equal or older one changes
 * nothing, which is what stops an event from looping between hubs. An
 * event made on this hub is never rewritten by sync (the edit of its
 * organisation starts here and travels out).
 *
 * The arrival rules of sync.h are applied before the event is validated
 * as a POST to the API would be (the hub's event parser): an event that
 * may not arrive is withheld whole; an attribute that may not is dropped,
 * with the count in the audit entry. Distribution 4 needs a sharing group
 * of the same uuid here that lists the server it came from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share/share_internal.h"
#include "sync/sync_internal.h"

wb_tlp wbi_sync_tags_tlp(const json_t *obj, const char *link_key)
{
    wb_tlp t = WB_TLP_UNSET;
    for (int pass = 0; pass < 2; pass++) {
        const json_t *arr = json_object_get(obj, pass == 0 ? "Tag" : link_key);
        size_t i;
        const json_t *tag;
        json_array_foreach(arr, i, tag)
        {
            const json_t *x = pass == 0 ? tag : json_object_get(tag, "Tag");
            const char *name = json_string_value(json_object_get(x, "name"));
            wb_tlp v;
            if (name && strlen(name) > 4 && wb_strn_ieq(name, 4, "tlp:") &&
                wb_tlp_parse(name, strlen(name), &v) == 0)
                t = wb_tlp_stricter(t, v);
        }
    }
    return t;
}

typedef struct arrival {
    wb_store *st;
    int64_t server_id;
    wb_tlp event_tlp;
    size_t dropped;
    wb_error *err;
    int rc;
} arrival;

/* A distribution as MISP writes it: an integer or a decimal string; dflt
 * when absent. -1 when it is neither. */
static int dist_of(const json_t *v, int dflt)
{
    int64_t d;
    if (v == NULL || json_is_null(v)) return dflt;
    if (json_is_integer(v))
        d = json_integer_value(v);
    else if (!json_is_string(v) ||
             wb_parse_i64(json_string_value(v), json_string_length(v), 0, 5, &d) != 0)
        return -1;
    return d >= 0 && d <= 5 ? (int)d : -1;
}

typedef struct sg_hit {
    int64_t id;
    char uuid[WB_UUID_LEN + 1];
} sg_hit;

static int sg_cb(void *ud, const wb_sgroup *g)
{
    sg_hit *h = ud;
    h->id = g->id;
    snprintf(h->uuid, sizeof h->uuid, "%s", g->uuid);
    return 1;
}

/* The local sharing group for obj's SharingGroup.uuid when it lists the
 * server; 0 when it does not exist here or does not list it. */
static int64_t local_sgroup(arrival *a, const json_t *obj)
{
    const char *u =
        json_string_value(json_object_get(json_object_get(obj, "SharingGroup"), "uuid"));
    if (u == NULL || !wb_uuid_valid(u, strlen(u)) || strlen(u) != WB_UUID_LEN) return 0;
    sg_hit h = {0};
    wb_error e;
    if (wb_store_sgroup_find(a->st, 0, u, sg_cb, &h, &e) != 0 || h.id == 0) return 0;
    /* a name that happens to equal a uuid is not the group */
    if (strcmp(h.uuid, u) != 0) return 0;
    return wb_store_server_in_sgroup(a->st, h.id, a->server_id) ? h.id : 0;
}

/* Applies the arrival rules to one holder's attributes (the event's or an
 * object's): those that may not arrive are left out. */
static void arrive_attrs(arrival *a, json_t *holder)
{
    json_t *arr = json_object_get(holder, "Attribute");
    if (!json_is_array(arr)) return;
    json_t *kept = json_array();
    size_t i;
    json_t *at;
    json_array_foreach(arr, i, at)
    {
        if (!json_is_object(at)) {
            json_array_append(kept, at); /* the parser names it */
            continue;
        }
        int d = dist_of(json_object_get(at, "distribution"), 5);
        wb_tlp t = wb_tlp_stricter(a->event_tlp, wbi_sync_tags_tlp(at, "AttributeTag"));
        bool ok;
        json_object_del(at, "sharing_group_id");
        if (d == 5) {
            ok = t != WB_TLP_AMBER_STRICT && t != WB_TLP_RED;
        } else {
            int ad = d < 0 ? -1 : wb_sync_arrival(t, d);
            ok = ad >= 0;
            if (ok && ad == 4) ok = local_sgroup(a, at) > 0;
            if (ok) json_object_set_new(at, "distribution", json_integer(ad));
        }
        if (ok && d != 4) json_object_del(at, "SharingGroup");
        if (ok)
            json_array_append(kept, at);
        else
            a->dropped++;
    }
    json_object_set_new(holder, "Attribute", kept);
}

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

/* The local organisation with the uuid of the event's Orgc, created when
 * new (a name taken by another organisation gets the uuid added). */
static int orgc_local(wb_store *st, const char *uuid, const char *name, int64_t *id, wb_error *err)
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

static void why(char *reason, size_t cap, const char *msg)
{
    if (reason && cap) snprintf(reason, cap, "%s", msg);
}

int wb_sync_ingest(wb_store *st, int64_t server_id, const char *user, const char *org,
                   const char *body, size_t len, unsigned max_depth, size_t max_attributes,
                   wb_sync_outcome *oc, char *uuid_out, char *reason, size_t cap, wb_error *err)
{
    bool undone;
    return wbi_sync_ingest(st, server_id, user, org, body, len, max_depth, max_attributes, oc,
                           uuid_out, reason, cap, &undone, err);
}

int wbi_sync_ingest(wb_store *st, int64_t server_id, const char *user, const char *org,
                    const char *body, size_t len, unsigned max_depth, size_t max_attributes,
                    wb_sync_outcome *oc, char *uuid_out, char *reason, size_t cap, bool *undone,
                    wb_error *err)
{
    *undone = false;
    *oc = WB_SYNC_REFUSED;
    if (reason && cap) reason[0] = '\0';
    if (uuid_out) uuid_out[0] = '\0';
    wbi_problem prob;
    json_t *root = wbi_json_load(body, len, max_depth ? max_depth : 32, &prob);
    if (root == NULL) {
        why(reason, cap, prob.msg);
        return 0;
    }
    json_t *e =
        json_is_object(json_object_get(root, "Event")) ? json_object_get(root, "Event") : root;
    const json_t *ju = json_object_get(e, "uuid");
    const json_t *orgc = json_object_get(e, "Orgc");
    const char *ocname = json_string_value(json_object_get(orgc, "name"));
    const char *ocuuid = json_string_value(json_object_get(orgc, "uuid"));
    int64_t ts = 0;
    char uuid[WB_UUID_LEN + 1] = "";
    if (json_is_string(ju) && json_string_length(ju) == WB_UUID_LEN &&
        wb_uuid_valid(json_string_value(ju), WB_UUID_LEN))
        for (size_t i = 0; i <= WB_UUID_LEN; i++) {
            char c = json_string_value(ju)[i];
            uuid[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
    if (uuid_out) memcpy(uuid_out, uuid, sizeof uuid);
    const char *bad = NULL;
    if (!json_is_object(e))
        bad = "$: expected a MISP event";
    else if (uuid[0] == '\0')
        bad = "$.Event.uuid: a sync event keeps its uuid";
    else if (wbi_sync_ts(json_object_get(e, "timestamp"), &ts) != 0)
        bad = "$.Event.timestamp: a sync event keeps its timestamp (Unix seconds)";
    else if (ocname == NULL || ocuuid == NULL || strlen(ocname) == 0 ||
             strlen(ocname) > WB_NAME_MAX || strlen(ocuuid) != WB_UUID_LEN ||
             !wb_uuid_valid(ocuuid, WB_UUID_LEN))
        bad = "$.Event.Orgc: a sync event names the organisation that made it (name, uuid)";
    if (bad) {
        why(reason, cap, bad);
        json_decref(root);
        return 0;
    }
    arrival a = {.st = st, .server_id = server_id, .err = err};
    a.event_tlp = wbi_sync_tags_tlp(e, "EventTag");
    if (a.event_tlp == WB_TLP_UNSET) a.event_tlp = WB_TLP_AMBER;
    int d = dist_of(json_object_get(e, "distribution"), -1);
    int ad = d < 0 || d > 4 ? -1 : wb_sync_arrival(a.event_tlp, d);
    int64_t sg = 0;
    if (ad == 4) sg = local_sgroup(&a, e);
    if (ad < 0 || (ad == 4 && sg == 0)) {
        char m[160];
        snprintf(m, sizeof m, "distribution %d, TLP:%s%s: may not arrive by sync", d,
                 wb_tlp_name(a.event_tlp),
                 ad == 4 ? " (the sharing group is not here or does not list the server)" : "");
        why(reason, cap, m);
        *oc = WB_SYNC_WITHHELD;
        json_decref(root);
        return 0;
    }
    json_object_set_new(e, "distribution", json_integer(ad));
    json_object_del(e, "sharing_group_id");
    if (ad != 4) json_object_del(e, "SharingGroup");
    arrive_attrs(&a, e);
    size_t i;
    json_t *obj;
    json_array_foreach(json_object_get(e, "Object"), i, obj)
    {
        if (!json_is_object(obj)) continue;
        json_object_del(obj, "distribution");
        arrive_attrs(&a, obj);
    }
    /* Copies: the parser takes Orgc out of the document (and frees it). */
    char ocname_c[WB_NAME_MAX + 1], ocuuid_c[WB_UUID_LEN + 1];
    snprintf(ocname_c, sizeof ocname_c, "%s", ocname);
    snprintf(ocuuid_c, sizeof ocuuid_c, "%s", ocuuid);
    ocname = ocname_c;
    ocuuid = ocuuid_c;
    json_t *orgc_keep = json_pack("{s:s,s:s}", "name", ocname, "uuid", ocuuid);
    old_event old = {0};
    int rc = wb_store_event_get(st, uuid, old_cb, &old, err);
    if (rc == WB_ENOTFOUND) rc = 0;
    /* An event made on this hub (no origin record) changes only here: its
     * organisation edits it through the API, and the edit travels out. A
     * server's key relays other organisations' events, but never rewrites
     * this hub's own. */
    bool home = false;
    if (rc == 0 && old.found && !old.deleted && old.timestamp < ts) {
        int64_t from = 0, ots = 0;
        wb_error oe;
        int r = wb_store_sync_origin_get(st, uuid, &from, &ots, &oe);
        if (r != 0 && r != WB_ENOTFOUND) {
            rc = r;
            *err = oe;
        }
        home = r == WB_ENOTFOUND;
    }
    if (rc == 0 && old.found && old.deleted) {
        why(reason, cap, "deleted on this hub");
    } else if (rc == 0 && old.found && old.timestamp >= ts) {
        *oc = WB_SYNC_UNCHANGED;
    } else if (rc == 0 && home) {
        why(reason, cap, "made on this hub: only its organisation here changes it");
    } else if (rc == 0) {
        bool pub = false;
        const json_t *jp = json_object_get(e, "published");
        pub = json_is_true(jp) || (json_is_string(jp) && strcmp(json_string_value(jp), "1") == 0) ||
              (json_is_integer(jp) && json_integer_value(jp) == 1);
        json_object_set_new(e, "published", json_boolean(pub));
        wbi_limits lim = {.max_depth = max_depth ? max_depth : 32,
                          .max_attributes = max_attributes ? max_attributes : 100000,
                          .default_distribution = 0};
        wbi_event_in in;
        json_t *root_ref = root;
        root = NULL; /* the parser owns it now */
        if (wbi_event_parse_json(root_ref, &lim, ts, &in, &prob) != 0) {
            why(reason, cap, prob.msg);
            wbi_event_free(&in);
            json_decref(orgc_keep);
            return 0;
        }
        json_object_set(in.event, "Orgc", orgc_keep);
        rc = wb_store_begin(st, err);
        int64_t org_id = 0;
        if (rc == 0) rc = orgc_local(st, ocuuid, ocname, &org_id, err);
        bool foreign = rc == 0 && old.found && old.org_id != org_id;
        wb_attr_rec *recs = in.nattrs ? calloc(in.nattrs, sizeof *recs) : NULL;
        if (rc == 0 && in.nattrs && recs == NULL)
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
        wb_arena ar;
        wb_arena_init(&ar, 0);
        for (size_t k = 0; rc == 0 && !foreign && k < in.nattrs; k++) {
            recs[k] = in.attrs[k].rec;
            recs[k].sharing_group_id = 0;
            if (recs[k].distribution == 4) {
                recs[k].sharing_group_id = local_sgroup(&a, in.attrs[k].json);
                json_object_set_new(in.attrs[k].json, "sharing_group_id",
                                    json_integer(recs[k].sharing_group_id));
            }
            char *j = json_dumps(in.attrs[k].json, JSON_COMPACT | JSON_PRESERVE_ORDER);
            recs[k].json = j ? wb_arena_strdup(&ar, j) : NULL;
            free(j);
            if (recs[k].json == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
        }
        char *ej = rc || foreign ? NULL : json_dumps(in.event, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (rc == 0 && !foreign && ej == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
        wb_event_rec ev = {.uuid = in.uuid,
                           .org_id = org_id,
                           .info = in.info,
                           .date = in.date,
                           .distribution = in.distribution,
                           .sharing_group_id = in.distribution == 4 ? sg : 0,
                           .tlp = in.tlp,
                           .published = in.published,
                           .timestamp = ts,
                           .json = ej};
        if (rc == 0 && !foreign)
            rc = wb_store_event_put(st, &ev, in.tags, in.ntags, recs, in.nattrs, old.found, NULL,
                                    err);
        if (rc == 0 && !foreign) rc = wb_store_sync_origin_set(st, uuid, server_id, ts, err);
        if (rc == 0 && !foreign) {
            char dsc[WB_ERROR_MSG_MAX];
            snprintf(dsc, sizeof dsc,
                     "by sync (server %lld; Orgc %.128s): %zu attributes, TLP:%s, distribution "
                     "%d%s",
                     (long long)server_id, ocname, in.nattrs, wb_tlp_name(in.tlp), in.distribution,
                     a.dropped ? "; attributes that may not travel left out" : "");
            wb_audit_rec au = {.user = user ? user : "sync",
                               .org = org ? org : "-",
                               .action = old.found ? "event.edit" : "event.add",
                               .object = uuid,
                               .detail = dsc};
            rc = wb_store_audit(st, &au, err);
        }
        if (rc == 0) rc = wb_store_commit(st, err);
        if (rc) {
            wb_store_rollback(st);
            *undone = true; /* with the caller's transaction, when one was open */
        }
        if (foreign) {
            why(reason, cap, "an event of another organisation holds this uuid here");
        } else if (rc == WB_EINVAL) {
            /* an attribute uuid that another event holds: this event's problem */
            why(reason, cap, err->msg);
            rc = 0;
        } else if (rc == 0) {
            *oc = old.found ? WB_SYNC_UPDATED : WB_SYNC_ADDED;
        }
        free(ej);
        free(recs);
        wb_arena_free(&ar);
        wbi_event_free(&in);
    }
    json_decref(orgc_keep);
    json_decref(root);
    return rc;
}

int wb_sync_delete(wb_store *st, int64_t server_id, const char *user, const char *org,
                   const char *uuid, wb_sync_outcome *oc, char *reason, size_t cap, wb_error *err)
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
        char dsc[64];
        snprintf(dsc, sizeof dsc, "by sync (server %lld)", (long long)server_id);
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
