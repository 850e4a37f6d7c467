/*
 * sightings.c - the sightings theme of the picture: which shared
 * indicators the constituency's organisations actually saw, by sector,
 * indicator type, month and threat (the event's threat-actor galaxy
 * cluster, else its first galaxy cluster), the indicators seen by the most
 * organisations, and how long after an indicator's timestamp each sector
 * first saw it.
 *
 * The hub's read policy decides first: a sighting counts only when the
 * viewer may read its attribute (wb_policy_read, the TLP and distribution
 * of event and attribute), so a sighting on an event the viewer cannot
 * read changes nothing it sees. Indicator values are shown only from
 * TLP:CLEAR (event and attribute); others count in their type's cell.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "picture/picture_internal.h"
#include "weerbaar/hub.h"

enum { D_SECTOR, D_TYPE, D_MONTH, D_THREAT, D_COUNT };
static const char *const dim_names[D_COUNT] = {"sector", "type", "month", "threat"};

#define HOUR_US ((wb_time)3600 * 1000000)
#define TOP_INDICATORS 10

typedef struct sight {
    int64_t org, event, attr;
    int sector, type, month, threat;
    int value;      /* label in values (a CLEAR indicator), or -1 */
    wb_time seen;   /* last seen */
    wb_time first;  /* first seen */
    wb_time shared; /* the attribute's timestamp */
    int64_t count;
} sight;

typedef struct event_ref {
    int64_t id;
    char *uuid;
    int threat;
} event_ref;

typedef struct si_ctx {
    const wbi_pic_view *v;
    wbi_pic_labels dim[D_COUNT], values;
    sight *s;
    size_t n, cap;
    event_ref *ev;
    size_t nev, evcap;
    int rc;
    int threat; /* of the event being read */
} si_ctx;

static int add_event(si_ctx *c, const wb_event_rec *ev)
{
    /* sightings come in id order, often of one event in a row; the rest
     * are merged after the walk (dedupe_events) */
    if (c->nev && c->ev[c->nev - 1].id == ev->id) return 0;
    if (c->nev == c->evcap) {
        size_t cap = c->evcap ? c->evcap * 2 : 64;
        event_ref *p = realloc(c->ev, cap * sizeof *p);
        if (!p) return WB_ENOMEM;
        c->ev = p;
        c->evcap = cap;
    }
    char *u = strdup(ev->uuid ? ev->uuid : "");
    if (!u) return WB_ENOMEM;
    c->ev[c->nev++] = (event_ref){ev->id, u, -1};
    return 0;
}

static int on_sighting(void *ud, const wb_event_rec *ev, const wb_attr_rec *a,
                       const wb_sighting_rec *s)
{
    si_ctx *c = ud;
    const wb_picture_opts *o = c->v->o;
    if (s->type != 0) return 0; /* false positives and expirations are not sightings */
    const wbi_pic_org *org = wbi_pic_org_find(c->v, s->org_id);
    if (!org) return 0;
    wb_policy_item it = {.kind = WB_ITEM_ATTRIBUTE,
                         .creator_org = ev->org_id,
                         .event_tlp = ev->tlp,
                         .event_distribution = ev->distribution,
                         .event_sharing_group = ev->sharing_group_id,
                         .attr_tlp = a->tlp,
                         .attr_distribution = a->distribution,
                         .attr_sharing_group = a->sharing_group_id};
    /* the viewer's read policy: what it cannot read does not count */
    if (o->reader && wb_policy_read(o->reader, WB_READ_EVENT_GET, &it) == WB_DENY) return 0;
    wb_time seen = (wb_time)s->date_sighting * 1000000;
    if (seen < c->v->pfrom || seen >= o->to) return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        sight *p = realloc(c->s, cap * sizeof *p);
        if (!p) return c->rc = WB_ENOMEM;
        c->s = p;
        c->cap = cap;
    }
    char month[16];
    wb_time_format_month(seen, month, sizeof month);
    int type = wbi_pic_label_of(&c->dim[D_TYPE], a->type ? a->type : "unknown");
    int mon = wbi_pic_label_of(&c->dim[D_MONTH], month);
    int value = -1;
    if (wb_policy_tlp(&it) == WB_TLP_CLEAR && a->value) {
        char lab[300];
        snprintf(lab, sizeof lab, "%s %s", a->type ? a->type : "", a->value);
        value = wbi_pic_label_of(&c->values, lab);
        if (value < 0) return c->rc = WB_ENOMEM;
    }
    if (type < 0 || mon < 0 || add_event(c, ev) < 0) return c->rc = WB_ENOMEM;
    c->s[c->n++] = (sight){.org = s->org_id,
                           .event = ev->id,
                           .attr = a->id,
                           .sector = org->sector,
                           .type = type,
                           .month = mon,
                           .value = value,
                           .seen = seen,
                           .first = s->first_seen > 0 ? (wb_time)s->first_seen * 1000000 : seen,
                           .shared = (wb_time)a->timestamp * 1000000,
                           .count = s->count > 0 ? s->count : 1};
    return 0;
}

