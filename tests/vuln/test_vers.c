/*
 * test_vers.c - vers ranges: the vers-spec suites for canonical parsing
 * (vers_canonical_parse_test.json), containment (npm and pypi) and native
 * range translation (npm and pypi from_native), plus lenient parsing of the
 * forms CSAF documents use, normalisation and error messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "suite.h"
#include "weerbaar/vers.h"

static void test_canonical_parse_suite(void **state)
{
    (void)state;
    json_t *root;
    json_t *tests = suite_load(SUITE_VERS "vers_canonical_parse_test.json", &root);
    assert_non_null(tests);
    suite_tally t = {0};
    size_t i;
    json_t *tc;
    json_array_foreach(tests, i, tc)
    {
        const char *in = json_string_value(json_object_get(tc, "input"));
        bool fail = json_is_true(json_object_get(tc, "expected_failure"));
        wb_vers *v = NULL;
        wb_error err = {0};
        if (strcmp(in, "vers:npm/1.0%252F0") == 0) {
            /* The case is about decoding; weerbaar also checks each version
             * in its scheme and "1.0%2F0" is no npm version. The decoding is
             * checked on a scheme that accepts the version. */
            assert_int_equal(wb_vers_parse(in, strlen(in), WB_VERS_STRICT, &v, &err), WB_EINVAL);
            assert_int_equal(wb_vers_parse("vers:maven/1.0%252F0", 20, WB_VERS_STRICT, &v, &err),
                             0);
            assert_string_equal(v->c[0].version, "1.0%2F0");
            wb_vers_free(v);
            suite_skip(&t, "vers:npm/1.0%252F0: '1.0%2F0' is not a valid npm version (decoding "
                           "checked with vers:maven/1.0%252F0 instead)");
            continue;
        }
        int rc = wb_vers_parse(in, strlen(in), WB_VERS_STRICT, &v, &err);
        t.run++;
        bool ok = (rc != 0) == fail;
        if (ok && !fail) {
            json_t *exp = json_object_get(tc, "expected_output");
            json_t *cons = json_object_get(exp, "version_constraints");
            ok = strcmp(v->type, json_string_value(json_object_get(exp, "scheme"))) == 0 &&
                 v->n == json_array_size(cons);
            for (size_t k = 0; ok && k < v->n; k++) {
                json_t *pair = json_array_get(cons, k);
                const char *op = json_string_value(json_array_get(pair, 0));
                const char *ver = json_string_value(json_array_get(pair, 1));
                const char *mine = wb_vers_op_str(v->c[k].op);
                ok = (strcmp(op, mine) == 0 || (strcmp(op, "=") == 0 && *mine == '\0')) &&
                     strcmp(ver, v->c[k].version) == 0;
            }
        }
        if (!ok) {
            t.failed++;
            printf("FAIL #%zu '%s': expected %s, got rc %d %s\n", i, in,
                   fail ? "failure" : "success", rc, err.msg);
        } else if (fail) {
            printf("  rejected as expected: %s\n", err.msg);
        }
        wb_vers_free(v);
    }
    json_decref(root);
    suite_report("vers_canonical_parse_test.json", &t);
    assert_int_equal(t.failed, 0);
    assert_int_equal(t.run, 11);
}

static void run_containment(const char *file, suite_tally *t)
{
    json_t *root;
    char path[512];
    snprintf(path, sizeof path, SUITE_VERS "%s", file);
    json_t *tests = suite_load(path, &root);
    assert_non_null(tests);
    size_t i;
    json_t *tc;
    json_array_foreach(tests, i, tc)
    {
        json_t *in = json_object_get(tc, "input");
        const char *range = json_string_value(json_object_get(in, "vers"));
        const char *ver = json_string_value(json_object_get(in, "version"));
        bool want = json_is_true(json_object_get(tc, "expected_output"));
        wb_vers *v = NULL;
        wb_error err = {0};
        bool got = !want;
        int rc = wb_vers_parse(range, strlen(range), 0, &v, &err);
        if (rc == 0) rc = wb_vers_contains(v, ver, &got, &err);
        t->run++;
        if (rc != 0 || got != want) {
            t->failed++;
            printf("FAIL %s #%zu: %s in %s should be %d (rc %d %s)\n", file, i, ver, range, want,
                   rc, err.msg);
        }
        wb_vers_free(v);
    }
    json_decref(root);
}

static void test_containment_suites(void **state)
{
    (void)state;
    suite_tally t = {0};
    run_containment("npm_range_containment_test.json", &t);
    run_containment("pypi_range_containment_test.json", &t);
    suite_report("vers containment suites", &t);
    assert_int_equal(t.failed, 0);
    assert_int_equal(t.run, 11);
}

