/*
 * test_catalogue.c - loading control catalogues: every file of
 * ../shared/testdata/frameworks/ and data/catalogues/ with its node and
 * assessable counts, the tree and index, text in a language with fallback,
 * the errors of malformed files, and the basic principles' mappings checked
 * against the catalogues they name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "weerbaar/assess.h"

#define FW WB_SHARED_DIR "/testdata/frameworks/"
#define DATA WB_TEST_DATA "/../../data/catalogues/"

static wb_catalogue *load(const char *path)
{
    wb_catalogue *cat = NULL;
    wb_error err = {0};
    int rc = wb_catalogue_load(path, &cat, &err);
    if (rc != 0) fail_msg("%s: %s", path, err.msg);
    return cat;
}

/* Counts were taken with python3 -c 'yaml.safe_load(...)' over each file
 * (tests/cli/assess.sh repeats that independently at test time). */
static const struct {
    const char *file, *name;
    size_t nodes, assessable, roots;
} counts[] = {
    {"cbw_nis2.yaml", "cbw_nis2", 47, 27, 3},
    {"abro_2026.yaml", "abro_2026", 492, 445, 5},
    {"nist-csf-2.0.yaml", "nist-csf-2.0", 134, 106, 6},
    {"nis2-directive.yaml", "nis2-directive", 17, 13, 1},
    {"cer-directive.yaml", "cer-directive", 31, 14, 6},
};

static void check_counts(const char *dir)
{
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s%s", dir, counts[i].file);
        wb_catalogue *cat = load(path);
        assert_string_equal(cat->name, counts[i].name);
        assert_int_equal(cat->nnodes, counts[i].nodes);
        assert_int_equal(cat->nassessable, counts[i].assessable);
        assert_int_equal(cat->nroots, counts[i].roots);
        /* every node is reachable by its key and urn, and the tree is whole */
        size_t reached = 0;
        for (size_t k = 0; k < cat->nnodes; k++) {
            const wb_req_node *n = &cat->nodes[k];
            assert_ptr_equal(wb_catalogue_find(cat, n->key), n);
            assert_ptr_equal(wb_catalogue_find(cat, n->urn), n);
            reached += n->nchildren;
        }
        assert_int_equal(reached + cat->nroots, cat->nnodes);
        assert_non_null(cat->copyright);
        wb_catalogue_free(cat);
    }
}

static void test_counts_testdata(void **state)
{
    (void)state;
    check_counts(FW);
}

static void test_counts_builtin(void **state)
{
    (void)state;
    check_counts(DATA);
    wb_catalogue *p = load(DATA "ncsc-basic-principles.yaml");
    assert_int_equal(p->nnodes, 31);
    assert_int_equal(p->nassessable, 26);
    assert_int_equal(p->nroots, 5);
    wb_catalogue_free(p);
}

static void test_tree_and_attribution(void **state)
{
    (void)state;
    wb_catalogue *cat = load(FW "cbw_nis2.yaml");
    assert_non_null(strstr(cat->copyright,
                           "ADR & NOREA, Cbw (NIS2) Control Framework (2025), CC-BY 4.0 licensed"));
    assert_string_equal(cat->locale, "nl");
    const wb_req_node *root = &cat->nodes[cat->roots[0]];
    assert_string_equal(root->key, "zorgplicht-(art.-21)");
    assert_int_equal(root->nchildren, 13);
    const wb_req_node *first = &cat->nodes[root->children[0]];
    assert_string_equal(first->key, "zorgplicht-(art.-21):1");
    assert_int_equal(first->depth, 2);
    const wb_req_node *r11 = &cat->nodes[first->children[0]];
    assert_string_equal(r11->key, "1.1");
    assert_true(r11->assessable);
    assert_int_equal(r11->depth, 3);
    assert_ptr_equal(
        wb_catalogue_find(cat, "urn:intuitem:risk:req_node:cbw_nis2_control_framework:1.1"), r11);
    /* the second root's children come in file order */
    const wb_req_node *gov = &cat->nodes[cat->roots[1]];
    assert_string_equal(gov->key, "governance-(art.-24)");
    const wb_req_node *g1 = &cat->nodes[gov->children[0]];
    assert_string_equal(cat->nodes[g1->children[0]].key, "14.1");
    assert_string_equal(cat->nodes[g1->children[1]].key, "14.2");
    assert_null(wb_catalogue_find(cat, "99.9"));
    assert_null(wb_catalogue_find(cat, "1"));
    char langs[64];
    wb_catalogue_languages(cat, langs, sizeof langs);
    assert_string_equal(langs, "nl,en");
    wb_catalogue_free(cat);
}