/* The event's threat: its threat-actor cluster, else its first galaxy
 * cluster, else "(none)" (the value of a misp-galaxy:TYPE="VALUE" tag). */
static int on_event(void *ud, const wb_event_rec *ev)
{
    si_ctx *c = ud;
    json_t *doc = ev->json ? json_loadb(ev->json, strlen(ev->json), 0, NULL) : NULL;
    json_t *tags = json_object_get(doc, "Tag");
    char best[200] = "(none)";
    int rank = 0;
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *n = json_string_value(json_object_get(t, "name"));
        if (!n || strncmp(n, "misp-galaxy:", 12) != 0) continue;
        int r = strncmp(n + 12, "threat-actor=", 13) == 0 ? 2 : 1;
        const char *q = strchr(n, '"');
        if (r <= rank || !q) continue;
        size_t len = strcspn(q + 1, "\"");
        if (len == 0 || len >= sizeof best) continue;
        memcpy(best, q + 1, len);
        best[len] = '\0';
        rank = r;
    }
    json_decref(doc);
    c->threat = wbi_pic_label_of(&c->dim[D_THREAT], best);
    return c->threat < 0 ? WB_ENOMEM : 0;
}

static void put(json_t *o, const wbi_pic_cell *c, unsigned k)
{
    (void)k;
    json_object_set_new(o, "times_seen", json_integer((json_int_t)c->sum[0]));
}

static double main_num(const wbi_pic_cell *c)
{
    return (double)c->count;
}

static const wbi_pic_theme sightings_theme = {
    .count_name = "sightings", .put = put, .main = main_num, .main_integer = true};

static int build_set(const si_ctx *c, wb_time from, wb_time to, unsigned k, wbi_pic_set *set)
{
    set->ndims = D_COUNT;
    for (size_t i = 0; i < c->n; i++) {
        const sight *x = &c->s[i];
        if (x->seen < from || x->seen >= to) continue;
        wbi_pic_rec r = {.org = x->org, .key = {x->sector, x->type, x->month, x->threat}};
        r.sum[0] = (double)x->count;
        if (wbi_pic_add(set, &r) < 0) return WB_ENOMEM;
    }
    return wbi_pic_fixpoint(set, k) < 0 ? WB_ENOMEM : 0;
}

typedef struct first {
    int sector;
    int64_t attr;
    wb_time first;
    int64_t org;
    double hours;
} first;

static int first_cmp(const void *a, const void *b)
{
    const first *x = a, *y = b;
    if (x->sector != y->sector) return x->sector - y->sector;
    if (x->attr != y->attr) return x->attr < y->attr ? -1 : 1;
    if (x->first != y->first) return x->first < y->first ? -1 : 1;
    return x->org < y->org ? -1 : x->org > y->org;
}

/* For each sector and indicator, the first sighting among the records kept
 * (cur's alive records, in the order build_set added them): hours from the
 * indicator's timestamp (0 when it was seen before it was shared), by the
 * organisation that saw it first. */
