/*
 * fuzz_answers.c - libFuzzer target: answers files, CSV and JSON, checked
 * against a small catalogue and without one. Answers that parse must write
 * to CSV and JSON that parse back to the same number of answers, and must
 * score and diff without error.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/assess.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char cat_yaml[] =
    "urn: urn:x:library:t\nobjects:\n  framework:\n    urn: urn:x:framework:t\n"
    "    requirement_nodes:\n"
    "    - {urn: 'urn:x:req_node:t:A', name: A}\n"
    "    - {urn: 'urn:x:req_node:t:a1', parent_urn: 'urn:x:req_node:t:A', ref_id: '1.1', "
    "assessable: true}\n"
    "    - {urn: 'urn:x:req_node:t:a2', parent_urn: 'urn:x:req_node:t:A', ref_id: '1.2', "
    "assessable: true}\n";

static void round_trip(const wb_answers *a, const wb_catalogue *cat)
{
    wb_buf csv = {0}, json = {0};
    wb_answers *b = NULL, *c = NULL;
    wb_error err = {0};
    if (wb_answers_write_csv(a, &csv) != 0 || wb_answers_write_json(a, "t", &json) != 0) abort();
    if (wb_answers_parse_csv(csv.data, csv.len, "out.csv", cat, &b, &err) != 0) abort();
    if (wb_answers_parse_json(json.data, json.len, "out.json", cat, &c, &err) != 0) abort();
    if (b->n != a->n || c->n != a->n) abort();
    wb_answers_free(b);
    wb_answers_free(c);
    wb_buf_free(&csv);
    wb_buf_free(&json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static wb_catalogue *cat;
    wb_error err = {0};
    if (cat == NULL &&
        wb_catalogue_parse(cat_yaml, strlen(cat_yaml), "t.yaml", "t", &cat, &err) != 0)
        abort();
    wb_answers *a = NULL;
    if (wb_answers_parse((const char *)data, size, "fuzz", cat, &a, &err) == 0) {
        round_trip(a, cat);
        wb_scores *s = NULL;
        wb_diff_item *d = NULL;
        size_t n;
        if (wb_assess_score(cat, a, NULL, 3, &s, &err) != 0) abort();
        if (wb_assess_diff(cat, a, a, &d, &n, &err) != 0 || n != a->n) abort();
        free(d);
        wb_scores_free(s);
        wb_answers_free(a);
    }
    if (wb_answers_parse((const char *)data, size, "fuzz", NULL, &a, &err) == 0) {
        round_trip(a, NULL);
        wb_answers_free(a);
    }
    return 0;
}
