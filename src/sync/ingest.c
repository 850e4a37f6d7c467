/*
 * ingest.c - an event that arrived by sync, pulled from a server or
 * pushed by one (wb_sync_ingest): read, judged by the arrival rules, and
 * handed to the share service's sync put (src/share/sync_put.c), which
 * decides what is written (newer timestamp wins, uuid, timestamp and Orgc
 * kept) and writes it with its audit entry. Nothing here writes.
 *
 * The arrival rules of sync.h are applied before the event is validated
 * as a POST to the API would be (the hub's event parser): an event that
 * may not arrive is withheld whole; an attribute that may not is dropped,
 * with the count in the audit entry; an attribute MISP marks deleted
 * ("deleted": true) is left out, so the stored copy marks it deleted.
 * Distribution 4 needs a sharing group of the same uuid here that lists
 * the server it came from.
 *
 * Sightings come inside the event, as MISP sends them: a Sighting array
 * on each attribute (or on the event, naming attribute_uuid). They are
 * taken out before the event is parsed and stored by their uuids after
 * it, each only on an attribute of this event that is here, and only
 * when the event came from that server or may travel to it.
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
        const json_t *del = json_object_get(at, "deleted");
        if (json_is_true(del) || (json_is_integer(del) && json_integer_value(del) == 1) ||
            (json_is_string(del) && strcmp(json_string_value(del), "1") == 0))
            continue; /* deleted there: left out, so marked deleted here */
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

/* ---- sightings in the document ----------------------------------------------------------- */

/* More sightings than this in one document are left out (counted). */
#define MAX_SIGHTINGS_IN 100000

/* An integer as MISP writes it (a number or a decimal string); dflt when
 * absent; -1 when it is neither or out of [lo, hi]. */
static int64_t int_of(const json_t *v, int64_t dflt, int64_t lo, int64_t hi)
{
    int64_t x;
    if (v == NULL || json_is_null(v)) return dflt;
    if (json_is_integer(v))
        x = json_integer_value(v);
    else if (!json_is_string(v) ||
             wb_parse_i64(json_string_value(v), json_string_length(v), lo, hi, &x) != 0)
        return -1;
    return x >= lo && x <= hi ? x : -1;
}

static bool uuid_ok(const char *u)
{
    return u && strlen(u) == WB_UUID_LEN && wb_uuid_valid(u, WB_UUID_LEN);
}

/* Moves the Sighting arrays of the attributes in holder (and of the event,
 * which names attribute_uuid itself) into x->held, each sighting object
 * knowing its attribute's uuid. */
static void hold_sightings(wbi_sync_arrived *x, json_t *holder, bool attrs)
{
    if (attrs) {
        size_t i;
        json_t *at;
        json_array_foreach(json_object_get(holder, "Attribute"), i, at)
        {
            json_t *arr = json_object_get(at, "Sighting");
            const char *au = json_string_value(json_object_get(at, "uuid"));
            size_t k;
            json_t *sg;
            json_array_foreach(arr, k, sg)
            {
                if (!json_is_object(sg) || au == NULL) continue;
                json_object_set_new(sg, "attribute_uuid", json_string(au));
                json_array_append(x->held, sg);
            }
            if (json_is_object(at)) json_object_del(at, "Sighting");
        }
        return;
    }
    size_t k;
    json_t *sg;
    json_array_foreach(json_object_get(holder, "Sighting"), k, sg)
    {
        if (json_is_object(sg)) json_array_append(x->held, sg);
    }
    json_object_del(holder, "Sighting");
}

/* x->held as records; those that are not valid are counted in x->sbad. */
static int parse_sightings(wbi_sync_arrived *x, wb_error *err)
{
    size_t n = json_array_size(x->held);
    if (n > MAX_SIGHTINGS_IN) {
        x->sbad += n - MAX_SIGHTINGS_IN;
        n = MAX_SIGHTINGS_IN;
    }
    if (n == 0) return 0;
    x->sightings = calloc(n, sizeof *x->sightings);
    if (x->sightings == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const json_t *sg = json_array_get(x->held, i);
        const json_t *org = json_object_get(sg, "Organisation");
        wbi_sync_sighting_in r = {
            .uuid = json_string_value(json_object_get(sg, "uuid")),
            .attr_uuid = json_string_value(json_object_get(sg, "attribute_uuid")),
            .org_uuid = json_string_value(json_object_get(org, "uuid")),
            .org_name = json_string_value(json_object_get(org, "name")),
            .source = json_string_value(json_object_get(sg, "source")),
            .type = (int)int_of(json_object_get(sg, "type"), 0, 0, 2),
            .date_sighting = int_of(json_object_get(sg, "date_sighting"), -1, 1, INT64_MAX / 2),
            .first_seen = int_of(json_object_get(sg, "first_seen"), 0, 0, INT64_MAX / 2),
            .count = int_of(json_object_get(sg, "count"), 1, 1, INT64_MAX / 2),
        };
        /* MISP's anonymised sighting: org_id 0 and no organisation */
        int64_t oid = int_of(json_object_get(sg, "org_id"), 1, 0, INT64_MAX);
        if (oid == 0 || !uuid_ok(r.org_uuid) || r.org_name == NULL || r.org_name[0] == '\0' ||
            strlen(r.org_name) > WB_NAME_MAX)
            r.org_uuid = r.org_name = NULL;
        if (!uuid_ok(r.uuid) || !uuid_ok(r.attr_uuid) || r.type < 0 || r.date_sighting < 0 ||
            r.first_seen < 0 || r.count < 0 || (r.source && strlen(r.source) > 1024) ||
            (r.first_seen > r.date_sighting)) {
            x->sbad++;
            continue;
        }
        if (r.first_seen == 0) r.first_seen = r.date_sighting;
        x->sightings[x->doc.nsightings++] = r;
    }
    x->doc.sightings = x->sightings;
    return 0;
}

