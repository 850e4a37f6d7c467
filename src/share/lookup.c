/*
 * lookup.c - the indicator look-up of the share service: every attribute
 * the caller may see that a value matches, through the keys
 * wbi_lookup_keys derives (an address, the CIDR blocks around it, parent
 * domains, ...), the same answer `weerbaar match` gives. The walk is also
 * what sightings by value and MISP's restSearch by value use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share/share_internal.h"

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

int wbi_look_add(wbi_look_walk *w, wb_error *err, wbi_hit h, size_t max_cap)
{
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 16;
        if (nc > max_cap) return 1;
        wbi_hit *nh = realloc(w->hits, nc * sizeof *nh);
        if (nh == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
        w->hits = nh;
        w->cap = nc;
    }
    if (ids_add(w, h.attr_id) != 0) return wb_error_set(err, WB_ENOMEM, "out of memory");
    w->hits[w->n++] = h;
    return 0;
}

static int look_cb(void *ud, const wb_event_rec *e, const wb_attr_rec *a)
{
    wbi_look_walk *w = ud;
    if (wbi_look_seen(w, a->id)) return 0;
    wb_policy_item it = wbi_policy_item_of(e, a);
    if (!wbi_share_may_read(w->s, w->path, &it, a->uuid)) return 0;
    int pr = wbi_look_add(w, &w->s->err, (wbi_hit){a->id, w->kind},
                          w->max ? w->max : WBI_LOOKUP_MAX_RESULTS);
    if (pr != 0) {
        if (pr < 0) w->rc = pr;
        return 1;
    }
    if (w->out == NULL) return 0;
    json_t *j = json_loads(a->json, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        w->rc =
            wb_error_set(&w->s->err, WB_EINTERNAL, "attribute %s: stored JSON unreadable", a->uuid);
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

int wbi_share_lookup(wb_share *s, const char *value, const char *type, wb_read_path path,
                     wbi_look_walk *w, wbi_problem *prob)
{
    wb_ioc_key *keys = s->keys;
    wb_ioc_key *own = NULL;
    if (keys == NULL) {
        own = malloc(WB_SHARE_MAX_KEYS * sizeof *own);
        if (own == NULL) {
            wbi_problem_set(prob, 500, "internal", "out of memory");
            return -1;
        }
        keys = own;
    }
    wb_prefix_set pf;
    if (wb_store_cidr_prefixes(s->st, &pf, &s->err) != 0) {
        free(own);
        wbi_problem_set(prob, 500, "internal", "%s", s->err.msg);
        return -1;
    }
    int nk = wbi_lookup_keys_in(value, strlen(value), type, &pf, keys, WB_SHARE_MAX_KEYS, prob);
    if (nk < 0) {
        free(own);
        return -1;
    }
    w->s = s;
    w->path = path;
    for (int i = 0; i < nk; i++) {
        w->kind = keys[i].kind;
        int rc = wb_store_attr_lookup(s->st, keys[i].kind, keys[i].text, look_cb, w, &s->err);
        if (rc == 0) rc = w->rc;
        if (rc) {
            free(own);
            wbi_problem_set(prob, 500, "internal", "%s", s->err.msg);
            return -1;
        }
    }
    free(own);
    return 0;
}

static int problem(wb_share *s, const wbi_problem *p)
{
    if (p->status >= 500) {
        wb_error_set(&s->err, WB_EIO, "%s", p->msg);
        return wbi_share_internal(s, WB_EIO);
    }
    return wbi_share_fail(s, p->status, p->code, "%s", p->msg);
}

int wb_share_indicators(wb_share *s, const char *value, const char *type, wb_buf *out)
{
    if (value == NULL || *value == '\0')
        return wbi_share_fail(s, 400, "invalid_request",
                              "value: required (the indicator to look up)");
    wbi_look_walk w = {.out = json_array()};
    wbi_problem prob;
    if (wbi_share_lookup(s, value, type, WB_READ_INDICATOR, &w, &prob) != 0) {
        wbi_look_free(&w);
        json_decref(w.out);
        return problem(s, &prob);
    }
    wbi_look_free(&w);
    int rc = wb_share_flush(s);
    if (rc) {
        json_decref(w.out);
        return rc;
    }
    return wbi_share_dump(s, json_pack("{s:{s:o}}", "response", "Attribute", w.out), out);
}

int wb_share_lookup_ids(wb_share *s, const char *value, const char *type, wb_read_path path,
                        size_t max, wb_share_hit **hits, size_t *n)
{
    *hits = NULL;
    *n = 0;
    wbi_look_walk w = {.max = max};
    wbi_problem prob;
    if (wbi_share_lookup(s, value, type, path, &w, &prob) != 0) {
        wbi_look_free(&w);
        return problem(s, &prob);
    }
    free(w.ids);
    *hits = w.hits;
    *n = w.n;
    return 0;
}