static int first_sightings(const si_ctx *c, const wbi_pic_set *cur, wb_time from, wb_time to,
                           wbi_pic_set *lag)
{
    lag->ndims = 1;
    first *f = malloc((c->n + 1) * sizeof *f);
    if (!f) return WB_ENOMEM;
    size_t nf = 0, at = 0;
    for (size_t i = 0; i < c->n; i++) {
        const sight *x = &c->s[i];
        if (x->seen < from || x->seen >= to) continue;
        if (!cur->r[at++].alive) continue;
        double h = (double)(x->first - x->shared) / (double)HOUR_US;
        f[nf++] = (first){x->sector, x->attr, x->first, x->org, h > 0 ? h : 0};
    }
    if (nf > 1) qsort(f, nf, sizeof *f, first_cmp);
    int rc = 0;
    for (size_t i = 0; i < nf && rc == 0; i++) {
        if (i > 0 && f[i].sector == f[i - 1].sector && f[i].attr == f[i - 1].attr) continue;
        wbi_pic_rec r = {.org = f[i].org, .key = {f[i].sector}, .v = f[i].hours};
        if (wbi_pic_add(lag, &r) < 0) rc = WB_ENOMEM;
    }
    free(f);
    return rc;
}

static void put_lag(json_t *cellj, const wbi_pic_set *lag, int dim, int key, unsigned k, int *rc)
{
    if (!json_is_object(cellj) || json_object_get(cellj, "suppressed")) return;
    wbi_pic_cell m;
    if (wbi_pic_cell_get(lag, dim, key, false, &m) < 0) {
        *rc = WB_ENOMEM;
        return;
    }
    if (m.v_count == 0)
        ;
    else if (m.v_orgs >= k)
        json_object_set_new(cellj, "median_hours_to_first_sighting",
                            json_real(round(m.v_med * 10) / 10));
    else
        json_object_set_new(cellj, "median_hours_to_first_sighting_suppressed", json_true());
    free(m.orgs);
}

typedef struct top {
    int key;
    size_t orgs;
} top;

static int top_cmp(const void *a, const void *b)
{
    const top *x = a, *y = b;
    if (x->orgs != y->orgs) return x->orgs > y->orgs ? -1 : 1;
    return x->key - y->key;
}

/* The TLP:CLEAR indicators seen by the most organisations (at least k) in
 * the period, among the records kept. */
static json_t *top_indicators(const si_ctx *c, const wbi_pic_set *cur, wb_time from, wb_time to,
                              unsigned k, int *rc)
{
    wbi_pic_set vs = {.ndims = 1};
    size_t at = 0;
    for (size_t i = 0; i < c->n && *rc == 0; i++) {
        const sight *x = &c->s[i];
        if (x->seen < from || x->seen >= to) continue;
        if (!cur->r[at++].alive || x->value < 0) continue;
        wbi_pic_rec r = {.org = x->org, .key = {x->value}};
        if (wbi_pic_add(&vs, &r) < 0) *rc = WB_ENOMEM;
    }
    json_t *arr = json_array();
    top *t = calloc((size_t)c->values.n + 1, sizeof *t);
    size_t nt = 0;
    if (!arr || !t) *rc = WB_ENOMEM;
    for (int key = 0; *rc == 0 && key < c->values.n; key++) {
        wbi_pic_cell cell;
        if (wbi_pic_cell_get(&vs, 0, key, false, &cell) < 0) {
            *rc = WB_ENOMEM;
            break;
        }
        if (cell.norgs >= k) t[nt++] = (top){key, cell.norgs};
        free(cell.orgs);
    }
    if (nt > 1) qsort(t, nt, sizeof *t, top_cmp);
    for (size_t i = 0; *rc == 0 && i < nt && i < TOP_INDICATORS; i++)
        json_array_append_new(arr, json_pack("{s:s,s:I}", "key", c->values.s[t[i].key],
                                             "organisations", (json_int_t)t[i].orgs));
    free(t);
    wbi_pic_free(&vs);
    return arr;
}

