/*
 * kanon.c - the k-anonymous table engine of the picture (picture_internal.h
 * says what it guarantees; docs/picture.md why this and not complementary
 * suppression).
 */
#include <stdlib.h>
#include <string.h>

#include "picture/picture_internal.h"

int wbi_pic_add(wbi_pic_set *s, const wbi_pic_rec *r)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        if (cap > SIZE_MAX / sizeof *s->r) return -1;
        wbi_pic_rec *p = realloc(s->r, cap * sizeof *p);
        if (!p) return -1;
        s->r = p;
        s->cap = cap;
    }
    s->r[s->n] = *r;
    s->r[s->n].alive = true;
    s->n++;
    return 0;
}

void wbi_pic_free(wbi_pic_set *s)
{
    free(s->r);
    memset(s, 0, sizeof *s);
}

typedef struct pair {
    int key;
    int64_t org;
} pair;

static int pair_cmp(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->org < y->org ? -1 : x->org > y->org;
}

static int i64_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The highest key of dimension dim, or -1 when there are no records. */
static int key_max(const wbi_pic_set *s, int dim)
{
    int m = -1;
    for (size_t i = 0; i < s->n; i++)
        if (s->r[i].key[dim] > m) m = s->r[i].key[dim];
    return m;
}

/* One pass over dimension dim: kills the alive records whose cell has
 * fewer than k organisations. *changed is set when one died. */
static int prune_dim(wbi_pic_set *s, int dim, unsigned k, pair *pairs, bool *changed)
{
    size_t np = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->r[i].alive) pairs[np++] = (pair){s->r[i].key[dim], s->r[i].org};
    qsort(pairs, np, sizeof *pairs, pair_cmp);
    int km = key_max(s, dim);
    if (km < 0) return 0;
    unsigned char *bad = calloc((size_t)km + 1, 1);
    if (!bad) return -1;
    for (int key = 0; key <= km; key++)
        bad[key] = 1;
    size_t i = 0;
    while (i < np) {
        int key = pairs[i].key;
        size_t orgs = 0;
        int64_t last = 0;
        bool first = true;
        for (; i < np && pairs[i].key == key; i++) {
            if (first || pairs[i].org != last) orgs++;
            last = pairs[i].org;
            first = false;
        }
        bad[key] = orgs < k;
    }
    for (size_t j = 0; j < s->n; j++)
        if (s->r[j].alive && bad[s->r[j].key[dim]]) {
            s->r[j].alive = false;
            *changed = true;
        }
    free(bad);
    return 0;
}

int wbi_pic_fixpoint(wbi_pic_set *s, unsigned k)
{
    for (size_t i = 0; i < s->n; i++)
        s->r[i].alive = true;
    if (s->n == 0) return 0;
    pair *pairs = malloc(s->n * sizeof *pairs);
    if (!pairs) return -1;
    /* Every pass removes at least one record or ends, so this terminates
     * after at most n + 1 passes; in practice two or three. */
    bool changed = true;
    while (changed) {
        changed = false;
        for (int d = 0; d < s->ndims; d++)
            if (prune_dim(s, d, k, pairs, &changed) < 0) {
                free(pairs);
                return -1;
            }
    }
    /* The total is a cell too: fewer than k organisations in all kills all. */
    size_t np = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->r[i].alive) pairs[np++] = (pair){0, s->r[i].org};
    qsort(pairs, np, sizeof *pairs, pair_cmp);
    size_t orgs = 0;
    for (size_t i = 0; i < np; i++)
        if (i == 0 || pairs[i].org != pairs[i - 1].org) orgs++;
    if (orgs < k)
        for (size_t i = 0; i < s->n; i++)
            s->r[i].alive = false;
    free(pairs);
    return 0;
}

int wbi_pic_cell_get(const wbi_pic_set *s, int dim, int key, bool median_late, wbi_pic_cell *c)
{
    memset(c, 0, sizeof *c);
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->r[i].alive && (dim < 0 || s->r[i].key[dim] == key)) n++;
    if (n == 0) return 0;
    int64_t *orgs = malloc(n * sizeof *orgs), *vorgs = malloc(n * sizeof *vorgs);
    double *vs = malloc(n * sizeof *vs);
    if (!orgs || !vorgs || !vs) {
        free(orgs);
        free(vorgs);
        free(vs);
        return -1;
    }
    size_t nv = 0;
    for (size_t i = 0; i < s->n; i++) {
        const wbi_pic_rec *r = &s->r[i];
        if (!r->alive || (dim >= 0 && r->key[dim] != key)) continue;
        orgs[c->count++] = r->org;
        if (r->flag) c->flags++;
        for (int k = 0; k < WBI_PIC_SUMS; k++)
            c->sum[k] += r->sum[k];
        if (!median_late || !r->flag) {
            vorgs[nv] = r->org;
            vs[nv++] = r->v;
        }
    }
    qsort(orgs, c->count, sizeof *orgs, i64_cmp);
    for (size_t i = 0; i < c->count; i++)
        if (i == 0 || orgs[i] != orgs[c->norgs - 1]) orgs[c->norgs++] = orgs[i];
    c->orgs = orgs;
    c->v_count = nv;
    if (nv) {
        qsort(vs, nv, sizeof *vs, dbl_cmp);
        c->v_med = nv % 2 ? vs[nv / 2] : (vs[nv / 2 - 1] + vs[nv / 2]) / 2;
        double total = 0;
        for (size_t i = 0; i < nv; i++)
            total += vs[i];
        c->v_mean = total / (double)nv;
        qsort(vorgs, nv, sizeof *vorgs, i64_cmp);
        for (size_t i = 0; i < nv; i++)
            if (i == 0 || vorgs[i] != vorgs[i - 1]) c->v_orgs++;
    }
    free(vorgs);
    free(vs);
    return 0;
}

size_t wbi_pic_org_diff(const int64_t *a, size_t na, const int64_t *b, size_t nb)
{
    size_t i = 0, j = 0, d = 0;
    while (i < na || j < nb) {
        if (j == nb || (i < na && a[i] < b[j])) {
            d++;
            i++;
        } else if (i == na || b[j] < a[i]) {
            d++;
            j++;
        } else {
            i++;
            j++;
        }
    }
    return d;
}
