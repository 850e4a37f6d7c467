/*
 * resilience.c - the resilience theme of the picture: the assessments of
 * the duty of care (assessdb.h) that organisations share, per sector and
 * per basic principle: how many organisations in view have one (coverage)
 * and their mean score (0-5, assess.h's scoring), compared with the state
 * at the end of the period before.
 *
 * The filter is the assessment sector view's (wb_assessdb_sectors_for):
 * with a viewer, only assessments shared with its audience (CSIRT or
 * supervisor) of organisations in the sectors routed to it; the operator
 * (--db) counts every assessment. The state at the end of a period is each
 * organisation's newest assessment of the catalogue that had a version by
 * then, in its newest version made before then. Only organisation ids,
 * sectors and scores enter the picture; answers and remarks do not.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "picture/picture_internal.h"
#include "weerbaar/assessdb.h"

typedef struct ver {
    int version;
    wb_time created;
} ver;

typedef struct assess_row {
    int64_t id, org;
    int sector;
    ver *v;
    size_t nv, vcap;
} assess_row;

typedef struct re_ctx {
    const wbi_pic_view *v;
    assess_row *a;
    size_t n, cap;
    assess_row *cur;
    int rc;
} re_ctx;

static int on_assessment(void *ud, const wb_assessment_rec *a)
{
    re_ctx *c = ud;
    const wb_picture_opts *o = c->v->o;
    if (a->version == 0 || strcmp(a->catalogue, o->catalogue->name) != 0) return 0;
    /* a viewer counts only what was shared with its audience */
    if (o->viewer != 0 &&
        !(o->audience == WB_SHARE_SUPERVISOR ? a->shared_supervisor : a->shared_csirt))
        return 0;
    const wbi_pic_org *org = wbi_pic_org_find(c->v, a->org_id);
    if (!org) return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 128;
        assess_row *p = realloc(c->a, cap * sizeof *p);
        if (!p) return c->rc = WB_ENOMEM;
        c->a = p;
        c->cap = cap;
    }
    c->a[c->n++] = (assess_row){.id = a->id, .org = a->org_id, .sector = org->sector};
    return 0;
}

static int on_version(void *ud, const wb_assessment_version_rec *v)
{
    re_ctx *c = ud;
    assess_row *r = c->cur;
    if (r->nv == r->vcap) {
        size_t cap = r->vcap ? r->vcap * 2 : 8;
        ver *p = realloc(r->v, cap * sizeof *p);
        if (!p) return c->rc = WB_ENOMEM;
        r->v = p;
        r->vcap = cap;
    }
    r->v[r->nv++] = (ver){v->version, v->created};
    return 0;
}

/* The version of r that was newest before end, 0 when none. */
static int version_at(const assess_row *r, wb_time end)
{
    int best = 0;
    for (size_t i = 0; i < r->nv; i++)
        if (r->v[i].created < end && r->v[i].version > best) best = r->v[i].version;
    return best;
}

/* One organisation's scores at a period's end. */
typedef struct pick {
    size_t row;
    int version;
    wb_scores *sc;
} pick;

