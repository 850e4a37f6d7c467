/*
 * picture_internal.h - the k-anonymous table engine behind picture.c.
 *
 * A theme is a set of records (one incident, one report, one answer), each
 * from one organisation and with one category in every table of the theme
 * (a sector, a month, ...; "unknown" is a category too, so every table
 * partitions the records). wbi_pic_fixpoint keeps alive exactly the records
 * whose every cell counts at least k distinct organisations among the
 * records kept: removing a record can push another cell below k, so it
 * repeats until nothing changes. Every number the picture publishes is
 * computed over the records kept, so every table of a theme and its total
 * sum up over the same records and no difference between them isolates a
 * suppressed cell.
 */
#ifndef WB_PICTURE_INTERNAL_H
#define WB_PICTURE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "weerbaar/picture.h"

#define WBI_PIC_DIMS_MAX 4
#define WBI_PIC_SUMS 3

typedef struct wbi_pic_rec {
    int64_t org;
    int key[WBI_PIC_DIMS_MAX]; /* index into the dimension's labels */
    double v;                  /* a measured value (hours), when the theme has one */
    double sum[WBI_PIC_SUMS];  /* counts summed over a cell (findings, ...) */
    bool flag;                 /* on time, when the theme has one */
    bool alive;
} wbi_pic_rec;

typedef struct wbi_pic_set {
    wbi_pic_rec *r;
    size_t n, cap;
    int ndims;
} wbi_pic_set;

/* The numbers of one cell over the alive records. orgs is malloc'd, sorted
 * and unique (the caller frees it); v_med is the median of v over the
 * records with flag false (late ones) or all records (all true), v_mean
 * their mean, with v_orgs the distinct organisations among those; sum the
 * records' sums. */
typedef struct wbi_pic_cell {
    size_t count, flags;
    int64_t *orgs;
    size_t norgs;
    double v_med, v_mean;
    size_t v_count, v_orgs;
    double sum[WBI_PIC_SUMS];
} wbi_pic_cell;

/* 0 or -1 (out of memory). */
int wbi_pic_add(wbi_pic_set *s, const wbi_pic_rec *r);
void wbi_pic_free(wbi_pic_set *s);
/* Marks alive the largest set of records whose cells all have >= k
 * organisations. 0 or -1 (out of memory). */
int wbi_pic_fixpoint(wbi_pic_set *s, unsigned k);
/* The cell of dimension dim (-1: the total) at key. median_late: the
 * median over the late (flag false) records only. 0 or -1. */
int wbi_pic_cell_get(const wbi_pic_set *s, int dim, int key, bool median_late, wbi_pic_cell *c);
/* Distinct organisations in a but not in b plus in b but not in a. */
size_t wbi_pic_org_diff(const int64_t *a, size_t na, const int64_t *b, size_t nb);

/* ---- what the themes share (theme.c) -------------------------------------- */

/* The labels of one dimension, in order of first use. */
typedef struct wbi_pic_labels {
    char **s;
    int n, cap;
} wbi_pic_labels;

/* The index of label s in l, added when new; -1 when out of memory. */
int wbi_pic_label_of(wbi_pic_labels *l, const char *s);
void wbi_pic_labels_free(wbi_pic_labels *l);

/* An organisation as the picture knows it: no name, only its sector (a
 * label of wbi_pic_view.sectors) and whether the viewer's routes cover it. */
typedef struct wbi_pic_org {
    int64_t id;
    int sector;
    bool visible;
} wbi_pic_org;

/* What every theme reads from: the store, the options, the period before
 * and the organisations sorted by id. */
typedef struct wbi_pic_view {
    wb_store *s;
    wb_error *err;
    const wb_picture_opts *o;
    wb_time pfrom; /* the previous period: [pfrom, o->from) */
    const wbi_pic_org *orgs;
    size_t norgs;
    wbi_pic_labels *sectors;
} wbi_pic_view;

/* The visible organisation id, or NULL. */
const wbi_pic_org *wbi_pic_org_find(const wbi_pic_view *v, int64_t id);

/* One table of a theme: the dimension, its labels and which keys are
 * listed (NULL: the keys of the current set's records, before suppression,
 * so a key that lost its records is still listed as suppressed). */
typedef struct wbi_pic_table {
    const char *name;
    int dim;
    const wbi_pic_labels *labels;
    const bool *listed;
    bool compare; /* with the previous period's cell of the same key */
} wbi_pic_table;

/* How a theme writes a published cell. put adds the numbers beyond count
 * (under count_name) and organisations; main is the number the previous
 * period is compared on (integer when main_integer). */
typedef struct wbi_pic_theme {
    const char *count_name;
    bool median_late;
    void (*put)(json_t *o, const wbi_pic_cell *c, unsigned k);
    double (*main)(const wbi_pic_cell *c);
    bool main_integer;
} wbi_pic_theme;

/* {"total": cell, "by": {table: [cells]}} as a json_t *, with the previous
 * period's values where prev is not NULL, under the comparison rule
 * (docs/picture.md). NULL with *rc set on failure. */
json_t *wbi_pic_theme_json(const wbi_pic_theme *t, const wbi_pic_set *cur, const wbi_pic_set *prev,
                           const wbi_pic_table *tabs, int ntabs, unsigned k, int *rc);
/* {"data": false, "reason": why} */
json_t *wbi_pic_no_data(const char *why);

/* The themes built from other hub data than incidents: each returns a
 * json_t * theme (or one saying why it has no data), NULL with *rc set on
 * failure. */
json_t *wbi_pic_exposure(const wbi_pic_view *v, int *rc);
json_t *wbi_pic_sightings(const wbi_pic_view *v, int *rc);
json_t *wbi_pic_resilience(const wbi_pic_view *v, int *rc);

#endif
