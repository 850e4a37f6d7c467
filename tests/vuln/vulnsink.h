/*
 * vulnsink.h - recording sinks for the parsers of vulndb.h: each keeps a
 * deep copy of every record it is given (the parsers' strings live only for
 * the call), so tests can assert exactly what a parser produced. Also
 * records what wb_advisories_load reported as skipped.
 */
#ifndef WB_TESTS_VULNSINK_H
#define WB_TESTS_VULNSINK_H

#include <stdlib.h>
#include <string.h>

#include "weerbaar/core.h"
#include "weerbaar/vulndb.h"

static inline const char *vs_dup(wb_arena *a, const char *s)
{
    if (s == NULL) return NULL;
    char *d = wb_arena_strdup(a, s);
    if (d == NULL) abort();
    return d;
}

static inline void *vs_grow(void *arr, size_t n, size_t *cap, size_t sz)
{
    if (n < *cap) return arr;
    *cap = *cap ? *cap * 2 : 16;
    arr = realloc(arr, *cap * sz);
    if (arr == NULL) abort();
    return arr;
}

/* ---- advisories ---- */

typedef struct advsink {
    wb_advisory_sink sink;
    wb_arena arena;
    wb_advisory *adv;
    size_t n, cap;
    char **bad; /* messages reported through opts->bad */
    size_t nbad, capbad;
    int fail_after; /* >0: add() fails with WB_ENOMEM once this many were taken */
} advsink;

static inline int advsink_add(wb_advisory_sink *self, const wb_advisory *in)
{
    advsink *s = (advsink *)self;
    if (s->fail_after > 0 && s->n >= (size_t)s->fail_after) return WB_ENOMEM;
    s->adv = vs_grow(s->adv, s->n, &s->cap, sizeof *s->adv);
    wb_arena *a = &s->arena;
    wb_advisory *o = &s->adv[s->n++];
    *o = *in;
    o->id = vs_dup(a, in->id);
    o->doc_id = vs_dup(a, in->doc_id);
    o->source = vs_dup(a, in->source);
    o->source_kind = vs_dup(a, in->source_kind);
    o->title = vs_dup(a, in->title);
    o->url = vs_dup(a, in->url);
    o->severity = vs_dup(a, in->severity);
    const char **al = wb_arena_alloc(a, (in->naliases + 1) * sizeof *al);
    for (size_t i = 0; i < in->naliases; i++)
        al[i] = vs_dup(a, in->aliases[i]);
    o->aliases = al;
    wb_cvss *cv = wb_arena_alloc(a, (in->ncvss + 1) * sizeof *cv);
    for (size_t i = 0; i < in->ncvss; i++) {
        cv[i] = in->cvss[i];
        cv[i].vector = vs_dup(a, in->cvss[i].vector);
    }
    o->cvss = cv;
    wb_affected *af = wb_arena_alloc(a, (in->naffected + 1) * sizeof *af);
    for (size_t i = 0; i < in->naffected; i++) {
        const wb_affected *x = &in->affected[i];
        af[i] = *x;
        af[i].purl = vs_dup(a, x->purl);
        af[i].cpe = vs_dup(a, x->cpe);
        af[i].vendor = vs_dup(a, x->vendor);
        af[i].product = vs_dup(a, x->product);
        af[i].version = vs_dup(a, x->version);
        af[i].range = vs_dup(a, x->range);
        af[i].scheme = vs_dup(a, x->scheme);
        af[i].fixed = vs_dup(a, x->fixed);
        af[i].product_id = vs_dup(a, x->product_id);
        af[i].platform = vs_dup(a, x->platform);
    }
    o->affected = af;
    wb_remediation *rm = wb_arena_alloc(a, (in->nremediations + 1) * sizeof *rm);
    for (size_t i = 0; i < in->nremediations; i++) {
        const wb_remediation *x = &in->remediations[i];
        rm[i] = *x;
        rm[i].category = vs_dup(a, x->category);
        rm[i].details = vs_dup(a, x->details);
        rm[i].url = vs_dup(a, x->url);
        const char **ids = wb_arena_alloc(a, (x->nproduct_ids + 1) * sizeof *ids);
        for (size_t k = 0; k < x->nproduct_ids; k++)
            ids[k] = vs_dup(a, x->product_ids[k]);
        rm[i].product_ids = x->product_ids ? ids : NULL;
    }
    o->remediations = rm;
    return 0;
}

static inline void advsink_bad(void *ud, const wb_error *err)
{
    advsink *s = ud;
    s->bad = vs_grow(s->bad, s->nbad, &s->capbad, sizeof *s->bad);
    s->bad[s->nbad++] = strdup(err->msg);
}

static inline void advsink_init(advsink *s)
{
    memset(s, 0, sizeof *s);
    s->sink.add = advsink_add;
    wb_arena_init(&s->arena, 0);
}

static inline void advsink_free(advsink *s)
{
    for (size_t i = 0; i < s->nbad; i++)
        free(s->bad[i]);
    free(s->bad);
    free(s->adv);
    wb_arena_free(&s->arena);
    memset(s, 0, sizeof *s);
}