static void run_from_native(const char *file, suite_tally *t)
{
    json_t *root;
    char path[512];
    snprintf(path, sizeof path, SUITE_VERS "%s", file);
    json_t *tests = suite_load(path, &root);
    assert_non_null(tests);
    size_t i;
    json_t *tc;
    wb_buf out = {0};
    json_array_foreach(tests, i, tc)
    {
        json_t *in = json_object_get(tc, "input");
        const char *scheme = json_string_value(json_object_get(in, "scheme"));
        const char *native = json_string_value(json_object_get(in, "native_range"));
        const char *want = json_string_value(json_object_get(tc, "expected_output"));
        wb_error err = {0};
        int rc = wb_vers_from_native(scheme, native, &out, &err);
        if (strcmp(native, ">= 0.2.0 <= 0.9.6 || ~0.8.0-pre") == 0) {
            /* node-semver reads ~0.8.0-pre as >=0.8.0-pre <0.9.0-0 */
            assert_int_equal(rc, 0);
            assert_string_equal(out.data, "vers:npm/>=0.2.0|>=0.8.0-pre|<0.9.0|<=0.9.6");
            suite_skip(t, "npm '~0.8.0-pre': the suite expects >=0.8.0-pre|<0.8.0|>=0.8.0|<0.8.1, "
                          "node-semver's tilde gives >=0.8.0-pre|<0.9.0");
            continue;
        }
        t->run++;
        if (rc != 0 || strcmp(out.data, want) != 0) {
            t->failed++;
            printf("FAIL %s #%zu: '%s' should give %s, got %s (rc %d %s)\n", file, i, native, want,
                   rc == 0 ? out.data : "-", rc, err.msg);
        }
    }
    wb_buf_free(&out);
    json_decref(root);
}

static void test_from_native_suites(void **state)
{
    (void)state;
    suite_tally t = {0};
    run_from_native("npm_range_from_native_test.json", &t);
    run_from_native("pypi_range_from_native_test.json", &t);
    suite_report("vers from_native suites (npm, pypi)", &t);
    assert_int_equal(t.failed, 0);
    assert_int_equal(t.run, 493);
}

static void expect_normal(const char *in, const char *type, const char *want)
{
    wb_vers *v = NULL;
    wb_error err = {0};
    int rc = type ? wb_vers_parse_for(type, in, strlen(in), &v, &err)
                  : wb_vers_parse(in, strlen(in), 0, &v, &err);
    if (rc != 0) printf("FAIL '%s': %s\n", in, err.msg);
    assert_int_equal(rc, 0);
    wb_buf b = {0};
    assert_int_equal(wb_vers_format(v, &b), 0);
    if (strcmp(b.data, want) != 0) printf("FAIL '%s': got %s, want %s\n", in, b.data, want);
    assert_string_equal(b.data, want);
    /* the canonical form parses strictly to itself */
    wb_vers *w = NULL;
    assert_int_equal(wb_vers_parse(b.data, b.len, WB_VERS_STRICT, &w, &err), 0);
    wb_vers_free(w);
    wb_buf_free(&b);
    wb_vers_free(v);
}

static void expect_invalid(const char *in, unsigned flags, const char *msg)
{
    wb_vers *v = NULL;
    wb_error err = {0};
    int rc = wb_vers_parse(in, strlen(in), flags, &v, &err);
    if (rc == 0 || !strstr(err.msg, msg)) printf("FAIL '%s': rc %d '%s'\n", in, rc, err.msg);
    assert_int_equal(rc, WB_EINVAL);
    assert_null(v);
    assert_non_null(strstr(err.msg, msg));
}

static void test_lenient_and_normalise(void **state)
{
    (void)state;
    expect_normal("vers:npm/<2.0.0|>=1.0.0", NULL, "vers:npm/>=1.0.0|<2.0.0");
    expect_normal(" VERS:NPM/ >= 1.0.0 | < 2.0.0 ", NULL, "vers:npm/>=1.0.0|<2.0.0");
    expect_normal("vers:pypi/1.0|1.0.0|=2.0||", NULL, "vers:pypi/1.0|2.0");
    expect_normal("vers:generic/>=1.0 | <2.0", NULL, "vers:generic/>=1.0|<2.0");
    expect_normal("<=2", "generic", "vers:generic/<=2");
    expect_normal("<V3.0.29", "generic", "vers:generic/<V3.0.29");
    expect_normal(">= 1.2 | < 1.4", "semver-less", "vers:semver-less/>=1.2|<1.4");
    expect_normal("vers:deb/*", NULL, "vers:deb/*");
    expect_normal("vers:maven/1.0%7C2", NULL, "vers:maven/1.0%7C2");
    expect_invalid("vers:npm/>=2.0.0|<1.0.0", WB_VERS_STRICT, "not sorted");
    /* found by fuzzing: Maven's order is not transitive ("F0.01" = "F0" <
     * "F0F0" < "F0.01"); dropping the duplicate must not leave it unsorted */
    expect_normal("vers:maven/F0.01|F0F0|F0", NULL, "vers:maven/F0F0|F0.01");
    expect_invalid("vers:generic/1.0%00|2.0", 0, "NUL byte");
    expect_invalid("vers:npm/>=1.0.0|>=2.0.0", 0, "same direction");
    expect_invalid("vers:npm/1.0.0|<2.0.0", 0, "equality is followed by '<'");
    expect_invalid("vers:npm/*|1.0.0", 0, "alone");
    expect_invalid("vers:npm/>=1.0.0|<=1.0.0", 0, "two different comparators");
    expect_invalid("vers:npm/1.0", 0, "npm version '1.0'");
    expect_invalid("vers:invalid/1.0", 0, "reserved");
    expect_invalid("npm/1.0", 0, "'vers:'");
    expect_invalid("vers:1npm/1.0", 0, "letter");
    expect_invalid("vers:npm/", 0, "no constraints");
    expect_invalid("vers:npm/=1.0.0", WB_VERS_STRICT, "'='");
    expect_invalid("vers:NPM/1.0.0", WB_VERS_STRICT, "lower-case");
    /* found by fuzz_vers: a lone '=' read past its constraint */
    wb_vers *v = NULL;
    wb_error err = {0};
    assert_int_equal(wb_vers_parse_for("generic", "=", 1, &v, &err), WB_EINVAL);
    assert_non_null(strstr(err.msg, "without a version"));
}

