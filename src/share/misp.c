/*
 * misp.c - the share service in MISP's shapes, for the hub's MISP routes
 * (src/hub/misp_api.c) and whatever else speaks MISP: restSearch over
 * events and attributes (JSON, CSV, text), adding, editing and deleting an
 * attribute or adding an object inside its event, and the tag, sharing
 * group and organisation lists.
 *
 * Every result passes wb_policy_read first (through wbi_share_may_read):
 * filters, paging and counts apply to what the caller may see only, so no
 * filter, page size or error tells apart an invisible item from a missing
 * one. A write goes through the event path (wbi_share_store_event): the
 * event is rebuilt with the change and stored as an edit of the caller's
 * organisation's event, so validation, TLP and distribution rules, the
 * warninglists and the audit entry are the event endpoints' own.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel/intel.h"
#include "share/share_internal.h"

void wbi_misp_attr_ids(wb_share *s, json_t *j, const wb_attr_rec *a, const wb_event_rec *ev)
{
    json_object_set_new(j, "id", json_string(wbi_share_num(s, a->id)));
    json_object_set_new(j, "event_id", json_string(wbi_share_num(s, ev ? ev->id : a->event_id)));
    if (!json_is_string(json_object_get(j, "uuid")))
        json_object_set_new(j, "uuid", json_string(a->uuid));
    if (!json_is_string(json_object_get(j, "timestamp")))
        json_object_set_new(j, "timestamp", json_string(wbi_share_num(s, a->timestamp)));
}

/* ---- tags of stored JSON --------------------------------------------------------------------- */

/* Calls fn for each tag name of obj: its Tag array and MISP's link shape
 * under link ([{"Tag": {...}}]). */
static void tag_names(const json_t *obj, const char *link, void (*fn)(void *ud, const char *name),
                      void *ud)
{
    size_t i;
    const json_t *t;
    json_array_foreach(json_object_get(obj, "Tag"), i, t)
    {
        const char *n = json_string_value(json_object_get(t, "name"));
        if (n) fn(ud, n);
    }
    json_array_foreach(json_object_get(obj, link), i, t)
    {
        const char *n = json_string_value(json_object_get(json_object_get(t, "Tag"), "name"));
        if (n) fn(ud, n);
    }
}

typedef struct tag_hit {
    const wbi_misp_filter *f;
    bool or_hit, not_hit;
    unsigned and_hits; /* bit per AND tag */
} tag_hit;

static void tag_hit_cb(void *ud, const char *name)
{
    tag_hit *h = ud;
    for (size_t i = 0; i < h->f->tags_or.n; i++)
        if (strcasecmp(name, h->f->tags_or.v[i]) == 0) h->or_hit = true;
    for (size_t i = 0; i < h->f->tags_not.n; i++)
        if (strcasecmp(name, h->f->tags_not.v[i]) == 0) h->not_hit = true;
    for (size_t i = 0; i < h->f->tags_and.n && i < 32; i++)
        if (strcasecmp(name, h->f->tags_and.v[i]) == 0) h->and_hits |= 1u << i;
}

static bool tag_filter(const wbi_misp_filter *f)
{
    return f->tags_or.n || f->tags_and.n || f->tags_not.n;
}

static bool tags_pass(const tag_hit *h)
{
    const wbi_misp_filter *f = h->f;
    if (h->not_hit) return false;
    if (f->tags_or.n && !h->or_hit) return false;
    size_t na = f->tags_and.n < 32 ? f->tags_and.n : 32;
    if (na && h->and_hits != (na == 32 ? 0xffffffffu : (1u << na) - 1)) return false;
    return true;
}

/* ---- the search
 * ---------------------------------------------------------------------------------- */

static bool in_list(const wbi_strlist *l, const char *v, bool nocase)
{
    for (size_t i = 0; i < l->n; i++)
        if (v && (nocase ? strcasecmp(l->v[i], v) : strcmp(l->v[i], v)) == 0) return true;
    return false;
}

