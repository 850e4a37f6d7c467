/*
 * board_build.c - fills a wb_board from an assessment's answers: the scores
 * (wb_assess_score), the five basic principles against the previous
 * assessment, the largest gaps with their owners, the improvement actions
 * past due, and this year's incidents from the register. Shared by
 * `weerbaar assess report` (src/cli/cmd_assess_report.c) and the hub's
 * board report (GET /api/v1/assessments/{id}/report), so that the page
 * and the command print the same report; board.c and board_html.c draw it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/incident.h"
#include "weerbaar/register.h"
#include "weerbaar/report.h"
#include "weerbaar/store.h"

void wb_board_data_free(wb_board_data *bd)
{
    if (bd == NULL) return;
    wb_scores_free(bd->sc);
    wb_scores_free(bd->prev);
    free(bd->principles);
    free(bd->gaps);
    free(bd->overdue);
    free(bd->incidents);
    wb_arena_free(&bd->arena);
}

void wb_board_data_init(wb_board_data *bd, const wb_catalogue *cat, const char *lang, wb_time as_of,
                        int target)
{
    memset(bd, 0, sizeof *bd);
    wb_arena_init(&bd->arena, 4096);
    wb_board *b = &bd->b;
    const char *title = wb_cat_text_get(cat->texts, cat->ntexts, WB_TEXT_NAME, lang, NULL);
    b->lang = lang;
    b->catalogue = cat->name;
    b->catalogue_title = title ? title : cat->name;
    b->attribution = cat->copyright;
    b->as_of = as_of;
    b->target = target;
    wb_civil c;
    wb_ams_to_civil(as_of, &c, NULL);
    b->year = (int)c.year;
}

/* A requirement's text for the report: its name, else its description. */
static const char *node_text(const wb_req_node *n, const char *lang)
{
    const char *s = wb_cat_text_get(n->texts, n->ntexts, WB_TEXT_NAME, lang, NULL);
    if (s == NULL) s = wb_cat_text_get(n->texts, n->ntexts, WB_TEXT_DESCRIPTION, lang, NULL);
    return s ? s : n->key;
}

/* Days since 1970-01-01 of t on the Amsterdam calendar. */
static int64_t ams_day(wb_time t)
{
    wb_civil c;
    wb_ams_to_civil(t, &c, NULL);
    return wb_days_from_civil(c.year, c.month, c.day);
}

static int cmp_due(const void *a, const void *b)
{
    const wb_board_item *x = a, *y = b;
    if (x->due != y->due) return x->due < y->due ? -1 : 1;
    return strcmp(x->ref, y->ref);
}

static void fill_item(wb_board_item *it, const wb_catalogue *cat, const wb_answers *ans,
                      const wb_gap *g, const char *lang)
{
    const wb_req_node *n = &cat->nodes[g->node];
    const wb_answer *a = wb_answers_find(ans, n->key);
    *it = (wb_board_item){.ref = n->key,
                          .name = node_text(n, lang),
                          .level = g->level,
                          .answered = g->answered,
                          .shortfall = g->shortfall,
                          .owner = a ? a->owner : NULL,
                          .due = a ? a->due : WB_TIME_NONE,
                          .principle = g->principle};
}

