/*
 * score.c - scores, coverage, gaps and diffs of an assessment: pure
 * functions of a catalogue and answer sets, so that the command line and the
 * hub compute the same numbers from whatever store the answers come from.
 *
 * Two means are used on purpose. A node of the catalogue's tree averages its
 * own score and its children's scores, so each heading weighs as much as its
 * siblings however many requirements it holds (the rule, and how the
 * Cbw framework reads: each duty-of-care topic counts). A NIS2 measure or a
 * basic principle averages the requirements mapped to it, because a mapping
 * is a flat list that does not follow the tree.
 */
#include <stdlib.h>
#include <string.h>

#include "assess/assess_internal.h"

static int oom(wb_error *err)
{
    return wb_error_set(err, WB_ENOMEM, "out of memory");
}

void wb_scores_free(wb_scores *s)
{
    if (s == NULL) return;
    free(s->nodes);
    free(s->levels);
    free(s->principles);
    free(s->gaps);
    free(s);
}

/* Levels per node from the answers; WB_LEVEL_NONE where there is none. */
static int fill_levels(const wb_catalogue *cat, const wb_answers *ans, int *levels,
                       const char *which, wb_error *err)
{
    for (size_t i = 0; i < cat->nnodes; i++)
        levels[i] = WB_LEVEL_NONE;
    for (size_t i = 0; ans && i < ans->n; i++) {
        long node = wbi_catalogue_req(cat, ans->items[i].ref);
        if (node < 0)
            return wb_error_set(err, WB_EINVAL, "%s'%s' is not an assessable requirement of %s",
                                which, ans->items[i].ref, cat->name);
        levels[node] = ans->items[i].level;
    }
    return 0;
}

/* Adds an assessable requirement's own answer to a running score. */
static void add_requirement(wb_score *s, double *sum, size_t *cnt, int level)
{
    s->assessable++;
    if (level != WB_LEVEL_NONE) s->answered++;
    if (level == WB_LEVEL_NA) return;
    if (level >= 0) s->rated++, s->maturity += level; /* a sum until finish() */
    *sum += level == WB_LEVEL_NONE ? 0 : level;
    (*cnt)++;
}

static void finish(wb_score *s, double sum, size_t cnt)
{
    s->has_value = cnt > 0;
    s->value = cnt ? sum / (double)cnt : 0;
    s->maturity = s->rated ? s->maturity / (double)s->rated : 0;
}

/* Adds a finished child's rated levels to a parent's running sum. */
static void add_rated(wb_score *s, const wb_score *cs)
{
    s->rated += cs->rated;
    s->maturity += cs->maturity * (double)cs->rated;
}

static void score_tree(const wb_catalogue *cat, wb_scores *sc)
{
    /* children come after their parent in cat->nodes: walk backwards */
    for (size_t k = cat->nnodes; k-- > 0;) {
        const wb_req_node *n = &cat->nodes[k];
        wb_score *s = &sc->nodes[k];
        double sum = 0;
        size_t cnt = 0;
        if (n->assessable) add_requirement(s, &sum, &cnt, sc->levels[k]);
        for (size_t c = 0; c < n->nchildren; c++) {
            const wb_score *cs = &sc->nodes[n->children[c]];
            s->answered += cs->answered;
            s->assessable += cs->assessable;
            add_rated(s, cs);
            if (cs->has_value) sum += cs->value, cnt++;
        }
        finish(s, sum, cnt);
    }
    double sum = 0;
    size_t cnt = 0;
    for (size_t r = 0; r < cat->nroots; r++) {
        const wb_score *cs = &sc->nodes[cat->roots[r]];
        sc->overall.answered += cs->answered;
        sc->overall.assessable += cs->assessable;
        add_rated(&sc->overall, cs);
        if (cs->has_value) sum += cs->value, cnt++;
    }
    finish(&sc->overall, sum, cnt);
}

/* Marks requirement t and, for a heading, every assessable requirement under
 * it. Descendants come after t in file order, so one forward pass with
 * scratch (zeroed, nnodes bytes) finds them without recursion, which a deep
 * hostile tree could turn into a stack overflow. */
static void mark(const wb_catalogue *cat, size_t t, unsigned char *member, unsigned char *scratch)
{
    if (cat->nodes[t].nchildren == 0) {
        member[t] |= cat->nodes[t].assessable;
        return;
    }
    memset(scratch, 0, cat->nnodes);
    scratch[t] = 1;
    for (size_t j = t; j < cat->nnodes; j++) {
        long p = cat->nodes[j].parent;
        if (j > t) scratch[j] = p >= (long)t && scratch[p];
        if (scratch[j] && cat->nodes[j].assessable) member[j] = 1;
    }
}