/* MISP's value match: the whole value or one part of a composite one
 * ("domain|ip"), case-insensitive; '%' in the pattern stands for any run
 * of characters (SQL's LIKE, as MISP takes it). Greedy, going back only to
 * the last '%' seen: with '%' the only wildcard that is exact, and it takes
 * at most len(pattern) x len(value) steps (the recursive form was
 * exponential in the number of '%': fuzz_misp_search's regress-timeout). */
static bool like(const char *p, const char *pe, const char *v, const char *ve)
{
    const char *star = NULL, *mark = NULL;
    while (v < ve) {
        if (p < pe && *p == '%') {
            star = ++p;
            mark = v;
        } else if (p < pe && tolower((unsigned char)*p) == tolower((unsigned char)*v)) {
            p++;
            v++;
        } else if (star) {
            p = star;
            v = ++mark;
        } else {
            return false;
        }
    }
    while (p < pe && *p == '%')
        p++;
    return p == pe;
}

bool wbi_misp_value_match(const wbi_strlist *l, const char *v)
{
    if (l->n == 0) return true;
    if (v == NULL) return false;
    const char *bar = strchr(v, '|');
    size_t n = strlen(v);
    for (size_t i = 0; i < l->n; i++) {
        const char *p = l->v[i], *pe = p + strlen(p);
        if (like(p, pe, v, v + n)) return true;
        if (bar && (like(p, pe, v, bar) || like(p, pe, bar + 1, v + n))) return true;
    }
    return false;
}

/* The event-level filters (not tags). */
static bool event_pass(const wbi_misp_filter *f, const wb_event_rec *e, bool attributes)
{
    if (f->published >= 0 && e->published != (f->published == 1)) return false;
    if (f->org.n) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)e->org_id);
        if (!in_list(&f->org, e->org_name, true) && !in_list(&f->org, e->org_uuid, true) &&
            !in_list(&f->org, id, false))
            return false;
    }
    if (f->eventid.n) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)e->id);
        if (!in_list(&f->eventid, id, false) && !in_list(&f->eventid, e->uuid, true)) return false;
    }
    if (!attributes && f->uuid.n && !in_list(&f->uuid, e->uuid, true)) {
        /* an event search by uuid also finds the event of an attribute uuid:
         * decided on the attributes (attr_pass) */
    }
    if (!attributes && (f->ts_from || f->ts_to)) {
        if (f->ts_from && e->timestamp < f->ts_from) return false;
        if (f->ts_to && e->timestamp > f->ts_to) return false;
    }
    if (f->pts_from || f->pts_to) {
        /* publish_timestamp: the event's timestamp while it is published
         * (this hub keeps no separate publication time) */
        if (!e->published) return false;
        if (f->pts_from && e->timestamp < f->pts_from) return false;
        if (f->pts_to && e->timestamp > f->pts_to) return false;
    }
    if (f->date_from[0] && (e->date == NULL || strcmp(e->date, f->date_from) < 0)) return false;
    if (f->date_to[0] && (e->date == NULL || strcmp(e->date, f->date_to) > 0)) return false;
    return true;
}

/* Whether any attribute-level filter is set (then an event needs an
 * attribute that passes them). */
static bool attr_filters(const wbi_misp_filter *f)
{
    return f->value.n || f->type.n || f->category.n || f->to_ids >= 0 || f->uuid.n ||
           f->enforce_warninglist;
}

/* The attribute-level filters; j is the attribute's parsed JSON. */
static bool attr_pass(const wbi_misp_filter *f, const wb_event_rec *e, const wb_attr_rec *a,
                      const json_t *j, bool attributes)
{
    if (!wbi_misp_value_match(&f->value, a->value)) return false;
    if (f->type.n && !in_list(&f->type, a->type, false)) return false;
    if (f->category.n &&
        !in_list(&f->category, json_string_value(json_object_get(j, "category")), true))
        return false;
    if (f->to_ids >= 0 && a->to_ids != (f->to_ids == 1)) return false;
    if (f->enforce_warninglist && json_object_get(j, "warninglist")) return false;
    if (f->uuid.n && !in_list(&f->uuid, a->uuid, true) && !in_list(&f->uuid, e->uuid, true))
        return false;
    if (attributes && (f->ts_from || f->ts_to)) {
        if (f->ts_from && a->timestamp < f->ts_from) return false;
        if (f->ts_to && a->timestamp > f->ts_to) return false;
    }
    return true;
}