static inline const wb_advisory *advsink_find(const advsink *s, const char *id)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->adv[i].id, id) == 0) return &s->adv[i];
    return NULL;
}

static inline size_t adv_count_status(const wb_advisory *a, wb_aff_status st)
{
    size_t n = 0;
    for (size_t i = 0; i < a->naffected; i++)
        n += a->affected[i].status == st;
    return n;
}

/* The affected entry with this product_id and status, or NULL. */
static inline const wb_affected *adv_find_product(const wb_advisory *a, const char *pid,
                                                  wb_aff_status st)
{
    for (size_t i = 0; i < a->naffected; i++)
        if (a->affected[i].product_id && strcmp(a->affected[i].product_id, pid) == 0 &&
            a->affected[i].status == st)
            return &a->affected[i];
    return NULL;
}

/* ---- components ---- */

typedef struct compsink {
    wb_component_sink sink;
    wb_arena arena;
    wb_component *c;
    size_t n, cap;
} compsink;

static inline int compsink_add(wb_component_sink *self, const wb_component *in)
{
    compsink *s = (compsink *)self;
    s->c = vs_grow(s->c, s->n, &s->cap, sizeof *s->c);
    wb_arena *a = &s->arena;
    wb_component *o = &s->c[s->n++];
    *o = *in;
    o->asset = vs_dup(a, in->asset);
    o->name = vs_dup(a, in->name);
    o->version = vs_dup(a, in->version);
    o->purl = vs_dup(a, in->purl);
    o->cpe = vs_dup(a, in->cpe);
    o->vendor = vs_dup(a, in->vendor);
    o->product = vs_dup(a, in->product);
    o->source_name = vs_dup(a, in->source_name);
    o->source_version = vs_dup(a, in->source_version);
    o->criticality = vs_dup(a, in->criticality);
    o->owner = vs_dup(a, in->owner);
    o->where = vs_dup(a, in->where);
    return 0;
}

static inline void compsink_init(compsink *s)
{
    memset(s, 0, sizeof *s);
    s->sink.add = compsink_add;
    wb_arena_init(&s->arena, 0);
}

static inline void compsink_free(compsink *s)
{
    free(s->c);
    wb_arena_free(&s->arena);
    memset(s, 0, sizeof *s);
}

static inline const wb_component *compsink_find(const compsink *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->c[i].name && strcmp(s->c[i].name, name) == 0) return &s->c[i];
    return NULL;
}

/* ---- VEX, KEV, EPSS ---- */

typedef struct vexsink {
    wb_vex_sink sink;
    wb_arena arena;
    wb_vex *v;
    size_t n, cap;
} vexsink;

static inline int vexsink_add(wb_vex_sink *self, const wb_vex *in)
{
    vexsink *s = (vexsink *)self;
    s->v = vs_grow(s->v, s->n, &s->cap, sizeof *s->v);
    wb_arena *a = &s->arena;
    wb_vex *o = &s->v[s->n++];
    *o = *in;
    o->vuln = vs_dup(a, in->vuln);
    o->purl = vs_dup(a, in->purl);
    o->cpe = vs_dup(a, in->cpe);
    o->product = vs_dup(a, in->product);
    o->version = vs_dup(a, in->version);
    o->justification = vs_dup(a, in->justification);
    o->detail = vs_dup(a, in->detail);
    o->source = vs_dup(a, in->source);
    o->vendor = vs_dup(a, in->vendor);
    o->range = vs_dup(a, in->range);
    return 0;
}

static inline void vexsink_init(vexsink *s)
{
    memset(s, 0, sizeof *s);
    s->sink.add = vexsink_add;
    wb_arena_init(&s->arena, 0);
}

static inline void vexsink_free(vexsink *s)
{
    free(s->v);
    wb_arena_free(&s->arena);
    memset(s, 0, sizeof *s);
}

static inline size_t vexsink_count(const vexsink *s, wb_vex_status st)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        n += s->v[i].status == st;
    return n;
}

typedef struct kevsink {
    wb_kev_sink sink;
    wb_arena arena;
    wb_kev *k;
    size_t n, cap;
} kevsink;

static inline int kevsink_add(wb_kev_sink *self, const wb_kev *in)
{
    kevsink *s = (kevsink *)self;
    s->k = vs_grow(s->k, s->n, &s->cap, sizeof *s->k);
    wb_kev *o = &s->k[s->n++];
    *o = *in;
    o->cve = vs_dup(&s->arena, in->cve);
    o->vendor = vs_dup(&s->arena, in->vendor);
    o->product = vs_dup(&s->arena, in->product);
    o->name = vs_dup(&s->arena, in->name);
    return 0;
}

typedef struct epsssink {
    wb_epss_sink sink;
    wb_arena arena;
    wb_epss *e;
    size_t n, cap;
} epsssink;

static inline int epsssink_add(wb_epss_sink *self, const wb_epss *in)
{
    epsssink *s = (epsssink *)self;
    s->e = vs_grow(s->e, s->n, &s->cap, sizeof *s->e);
    wb_epss *o = &s->e[s->n++];
    *o = *in;
    o->cve = vs_dup(&s->arena, in->cve);
    return 0;
}

#endif