/* The principle (index of the root) that principles node k lies under. */
static size_t root_of(const wb_catalogue *p, size_t k)
{
    while (p->nodes[k].parent >= 0)
        k = (size_t)p->nodes[k].parent;
    for (size_t r = 0; r < p->nroots; r++)
        if (p->roots[r] == k) return r;
    return 0;
}

/* Requirement t of cat counts for principle (row pr) and for the measures
 * of principles node s. */
static void apply(const wb_catalogue *cat, size_t t, const wb_req_node *s, unsigned char *member,
                  unsigned char *pr, unsigned char *scratch)
{
    mark(cat, t, pr, scratch);
    for (int g = 0; g < WB_NIS2_MEASURES; g++)
        if (s->nis2_measures & (1u << g)) mark(cat, t, member + (size_t)g * cat->nnodes, scratch);
}

/* member[g * nnodes + i]: requirement i of cat counts for group g, where
 * groups are the NIS2 measures (0..9) and then the principles. Read from the
 * principles catalogue's maps_to lists naming cat, or from its own nodes
 * when cat is the principles catalogue. False when nothing maps. */
static bool map_groups(const wb_catalogue *cat, const wb_catalogue *p, unsigned char *member,
                       unsigned char *scratch)
{
    size_t nn = cat->nnodes;
    bool mapped = false;
    bool self = p == cat || strcmp(p->name, cat->name) == 0;
    for (size_t k = 0; k < p->nnodes; k++) {
        const wb_req_node *s = &p->nodes[k];
        unsigned char *pr = member + (WB_NIS2_MEASURES + root_of(p, k)) * nn;
        if (self) {
            if (s->assessable) apply(cat, k, s, member, pr, scratch), mapped = true;
            continue;
        }
        for (size_t m = 0; m < s->nmaps; m++) {
            if (strcmp(s->maps[m].catalogue, cat->name) != 0) continue;
            for (size_t r = 0; r < s->maps[m].nrefs; r++) {
                const wb_req_node *t = wb_catalogue_find(cat, s->maps[m].refs[r]);
                if (t == NULL) continue; /* tests check the built-in mappings */
                apply(cat, wb_catalogue_node_index(cat, t), s, member, pr, scratch);
                mapped = true;
            }
        }
    }
    return mapped;
}

static void score_group(const wb_catalogue *cat, const unsigned char *member, const int *levels,
                        wb_score *s)
{
    double sum = 0;
    size_t cnt = 0;
    for (size_t i = 0; i < cat->nnodes; i++)
        if (member[i]) add_requirement(s, &sum, &cnt, levels[i]);
    finish(s, sum, cnt);
}

static int gap_cmp(const void *a, const void *b)
{
    const wb_gap *x = a, *y = b;
    if (x->shortfall != y->shortfall) return x->shortfall > y->shortfall ? -1 : 1;
    /* unmapped requirements after every principle */
    unsigned px = x->principle ? (unsigned)x->principle : 1000u;
    unsigned py = y->principle ? (unsigned)y->principle : 1000u;
    if (px != py) return px < py ? -1 : 1;
    return x->node < y->node ? -1 : x->node > y->node;
}

static int find_gaps(const wb_catalogue *cat, const unsigned char *member, size_t nprinciples,
                     wb_scores *sc, wb_error *err)
{
    sc->gaps = calloc(cat->nassessable + 1, sizeof *sc->gaps);
    if (sc->gaps == NULL) return oom(err);
    for (size_t i = 0; i < cat->nnodes; i++) {
        int level = sc->levels[i];
        if (!cat->nodes[i].assessable || level == WB_LEVEL_NA) continue;
        int have = level == WB_LEVEL_NONE ? 0 : level;
        if (have >= sc->target) continue;
        wb_gap *g = &sc->gaps[sc->ngaps++];
        g->node = i;
        g->level = have;
        g->answered = level != WB_LEVEL_NONE;
        g->shortfall = sc->target - have;
        for (size_t p = 0; member && p < nprinciples && g->principle == 0; p++)
            if (member[(WB_NIS2_MEASURES + p) * cat->nnodes + i]) g->principle = (int)p + 1;
    }
    qsort(sc->gaps, sc->ngaps, sizeof *sc->gaps, gap_cmp);
    return 0;
}

