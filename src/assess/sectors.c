/*
 * sectors.c - the supervisor's sector view (wb_assessdb_sectors): maturity
 * per sector over the organisations' newest assessments of one catalogue,
 * with every cell that aggregates fewer than k organisations suppressed.
 *
 * Suppression alone is not enough when a total is published beside the
 * cells: total minus the published cells would give back a suppressed one.
 * So the total of a column aggregates only the organisations counted in the
 * published cells of that column; it is a weighted mean of what is already
 * shown and adds nothing a reader could subtract. (docs/assess.md has the
 * rule and what it does not protect against.)
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/assessdb.h"

/* Columns: overall, ten measures, then the principles. */
#define COL_MEASURE 1
#define COL_PRINCIPLE (1 + WB_NIS2_MEASURES)

typedef struct pick {
    int64_t id, org_id;
    const char *sector; /* in the view's arena, NULL for none */
    int version;
} pick;

typedef struct pick_ctx {
    const char *catalogue;
    const wb_sector_scope *scope; /* NULL: every assessment (the operator) */
    pick *items;
    size_t n, cap;
    wb_arena *arena;
    bool oom;
} pick_ctx;

/* Collects the assessments of the catalogue that have answers; the newest
 * per organisation is chosen after the walk (newest_per_org). */
static int pick_cb(void *ud, const wb_assessment_rec *a)
{
    pick_ctx *c = ud;
    if (a->version == 0 || strcmp(a->catalogue, c->catalogue) != 0) return 0;
    /* a viewer's aggregate counts only what was shared with its audience */
    if (c->scope &&
        !(c->scope->audience == WB_SHARE_SUPERVISOR ? a->shared_supervisor : a->shared_csirt))
        return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        pick *p = realloc(c->items, cap * sizeof *p);
        if (p == NULL) {
            c->oom = true;
            return 1;
        }
        c->items = p;
        c->cap = cap;
    }
    const char *sector = NULL;
    if (a->org_sector && (sector = wb_arena_strdup(c->arena, a->org_sector)) == NULL) {
        c->oom = true;
        return 1;
    }
    c->items[c->n++] = (pick){a->id, a->org_id, sector, a->version};
    return 0;
}

static int cmp_org(const void *x, const void *y)
{
    const pick *a = x, *b = y;
    if (a->org_id != b->org_id) return (a->org_id > b->org_id) - (a->org_id < b->org_id);
    return (a->id > b->id) - (a->id < b->id);
}

/* Keeps the highest id (the newest assessment) of each organisation. */
static void newest_per_org(pick_ctx *c)
{
    /* qsort with a NULL array is undefined even for no elements (an empty
     * hub has no assessments, and the array is never allocated). */
    if (c->n > 1) qsort(c->items, c->n, sizeof *c->items, cmp_org);
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (k > 0 && c->items[k - 1].org_id == c->items[i].org_id)
            c->items[k - 1] = c->items[i];
        else
            c->items[k++] = c->items[i];
    }
    c->n = k;
}

static int cmp_pick(const void *x, const void *y)
{
    const pick *a = x, *b = y;
    if (a->sector == NULL || b->sector == NULL)
        return (a->sector == NULL) - (b->sector == NULL); /* no sector last */
    int c = strcmp(a->sector, b->sector);
    return c ? c : (a->org_id > b->org_id) - (a->org_id < b->org_id);
}

