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

#define WBI_PIC_DIMS_MAX 4

typedef struct wbi_pic_rec {
    int64_t org;
    int key[WBI_PIC_DIMS_MAX]; /* index into the dimension's labels */
    double v;                  /* a measured value (hours), when the theme has one */
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
 * records with flag false (late ones) or all records (all true), with
 * v_orgs the distinct organisations among those. */
typedef struct wbi_pic_cell {
    size_t count, flags;
    int64_t *orgs;
    size_t norgs;
    double v_med;
    size_t v_count, v_orgs;
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

#endif
