/*
 * test_answers.c - answers and what is computed from them: CSV and JSON
 * import (every error path: row, column, reason, nothing imported), export
 * and round trip; the scoring rules (n/a left out, unanswered counts 0,
 * coverage, node means, NIS2 measure and principle aggregation, gap order)
 * on small catalogues whose numbers can be worked out by hand; diffs; and
 * the real Cbw framework read through the built-in principles.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "weerbaar/assess.h"

#define DATA WB_TEST_DATA "/../../data/catalogues/"

/* A: a1, a2 (with a2x under it); B: b1, b2; C: a heading with nothing under it. */
static const char cat_yaml[] =
    "urn: urn:x:library:t\nlocale: en\nname: Test\ncopyright: test only\n"
    "objects:\n  framework:\n    urn: urn:x:framework:t\n    requirement_nodes:\n"
    "    - {urn: 'urn:x:req_node:t:A', name: A}\n"
    "    - {urn: 'urn:x:req_node:t:a1', parent_urn: 'urn:x:req_node:t:A', ref_id: a1, "
    "assessable: true}\n"
    "    - {urn: 'urn:x:req_node:t:a2', parent_urn: 'urn:x:req_node:t:A', ref_id: a2, "
    "assessable: true}\n"
    "    - {urn: 'urn:x:req_node:t:a2x', parent_urn: 'urn:x:req_node:t:a2', ref_id: a2x, "
    "assessable: true}\n"
    "    - {urn: 'urn:x:req_node:t:B', name: B}\n"
    "    - {urn: 'urn:x:req_node:t:b1', parent_urn: 'urn:x:req_node:t:B', ref_id: b1, "
    "assessable: true}\n"
    "    - {urn: 'urn:x:req_node:t:b2', parent_urn: 'urn:x:req_node:t:B', ref_id: b2, "
    "assessable: true}\n"
    "    - {urn: 'urn:x:req_node:t:C', name: C}\n";

/* P1.1 -> measure a, t's a1 and b2; P2.1 -> measures a and b, t's heading B
 * (so b1 and b2); P2.2 -> a ref t does not have. */
static const char pr_yaml[] =
    "urn: urn:x:library:p\nlocale: en\nname: Principles\n"
    "objects:\n  framework:\n    urn: urn:x:framework:p\n    requirement_nodes:\n"
    "    - {urn: 'urn:x:req_node:p:P1', ref_id: P1}\n"
    "    - {urn: 'urn:x:req_node:p:P1.1', parent_urn: 'urn:x:req_node:p:P1', ref_id: P1.1, "
    "assessable: true, nis2_measures: [a], maps_to: {t: [a1, b2]}}\n"
    "    - {urn: 'urn:x:req_node:p:P2', ref_id: P2}\n"
    "    - {urn: 'urn:x:req_node:p:P2.1', parent_urn: 'urn:x:req_node:p:P2', ref_id: P2.1, "
    "assessable: true, nis2_measures: [b, A], maps_to: {t: [B], other: [zz]}}\n"
    "    - {urn: 'urn:x:req_node:p:P2.2', parent_urn: 'urn:x:req_node:p:P2', ref_id: P2.2, "
    "assessable: true, nis2_measures: [c], maps_to: {t: [nothing]}}\n";

typedef struct fixture {
    wb_catalogue *cat, *pr;
} fixture;

