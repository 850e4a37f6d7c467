/*
 * lookup_api.c - GET / (the hub's status) and GET /api/v1/indicators: every
 * attribute the caller may see that a value matches, through the keys
 * wbi_lookup_keys derives (an address, the CIDR blocks around it, parent
 * domains, ...). The look-up walk is shared with sightings_api.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/router.h"

/* Most attributes one look-up answers with. */
#define MAX_RESULTS 10000

/* ---- GET / ------------------------------------------------------------------------------ */

void wbi_h_status(wbi_req *r)
{
    wbi_reply_json(r, 200,
                   json_pack("{s:s,s:s,s:s,s:i}", "name", "weerbaar hub", "version", WB_VERSION,
                             "api", "/api/v1", "schema", wb_store_schema_version(r->st)));
}

/* ---- GET /api/v1/indicators ---------------------------------------------------------------- */

static size_t id_slot(int64_t id, size_t cap)
{
    return (size_t)wb_hash_u64((uint64_t)id) & (cap - 1);
}

bool wbi_look_seen(const wbi_look_walk *w, int64_t id)
{
    if (w->idcap == 0) return false;
    for (size_t k = id_slot(id, w->idcap);; k = (k + 1) & (w->idcap - 1)) {
        if (w->ids[k] == 0) return false;
        if (w->ids[k] == id) return true;
    }
}

static int ids_add(wbi_look_walk *w, int64_t id)
{
    if ((w->n + 1) * 2 > w->idcap) {
        size_t nc = w->idcap ? w->idcap * 2 : 64;
        int64_t *ni = calloc(nc, sizeof *ni);
        if (ni == NULL) return WB_ENOMEM;
        for (size_t i = 0; i < w->idcap; i++) {
            if (w->ids[i] == 0) continue;
            size_t k = id_slot(w->ids[i], nc);
            while (ni[k])
                k = (k + 1) & (nc - 1);
            ni[k] = w->ids[i];
        }
        free(w->ids);
        w->ids = ni;
        w->idcap = nc;
    }
    size_t k = id_slot(id, w->idcap);
    while (w->ids[k] && w->ids[k] != id)
        k = (k + 1) & (w->idcap - 1);
    w->ids[k] = id;
    return 0;
}

void wbi_look_free(wbi_look_walk *w)
{
    free(w->hits);
    free(w->ids);
    w->hits = NULL;
    w->ids = NULL;
}

/* Appends a hit, doubling the array. Returns 0, 1 when growing would pass
 * max_cap, or WB_ENOMEM (with r->err set). */
int wbi_look_push(wbi_look_walk *w, wbi_req *r, wbi_hit h, size_t max_cap)
{
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 16;
        if (nc > max_cap) return 1;
        wbi_hit *nh = realloc(w->hits, nc * sizeof *nh);
        if (nh == NULL) return wb_error_set(&r->err, WB_ENOMEM, "out of memory");
        w->hits = nh;
        w->cap = nc;
    }
    if (ids_add(w, h.attr_id) != 0) return wb_error_set(&r->err, WB_ENOMEM, "out of memory");
    w->hits[w->n++] = h;
    return 0;
}

static int look_cb(void *ud, const wb_event_rec *e, const wb_attr_rec *a)
{
    wbi_look_walk *w = ud;
    if (wbi_look_seen(w, a->id)) return 0;
    wb_policy_item it = wbi_policy_item_of(e, a);
    if (!wbi_may_read(w->r, w->path, &it, a->uuid)) return 0;
    int pr = wbi_look_push(w, w->r, (wbi_hit){a->id, w->kind}, MAX_RESULTS);
    if (pr != 0) {
        if (pr < 0) w->rc = pr;
        return 1;
    }
    if (w->out == NULL) return 0;
    json_t *j = json_loads(a->json, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        w->rc =
            wb_error_set(&w->r->err, WB_EINTERNAL, "attribute %s: stored JSON unreadable", a->uuid);
        return 1;
    }
    wb_tlp tlp = wb_policy_tlp(&it);
    /* The effective TLP (the event's at least) travels on the attribute,
     * so that match -i, reading this response without events around the
     * attributes, keeps it; a weaker tlp: tag of its own is dropped. */
    wbi_tags_set_effective(j, "AttributeTag", tlp, true);
    json_object_set_new(j, "event_uuid", json_string(e->uuid));
    json_object_set_new(j, "tlp", json_string(wb_tlp_name(tlp)));
    json_object_set_new(j, "matched_as", json_string(wb_ioc_type_name(w->kind)));
    json_object_set_new(j, "Event",
                        json_pack("{s:s,s:s,s:{s:s}}", "uuid", e->uuid, "info", e->info, "Orgc",
                                  "name", e->org_name));
    json_array_append_new(w->out, j);
    return 0;
}

/* Finds every attribute visible to the caller that a value matches. */
int wbi_lookup(wbi_req *r, const char *value, const char *type, wb_read_path path, wbi_look_walk *w,
               wbi_problem *prob)
{
    wb_ioc_key *keys = r->keys;
    wb_prefix_set pf;
    if (wb_store_cidr_prefixes(r->st, &pf, &r->err) != 0) {
        wbi_problem_set(prob, 500, "internal", "%s", r->err.msg);
        return -1;
    }
    int nk = wbi_lookup_keys_in(value, strlen(value), type, &pf, keys, MAX_LOOKUP_KEYS, prob);
    if (nk < 0) return -1;
    w->r = r;
    w->path = path;
    for (int i = 0; i < nk; i++) {
        w->kind = keys[i].kind;
        int rc = wb_store_attr_lookup(r->st, keys[i].kind, keys[i].text, look_cb, w, &r->err);
        if (rc == 0) rc = w->rc;
        if (rc) {
            wbi_problem_set(prob, 500, "internal", "%s", r->err.msg);
            return -1;
        }
    }
    return 0;
}

void wbi_h_indicators(wbi_req *r)
{
    const char *value = wbi_arg(r, "value");
    if (value == NULL || *value == '\0') {
        wbi_reply_error(r, 400, "invalid_request", "value: required (the indicator to look up)");
        return;
    }
    wbi_look_walk w = {.out = json_array()};
    wbi_problem prob;
    if (wbi_lookup(r, value, wbi_arg(r, "type"), WB_READ_INDICATOR, &w, &prob) != 0) {
        wbi_look_free(&w);
        json_decref(w.out);
        wbi_reply_problem(r, &prob);
        return;
    }
    wbi_look_free(&w);
    if (wbi_flush_audits(r) != 0) {
        json_decref(w.out);
        wbi_reply_internal(r);
        return;
    }
    wbi_reply_json(r, 200, json_pack("{s:{s:o}}", "response", "Attribute", w.out));
}