static bool same_sector(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Running sums of a column. */
typedef struct acc {
    double sum;
    size_t n;
} acc;

static void add(acc *a, const wb_score *s)
{
    if (!s->has_value) return;
    a->sum += s->value;
    a->n++;
}

static wb_sector_cell cell_of(const acc *a, unsigned k)
{
    wb_sector_cell c = {0};
    if (a->n < k || a->n == 0) {
        c.suppressed = true;
        return c;
    }
    c.value = a->sum / (double)a->n;
    c.n = a->n;
    return c;
}

void wb_sector_view_free(wb_sector_view *v)
{
    if (v == NULL) return;
    wb_arena_free(&v->arena);
    free(v);
}

/* Scores one organisation's assessment into its columns. A stored answer
 * set that the catalogue no longer accepts (the catalogue changed) leaves
 * the organisation out rather than failing the whole view. */
static int score_pick(wb_store *s, const wb_catalogue *cat, const wb_catalogue *pr, const pick *p,
                      acc *cols, size_t ncols, bool *used, wb_error *err)
{
    wb_assessdb_view *v = NULL;
    wb_scores *sc = NULL;
    wb_error ignore = {0};
    *used = false;
    int rc = wb_assessdb_load(s, p->id, p->version, &v, err);
    if (rc == WB_EFORMAT) rc = 0;
    if (rc != 0 || v == NULL) return rc;
    if (wb_assess_score(cat, v->answers, pr, WB_ASSESS_DEFAULT_TARGET, &sc, &ignore) == 0) {
        *used = true;
        add(&cols[0], &sc->overall);
        for (int m = 0; sc->mapped && m < WB_NIS2_MEASURES; m++)
            add(&cols[COL_MEASURE + m], &sc->measures[m].score);
        for (size_t i = 0; sc->mapped && i < sc->nprinciples && COL_PRINCIPLE + i < ncols; i++)
            add(&cols[COL_PRINCIPLE + i], &sc->principles[i].score);
    }
    wb_scores_free(sc);
    wb_assessdb_view_free(v);
    return 0;
}

static void fill_row(wb_sector_row *r, const acc *cols, size_t ncols, size_t np, unsigned k)
{
    r->overall = cell_of(&cols[0], k);
    for (int m = 0; m < WB_NIS2_MEASURES; m++)
        r->measures[m] = cell_of(&cols[COL_MEASURE + m], k);
    for (size_t i = 0; i < np && COL_PRINCIPLE + i < ncols; i++)
        r->principles[i] = cell_of(&cols[COL_PRINCIPLE + i], k);
}

/* Keeps the picks whose sector routes to the viewer as its audience (the
 * sector's own route, else "*"; an organisation without a sector by "*"). */
static int keep_routed(wb_store *s, const wb_sector_scope *sc, pick_ctx *c, wb_error *err)
{
    size_t kept = 0;
    for (size_t i = 0; i < c->n; i++) {
        int64_t csirt, sup;
        int x = wb_store_route_ids(s, c->items[i].sector, &csirt, &sup, err);
        if (x != 0) return x;
        if ((sc->audience == WB_SHARE_SUPERVISOR ? sup : csirt) == sc->viewer)
            c->items[kept++] = c->items[i];
    }
    c->n = kept;
    return 0;
}

static int sectors(wb_store *s, const wb_sector_scope *scope, const wb_catalogue *cat,
                   const wb_catalogue *pr, unsigned k, wb_sector_view **out, wb_error *err);

int wb_assessdb_sectors(wb_store *s, const wb_catalogue *cat, const wb_catalogue *pr, unsigned k,
                        wb_sector_view **out, wb_error *err)
{
    return sectors(s, NULL, cat, pr, k, out, err);
}

int wb_assessdb_sectors_for(wb_store *s, const wb_sector_scope *scope, const wb_catalogue *cat,
                            const wb_catalogue *pr, unsigned k, wb_sector_view **out, wb_error *err)
{
    return sectors(s, scope, cat, pr, k, out, err);
}

static int sectors(wb_store *s, const wb_sector_scope *scope, const wb_catalogue *cat,
                   const wb_catalogue *pr, unsigned k, wb_sector_view **out, wb_error *err)
{
    *out = NULL;
    if (k < 2) return wb_error_set(err, WB_EINVAL, "k must be at least 2, not %u", k);
    wb_sector_view *v = calloc(1, sizeof *v);
    if (v == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    wb_arena_init(&v->arena, 4096);
    v->k = k;
    v->catalogue = wb_arena_strdup(&v->arena, cat->name);
    pick_ctx pc = {.catalogue = cat->name, .scope = scope, .arena = &v->arena};
    acc *cols = NULL, *total = NULL;
    int rc = wb_store_assessment_list(s, 0, pick_cb, &pc, err);
    if (rc == 0 && (pc.oom || v->catalogue == NULL))
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");

    /* The principles' order and keys, from one empty scoring: the same
     * order wb_assess_score uses for every organisation. */
    wb_answers *none = rc == 0 ? wb_answers_new() : NULL;
    wb_scores *shape = NULL;
    if (rc == 0 && none == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0) rc = wb_assess_score(cat, none, pr, WB_ASSESS_DEFAULT_TARGET, &shape, err);
    if (rc == 0) {
        v->mapped = shape->mapped;
        v->nprinciples = shape->mapped ? shape->nprinciples : 0;
        if (v->nprinciples && (v->principle_refs = wb_arena_alloc(
                                   &v->arena, v->nprinciples * sizeof(char *))) == NULL)
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
        for (size_t i = 0; rc == 0 && i < v->nprinciples; i++)
            if ((v->principle_refs[i] =
                     wb_arena_strdup(&v->arena, shape->principles[i].group->key)) == NULL)
                rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    wb_scores_free(shape);
    wb_answers_free(none);

    size_t ncols = COL_PRINCIPLE + v->nprinciples, nsect = 0;
    if (rc == 0) {
        newest_per_org(&pc);
        /* after the walk: a query may not run inside another */
        if (scope && scope->viewer != 0) rc = keep_routed(s, scope, &pc, err);
    }
    if (rc == 0) {
        if (pc.n > 1) qsort(pc.items, pc.n, sizeof *pc.items, cmp_pick);
        for (size_t i = 0; i < pc.n; i++)
            if (i == 0 || !same_sector(pc.items[i - 1].sector, pc.items[i].sector)) nsect++;
        v->rows = wb_arena_alloc(&v->arena, (nsect + 1) * sizeof *v->rows);
        cols = calloc(ncols, sizeof *cols);
        total = calloc(ncols, sizeof *total);
        if (v->rows == NULL || cols == NULL || total == NULL)
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    for (size_t r = 0; rc == 0 && r <= nsect; r++) {
        memset(&v->rows[r], 0, sizeof v->rows[r]);
        if (v->nprinciples &&
            (v->rows[r].principles =
                 wb_arena_alloc(&v->arena, v->nprinciples * sizeof *v->rows[r].principles)) == NULL)
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    size_t i = 0, total_orgs = 0;
    for (size_t r = 0; rc == 0 && r < nsect; r++) {
        wb_sector_row *row = &v->rows[r];
        row->sector = pc.items[i].sector;
        memset(cols, 0, ncols * sizeof *cols);
        size_t orgs = 0;
        for (; rc == 0 && i < pc.n && same_sector(pc.items[i].sector, row->sector); i++) {
            bool used;
            rc = score_pick(s, cat, pr, &pc.items[i], cols, ncols, &used, err);
            if (used) orgs++;
        }
        if (rc != 0) break;
        row->suppressed = orgs < k;
        if (row->suppressed) {
            /* the whole row: not even its count of organisations */
            memset(cols, 0, ncols * sizeof *cols);
        } else {
            row->orgs = orgs;
            total_orgs += orgs;
        }
        fill_row(row, cols, ncols, v->nprinciples, k);
        /* only what is published goes into the total */
        for (size_t c = 0; c < ncols; c++)
            if (cols[c].n >= k) {
                total[c].sum += cols[c].sum;
                total[c].n += cols[c].n;
            }
    }
    if (rc == 0) {
        wb_sector_row *t = &v->rows[nsect];
        t->sector = "*";
        t->orgs = total_orgs;
        t->suppressed = total_orgs < k;
        fill_row(t, total, ncols, v->nprinciples, k);
        v->nrows = nsect + 1;
    }
    free(cols);
    free(total);
    free(pc.items);
    if (rc != 0) {
        wb_sector_view_free(v);
        return rc;
    }
    *out = v;
    return 0;
}

/* ---- JSON ------------------------------------------------------------------------------ */

static json_t *cell_json(const wb_sector_cell *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "score",
                        c->suppressed ? json_null() : json_real(round(c->value * 100.0) / 100.0));
    json_object_set_new(o, "organisations",
                        c->suppressed ? json_null() : json_integer((json_int_t)c->n));
    json_object_set_new(o, "suppressed", json_boolean(c->suppressed));
    return o;
}

static json_t *row_json(const wb_sector_view *v, const wb_sector_row *r, bool total)
{
    json_t *o = json_object();
    if (!total) json_object_set_new(o, "sector", r->sector ? json_string(r->sector) : json_null());
    json_object_set_new(o, "organisations",
                        r->suppressed ? json_null() : json_integer((json_int_t)r->orgs));
    json_object_set_new(o, "suppressed", json_boolean(r->suppressed));
    json_object_set_new(o, "overall", cell_json(&r->overall));
    json_t *ms = json_object();
    for (int m = 0; v->mapped && m < WB_NIS2_MEASURES; m++) {
        char id[2] = {(char)('a' + m), 0};
        json_object_set_new(ms, id, cell_json(&r->measures[m]));
    }
    json_object_set_new(o, "nis2_measures", ms);
    json_t *ps = json_array();
    for (size_t p = 0; p < v->nprinciples; p++) {
        json_t *c = cell_json(&r->principles[p]);
        json_object_set_new(c, "principle", json_integer((json_int_t)p + 1));
        json_object_set_new(c, "ref", json_string(v->principle_refs[p]));
        json_array_append_new(ps, c);
    }
    json_object_set_new(o, "principles", ps);
    return o;
}

int wb_sector_view_json(const wb_sector_view *v, wb_buf *out)
{
    json_t *root = json_object(), *rows = json_array();
    json_object_set_new(root, "catalogue", json_string(v->catalogue));
    json_object_set_new(root, "k", json_integer(v->k));
    json_object_set_new(root, "mapped", json_boolean(v->mapped));
    for (size_t r = 0; r + 1 < v->nrows; r++)
        json_array_append_new(rows, row_json(v, &v->rows[r], false));
    json_object_set_new(root, "sectors", rows);
    if (v->nrows) json_object_set_new(root, "total", row_json(v, &v->rows[v->nrows - 1], true));
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(root);
    if (text == NULL) return WB_ENOMEM;
    int rc = wb_buf_puts(out, text);
    free(text);
    return rc ? WB_ENOMEM : 0;
}