static int setup(void **state)
{
    static fixture f;
    wb_error err = {0};
    if (wb_catalogue_parse(cat_yaml, strlen(cat_yaml), "t.yaml", "t", &f.cat, &err) != 0 ||
        wb_catalogue_parse(pr_yaml, strlen(pr_yaml), "p.yaml", "p", &f.pr, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    wb_catalogue_free(f->cat);
    wb_catalogue_free(f->pr);
    return 0;
}

static wb_answers *parse_ok(const char *text, const wb_catalogue *cat)
{
    wb_answers *a = NULL;
    wb_error err = {0};
    if (wb_answers_parse(text, strlen(text), "a.csv", cat, &a, &err) != 0)
        fail_msg("unexpected error: %s", err.msg);
    return a;
}

static void expect_bad(const char *text, const wb_catalogue *cat, const char *msg)
{
    wb_answers *a = (wb_answers *)1;
    wb_error err = {0};
    int rc = wb_answers_parse(text, strlen(text), "a.csv", cat, &a, &err);
    if (rc == 0 || strstr(err.msg, msg) == NULL)
        fail_msg("input %s: want '%s', got %d '%s'", text, msg, rc, err.msg);
    assert_null(a); /* nothing half-imported */
}

static void assert_near(double got, double want)
{
    if (fabs(got - want) > 1e-9) fail_msg("got %f, want %f", got, want);
}

/* ---- import ---------------------------------------------------------------------- */

static void test_csv_good(void **state)
{
    fixture *f = *state;
    wb_answers *a = parse_ok("\xef\xbb\xbfRef, Level ,evidence,owner,due,note\r\n"
                             "a1,4,\"policy, v2\",CISO,2026-06-30,\"line one\nline two\"\r\n"
                             "\r\n"
                             "a2 , N/A ,,,,\r\n"
                             "b1,,,,,\r\n" /* a template row nobody filled in */
                             "urn:x:req_node:t:b2,0\r\n",
                             f->cat);
    assert_int_equal(a->n, 3);
    const wb_answer *x = wb_answers_find(a, "a1");
    assert_non_null(x);
    assert_int_equal(x->level, 4);
    assert_string_equal(x->evidence, "policy, v2");
    assert_string_equal(x->owner, "CISO");
    assert_string_equal(x->note, "line one\nline two");
    char buf[40];
    wb_time_format(x->due, buf, sizeof buf);
    assert_string_equal(buf, "2026-06-30T00:00:00Z");
    assert_int_equal(x->row, 2);
    x = wb_answers_find(a, "a2");
    assert_int_equal(x->level, WB_LEVEL_NA);
    assert_null(x->evidence);
    assert_true(x->due == WB_TIME_NONE);
    assert_int_equal(x->row, 4);
    /* a urn is stored as the requirement's key */
    x = wb_answers_find(a, "b2");
    assert_non_null(x);
    assert_int_equal(x->level, 0);
    assert_int_equal(x->row, 6);
    assert_null(wb_answers_find(a, "b1"));
    wb_answers_free(a);

    /* semicolons, as Dutch spreadsheet programs write CSV */
    a = parse_ok("ref;level;note\na1;3;\"a; b\"\n", f->cat);
    assert_int_equal(a->n, 1);
    assert_string_equal(a->items[0].note, "a; b");
    wb_answers_free(a);
    /* columns in any order, optional ones absent, no catalogue: refs unchecked */
    a = parse_ok("level,ref\n5,anything\n", NULL);
    assert_string_equal(a->items[0].ref, "anything");
    assert_int_equal(a->items[0].level, 5);
    wb_answers_free(a);
}

static void test_csv_errors(void **state)
{
    fixture *f = *state;
    const wb_catalogue *c = f->cat;
    expect_bad("", c, "a.csv:1: empty; the first row names the columns");
    expect_bad("ref,level,colour\n", c,
               "a.csv:1: row 1: unknown column 'colour' (the columns are ref, level");
    expect_bad("ref,level,ref\n", c, "a.csv:1: row 1: column ref appears twice");
    expect_bad("ref,owner\n", c, "a.csv:1: row 1: the header has no level column");
    expect_bad("ref,level\na1,3\na2,7\n", c,
               "a.csv:3: row 3, column level: '7' is not a level: 0 to 5, or n/a");
    expect_bad("ref,level\na1,-1\n", c, "a.csv:2: row 2, column level: '-1' is not a level");
    expect_bad("ref,level\na1,three\n", c, "row 2, column level: 'three' is not a level");
    expect_bad("ref,level,note\na1,,forgot the level\n", c,
               "a.csv:2: row 2, column level: no level; give 0 to 5, or n/a");
    expect_bad("ref,level\n,3\n", c, "a.csv:2: row 2, column ref: no ref");
    expect_bad("ref,level\nzz,3\n", c, "row 2, column ref: 'zz' is not a requirement of t");
    expect_bad("ref,level\nA,3\n", c,
               "row 2, column ref: 'A' is a heading in t, not an assessable requirement");
    expect_bad("ref,level\na1,3\nurn:x:req_node:t:a1,2\n", c,
               "a.csv:3: row 3, column ref: 'a1' is already answered in row 2");
    expect_bad("ref,level,due\na1,3,30-06-2026\n", c,
               "row 2, column due: '30-06-2026' is not a date (YYYY-MM-DD)");
    expect_bad("ref,level,due\na1,3,2026-02-30\n", c, "row 2, column due: '2026-02-30'");
    expect_bad("ref,level\na1,3,extra\n", c, "a.csv:2: row 2: 3 fields, but the header names 2");
    expect_bad("ref,level,note\na1,3,\"never closed\n", c,
               "a.csv:2: row 2: a quoted field is not closed");
    expect_bad("ref,level,note\na1,3,\"quoted\"tail\n", c, "row 2: text after a closing quote");
    expect_bad("ref,level,note\na1,3,caf\xe9\n", c, "row 2, column note: not valid UTF-8");
    /* the row number counts records, the line number lines: a multi-line field */
    expect_bad("ref,level,note\na1,3,\"two\nlines\"\na2,9\n", c, "a.csv:4: row 3, column level");
}

static void test_json(void **state)
{
    fixture *f = *state;
    wb_answers *a = parse_ok("{\"answers\": [{\"ref\": \"a1\", \"level\": 2, \"owner\": \"Ann\", "
                             "\"due\": \"2026-01-31\"}, {\"ref\": \"a2\", \"level\": \"n/a\", "
                             "\"evidence\": null}, {\"ref\": \"b1\", \"level\": \"4\"}]}",
                             f->cat);
    assert_int_equal(a->n, 3);
    assert_int_equal(wb_answers_find(a, "a1")->level, 2);
    assert_string_equal(wb_answers_find(a, "a1")->owner, "Ann");
    assert_int_equal(wb_answers_find(a, "a2")->level, WB_LEVEL_NA);
    assert_int_equal(wb_answers_find(a, "b1")->level, 4);
    wb_answers_free(a);
    a = parse_ok("  [{\"ref\": \"a1\", \"level\": 0}]", f->cat);
    assert_int_equal(a->n, 1);
    wb_answers_free(a);

    const wb_catalogue *c = f->cat;
    expect_bad("{\"answers\": 3}", c, "a.csv: $.answers: expected a list of answers");
    expect_bad("[1]", c, "a.csv: $.answers[0]: an answer must be an object");
    expect_bad("[{\"ref\": \"a1\", \"level\": 6}]", c, "a.csv: $.answers[0].level: not a level");
    expect_bad("[{\"ref\": \"a1\"}]", c, "a.csv: $.answers[0].level: missing");
    expect_bad("[{\"ref\": \"a1\", \"level\": \"x\"}]", c,
               "$.answers[0].level: 'x' is not a level");
    expect_bad("[{\"ref\": \"a1\", \"level\": 1, \"levle\": 2}]", c,
               "$.answers[0]: unknown member 'levle'");
    expect_bad("[{\"level\": 1}]", c, "$.answers[0].ref: no ref");
    expect_bad("[{\"ref\": 7, \"level\": 1}]", c, "$.answers[0].ref: must be a string");
    expect_bad("[{\"ref\": \"a1\", \"level\": 1}, {\"ref\": \"a1\", \"level\": 2}]", c,
               "$.answers[1].ref: 'a1' is already answered in $.answers[0]");
    expect_bad("[{\"ref\": \"a1\", \"level\": 1, \"due\": \"soon\"}]", c,
               "$.answers[0].due: 'soon' is not a date");
    expect_bad("[{\"ref\": \"A\", \"level\": 1}]", c, "$.answers[0].ref: 'A' is a heading");
    expect_bad("[{\"ref\": \"a1\",\n \"level\": }]", c, "a.csv:2: JSON:");
}

static void same_answers(const wb_answers *x, const wb_answers *y)
{
    assert_int_equal(x->n, y->n);
    for (size_t i = 0; i < x->n; i++) {
        const wb_answer *p = &x->items[i], *q = &y->items[i];
        assert_string_equal(p->ref, q->ref);
        assert_int_equal(p->level, q->level);
        assert_true(p->due == q->due);
#define SAME(f)                                                                                    \
    assert_true((p->f == NULL && q->f == NULL) || (p->f && q->f && strcmp(p->f, q->f) == 0))
        SAME(evidence);
        SAME(owner);
        SAME(note);
#undef SAME
    }
}

static void test_round_trip(void **state)
{
    fixture *f = *state;
    wb_answers *a =
        parse_ok("ref,level,evidence,owner,due,note\n"
                 "a1,4,\"quote \"\"this\"\", and that\",\" CISO \",2026-06-30,\"x\ny\"\n"
                 "a2,n/a,,,,\n"
                 "b2,0,ok;fine,,2027-01-01,\n",
                 f->cat);
    wb_buf csv = {0}, json = {0};
    assert_int_equal(wb_answers_write_csv(a, &csv), 0);
    assert_int_equal(wb_answers_write_json(a, "t", &json), 0);
    wb_answers *b = parse_ok(csv.data, f->cat);
    wb_answers *c = parse_ok(json.data, f->cat);
    same_answers(a, b);
    same_answers(a, c);
    assert_non_null(strstr(json.data, "\"catalogue\": \"t\""));
    assert_non_null(strstr(csv.data, "a2,n/a,,,,\n"));
    wb_buf_free(&csv);
    wb_buf_free(&json);
    wb_answers_free(a);
    wb_answers_free(b);
    wb_answers_free(c);
}

static void test_set(void **state)
{
    (void)state;
    wb_answers *a = wb_answers_new();
    wb_error err = {0};
    wb_answer x = {.ref = "r", .level = 2, .due = WB_TIME_NONE};
    assert_int_equal(wb_answers_set(a, &x, &err), 0);
    x.level = 3;
    assert_int_equal(wb_answers_set(a, &x, &err), 0); /* replaces */
    assert_int_equal(a->n, 1);
    assert_int_equal(wb_answers_find(a, "r")->level, 3);
    x.level = 6;
    assert_int_equal(wb_answers_set(a, &x, &err), WB_EINVAL);
    x.ref = "";
    x.level = 1;
    assert_int_equal(wb_answers_set(a, &x, &err), WB_EINVAL);
    /* many answers: the index grows */
    for (int i = 0; i < 1000; i++) {
        char ref[16];
        snprintf(ref, sizeof ref, "k%d", i);
        x.ref = ref;
        x.level = i % 6;
        assert_int_equal(wb_answers_set(a, &x, &err), 0);
    }
    assert_int_equal(a->n, 1001);
    assert_int_equal(wb_answers_find(a, "k999")->level, 999 % 6);
    assert_null(wb_answers_find(a, "k1000"));
    wb_answers_free(a);
}

/* ---- scores ----------------------------------------------------------------------- */

static size_t idx(const wb_catalogue *cat, const char *ref)
{
    return wb_catalogue_node_index(cat, wb_catalogue_find(cat, ref));
}

static void test_score_rules(void **state)
{
    fixture *f = *state;
    /* b2 unanswered */
    wb_answers *a = parse_ok("ref,level\na1,4\na2,2\na2x,n/a\nb1,n/a\n", f->cat);
    wb_scores *s;
    wb_error err = {0};
    assert_int_equal(wb_assess_score(f->cat, a, f->pr, 3, &s, &err), 0);
    const wb_catalogue *c = f->cat;
    /* n/a has no score but counts as answered */
    assert_false(s->nodes[idx(c, "a2x")].has_value);
    assert_int_equal(s->nodes[idx(c, "a2x")].answered, 1);
    /* a2: its own 2, its only child n/a */
    assert_near(s->nodes[idx(c, "a2")].value, 2.0);
    assert_int_equal(s->nodes[idx(c, "a2")].answered, 2);
    assert_int_equal(s->nodes[idx(c, "a2")].assessable, 2);
    /* A: mean of a1 (4) and a2 (2), not of the three requirements */
    assert_near(s->nodes[idx(c, "A")].value, 3.0);
    assert_int_equal(s->nodes[idx(c, "A")].answered, 3);
    /* B: b1 n/a left out, b2 unanswered counts 0 */
    assert_true(s->nodes[idx(c, "B")].has_value);
    assert_near(s->nodes[idx(c, "B")].value, 0.0);
    assert_int_equal(s->nodes[idx(c, "B")].answered, 1);
    assert_int_equal(s->nodes[idx(c, "B")].assessable, 2);
    assert_int_equal(s->levels[idx(c, "b2")], WB_LEVEL_NONE);
    /* C: nothing to score */
    assert_false(s->nodes[idx(c, "C")].has_value);
    assert_int_equal(s->nodes[idx(c, "C")].assessable, 0);
    /* overall: mean of A and B, C has no score */
    assert_near(s->overall.value, 1.5);
    assert_int_equal(s->overall.answered, 4);
    assert_int_equal(s->overall.assessable, 5);

    /* measures: a = {a1, b2 via P1.1; b1, b2 via P2.1's heading B} */
    assert_true(s->mapped);
    assert_near(s->measures[0].score.value, 2.0);
    assert_int_equal(s->measures[0].score.answered, 2);
    assert_int_equal(s->measures[0].score.assessable, 3);
    assert_near(s->measures[1].score.value, 0.0);
    assert_int_equal(s->measures[1].score.assessable, 2);
    /* c: P2.2 maps to a ref t does not have */
    assert_false(s->measures[2].score.has_value);
    assert_int_equal(s->measures[2].score.assessable, 0);
    assert_int_equal(s->nprinciples, 2);
    assert_string_equal(s->principles[0].group->key, "P1");
    assert_near(s->principles[0].score.value, 2.0);
    assert_int_equal(s->principles[0].score.answered, 1);
    assert_int_equal(s->principles[0].score.assessable, 2);
    assert_near(s->principles[1].score.value, 0.0);

    /* gaps: b2 (0, shortfall 3, principle 1), a2 (2, shortfall 1, unmapped) */
    assert_int_equal(s->ngaps, 2);
    assert_int_equal(s->gaps[0].node, idx(c, "b2"));
    assert_int_equal(s->gaps[0].shortfall, 3);
    assert_false(s->gaps[0].answered);
    assert_int_equal(s->gaps[0].principle, 1);
    assert_int_equal(s->gaps[1].node, idx(c, "a2"));
    assert_int_equal(s->gaps[1].principle, 0);
    wb_scores_free(s);

    /* without a principles catalogue: no mapped views, the same tree */
    assert_int_equal(wb_assess_score(f->cat, a, NULL, 3, &s, &err), 0);
    assert_false(s->mapped);
    assert_int_equal(s->nprinciples, 0);
    assert_near(s->overall.value, 1.5);
    wb_scores_free(s);
    assert_int_equal(wb_assess_score(f->cat, a, NULL, 0, &s, &err), WB_EINVAL);
    assert_int_equal(wb_assess_score(f->cat, a, NULL, 6, &s, &err), WB_EINVAL);
    wb_answers_free(a);

    /* an answer set not checked against the catalogue */
    a = parse_ok("ref,level\nA,3\n", NULL);
    assert_int_equal(wb_assess_score(f->cat, a, NULL, 3, &s, &err), WB_EINVAL);
    assert_non_null(strstr(err.msg, "'A' is not an assessable requirement of t"));
    assert_null(s);
    wb_answers_free(a);
}

static void test_gap_order(void **state)
{
    fixture *f = *state;
    const wb_catalogue *c = f->cat;
    /* target 5: b2 and a2 both 5 short, b2 (principle 1) before a2 (no
     * principle) although a2 comes first in the file; b1 and a2x both 2
     * short, b1 (principle 2) first; a1 1 short last */
    wb_answers *a = parse_ok("ref,level\na1,4\na2,0\na2x,3\nb1,3\n", f->cat);
    wb_scores *s;
    wb_error err = {0};
    assert_int_equal(wb_assess_score(f->cat, a, f->pr, 5, &s, &err), 0);
    assert_int_equal(s->target, 5);
    assert_int_equal(s->ngaps, 5);
    assert_int_equal(s->gaps[0].node, idx(c, "b2"));
    assert_int_equal(s->gaps[0].shortfall, 5);
    assert_int_equal(s->gaps[1].node, idx(c, "a2"));
    assert_int_equal(s->gaps[1].shortfall, 5);
    assert_int_equal(s->gaps[2].node, idx(c, "b1")); /* principle 2 */
    assert_int_equal(s->gaps[2].shortfall, 2);
    assert_int_equal(s->gaps[3].node, idx(c, "a2x")); /* unmapped */
    assert_int_equal(s->gaps[4].node, idx(c, "a1"));
    wb_scores_free(s);
    wb_answers_free(a);
}

/* The principles catalogue read through itself: its own nodes are the mapping. */
static void test_score_self(void **state)
{
    fixture *f = *state;
    wb_answers *a = parse_ok("ref,level\nP1.1,3\nP2.1,1\n", f->pr);
    wb_scores *s;
    wb_error err = {0};
    assert_int_equal(wb_assess_score(f->pr, a, f->pr, 3, &s, &err), 0);
    assert_true(s->mapped);
    assert_near(s->principles[0].score.value, 3.0);
    assert_near(s->principles[1].score.value, 0.5); /* P2.2 unanswered */
    assert_near(s->measures[0].score.value, 2.0);   /* a: P1.1 and P2.1 */
    assert_near(s->measures[2].score.value, 0.0);   /* c: P2.2 */
    assert_near(s->overall.value, 1.75);
    wb_scores_free(s);
    wb_answers_free(a);
}

static void test_diff(void **state)
{
    fixture *f = *state;
    const wb_catalogue *c = f->cat;
    wb_answers *from = parse_ok("ref,level\na1,4\na2,2\na2x,n/a\nb1,n/a\n", c);
    wb_answers *to = parse_ok("ref,level\na1,5\na2,1\na2x,3\nb2,2\n", c);
    wb_diff_item *d;
    size_t n;
    wb_error err = {0};
    assert_int_equal(wb_assess_diff(c, from, to, &d, &n, &err), 0);
    assert_int_equal(n, 5);
    const struct {
        const char *ref;
        wb_diff_kind kind;
        int from, to;
    } want[] = {{"a1", WB_DIFF_IMPROVED, 4, 5},
                {"a2", WB_DIFF_SLIPPED, 2, 1},
                {"a2x", WB_DIFF_CHANGED, WB_LEVEL_NA, 3},
                {"b1", WB_DIFF_REMOVED, WB_LEVEL_NA, WB_LEVEL_NONE},
                {"b2", WB_DIFF_NEW, WB_LEVEL_NONE, 2}};
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(d[i].node, idx(c, want[i].ref));
        assert_int_equal(d[i].kind, want[i].kind);
        assert_int_equal(d[i].from, want[i].from);
        assert_int_equal(d[i].to, want[i].to);
    }
    free(d);
    assert_int_equal(wb_assess_diff(c, from, from, &d, &n, &err), 0);
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(d[i].kind, WB_DIFF_UNCHANGED);
    free(d);
    assert_string_equal(wb_diff_kind_name(WB_DIFF_SLIPPED), "slipped");
    wb_answers_free(from);
    wb_answers_free(to);
}

/* The Cbw framework through the built-in principles: what the CLI prints. */
static void test_cbw_principles(void **state)
{
    (void)state;
    wb_catalogue *cbw = NULL, *pr = NULL;
    wb_answers *a = NULL;
    wb_scores *s = NULL;
    wb_error err = {0};
    assert_int_equal(wb_catalogue_load(DATA "cbw_nis2.yaml", &cbw, &err), 0);
    assert_int_equal(wb_catalogue_load(DATA "ncsc-basic-principles.yaml", &pr, &err), 0);
    assert_int_equal(wb_answers_load(WB_TEST_DATA "/assess/cbw-2025.csv", cbw, &a, &err), 0);
    assert_int_equal(wb_assess_score(cbw, a, pr, 3, &s, &err), 0);
    assert_true(s->mapped);
    assert_int_equal(s->nprinciples, 5);
    assert_int_equal(s->overall.answered, 10);
    assert_int_equal(s->overall.assessable, 27);
    /* measure (j) is 11.1 alone (MFA), answered 2 */
    assert_int_equal(s->measures[9].score.assessable, 1);
    assert_near(s->measures[9].score.value, 2.0);
    /* principle 4 (access) is 11.1 and 10.1: (2 + 0) / 2 */
    assert_int_equal(s->principles[3].score.assessable, 2);
    assert_near(s->principles[3].score.value, 1.0);
    /* every requirement of the Cbw framework is in some principle */
    for (size_t i = 0; i < s->ngaps; i++)
        assert_true(s->gaps[i].principle > 0);
    wb_scores_free(s);
    wb_answers_free(a);
    wb_catalogue_free(cbw);
    wb_catalogue_free(pr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_good),  cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_json),      cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_set),       cmocka_unit_test(test_score_rules),
        cmocka_unit_test(test_gap_order), cmocka_unit_test(test_score_self),
        cmocka_unit_test(test_diff),      cmocka_unit_test(test_cbw_principles),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