/* A candidate attribute with its event (copies in the arena). */
typedef struct cand {
    wb_event_rec ev;
    wb_attr_rec a;
} cand;

typedef struct search {
    wb_share *s;
    const wbi_misp_filter *f;
    bool attributes;
    wb_read_path path;
    cand *c;
    size_t n, cap;
    int rc;
} search;

static int push_cand(search *w, const wb_event_rec *e, const wb_attr_rec *a)
{
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 64;
        cand *x = realloc(w->c, nc * sizeof *x);
        if (x == NULL) return wb_error_set(&w->s->err, WB_ENOMEM, "out of memory");
        w->c = x;
        w->cap = nc;
    }
    cand *c = &w->c[w->n++];
    memset(c, 0, sizeof *c);
    if (e) wbi_share_copy_event(w->s, e, &c->ev);
    c->a = *a;
    c->a.uuid = wbi_share_dup(w->s, a->uuid);
    c->a.type = wbi_share_dup(w->s, a->type);
    c->a.value = wbi_share_dup(w->s, a->value);
    c->a.object_uuid = wbi_share_dup(w->s, a->object_uuid);
    c->a.json = wbi_share_dup(w->s, a->json);
    c->a.nkeys = 0;
    return c->a.json ? 0 : wb_error_set(&w->s->err, WB_ENOMEM, "out of memory");
}

static int value_cb(void *ud, const wb_event_rec *e, const wb_attr_rec *a)
{
    search *w = ud;
    if (a->deleted || e->deleted || !wbi_misp_value_match(&w->f->value, a->value)) return 0;
    wb_policy_item it = wbi_policy_item_of(e, a);
    if (wb_policy_read(w->s->who, w->path, &it) == WB_DENY) return 0;
    w->rc = push_cand(w, e, a);
    return w->rc != 0;
}

typedef struct ev_rows {
    wb_share *s;
    wb_event_rec *r;
    size_t n, cap;
    int rc;
} ev_rows;

static int ev_rows_cb(void *ud, const wb_event_rec *e)
{
    ev_rows *w = ud;
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 64;
        wb_event_rec *x = realloc(w->r, nc * sizeof *x);
        if (x == NULL) {
            w->rc = wb_error_set(&w->s->err, WB_ENOMEM, "out of memory");
            return 1;
        }
        w->r = x;
        w->cap = nc;
    }
    wbi_share_copy_event(w->s, e, &w->r[w->n++]);
    return 0;
}

static int attr_rows_cb(void *ud, const wb_event_rec *unused, const wb_attr_rec *a)
{
    (void)unused;
    search *w = ud;
    if (a->deleted) return 0;
    w->rc = push_cand(w, NULL, a);
    return w->rc != 0;
}

/* The tags of an event and of one attribute against the filter. */
static bool tags_ok(const wbi_misp_filter *f, const json_t *ej, const json_t *aj)
{
    if (!tag_filter(f)) return true;
    tag_hit h = {.f = f};
    tag_names(ej, "EventTag", tag_hit_cb, &h);
    if (aj) tag_names(aj, "AttributeTag", tag_hit_cb, &h);
    return tags_pass(&h);
}

static void csv_field(wb_buf *b, const char *v)
{
    wb_buf_putc(b, '"');
    for (const char *p = v ? v : ""; *p; p++) {
        if (*p == '"') wb_buf_putc(b, '"');
        wb_buf_putc(b, *p);
    }
    wb_buf_putc(b, '"');
}

