/*
 * recsink.h - a wb_ioc_sink for tests that records every indicator and every
 * skip, so a test can assert exactly what a loader produced.
 */
#ifndef WB_TESTS_RECSINK_H
#define WB_TESTS_RECSINK_H

#include <stdlib.h>
#include <string.h>

#include "weerbaar/ioc.h"

typedef struct rec_ioc {
    wb_ioc_type type;
    char *value, *event, *attribute, *source, *where;
    wb_tlp tlp;
    wb_time valid_until;
} rec_ioc;

typedef struct rec_skip {
    char *where;
    const char *reason; /* static, as the loaders promise */
} rec_skip;

typedef struct recsink {
    wb_ioc_sink sink;
    rec_ioc *iocs;
    size_t n, cap;
    rec_skip *skips;
    size_t nskip, capskip;
    int fail_after; /* >0: add() returns WB_ENOMEM once this many were taken */
} recsink;

static inline char *rec_dup(const char *s, size_t n)
{
    if (s == NULL) return NULL;
    char *d = malloc(n + 1);
    if (d == NULL) abort();
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static inline int rec_add(wb_ioc_sink *self, const wb_ioc_in *in)
{
    recsink *r = (recsink *)self;
    if (r->fail_after > 0 && r->n >= (size_t)r->fail_after) return WB_ENOMEM;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->iocs = realloc(r->iocs, r->cap * sizeof *r->iocs);
        if (r->iocs == NULL) abort();
    }
    rec_ioc *o = &r->iocs[r->n++];
    o->type = in->type;
    o->value = rec_dup(in->value, in->len);
    o->event = in->event ? rec_dup(in->event, strlen(in->event)) : NULL;
    o->attribute = in->attribute ? rec_dup(in->attribute, strlen(in->attribute)) : NULL;
    o->source = in->source ? rec_dup(in->source, strlen(in->source)) : NULL;
    o->where = in->where ? rec_dup(in->where, strlen(in->where)) : NULL;
    o->tlp = in->tlp;
    o->valid_until = in->valid_until;
    return 0;
}

static inline void rec_skip_fn(wb_ioc_sink *self, const char *where, const char *reason)
{
    recsink *r = (recsink *)self;
    if (r->nskip == r->capskip) {
        r->capskip = r->capskip ? r->capskip * 2 : 64;
        r->skips = realloc(r->skips, r->capskip * sizeof *r->skips);
        if (r->skips == NULL) abort();
    }
    r->skips[r->nskip].where = where ? rec_dup(where, strlen(where)) : NULL;
    r->skips[r->nskip].reason = reason;
    r->nskip++;
}

static inline void rec_init(recsink *r)
{
    memset(r, 0, sizeof *r);
    r->sink.add = rec_add;
    r->sink.skip = rec_skip_fn;
}

static inline void rec_free(recsink *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->iocs[i].value);
        free(r->iocs[i].event);
        free(r->iocs[i].attribute);
        free(r->iocs[i].source);
        free(r->iocs[i].where);
    }
    for (size_t i = 0; i < r->nskip; i++)
        free(r->skips[i].where);
    free(r->iocs);
    free(r->skips);
    memset(r, 0, sizeof *r);
}

static inline size_t rec_count(const recsink *r, wb_ioc_type t)
{
    size_t c = 0;
    for (size_t i = 0; i < r->n; i++)
        c += r->iocs[i].type == t;
    return c;
}

static inline size_t rec_skips(const recsink *r, const char *reason)
{
    size_t c = 0;
    for (size_t i = 0; i < r->nskip; i++)
        c += strcmp(r->skips[i].reason, reason) == 0;
    return c;
}

/* The first recorded indicator with this value, or NULL. */
static inline const rec_ioc *rec_find(const recsink *r, const char *value)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->iocs[i].value, value) == 0) return &r->iocs[i];
    return NULL;
}

/* Loads a buffer written in the test into a fresh sink. */
static inline int rec_load_str(recsink *r, const char *name, const char *text,
                               const wb_intel_opts *opts, wb_error *err)
{
    rec_free(r);
    rec_init(r);
    wb_error_clear(err);
    return wb_intel_load_buffer(name, text, strlen(text), opts, &r->sink, err);
}

#endif