int wb_board_fill_scores(wb_board_data *bd, const wb_catalogue *cat, const wb_catalogue *pr,
                         const wb_answers *ans, const wb_answers *previous, wb_error *err)
{
    wb_board *b = &bd->b;
    int rc = wb_assess_score(cat, ans, pr, b->target, &bd->sc, err);
    if (rc == 0 && previous) rc = wb_assess_score(cat, previous, pr, b->target, &bd->prev, err);
    if (rc != 0) return rc;
    const wb_scores *sc = bd->sc;
    b->overall = sc->overall;
    if (bd->prev) b->overall_previous = bd->prev->overall;
    if (sc->mapped && sc->nprinciples) {
        bd->principles = calloc(sc->nprinciples, sizeof *bd->principles);
        if (bd->principles == NULL) goto nomem;
        for (size_t p = 0; p < sc->nprinciples; p++) {
            const wb_req_node *g = sc->principles[p].group;
            const char *t = wb_cat_text_get(g->texts, g->ntexts, WB_TEXT_NAME, b->lang, NULL);
            bd->principles[p].title = t ? t : g->key;
            bd->principles[p].current = sc->principles[p].score;
            if (bd->prev && p < bd->prev->nprinciples)
                bd->principles[p].previous = bd->prev->principles[p].score;
        }
        b->principles = bd->principles;
        b->nprinciples = sc->nprinciples;
        b->principles_attribution = pr ? pr->copyright : NULL;
    }
    b->ngaps = sc->ngaps;
    size_t shown = sc->ngaps < WB_BOARD_MAX_GAPS ? sc->ngaps : WB_BOARD_MAX_GAPS;
    bd->gaps = calloc(shown + 1, sizeof *bd->gaps);
    bd->overdue = calloc(sc->ngaps + 1, sizeof *bd->overdue);
    if (bd->gaps == NULL || bd->overdue == NULL) goto nomem;
    for (size_t i = 0; i < shown; i++)
        fill_item(&bd->gaps[i], cat, ans, &sc->gaps[i], b->lang);
    b->gaps = bd->gaps;
    b->ngaps_shown = shown;
    /* an improvement action is overdue when its requirement is still below
     * target and its due date lies before the report's day */
    int64_t today = ams_day(b->as_of);
    size_t n = 0;
    for (size_t i = 0; i < sc->ngaps; i++) {
        wb_board_item it;
        fill_item(&it, cat, ans, &sc->gaps[i], b->lang);
        if (it.answered && it.due != WB_TIME_NONE && it.due / (86400 * INT64_C(1000000)) < today)
            bd->overdue[n++] = it;
    }
    qsort(bd->overdue, n, sizeof *bd->overdue, cmp_due);
    b->overdue = bd->overdue;
    b->noverdue = n;
    return 0;
nomem:
    return wb_error_set(err, WB_ENOMEM, "board report: out of memory");
}

typedef struct inc_list {
    int64_t *ids;
    size_t n, cap;
    const char *org;
    int year;
} inc_list;

static int collect_incident(void *ud, const wb_incident_rec *r)
{
    inc_list *l = ud;
    wb_civil c;
    wb_ams_to_civil(r->aware_at, &c, NULL);
    if (c.year != l->year) return 0;
    if (l->org && (r->org_name == NULL || strcmp(r->org_name, l->org) != 0)) return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        int64_t *p = realloc(l->ids, cap * sizeof *p);
        if (p == NULL) return 1;
        l->ids = p;
        l->cap = cap;
    }
    l->ids[l->n++] = r->id;
    return 0;
}

int wb_board_fill_incidents(wb_board_data *bd, wb_store *st, const char *org, wb_error *err)
{
    inc_list l = {.org = org, .year = bd->b.year};
    int rc = wb_store_incident_list(st, collect_incident, &l, err);
    if (rc != 0) {
        free(l.ids);
        if (err->msg[0] == '\0') rc = wb_error_set(err, WB_ENOMEM, "board report: out of memory");
        return rc;
    }
    bd->incidents = calloc(l.n + 1, sizeof *bd->incidents);
    if (bd->incidents == NULL) {
        free(l.ids);
        return wb_error_set(err, WB_ENOMEM, "board report: out of memory");
    }
    for (size_t k = 0; rc == 0 && k < l.n; k++) {
        wb_reg_incident *ri = NULL;
        rc = wb_reg_incident_load(st, l.ids[k], bd->b.as_of, &ri, err);
        if (rc != 0) break;
        wb_board_incident *bi = &bd->incidents[k];
        bi->id = ri->inc.id;
        bi->title = wb_arena_strdup(&bd->arena, ri->inc.title);
        bi->status = wb_incident_status_name(ri->inc.status);
        bi->aware_at = ri->inc.aware_at;
        for (size_t i = 0; i < ri->ndeadlines; i++) {
            const wb_deadline *d = &ri->deadlines[i];
            /* several intermediate reports: the worst state speaks */
            if (!bi->has[d->stage] || d->state > bi->state[d->stage])
                bi->state[d->stage] = d->state;
            bi->has[d->stage] = true;
            if (d->state == WB_DEADLINE_OPEN && d->due != WB_TIME_NONE &&
                (bi->open_due[d->stage] == 0 || d->due < bi->open_due[d->stage]))
                bi->open_due[d->stage] = d->due;
        }
        wb_reg_incident_free(ri);
        if (bi->title == NULL)
            rc = wb_error_set(err, WB_ENOMEM, "board report: out of memory");
        else
            bd->nincidents = k + 1;
    }
    free(l.ids);
    bd->b.has_incidents = rc == 0;
    bd->b.incidents = bd->incidents;
    bd->b.nincidents = bd->nincidents;
    return rc;
}