static void test_language_fallback(void **state)
{
    (void)state;
    const char *shown;
    wb_catalogue *cbw = load(FW "cbw_nis2.yaml");
    const wb_req_node *h = wb_catalogue_find(cbw, "zorgplicht-(art.-21)");
    assert_string_equal(wb_cat_text_get(h->texts, h->ntexts, WB_TEXT_NAME, "nl", &shown),
                        "Zorgplicht (art. 21)");
    assert_string_equal(shown, "nl");
    assert_string_equal(wb_cat_text_get(h->texts, h->ntexts, WB_TEXT_NAME, "en", &shown),
                        "Duty of care (Art. 21)");
    assert_string_equal(shown, "en");
    const wb_req_node *r = wb_catalogue_find(cbw, "1.1");
    assert_null(wb_cat_text_get(r->texts, r->ntexts, WB_TEXT_NAME, "en", &shown));
    assert_null(shown);
    assert_non_null(strstr(wb_cat_text_get(r->texts, r->ntexts, WB_TEXT_DESCRIPTION, "en", &shown),
                           "The entity has a security policy"));
    assert_string_equal(shown, "en");
    assert_non_null(strstr(wb_cat_text_get(r->texts, r->ntexts, WB_TEXT_DESCRIPTION, "nl", &shown),
                           "De entiteit heeft een beveiligingsbeleid"));
    assert_string_equal(shown, "nl");
    wb_catalogue_free(cbw);

    /* English catalogue with French translations: Dutch falls back to English, not French */
    wb_catalogue *cer = load(FW "cer-directive.yaml");
    const wb_req_node *n = &cer->nodes[cer->nnodes - 1];
    const char *s = wb_cat_text_get(n->texts, n->ntexts, WB_TEXT_DESCRIPTION, "nl", &shown);
    assert_non_null(s);
    assert_string_equal(shown, "en");
    assert_string_equal(s, n->texts[0].description);
    wb_catalogue_free(cer);

    /* only a French text: that is what there is, marked fr */
    wb_cat_text only_fr = {"fr", "Nom", NULL, NULL};
    assert_string_equal(wb_cat_text_get(&only_fr, 1, WB_TEXT_NAME, "nl", &shown), "Nom");
    assert_string_equal(shown, "fr");
}

static void expect_error(const char *yaml, int code, const char *msg)
{
    wb_catalogue *cat = (wb_catalogue *)1;
    wb_error err = {0};
    int rc = wb_catalogue_parse(yaml, strlen(yaml), "t.yaml", "t", &cat, &err);
    if (rc != code || strstr(err.msg, msg) == NULL)
        fail_msg("want %d '%s', got %d '%s'", code, msg, rc, err.msg);
    assert_null(cat);
}

#define HEAD "urn: u\nlocale: en\nobjects:\n  framework:\n    urn: urn:x:framework:t\n"