/* One attribute of the answer. */
static int emit_attr(wb_share *s, const wbi_misp_filter *f, const wb_event_rec *e,
                     const wb_attr_rec *a, json_t *aj, json_t *ej, wb_buf *out, size_t *sent)
{
    wb_policy_item it = wbi_policy_item_of(e, a);
    /* the admin's audit entry (the path is the search's: attributes are
     * read as indicators, events as the list) */
    wbi_share_may_read(s, f->path, &it, a->uuid);
    if (f->format == WBI_MISP_TEXT) {
        (*sent)++;
        return wb_buf_printf(out, "%s\n", a->value);
    }
    if (f->format == WBI_MISP_CSV) {
        char eid[24], date[16] = "";
        snprintf(eid, sizeof eid, "%lld", (long long)e->id);
        if (e->date) snprintf(date, sizeof date, "%s", e->date);
        csv_field(out, a->uuid);
        wb_buf_putc(out, ',');
        wb_buf_puts(out, eid);
        wb_buf_putc(out, ',');
        csv_field(out, json_string_value(json_object_get(aj, "category")));
        wb_buf_putc(out, ',');
        csv_field(out, a->type);
        wb_buf_putc(out, ',');
        csv_field(out, a->value);
        wb_buf_putc(out, ',');
        csv_field(out, json_string_value(json_object_get(aj, "comment")));
        wb_buf_printf(out, ",%d,", a->to_ids ? 1 : 0);
        wb_buf_puts(out, date);
        wb_buf_putc(out, ',');
        csv_field(out, json_string_value(json_object_get(aj, "object_relation")));
        (*sent)++;
        return wb_buf_putc(out, '\n');
    }
    json_t *j = json_deep_copy(aj);
    if (j == NULL) return WB_ENOMEM;
    wbi_tags_set_effective(j, "AttributeTag", wb_policy_tlp(&it), a->tlp != WB_TLP_UNSET);
    wbi_misp_attr_ids(s, j, a, e);
    if (f->include_galaxy) {
        int rc = wbi_galaxy_decorate_attr(s, j);
        if (rc) {
            json_decref(j);
            return rc;
        }
    }
    if (f->include_event_uuid) json_object_set_new(j, "event_uuid", json_string(e->uuid));
    if (f->include_event_tags && ej) {
        json_t *et = wbi_tags_effective(ej, "EventTag", e->tlp, true, false);
        json_t *at = json_object_get(j, "Tag");
        size_t i;
        json_t *t;
        json_array_foreach(et, i, t) json_array_append(at, t);
        json_decref(et);
    }
    json_object_set_new(
        j, "Event",
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "id", wbi_share_num(s, e->id), "uuid", e->uuid,
                  "info", e->info ? e->info : "", "org_id", wbi_share_num(s, e->org_id), "orgc_id",
                  wbi_share_num(s, e->org_id), "distribution", wbi_share_num(s, e->distribution)));
    return wbi_body_json(out, j, (*sent)++ > 0);
}

/* The STIX 2.1 objects of event e (wbi_stix_bundle: the attributes the
 * caller may see that map to patterns) appended to objects; an identity
 * or marking definition already there (seen by id) is not repeated. */
static int stix_add(wb_share *s, const wb_event_rec *e, json_t *objects, json_t *seen)
{
    json_t *b = NULL;
    size_t admin_reads = 0;
    int rc = wbi_stix_bundle(s->st, s->who, e, &b, &admin_reads, &s->err);
    if (rc) return rc;
    if (admin_reads)
        wbi_share_audit_later(s, "read.admin", e->uuid,
                              "TLP:AMBER or stricter attributes read by site admin via STIX "
                              "export");
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(b, "objects"), i, o)
    {
        const char *id = json_string_value(json_object_get(o, "id"));
        if (id == NULL || json_object_get(seen, id)) continue;
        json_object_set_new(seen, id, json_true());
        json_array_append(objects, o);
    }
    json_decref(b);
    return 0;
}

/* Most events one search renders. */
#define MAX_EVENTS_SCANNED 1000000

