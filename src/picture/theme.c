/*
 * theme.c - what the picture's themes share (picture_internal.h): the
 * labels of a dimension, the organisations in view, and one writer of a
 * theme's JSON (a total and tables of cells, each published or marked
 * suppressed, each with the previous period under the comparison rule),
 * so that every theme built on the fixpoint of kanon.c publishes by the
 * same rules.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "picture/picture_internal.h"

int wbi_pic_label_of(wbi_pic_labels *l, const char *s)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->s[i], s) == 0) return i;
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        char **p = realloc(l->s, (size_t)cap * sizeof *p);
        if (!p) return -1;
        l->s = p;
        l->cap = cap;
    }
    char *c = strdup(s);
    if (!c) return -1;
    l->s[l->n] = c;
    return l->n++;
}

void wbi_pic_labels_free(wbi_pic_labels *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->s[i]);
    free(l->s);
    memset(l, 0, sizeof *l);
}

static int org_cmp(const void *a, const void *b)
{
    const wbi_pic_org *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

const wbi_pic_org *wbi_pic_org_find(const wbi_pic_view *v, int64_t id)
{
    wbi_pic_org key = {.id = id};
    if (v->norgs == 0) return NULL;
    const wbi_pic_org *o = bsearch(&key, v->orgs, v->norgs, sizeof key, org_cmp);
    return o && o->visible ? o : NULL;
}

json_t *wbi_pic_no_data(const char *why)
{
    return json_pack("{s:b,s:s}", "data", 0, "reason", why);
}

/* One cell: its numbers or {"suppressed": true}, then the previous
 * period's. */
static json_t *cell(const wbi_pic_theme *t, const wbi_pic_set *cur, const wbi_pic_set *prev,
                    int dim, int key, const char *label, unsigned k, int *rc)
{
    wbi_pic_cell a, b = {0};
    json_t *o = json_object();
    if (o && label) json_object_set_new(o, "key", json_string(label));
    if (!o || wbi_pic_cell_get(cur, dim, key, t->median_late, &a) < 0) {
        json_decref(o);
        *rc = WB_ENOMEM;
        return NULL;
    }
    bool pub = a.norgs >= k;
    if (!pub) {
        json_object_set_new(o, "suppressed", json_true());
    } else {
        json_object_set_new(o, t->count_name, json_integer((json_int_t)a.count));
        json_object_set_new(o, "organisations", json_integer((json_int_t)a.norgs));
        t->put(o, &a, k);
    }
    if (prev) {
        if (wbi_pic_cell_get(prev, dim, key, t->median_late, &b) < 0) {
            *rc = WB_ENOMEM;
        } else if (b.norgs < k) {
            json_object_set_new(o, "previous_suppressed", json_true());
        } else {
            double pv = t->main(&b), cv = t->main(&a);
            json_object_set_new(o, "previous",
                                t->main_integer ? json_integer((json_int_t)pv)
                                                : json_real(round(pv * 100) / 100));
            /* One organisation more or less between two published cells
             * would let its own contribution be read off the difference. */
            size_t diff = wbi_pic_org_diff(a.orgs, a.norgs, b.orgs, b.norgs);
            if (pub && (diff == 0 || diff >= k))
                json_object_set_new(o, "change",
                                    t->main_integer ? json_integer((json_int_t)(cv - pv))
                                                    : json_real(round((cv - pv) * 100) / 100));
            else if (pub)
                json_object_set_new(o, "change_withheld", json_true());
        }
    }
    free(a.orgs);
    free(b.orgs);
    return o;
}

json_t *wbi_pic_theme_json(const wbi_pic_theme *t, const wbi_pic_set *cur, const wbi_pic_set *prev,
                           const wbi_pic_table *tabs, int ntabs, unsigned k, int *rc)
{
    json_t *th = json_object(), *by = json_object();
    if (!th || !by) *rc = WB_ENOMEM;
    if (*rc == 0) json_object_set_new(th, "total", cell(t, cur, prev, -1, 0, NULL, k, rc));
    for (int d = 0; d < ntabs && *rc == 0; d++) {
        const wbi_pic_table *tb = &tabs[d];
        json_t *arr = json_array();
        bool *seen = calloc((size_t)tb->labels->n + 1, sizeof *seen);
        if (!arr || !seen) *rc = WB_ENOMEM;
        for (size_t i = 0; *rc == 0 && !tb->listed && i < cur->n; i++)
            seen[cur->r[i].key[tb->dim]] = true;
        for (int key = 0; *rc == 0 && key < tb->labels->n; key++) {
            if (!(tb->listed ? tb->listed[key] : seen[key])) continue;
            json_t *c =
                cell(t, cur, tb->compare ? prev : NULL, tb->dim, key, tb->labels->s[key], k, rc);
            if (c) json_array_append_new(arr, c);
        }
        free(seen);
        json_object_set_new(by, tb->name, arr);
    }
    json_object_set_new(th, "by", by);
    if (*rc != 0) {
        json_decref(th);
        return NULL;
    }
    return th;
}