static int pick_cmp(const void *a, const void *b)
{
    const assess_row *x = a, *y = b;
    if (x->org != y->org) return x->org < y->org ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Per organisation, its newest assessment with a version before end. *np
 * picks into picks (room for c->n), without scores yet. */
static void choose(const re_ctx *c, wb_time end, pick *picks, size_t *np)
{
    *np = 0;
    for (size_t i = 0; i < c->n; i++) {
        int v = version_at(&c->a[i], end);
        if (v == 0) continue;
        /* the rows are sorted by organisation and id: a later row of the
         * same organisation is newer */
        if (*np && c->a[picks[*np - 1].row].org == c->a[i].org) {
            picks[*np - 1] = (pick){i, v, NULL};
            continue;
        }
        picks[(*np)++] = (pick){i, v, NULL};
    }
}

static int score(re_ctx *c, pick *p)
{
    const wb_picture_opts *o = c->v->o;
    wb_assessdb_view *view = NULL;
    int rc = wb_assessdb_load(c->v->s, c->a[p->row].id, p->version, &view, c->v->err);
    /* answers the catalogue no longer accepts leave the organisation out,
     * as in the sector view */
    if (rc == WB_EFORMAT) {
        wb_error_clear(c->v->err);
        return 0;
    }
    if (rc != 0) return rc;
    wb_error ignore = {0};
    if (wb_assess_score(o->catalogue, view->answers, o->principles, WB_ASSESS_DEFAULT_TARGET,
                        &p->sc, &ignore) != 0)
        p->sc = NULL;
    wb_assessdb_view_free(view);
    return 0;
}

/* The organisation set (dim 0: sector; v: the overall score) and the
 * principle set (dim 0: principle, dim 1: sector; v: its score). */
static int build(const re_ctx *c, const pick *picks, size_t np, unsigned k, wbi_pic_set *orgs,
                 wbi_pic_set *fam)
{
    orgs->ndims = 1;
    fam->ndims = 2;
    for (size_t i = 0; i < np; i++) {
        const wb_scores *sc = picks[i].sc;
        if (!sc || !sc->overall.has_value) continue;
        const assess_row *r = &c->a[picks[i].row];
        wbi_pic_rec rec = {.org = r->org, .key = {r->sector}, .v = sc->overall.value};
        if (wbi_pic_add(orgs, &rec) < 0) return WB_ENOMEM;
        for (size_t p = 0; sc->mapped && p < sc->nprinciples; p++) {
            if (!sc->principles[p].score.has_value) continue;
            wbi_pic_rec fr = {
                .org = r->org, .key = {(int)p, r->sector}, .v = sc->principles[p].score.value};
            if (wbi_pic_add(fam, &fr) < 0) return WB_ENOMEM;
        }
    }
    if (wbi_pic_fixpoint(orgs, k) < 0 || wbi_pic_fixpoint(fam, k) < 0) return WB_ENOMEM;
    return 0;
}

static void put(json_t *o, const wbi_pic_cell *c, unsigned k)
{
    (void)k;
    json_object_set_new(o, "mean_score", json_real(round(c->v_mean * 100) / 100));
}

static double main_num(const wbi_pic_cell *c)
{
    return c->v_mean;
}

static const wbi_pic_theme org_theme = {
    .count_name = "assessments", .put = put, .main = main_num, .main_integer = false};

/* coverage: the share of the organisations in view (of the sector, or of
 * the sectors published, for the total) that the cell's assessments come
 * from */
static void put_coverage(json_t *th, const wbi_pic_view *v)
{
    size_t *in_sector = calloc((size_t)v->sectors->n + 1, sizeof *in_sector);
    if (!in_sector) return;
    for (size_t i = 0; i < v->norgs; i++)
        if (v->orgs[i].visible) in_sector[v->orgs[i].sector]++;
    size_t published = 0, i;
    json_t *cj;
    json_array_foreach(json_object_get(json_object_get(th, "by"), "sector"), i, cj)
    {
        json_t *n = json_object_get(cj, "organisations");
        int key = wbi_pic_label_of(v->sectors, json_string_value(json_object_get(cj, "key")));
        if (!json_is_integer(n) || key < 0 || in_sector[key] == 0) continue;
        published += in_sector[key];
        json_object_set_new(
            cj, "coverage",
            json_real(round(1000.0 * (double)json_integer_value(n) / (double)in_sector[key]) /
                      1000));
    }
    json_t *tot = json_object_get(th, "total");
    json_t *n = json_object_get(tot, "organisations");
    if (json_is_integer(n) && published)
        json_object_set_new(
            tot, "coverage",
            json_real(round(1000.0 * (double)json_integer_value(n) / (double)published) / 1000));
    free(in_sector);
}

json_t *wbi_pic_resilience(const wbi_pic_view *v, int *rc)
{
    const wb_picture_opts *o = v->o;
    if (!o->catalogue) return wbi_pic_no_data("no assessment catalogue is installed");
    re_ctx c = {.v = v};
    *rc = wb_store_assessment_list(v->s, 0, on_assessment, &c, v->err);
    if (*rc == 0 && c.rc) *rc = wb_error_set(v->err, c.rc, "out of memory");
    /* the versions after the walk: a statement is not re-entered */
    for (size_t i = 0; i < c.n && *rc == 0; i++) {
        c.cur = &c.a[i];
        *rc = wb_store_assessment_version_list(v->s, c.a[i].id, on_version, &c, v->err);
        if (*rc == 0 && c.rc) *rc = wb_error_set(v->err, c.rc, "out of memory");
    }
    if (*rc == 0 && c.n > 1) qsort(c.a, c.n, sizeof *c.a, pick_cmp);
    pick *pc = calloc(c.n + 1, sizeof *pc), *pp = calloc(c.n + 1, sizeof *pp);
    size_t npc = 0, npp = 0;
    if (*rc == 0 && (!pc || !pp)) *rc = WB_ENOMEM;
    if (*rc == 0) {
        choose(&c, o->to, pc, &npc);
        choose(&c, o->from, pp, &npp);
    }
    for (size_t i = 0; i < npc && *rc == 0; i++)
        *rc = score(&c, &pc[i]);
    /* the previous state reuses a score of the same version */
    for (size_t i = 0, j = 0; i < npp && *rc == 0; i++) {
        while (j < npc && c.a[pc[j].row].org < c.a[pp[i].row].org)
            j++;
        if (j < npc && pc[j].row == pp[i].row && pc[j].version == pp[i].version && pc[j].sc) {
            pp[i].sc = pc[j].sc;
            pp[i].version = -1; /* borrowed: not freed twice */
        } else {
            *rc = score(&c, &pp[i]);
        }
    }
    wbi_pic_set cur = {0}, prev = {0}, fcur = {0}, fprev = {0};
    wbi_pic_labels fl = {0};
    json_t *th = NULL, *fth = NULL;
    if (*rc == 0) *rc = build(&c, pc, npc, o->k, &cur, &fcur);
    if (*rc == 0) *rc = build(&c, pp, npp, o->k, &prev, &fprev);
    /* the principles' names, in scoring order */
    for (size_t i = 0; *rc == 0 && i < npc; i++)
        if (pc[i].sc && pc[i].sc->mapped) {
            for (size_t p = 0; p < pc[i].sc->nprinciples && *rc == 0; p++)
                if (wbi_pic_label_of(&fl, pc[i].sc->principles[p].group->key) < 0) *rc = WB_ENOMEM;
            break;
        }
    if (*rc == 0) {
        bool *listed = calloc((size_t)v->sectors->n + 1, sizeof *listed);
        if (!listed) *rc = WB_ENOMEM;
        for (size_t i = 0; listed && i < v->norgs; i++)
            if (v->orgs[i].visible) listed[v->orgs[i].sector] = true;
        wbi_pic_table st = {"sector", 0, v->sectors, listed, true};
        if (*rc == 0) th = wbi_pic_theme_json(&org_theme, &cur, &prev, &st, 1, o->k, rc);
        wbi_pic_table ft = {"principle", 0, &fl, NULL, true};
        if (*rc == 0) fth = wbi_pic_theme_json(&org_theme, &fcur, &fprev, &ft, 1, o->k, rc);
        free(listed);
    }
    if (*rc == 0) {
        put_coverage(th, v);
        json_object_set(json_object_get(th, "by"), "principle",
                        json_object_get(json_object_get(fth, "by"), "principle"));
        json_object_set_new(th, "catalogue", json_string(o->catalogue->name));
    }
    if (*rc == WB_ENOMEM) wb_error_set(v->err, WB_ENOMEM, "out of memory building the picture");
    json_decref(fth);
    for (size_t i = 0; pc && i < npc; i++)
        wb_scores_free(pc[i].sc);
    for (size_t i = 0; pp && i < npp; i++)
        if (pp[i].version >= 0) wb_scores_free(pp[i].sc);
    free(pc);
    free(pp);
    for (size_t i = 0; i < c.n; i++)
        free(c.a[i].v);
    free(c.a);
    wbi_pic_free(&cur);
    wbi_pic_free(&prev);
    wbi_pic_free(&fcur);
    wbi_pic_free(&fprev);
    wbi_pic_labels_free(&fl);
    if (*rc != 0) {
        json_decref(th);
        return NULL;
    }
    return th;
}
