/*
 * scores_json.c - every score of an assessment as JSON (wb_assess_scores_json):
 * the one writer behind `assess score`, `assess show ID` and the hub, so
 * that the board report can be checked against a single set of numbers.
 * docs/assess.md describes each key.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/assessdb.h"

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Two decimals: what a table shows and what a report prints. */
static double round2(double v)
{
    return round(v * 100.0) / 100.0;
}

static json_t *score_json(const wb_score *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "score", s->has_value ? json_real(round2(s->value)) : json_null());
    json_object_set_new(o, "maturity", s->rated ? json_real(round2(s->maturity)) : json_null());
    json_object_set_new(o, "rated", json_integer((json_int_t)s->rated));
    json_object_set_new(o, "answered", json_integer((json_int_t)s->answered));
    json_object_set_new(o, "assessable", json_integer((json_int_t)s->assessable));
    json_object_set_new(o, "coverage",
                        s->assessable
                            ? json_real(round2((double)s->answered / (double)s->assessable))
                            : json_null());
    return o;
}

static void format_date(wb_time t, char *out, size_t cap)
{
    char full[40];
    wb_time_format(t, full, sizeof full);
    snprintf(out, cap, "%.10s", full);
}

int wb_assess_scores_json(const wb_catalogue *cat, const wb_catalogue *pr, const wb_answers *ans,
                          const wb_scores *sc, const char *lang, wb_buf *out)
{
    json_t *root = json_object(), *nodes = json_array(), *gaps = json_array();
    json_object_set_new(root, "catalogue", json_string(cat->name));
    json_object_set_new(root, "attribution", jstr(cat->copyright));
    json_object_set_new(root, "target", json_integer(sc->target));
    json_object_set_new(root, "overall", score_json(&sc->overall));
    for (size_t i = 0; i < cat->nnodes; i++) {
        const wb_req_node *n = &cat->nodes[i];
        json_t *e = score_json(&sc->nodes[i]);
        json_object_set_new(e, "ref", json_string(n->key));
        json_object_set_new(e, "assessable_requirement", json_boolean(n->assessable));
        if (n->assessable)
            json_object_set_new(e, "level",
                                sc->levels[i] == WB_LEVEL_NA     ? json_string("n/a")
                                : sc->levels[i] == WB_LEVEL_NONE ? json_null()
                                                                 : json_integer(sc->levels[i]));
        json_array_append_new(nodes, e);
    }
    json_object_set_new(root, "nodes", nodes);
    json_object_set_new(root, "mapped", json_boolean(sc->mapped));
    json_t *ms = json_array();
    for (int m = 0; sc->mapped && m < WB_NIS2_MEASURES; m++) {
        json_t *e = score_json(&sc->measures[m].score);
        char id[2] = {(char)('a' + m), 0};
        json_object_set_new(e, "measure", json_string(id));
        json_object_set_new(e, "title", json_string(wb_nis2_measure_title(m, lang)));
        json_array_append_new(ms, e);
    }
    json_object_set_new(root, "nis2_measures", ms);
    json_t *ps = json_array();
    for (size_t p = 0; sc->mapped && p < sc->nprinciples; p++) {
        const wb_req_node *g = sc->principles[p].group;
        json_t *e = score_json(&sc->principles[p].score);
        json_object_set_new(e, "principle", json_integer((json_int_t)p + 1));
        json_object_set_new(e, "ref", json_string(g->key));
        json_object_set_new(e, "title",
                            jstr(wb_cat_text_get(g->texts, g->ntexts, WB_TEXT_NAME, lang, NULL)));
        json_array_append_new(ps, e);
    }
    json_object_set_new(root, "principles", ps);
    for (size_t i = 0; i < sc->ngaps; i++) {
        const wb_gap *g = &sc->gaps[i];
        const wb_req_node *n = &cat->nodes[g->node];
        const wb_answer *a = wb_answers_find(ans, n->key);
        char due[16];
        json_t *e = json_object();
        json_object_set_new(e, "ref", json_string(n->key));
        json_object_set_new(e, "level", g->answered ? json_integer(g->level) : json_null());
        json_object_set_new(e, "shortfall", json_integer(g->shortfall));
        json_object_set_new(e, "principle",
                            g->principle ? json_integer(g->principle) : json_null());
        json_object_set_new(e, "owner", jstr(a ? a->owner : NULL));
        if (a && a->due != WB_TIME_NONE) format_date(a->due, due, sizeof due);
        json_object_set_new(e, "due", a && a->due != WB_TIME_NONE ? json_string(due) : json_null());
        json_array_append_new(gaps, e);
    }
    json_object_set_new(root, "gaps", gaps);
    if (pr && sc->mapped) json_object_set_new(root, "principles_attribution", jstr(pr->copyright));
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(root);
    if (text == NULL) return WB_ENOMEM;
    int rc = wb_buf_puts(out, text);
    free(text);
    return rc ? WB_ENOMEM : 0;
}
