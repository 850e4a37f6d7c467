/*
 * test_incident_taxonomy.c - the built-in RSIT and NIS2-sector tables are
 * exactly the values of the MISP taxonomies in ../shared/testdata (typos
 * included), the machinetag.json reader and its errors, names of the
 * enumerations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "weerbaar/incident.h"

#define TAX WB_SHARED_DIR "/testdata/misp/taxonomies/"

static void same_entries(const wb_taxonomy_entry *a, size_t na, const wb_taxonomy *t)
{
    assert_int_equal(na, t->count);
    for (size_t i = 0; i < na; i++) {
        assert_string_equal(a[i].predicate, t->entries[i].predicate);
        assert_string_equal(a[i].value, t->entries[i].value);
        assert_string_equal(a[i].expanded, t->entries[i].expanded);
    }
}

static void test_builtin_equals_files(void **state)
{
    (void)state;
    wb_taxonomy *t = NULL;
    wb_error err = {0};
    size_t n;
    assert_int_equal(wb_taxonomy_load(TAX "rsit/machinetag.json", NULL, &t, &err), 0);
    assert_string_equal(t->name, "rsit");
    const wb_taxonomy_entry *builtin = wb_taxonomy_rsit(&n);
    same_entries(builtin, n, t);
    wb_taxonomy_free(t);
    assert_int_equal(
        wb_taxonomy_load(TAX "nis2/machinetag.json", "impact-sectors-impacted", &t, &err), 0);
    builtin = wb_taxonomy_nis2_sectors(&n);
    same_entries(builtin, n, t);
    for (size_t i = 0; i < t->count; i++)
        assert_true(wb_sector_valid(t->entries[i].value));
    wb_taxonomy_free(t);
    assert_false(wb_sector_valid("electricity")); /* a subsector, not a sector */
    assert_true(wb_rsit_tag_valid("rsit:availability=\"ddos\""));
    assert_false(wb_rsit_tag_valid("rsit:availability=\"ddos"));
    assert_false(wb_rsit_tag_valid("rsit:availability=ddos"));
    assert_false(wb_rsit_tag_valid("availability:ddos"));
}

static void test_load_errors(void **state)
{
    (void)state;
    wb_taxonomy *t = NULL;
    wb_error err = {0};
    assert_int_equal(wb_taxonomy_load(TAX "nope.json", NULL, &t, &err), WB_ENOTFOUND);
    assert_int_equal(wb_taxonomy_load(TAX "nis2/machinetag.json", "no-such", &t, &err),
                     WB_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no values for predicate 'no-such'"));
    char path[] = "/tmp/wb_tax_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(
        "{\"namespace\": \"x\", \"values\": [{\"predicate\": \"p\", \"entry\": [{\"value\": 1}]}]}",
        f);
    fclose(f);
    assert_int_equal(wb_taxonomy_load(path, NULL, &t, &err), WB_EFORMAT);
    assert_non_null(strstr(err.msg, "$.values[0].entry[0].value: not a string"));
    assert_null(t);
    remove(path);
}

static void test_names(void **state)
{
    (void)state;
    for (int i = 0; i < WB_ENTITY_COUNT; i++) {
        wb_entity_type t;
        assert_int_equal(wb_entity_type_parse(wb_entity_type_name((wb_entity_type)i), &t), 0);
        assert_int_equal(t, i);
    }
    static const char *names[] = {
        "dns",  "tld",         "cloud",         "data-centre",    "cdn",           "msp",
        "mssp", "marketplace", "search-engine", "social-network", "trust-service", "other"};
    wb_entity_type t;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_int_equal(wb_entity_type_parse(names[i], &t), 0);
    assert_int_equal(wb_entity_type_parse("data-center", &t), WB_EINVAL);
    for (int s = 0; s < WB_STAGE_COUNT; s++) {
        wb_stage st;
        assert_int_equal(wb_stage_parse(wb_stage_name((wb_stage)s), &st), 0);
        assert_int_equal(st, s);
    }
    assert_true(wb_stage_is_report(WB_STAGE_PROGRESS));
    assert_false(wb_stage_is_report(WB_STAGE_CSIRT_ANSWER));
    assert_int_equal(wb_misp_attribute_type_count() > 150, 1);
    for (size_t i = 1; i < wb_misp_attribute_type_count(); i++)
        assert_true(strcmp(wb_misp_attribute_type_at(i - 1), wb_misp_attribute_type_at(i)) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_equals_files),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