static void test_errors(void **state)
{
    (void)state;
    expect_error("a: [1, 2\n", WB_EPARSE, "t.yaml:2: YAML:");
    expect_error("- just\n- a list\n", WB_EPARSE, "t.yaml:1: a catalogue must be a YAML mapping");
    expect_error("name: x\n", WB_EPARSE, "no objects.framework.requirement_nodes");
    expect_error(HEAD "    requirement_nodes:\n    - assessable: true\n", WB_EPARSE,
                 "t.yaml:7: requirement node 1 has no urn");
    expect_error(HEAD "    requirement_nodes:\n    - urn: a\n      parent_urn: b\n", WB_EPARSE,
                 "t.yaml:7: a: parent_urn b is not an earlier node");
    expect_error(HEAD "    requirement_nodes:\n    - urn: a\n      ref_id: '1'\n"
                      "    - urn: b\n      ref_id: '1'\n",
                 WB_EPARSE, "t.yaml:9: b: ref '1' is also that of the node at line 7");
    expect_error(HEAD "    requirement_nodes:\n    - urn: a\n    - urn: a\n", WB_EPARSE,
                 "t.yaml:8: a: urn 'a' is also that of the node at line 7");
    expect_error(HEAD "    requirement_nodes:\n    - urn: a\n      assessable: maybe\n", WB_EPARSE,
                 "t.yaml:8: a: assessable must be true or false");
    expect_error(HEAD "    requirement_nodes:\n    - urn: a\n      name: [x]\n", WB_EPARSE,
                 "t.yaml:8: a: name must be text");
    expect_error(HEAD "    requirement_nodes:\n    - urn: a\n      depth: deep\n", WB_EPARSE,
                 "t.yaml:8: a: depth must be a whole number");
    expect_error(HEAD "    requirement_nodes:\n    - urn: a\n      nis2_measures: [k]\n", WB_EPARSE,
                 "t.yaml:8: a: nis2_measures: 'k' is not a measure a-j");
    expect_error(HEAD "    requirement_nodes:\n    - urn: a\n      maps_to: [x]\n", WB_EPARSE,
                 "t.yaml:8: a: maps_to must map catalogue names");
    expect_error(HEAD "    requirement_nodes:\n    - urn: a\n      translations: [x]\n", WB_EPARSE,
                 "t.yaml:8: a: translations must be a mapping");
    expect_error(HEAD "    requirement_nodes:\n    - &n {urn: a}\n    - *n\n", WB_EPARSE,
                 "t.yaml:8: YAML aliases are not accepted");
    expect_error("a: 1\n---\nb: 2\n", WB_EPARSE, "t.yaml:2: a second YAML document");
    expect_error("", WB_EPARSE, "t.yaml:1: empty YAML document");

    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 99);
    deep[199] = '\0';
    expect_error(deep, WB_ELIMIT, "nested deeper than 32 levels");
}

static void test_minimal(void **state)
{
    (void)state;
    const char *y = HEAD "    requirement_nodes:\n"
                         "    - urn: urn:x:req_node:t:h\n      name: Heading\n"
                         "    - urn: urn:x:req_node:t:h:1\n      parent_urn: urn:x:req_node:t:h\n"
                         "      assessable: yes\n      description: Do it\n";
    wb_catalogue *cat;
    wb_error err = {0};
    assert_int_equal(wb_catalogue_parse(y, strlen(y), "t.yaml", "t", &cat, &err), 0);
    assert_int_equal(cat->nnodes, 2);
    /* no ref_id: the key is the urn after the framework's node prefix */
    assert_string_equal(cat->nodes[0].key, "h");
    assert_string_equal(cat->nodes[1].key, "h:1");
    assert_true(cat->nodes[1].assessable);
    assert_int_equal(cat->nodes[1].parent, 0);
    assert_string_equal(cat->locale, "en");
    wb_catalogue_free(cat);
}