static void test_contains(void **state)
{
    (void)state;
    static const struct {
        const char *range, *version;
        bool in;
    } c[] = {
        {"vers:deb/>=1.0~rc1|<1.0-3", "1.0-2", true},
        {"vers:deb/>=1.0~rc1|<1.0-3", "1.0~beta", false},
        {"vers:pypi/<1.0|>=2.0|!=2.5", "2.5", false},
        {"vers:pypi/<1.0|>=2.0|!=2.5", "0.9", true},
        {"vers:maven/>=2.0|<=2.9|3.1", "3.1.0", true},
        {"vers:maven/>=2.0|<=2.9|3.1", "3.0", false},
        {"vers:npm/*", "0.0.1", true},
        {"vers:rpm/>1:1.0", "2.0", false},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        wb_vers *v = NULL;
        wb_error err = {0};
        bool in = !c[i].in;
        assert_int_equal(wb_vers_parse(c[i].range, strlen(c[i].range), 0, &v, &err), 0);
        assert_int_equal(wb_vers_contains(v, c[i].version, &in, &err), 0);
        if (in != c[i].in) printf("FAIL %s in %s\n", c[i].version, c[i].range);
        assert_true(in == c[i].in);
        wb_vers_free(v);
    }
    wb_vers *v = NULL;
    wb_error err = {0};
    bool in;
    assert_int_equal(wb_vers_parse("vers:conan/1.0", 14, 0, &v, &err), 0);
    assert_int_equal(wb_vers_contains(v, "1.0", &in, &err), WB_EINVAL);
    assert_non_null(strstr(err.msg, "cannot compare"));
    wb_vers_free(v);
    assert_int_equal(wb_vers_parse("vers:npm/>=1.0.0", 16, 0, &v, &err), 0);
    assert_int_equal(wb_vers_contains(v, "1.0", &in, &err), WB_EINVAL);
    wb_vers_free(v);
}

static void test_native_more(void **state)
{
    (void)state;
    static const struct {
        const char *type, *native, *want;
    } c[] = {
        {"npm", "^0.0.3", "vers:npm/>=0.0.3|<0.0.4"},
        {"npm", "~1", "vers:npm/>=1.0.0|<2.0.0"},
        {"npm", "1.2.3 - 2", "vers:npm/>=1.2.3|<3.0.0"},
        {"npm", "", "vers:npm/*"},
        {"npm", "^9.9.9", "vers:npm/>=9.9.9|<10.0.0"},
        {"pypi", ">=1.0, !=1.5, <2.0", "vers:pypi/>=1.0|!=1.5|<2.0"},
        {"pypi", "~=1.4.5", "vers:pypi/>=1.4.5|<1.5.dev0"},
        {"pypi", "~=2.2", "vers:pypi/>=2.2|<3.dev0"},
        {"pypi", "==1.0.*", "vers:pypi/>=1.0.dev0|<1.1.dev0"},
        {"pypi", "!=1.9.*", "vers:pypi/<1.9.dev0|>=1.10.dev0"},
        {"pypi", "===1.0", "vers:pypi/1.0"},
    };
    wb_buf b = {0};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        wb_error err = {0};
        int rc = wb_vers_from_native(c[i].type, c[i].native, &b, &err);
        if (rc != 0 || strcmp(b.data, c[i].want) != 0)
            printf("FAIL %s '%s': %s (%s)\n", c[i].type, c[i].native, rc ? "-" : b.data, err.msg);
        assert_int_equal(rc, 0);
        assert_string_equal(b.data, c[i].want);
    }
    wb_error err = {0};
    assert_int_equal(wb_vers_from_native("gem", "~>1.0", &b, &err), WB_EINVAL);
    assert_int_equal(wb_vers_from_native("pypi", "1.0", &b, &err), WB_EINVAL);
    assert_int_equal(wb_vers_from_native("pypi", "~=1", &b, &err), WB_EINVAL);
    assert_int_equal(wb_vers_from_native("npm", ">=a.b", &b, &err), WB_EINVAL);
    wb_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_parse_suite),
        cmocka_unit_test(test_containment_suites),
        cmocka_unit_test(test_from_native_suites),
        cmocka_unit_test(test_lenient_and_normalise),
        cmocka_unit_test(test_contains),
        cmocka_unit_test(test_native_more),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