int wb_assess_score(const wb_catalogue *cat, const wb_answers *ans, const wb_catalogue *principles,
                    int target, wb_scores **out, wb_error *err)
{
    *out = NULL;
    if (target < 1 || target > WB_ASSESS_MAX_LEVEL)
        return wb_error_set(err, WB_EINVAL, "target level %d is not 1-%d", target,
                            WB_ASSESS_MAX_LEVEL);
    wb_scores *sc = calloc(1, sizeof *sc);
    if (sc == NULL) return oom(err);
    sc->target = target;
    sc->nodes = calloc(cat->nnodes + 1, sizeof *sc->nodes);
    sc->levels = calloc(cat->nnodes + 1, sizeof *sc->levels);
    size_t np = principles ? principles->nroots : 0;
    size_t ngroups = WB_NIS2_MEASURES + np;
    unsigned char *member = calloc(ngroups * cat->nnodes + 1, 1);
    unsigned char *scratch = calloc(cat->nnodes + 1, 1);
    sc->principles = calloc(np + 1, sizeof *sc->principles);
    int rc = sc->nodes && sc->levels && member && scratch && sc->principles ? 0 : oom(err);
    if (rc == 0) rc = fill_levels(cat, ans, sc->levels, "", err);
    if (rc == 0) {
        score_tree(cat, sc);
        sc->mapped = principles && map_groups(cat, principles, member, scratch);
        for (int m = 0; m < WB_NIS2_MEASURES; m++) {
            sc->measures[m].measure = m;
            score_group(cat, member + (size_t)m * cat->nnodes, sc->levels, &sc->measures[m].score);
        }
        for (size_t p = 0; p < np; p++) {
            sc->principles[p].group = &principles->nodes[principles->roots[p]];
            sc->principles[p].measure = -1;
            score_group(cat, member + (WB_NIS2_MEASURES + p) * cat->nnodes, sc->levels,
                        &sc->principles[p].score);
        }
        sc->nprinciples = np;
        rc = find_gaps(cat, sc->mapped ? member : NULL, np, sc, err);
    }
    free(member);
    free(scratch);
    if (rc) {
        wb_scores_free(sc);
        return rc;
    }
    *out = sc;
    return 0;
}

const char *wb_diff_kind_name(wb_diff_kind k)
{
    switch (k) {
    case WB_DIFF_UNCHANGED:
        return "unchanged";
    case WB_DIFF_IMPROVED:
        return "improved";
    case WB_DIFF_SLIPPED:
        return "slipped";
    case WB_DIFF_NEW:
        return "new";
    case WB_DIFF_REMOVED:
        return "removed";
    case WB_DIFF_CHANGED:
        return "changed";
    }
    return "?";
}

int wb_assess_diff(const wb_catalogue *cat, const wb_answers *from, const wb_answers *to,
                   wb_diff_item **items, size_t *n, wb_error *err)
{
    *items = NULL;
    *n = 0;
    int *a = calloc(cat->nnodes + 1, sizeof *a), *b = calloc(cat->nnodes + 1, sizeof *b);
    wb_diff_item *d = calloc(cat->nnodes + 1, sizeof *d);
    int rc = a && b && d ? 0 : oom(err);
    if (rc == 0) rc = fill_levels(cat, from, a, "the older answers: ", err);
    if (rc == 0) rc = fill_levels(cat, to, b, "the newer answers: ", err);
    size_t k = 0;
    for (size_t i = 0; rc == 0 && i < cat->nnodes; i++) {
        if (!cat->nodes[i].assessable || (a[i] == WB_LEVEL_NONE && b[i] == WB_LEVEL_NONE)) continue;
        wb_diff_kind kind;
        if (a[i] == WB_LEVEL_NONE)
            kind = WB_DIFF_NEW;
        else if (b[i] == WB_LEVEL_NONE)
            kind = WB_DIFF_REMOVED;
        else if (a[i] == b[i])
            kind = WB_DIFF_UNCHANGED;
        else if (a[i] == WB_LEVEL_NA || b[i] == WB_LEVEL_NA)
            kind = WB_DIFF_CHANGED;
        else
            kind = b[i] > a[i] ? WB_DIFF_IMPROVED : WB_DIFF_SLIPPED;
        d[k++] = (wb_diff_item){i, a[i], b[i], kind};
    }
    free(a);
    free(b);
    if (rc) {
        free(d);
        return rc;
    }
    *items = d;
    *n = k;
    return 0;
}