/* The arrival rule for a sighting (sync.h): on an event that came here
 * from that server, or that may travel to it (so it may have it). */
static bool sighting_ok(void *ud, const wb_event_rec *ev, const wb_attr_rec *a)
{
    const wbi_sync_arrived *x = ud;
    int64_t from = 0, ts = 0;
    wb_error e;
    if (ev->uuid && wb_store_sync_origin_get(x->st, ev->uuid, &from, &ts, &e) == 0 &&
        from == x->doc.server_id)
        return true;
    wb_policy_item it = wbi_policy_item_of(ev, a);
    int dist = a->distribution == 5 ? ev->distribution : a->distribution;
    int64_t sg = a->distribution == 5 ? ev->sharing_group_id : a->sharing_group_id;
    return wbi_sync_item_leaves(x->st, wb_policy_tlp(&it), ev->distribution, ev->sharing_group_id,
                                x->doc.server_id) &&
           wbi_sync_item_leaves(x->st, wb_policy_tlp(&it), dist, sg, x->doc.server_id);
}

/* ---- preparing a document ----------------------------------------------------------------- */

static void why(char *reason, size_t cap, const char *msg)
{
    if (reason && cap) snprintf(reason, cap, "%s", msg);
}

void wbi_sync_arrived_free(wbi_sync_arrived *x)
{
    if (x->parsed) wbi_event_free(&x->in);
    json_decref(x->held);
    free(x->attr_sgroups);
    free(x->sightings);
    memset(x, 0, sizeof *x);
}

static void doc_init(wbi_sync_arrived *x, wb_store *st, const wbi_sync_from *from)
{
    memset(x, 0, sizeof *x);
    x->st = st;
    x->doc.server_id = from->server_id;
    x->doc.server_org = from->server_org;
    x->doc.user = from->user;
    x->doc.org = from->org;
    x->doc.sighting_ok = sighting_ok;
    x->doc.ud = x;
    x->doc.oc = WB_SYNC_REFUSED;
    x->held = json_array();
}