int wb_share_misp_search(wb_share *s, bool attributes, const char *body, size_t len, wb_buf *out,
                         const char **content_type)
{
    wbi_misp_filter f;
    wbi_problem prob;
    if (wbi_misp_filter_parse(body, len, wbi_share_max_depth(s), s->now, &f, &prob) != 0) {
        wbi_misp_filter_free(&f);
        if (prob.status >= 500) return wbi_share_internal(s, WB_ENOMEM);
        return wbi_share_fail(s, prob.status, prob.code, "%s", prob.msg);
    }
    f.path = attributes ? WB_READ_INDICATOR : WB_READ_EVENT_LIST;
    if (attributes && f.format == WBI_MISP_STIX2) {
        wbi_misp_filter_free(&f);
        return wbi_share_fail(s, 400, "invalid_request",
                              "$.returnFormat: stix2 is answered by events/restSearch (a bundle "
                              "of the matching events' indicators)");
    }
    /* JSON and STIX answer per event; csv and text per attribute */
    bool ev_level = f.format == WBI_MISP_JSON || f.format == WBI_MISP_STIX2;
    *content_type = f.format == WBI_MISP_CSV    ? "text/csv; charset=utf-8"
                    : f.format == WBI_MISP_TEXT ? "text/plain; charset=utf-8"
                                                : NULL;
    search w = {.s = s,
                .f = &f,
                .attributes = attributes,
                .path = attributes ? WB_READ_INDICATOR : WB_READ_EVENT_LIST};
    /* Sensors read attributes as indicators; everyone else as the event
     * list reads them (the same rule for people: WB_READ_INDICATOR and
     * WB_READ_EVENT_LIST differ for sensors only). */
    ev_rows ev = {.s = s};
    int rc = 0;
    /* By value through the indicator index when every value is an
     * indicator (an address, a block, a name, a URL, a hash, an e-mail
     * address): the index finds every indicator attribute whose value (or
     * a part of it) equals it, and wbi_misp_value_match keeps exactly
     * those. Text, patterns with '%', and a type filter naming a type that
     * is not an indicator type (filename) are matched on every attribute
     * the caller may see: a name is found as a domain through the index,
     * as a file name only when the search asks for that type. */
    bool by_index = f.value.n > 0;
    wb_ioc_key *probe = by_index ? malloc(WB_SHARE_MAX_KEYS * sizeof *probe) : NULL;
    if (by_index && probe == NULL) {
        wbi_misp_filter_free(&f);
        wb_error_set(&s->err, WB_ENOMEM, "out of memory");
        return wbi_share_internal(s, WB_ENOMEM);
    }
    for (size_t i = 0; by_index && i < f.value.n; i++) {
        wbi_problem p2;
        int nk = strchr(f.value.v[i], '%') ? 0
                                           : wbi_lookup_keys(f.value.v[i], strlen(f.value.v[i]),
                                                             NULL, probe, WB_SHARE_MAX_KEYS, &p2);
        if (nk <= 0) by_index = false;
    }
    free(probe);
    /* A type that is not an indicator type (filename, text, ...) is not
     * in the index: asked for, every attribute is read. */
    for (size_t i = 0; by_index && i < f.type.n; i++)
        if (wbi_type_mask(f.type.v[i], strlen(f.type.v[i])) == 0) by_index = false;
    if (by_index) {
        /* By value: the indicator look-up's keys (the answer `weerbaar
         * match` gives), so this costs what /api/v1/indicators costs. */
        for (size_t i = 0; rc == 0 && i < f.value.n; i++) {
            wb_ioc_key *keys = s->keys, *own = NULL;
            if (keys == NULL) keys = own = malloc(WB_SHARE_MAX_KEYS * sizeof *own);
            if (keys == NULL) {
                rc = wb_error_set(&s->err, WB_ENOMEM, "out of memory");
                break;
            }
            wb_prefix_set pf;
            rc = wb_store_cidr_prefixes(s->st, &pf, &s->err);
            int nk = rc ? 0
                        : wbi_lookup_keys_in(f.value.v[i], strlen(f.value.v[i]), NULL, &pf, keys,
                                             WB_SHARE_MAX_KEYS, &prob);
            if (nk < 0) nk = 0; /* a value that is no indicator matches nothing */
            for (int k = 0; rc == 0 && k < nk; k++) {
                rc = wb_store_attr_lookup(s->st, keys[k].kind, keys[k].text, value_cb, &w, &s->err);
                if (rc == 0) rc = w.rc;
            }
            free(own);
        }
    } else {
        wb_event_filter ef = {.since = attributes ? 0 : f.ts_from};
        rc = wb_store_event_list(s->st, &ef, ev_rows_cb, &ev, &s->err);
        if (rc == 0) rc = ev.rc;
    }
    if (rc) {
        free(w.c);
        free(ev.r);
        wbi_misp_filter_free(&f);
        return wbi_share_internal(s, rc);
    }
    int64_t skip = f.limit && f.page ? (f.page - 1) * f.limit : 0;
    int64_t max = f.limit ? f.limit : WBI_MISP_MAX_RESULTS + 1;
    size_t sent = 0;
    int64_t matched = 0;
    json_t *stix = f.format == WBI_MISP_STIX2 ? json_array() : NULL;
    json_t *stix_seen = f.format == WBI_MISP_STIX2 ? json_object() : NULL;
    wb_buf_reset(out);
    if (f.format == WBI_MISP_JSON)
        rc = wb_buf_puts(out, attributes ? "{\"response\":{\"Attribute\":[" : "{\"response\":[");
    else if (f.format == WBI_MISP_CSV && !f.headerless)
        rc = wb_buf_puts(out, "uuid,event_id,category,type,value,comment,to_ids,date,"
                              "object_relation\n");
    wbi_look_walk seen = {0};
    if (by_index) {
        /* Candidates by value: deduplicated, visible; group by event for
         * an event search. */
        int64_t last_event = 0;
        for (size_t i = 0; rc == 0 && i < w.n && matched < skip + max; i++) {
            cand *c = &w.c[i];
            /* an attribute found by two keys, an event by two attributes */
            int64_t once = attributes || !ev_level ? c->a.id : c->ev.id;
            if (wbi_look_seen(&seen, once) || !event_pass(&f, &c->ev, attributes)) continue;
            json_t *aj = json_loads(c->a.json, 0, NULL);
            bool ok = aj && attr_pass(&f, &c->ev, &c->a, aj, attributes);
            json_t *ej = NULL;
            if (ok && (tag_filter(&f) || f.include_event_tags || !attributes)) {
                wb_event_rec full;
                if (wb_share_event_fetch(s, c->ev.uuid, w.path, &full) == 0) {
                    c->ev = full;
                    ej = json_loads(full.json, 0, NULL);
                } else {
                    ok = false;
                    if (s->status >= 500) rc = s->err.code;
                    s->status = 0;
                    s->code = NULL;
                }
            }
            if (ok) ok = tags_ok(&f, ej, aj);
            if (ok) rc = wbi_look_add(&seen, &s->err, (wbi_hit){once, WB_IOC_TYPE_COUNT}, SIZE_MAX);
            if (ok && rc == 0 && matched++ >= skip) {
                if (attributes) {
                    rc = emit_attr(s, &f, &c->ev, &c->a, aj, ej, out, &sent);
                } else if (!ev_level) {
                    rc = emit_attr(s, &f, &c->ev, &c->a, aj, ej, out, &sent);
                } else if (stix && c->ev.id != last_event) {
                    last_event = c->ev.id;
                    rc = stix_add(s, &c->ev, stix, stix_seen);
                } else if (c->ev.id != last_event) {
                    last_event = c->ev.id;
                    json_t *e = wbi_share_render_event_ex(s, &c->ev, w.path, true);
                    rc = e ? wbi_body_json(out, e, sent++ > 0) : s->err.code;
                }
            }
            json_decref(aj);
            json_decref(ej);
        }
    } else {
        for (size_t i = 0; rc == 0 && i < ev.n && matched < skip + max; i++) {
            wb_event_rec *e = &ev.r[i];
            if (e->deleted) continue;
            wb_policy_item it = wbi_policy_item_of(e, NULL);
            if (wb_policy_read(s->who, w.path, &it) == WB_DENY) continue;
            if (!event_pass(&f, e, attributes)) continue;
            json_t *ej = json_loads(e->json, 0, NULL);
            bool need_attrs = attributes || attr_filters(&f) || tag_filter(&f);
            bool hit = !need_attrs;
            if (need_attrs) {
                w.n = 0;
                rc = wb_store_attr_list(s->st, e->id, attr_rows_cb, &w, &s->err);
                if (rc == 0) rc = w.rc;
                /* An event with only event-level tags matches a tag filter
                 * by them alone. */
                if (rc == 0 && !attributes && !attr_filters(&f) && tags_ok(&f, ej, NULL))
                    hit = true;
                for (size_t k = 0; rc == 0 && k < w.n && (attributes || !hit); k++) {
                    wb_attr_rec *a = &w.c[k].a;
                    wb_policy_item ai = wbi_policy_item_of(e, a);
                    if (wb_policy_read(s->who, w.path, &ai) == WB_DENY) continue;
                    json_t *aj = json_loads(a->json, 0, NULL);
                    bool ok = aj && attr_pass(&f, e, a, aj, attributes) && tags_ok(&f, ej, aj);
                    if (ok && attributes) {
                        if (matched >= skip + max) {
                            json_decref(aj);
                            break;
                        }
                        if (matched++ >= skip) {
                            wbi_share_may_read(s, w.path, &it, e->uuid);
                            rc = emit_attr(s, &f, e, a, aj, ej, out, &sent);
                        }
                    } else if (ok) {
                        hit = true;
                    }
                    json_decref(aj);
                }
            }
            if (rc == 0 && !attributes && hit && matched++ >= skip) {
                wbi_share_may_read(s, w.path, &it, e->uuid);
                if (stix) {
                    rc = stix_add(s, e, stix, stix_seen);
                } else if (f.format == WBI_MISP_JSON) {
                    json_t *x = wbi_share_render_event_ex(s, e, w.path, true);
                    rc = x ? wbi_body_json(out, x, sent++ > 0) : s->err.code;
                } else {
                    /* csv and text of an event search: its attributes */
                    w.n = 0;
                    rc = wb_store_attr_list(s->st, e->id, attr_rows_cb, &w, &s->err);
                    for (size_t k = 0; rc == 0 && k < w.n; k++) {
                        wb_policy_item ai = wbi_policy_item_of(e, &w.c[k].a);
                        if (wb_policy_read(s->who, w.path, &ai) == WB_DENY) continue;
                        json_t *aj = json_loads(w.c[k].a.json, 0, NULL);
                        if (aj) rc = emit_attr(s, &f, e, &w.c[k].a, aj, ej, out, &sent);
                        json_decref(aj);
                    }
                }
            }
            json_decref(ej);
        }
    }
    wbi_look_free(&seen);
    free(w.c);
    free(ev.r);
    if (stix && rc == 0 && !(f.limit == 0 && matched > WBI_MISP_MAX_RESULTS)) {
        char id[64], u[WB_UUID_LEN + 1];
        wb_uuid_v4(u);
        snprintf(id, sizeof id, "bundle--%s", u);
        rc = wbi_share_dump(
            s, json_pack("{s:s,s:s,s:O}", "type", "bundle", "id", id, "objects", stix), out);
        if (rc) rc = s->err.code ? s->err.code : WB_ENOMEM;
    }
    json_decref(stix);
    json_decref(stix_seen);
    if (rc == 0 && f.limit == 0 && matched > WBI_MISP_MAX_RESULTS) {
        wbi_misp_filter_free(&f);
        s->naudits = s->audits_dropped = 0;
        return wbi_share_fail(s, 413, "too_large", "more than %d results: page with limit and page",
                              WBI_MISP_MAX_RESULTS);
    }
    wbi_misp_filter_free(&f);
    if (rc == 0 && f.format == WBI_MISP_JSON) rc = wb_buf_puts(out, attributes ? "]}}" : "]}");
    if (rc) {
        if (s->status == 0) wb_error_set(&s->err, rc, "%s", wb_strerror(rc));
        return wbi_share_internal(s, rc);
    }
    return wb_share_flush(s);
}