static int ev_cmp(const void *a, const void *b)
{
    const event_ref *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static void dedupe_events(si_ctx *c)
{
    if (c->nev > 1) qsort(c->ev, c->nev, sizeof *c->ev, ev_cmp);
    size_t k = 0;
    for (size_t i = 0; i < c->nev; i++) {
        if (k > 0 && c->ev[k - 1].id == c->ev[i].id) {
            free(c->ev[i].uuid);
            continue;
        }
        c->ev[k++] = c->ev[i];
    }
    c->nev = k;
}

json_t *wbi_pic_sightings(const wbi_pic_view *v, int *rc)
{
    si_ctx c = {.v = v};
    wb_sighting_filter f = {0};
    *rc = wbi_pic_label_of(&c.dim[D_THREAT], "(none)") == 0 ? 0 : WB_ENOMEM;
    if (*rc == 0) *rc = wb_store_sighting_query(v->s, &f, on_sighting, &c, v->err);
    if (*rc == 0 && c.rc) *rc = wb_error_set(v->err, c.rc, "out of memory");
    dedupe_events(&c);
    /* the events' threats, after the walk: a statement is not re-entered
     * from its own callback */
    for (size_t i = 0; i < c.nev && *rc == 0; i++) {
        c.threat = wbi_pic_label_of(&c.dim[D_THREAT], "(none)");
        *rc = wb_store_event_get(v->s, c.ev[i].uuid, on_event, &c, v->err);
        if (*rc == WB_ENOTFOUND) {
            wb_error_clear(v->err);
            *rc = 0;
        }
        c.ev[i].threat = c.threat;
        if (*rc == 0 && c.threat < 0) *rc = WB_ENOMEM;
    }
    for (size_t i = 0; i < c.n && *rc == 0; i++) {
        event_ref key = {.id = c.s[i].event};
        const event_ref *e = c.nev ? bsearch(&key, c.ev, c.nev, sizeof key, ev_cmp) : NULL;
        c.s[i].threat = e && e->threat >= 0 ? e->threat : 0;
    }
    wbi_pic_set cur = {0}, prev = {0}, lag = {0};
    json_t *th = NULL;
    const wb_picture_opts *o = v->o;
    if (*rc == 0) *rc = build_set(&c, o->from, o->to, o->k, &cur);
    if (*rc == 0) *rc = build_set(&c, v->pfrom, o->from, o->k, &prev);
    if (*rc == 0) *rc = first_sightings(&c, &cur, o->from, o->to, &lag);
    if (*rc == 0) {
        /* sectors as the incidents list them: every one in view */
        bool *listed = calloc((size_t)v->sectors->n + 1, sizeof *listed);
        if (!listed) *rc = WB_ENOMEM;
        for (size_t i = 0; listed && i < v->norgs; i++)
            if (v->orgs[i].visible) listed[v->orgs[i].sector] = true;
        wbi_pic_table tabs[D_COUNT] = {
            {dim_names[D_SECTOR], D_SECTOR, v->sectors, listed, true},
            {dim_names[D_TYPE], D_TYPE, &c.dim[D_TYPE], NULL, true},
            {dim_names[D_MONTH], D_MONTH, &c.dim[D_MONTH], NULL, false},
            {dim_names[D_THREAT], D_THREAT, &c.dim[D_THREAT], NULL, true}};
        if (*rc == 0)
            th = wbi_pic_theme_json(&sightings_theme, &cur, &prev, tabs, D_COUNT, o->k, rc);
        free(listed);
    }
    if (*rc == 0) {
        put_lag(json_object_get(th, "total"), &lag, -1, 0, o->k, rc);
        size_t i;
        json_t *cj;
        json_array_foreach(json_object_get(json_object_get(th, "by"), "sector"), i, cj)
        {
            int key = wbi_pic_label_of(v->sectors, json_string_value(json_object_get(cj, "key")));
            if (key >= 0) put_lag(cj, &lag, 0, key, o->k, rc);
        }
        json_object_set_new(th, "top_indicators",
                            top_indicators(&c, &cur, o->from, o->to, o->k, rc));
    }
    if (*rc == WB_ENOMEM) wb_error_set(v->err, WB_ENOMEM, "out of memory building the picture");
    for (int d = 0; d < D_COUNT; d++)
        wbi_pic_labels_free(&c.dim[d]);
    wbi_pic_labels_free(&c.values);
    for (size_t i = 0; i < c.nev; i++)
        free(c.ev[i].uuid);
    free(c.ev);
    free(c.s);
    wbi_pic_free(&cur);
    wbi_pic_free(&prev);
    wbi_pic_free(&lag);
    if (*rc != 0) {
        json_decref(th);
        return NULL;
    }
    return th;
}