int wbi_sync_prepare(wb_store *st, const wbi_sync_from *from, const char *body, size_t len,
                     unsigned max_depth, size_t max_attributes, wbi_sync_arrived *x, wb_error *err)
{
    doc_init(x, st, from);
    if (x->held == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    wbi_problem prob;
    json_t *root = wbi_json_load(body, len, max_depth ? max_depth : 32, &prob);
    if (root == NULL) {
        why(x->doc.reason, sizeof x->doc.reason, prob.msg);
        return 0;
    }
    json_t *e =
        json_is_object(json_object_get(root, "Event")) ? json_object_get(root, "Event") : root;
    const json_t *ju = json_object_get(e, "uuid");
    const json_t *orgc = json_object_get(e, "Orgc");
    const char *ocname = json_string_value(json_object_get(orgc, "name"));
    const char *ocuuid = json_string_value(json_object_get(orgc, "uuid"));
    int64_t ts = 0;
    if (json_is_string(ju) && uuid_ok(json_string_value(ju)))
        for (size_t i = 0; i <= WB_UUID_LEN; i++) {
            char c = json_string_value(ju)[i];
            x->uuid[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
    const char *bad = NULL;
    if (!json_is_object(e))
        bad = "$: expected a MISP event";
    else if (x->uuid[0] == '\0')
        bad = "$.Event.uuid: a sync event keeps its uuid";
    else if (wbi_sync_ts(json_object_get(e, "timestamp"), &ts) != 0)
        bad = "$.Event.timestamp: a sync event keeps its timestamp (Unix seconds)";
    else if (ocname == NULL || ocuuid == NULL || strlen(ocname) == 0 ||
             strlen(ocname) > WB_NAME_MAX || !uuid_ok(ocuuid))
        bad = "$.Event.Orgc: a sync event names the organisation that made it (name, uuid)";
    if (bad) {
        why(x->doc.reason, sizeof x->doc.reason, bad);
        json_decref(root);
        return 0;
    }
    arrival a = {.st = st, .server_id = from->server_id, .err = err};
    a.event_tlp = wbi_sync_tags_tlp(e, "EventTag");
    if (a.event_tlp == WB_TLP_UNSET) a.event_tlp = WB_TLP_AMBER;
    int d = dist_of(json_object_get(e, "distribution"), -1);
    int ad = d < 0 || d > 4 ? -1 : wb_sync_arrival(a.event_tlp, d);
    int64_t sg = 0;
    if (ad == 4) sg = local_sgroup(&a, e);
    if (ad < 0 || (ad == 4 && sg == 0)) {
        snprintf(x->doc.reason, sizeof x->doc.reason,
                 "distribution %d, TLP:%s%s: may not arrive by sync", d, wb_tlp_name(a.event_tlp),
                 ad == 4 ? " (the sharing group is not here or does not list the server)" : "");
        x->doc.oc = WB_SYNC_WITHHELD;
        json_decref(root);
        return 0;
    }
    json_object_set_new(e, "distribution", json_integer(ad));
    json_object_del(e, "sharing_group_id");
    if (ad != 4) json_object_del(e, "SharingGroup");
    arrive_attrs(&a, e);
    hold_sightings(x, e, true);
    hold_sightings(x, e, false);
    size_t i;
    json_t *obj;
    json_array_foreach(json_object_get(e, "Object"), i, obj)
    {
        if (!json_is_object(obj)) continue;
        json_object_del(obj, "distribution");
        arrive_attrs(&a, obj);
        hold_sightings(x, obj, true);
    }
    /* Copies: the parser takes Orgc out of the document (and frees it). */
    snprintf(x->orgc_name, sizeof x->orgc_name, "%s", ocname);
    snprintf(x->orgc_uuid, sizeof x->orgc_uuid, "%s", ocuuid);
    const json_t *jp = json_object_get(e, "published");
    bool pub = json_is_true(jp) ||
               (json_is_string(jp) && strcmp(json_string_value(jp), "1") == 0) ||
               (json_is_integer(jp) && json_integer_value(jp) == 1);
    json_object_set_new(e, "published", json_boolean(pub));
    wbi_limits lim = {.max_depth = max_depth ? max_depth : 32,
                      .max_attributes = max_attributes ? max_attributes : 100000,
                      .default_distribution = 0};
    x->parsed = true;
    if (wbi_event_parse_json(root, &lim, ts, &x->in, &prob) != 0) { /* takes root */
        why(x->doc.reason, sizeof x->doc.reason, prob.msg);
        return 0;
    }
    int rc = parse_sightings(x, err);
    if (rc == 0 && x->in.nattrs) {
        x->attr_sgroups = calloc(x->in.nattrs, sizeof *x->attr_sgroups);
        if (x->attr_sgroups == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    for (size_t k = 0; rc == 0 && k < x->in.nattrs; k++)
        if (x->in.attrs[k].rec.distribution == 4)
            x->attr_sgroups[k] = local_sgroup(&a, x->in.attrs[k].json);
    x->doc.in = &x->in;
    x->doc.orgc_uuid = x->orgc_uuid;
    x->doc.orgc_name = x->orgc_name;
    x->doc.timestamp = ts;
    x->doc.sgroup = sg;
    x->doc.attr_sgroups = x->attr_sgroups;
    x->doc.dropped = a.dropped;
    return rc;
}

int wbi_sync_prepare_sightings(wb_store *st, const wbi_sync_from *from, json_t *holder,
                               wbi_sync_arrived *x, wb_error *err)
{
    doc_init(x, st, from);
    if (x->held == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    hold_sightings(x, holder, false);
    return parse_sightings(x, err);
}

int wb_sync_ingest(wb_store *st, int64_t server_id, const char *user, const char *org,
                   const char *body, size_t len, unsigned max_depth, size_t max_attributes,
                   wb_sync_outcome *oc, char *uuid_out, char *reason, size_t cap, wb_error *err)
{
    wbi_sync_from from = {.server_id = server_id, .user = user, .org = org};
    int rc = wbi_sync_server_org(st, server_id, &from.server_org, err);
    wbi_sync_arrived *x = rc == 0 ? malloc(sizeof *x) : NULL;
    if (rc == 0 && x == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc) return rc;
    rc = wbi_sync_prepare(st, &from, body, len, max_depth, max_attributes, x, err);
    bool undone;
    if (rc == 0 && x->doc.in) rc = wbi_share_sync_put(st, &x->doc, &undone, err);
    *oc = x->doc.oc;
    if (uuid_out) memcpy(uuid_out, x->uuid, sizeof x->uuid);
    why(reason, cap, x->doc.reason);
    wbi_sync_arrived_free(x);
    free(x);
    return rc;
}

int wb_sync_delete(wb_store *st, int64_t server_id, const char *user, const char *org,
                   const char *uuid, wb_sync_outcome *oc, char *reason, size_t cap, wb_error *err)
{
    return wbi_share_sync_delete(st, server_id, user, org, uuid, "push", oc, reason, cap, err);
}