/* The principles catalogue's mappings name requirements that exist. */
static void test_principle_mappings(void **state)
{
    (void)state;
    wb_catalogue *p = load(DATA "ncsc-basic-principles.yaml");
    wb_catalogue *cbw = load(DATA "cbw_nis2.yaml");
    wb_catalogue *nis2 = load(DATA "nis2-directive.yaml");
    unsigned char covered[64] = {0};
    uint16_t measures = 0;
    for (size_t k = 0; k < p->nnodes; k++) {
        const wb_req_node *n = &p->nodes[k];
        if (n->parent < 0) {
            assert_false(n->assessable);
            assert_true(n->nchildren > 0);
            continue;
        }
        assert_true(n->assessable);
        assert_true(n->nis2_measures != 0);
        measures |= n->nis2_measures;
        bool has_cbw = false;
        for (size_t m = 0; m < n->nmaps; m++) {
            const wb_catalogue *target = NULL;
            if (strcmp(n->maps[m].catalogue, "cbw_nis2") == 0) target = cbw, has_cbw = true;
            if (strcmp(n->maps[m].catalogue, "nis2-directive") == 0) target = nis2;
            if (target == NULL)
                fail_msg("%s maps to unknown catalogue %s", n->key, n->maps[m].catalogue);
            for (size_t r = 0; r < n->maps[m].nrefs; r++) {
                const wb_req_node *t = wb_catalogue_find(target, n->maps[m].refs[r]);
                if (t == NULL || !t->assessable)
                    fail_msg("%s maps to %s %s, not an assessable requirement there", n->key,
                             target->name, n->maps[m].refs[r]);
                if (target == cbw) covered[wb_catalogue_node_index(cbw, t)] = 1;
                if (target == nis2) {
                    /* 21.2.x belongs to the measures of the node */
                    char letter = t->key[strlen(t->key) - 1];
                    assert_true(n->nis2_measures & (1u << (letter - 'a')));
                }
            }
        }
        assert_true(has_cbw);
    }
    assert_int_equal(measures, 0x3ff); /* every measure a-j is served */
    for (size_t k = 0; k < cbw->nnodes; k++)
        if (cbw->nodes[k].assessable && !covered[k])
            fail_msg("cbw_nis2 %s is not mapped to any principle", cbw->nodes[k].key);
    const char *shown;
    const wb_req_node *bp1 = &p->nodes[p->roots[0]];
    assert_string_equal(wb_cat_text_get(bp1->texts, bp1->ntexts, WB_TEXT_NAME, "en", &shown),
                        "Map your risks");
    assert_string_equal(wb_cat_text_get(bp1->texts, bp1->ntexts, WB_TEXT_NAME, "nl", &shown),
                        "Breng je risico's in kaart");
    wb_catalogue_free(p);
    wb_catalogue_free(cbw);
    wb_catalogue_free(nis2);
}

static void test_catset(void **state)
{
    (void)state;
    wb_catset *set = wb_catset_new();
    wb_error err = {0};
    assert_int_equal(wb_catset_add_dir(set, DATA, &err), 0);
    assert_int_equal(wb_catset_count(set), 6);
    assert_string_equal(wb_catset_name(set, 0), "abro_2026");
    assert_string_equal(wb_catset_name(set, 1), "cbw_nis2");
    const wb_catalogue *cat;
    assert_int_equal(wb_catset_get(set, "cbw_nis2", &cat, &err), 0);
    assert_int_equal(cat->nassessable, 27);
    const wb_catalogue *again;
    assert_int_equal(wb_catset_get(set, "cbw_nis2", &again, &err), 0);
    assert_ptr_equal(cat, again);
    assert_int_equal(wb_catset_get(set, "nope", &cat, &err), WB_ENOTFOUND);
    assert_non_null(strstr(err.msg, "unknown catalogue 'nope' (there are: abro_2026, cbw_nis2"));
    assert_int_equal(wb_catset_add_dir(set, "/nonexistent-dir", &err), WB_ENOTFOUND);
    assert_non_null(strstr(err.msg, "/nonexistent-dir"));
    wb_catset_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_testdata),
        cmocka_unit_test(test_counts_builtin),
        cmocka_unit_test(test_tree_and_attribution),
        cmocka_unit_test(test_language_fallback),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_minimal),
        cmocka_unit_test(test_principle_mappings),
        cmocka_unit_test(test_catset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
