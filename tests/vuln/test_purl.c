/*
 * test_purl.c - package URLs: every case of the purl-spec suites
 * (../shared/testdata/purl/tests/spec/specification-test.json and
 * the types/ suites: parse, build and validate/roundtrip), plus
 * encoding, qualifier and error-message cases of our own.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "suite.h"
#include "weerbaar/purl.h"

static bool same_str(const char *mine, json_t *want)
{
    if (json_is_null(want) || !want) return mine == NULL;
    return mine && strcmp(mine, json_string_value(want)) == 0;
}

static bool same_parts(const wb_purl *p, json_t *exp)
{
    if (!same_str(p->type, json_object_get(exp, "type")) ||
        !same_str(p->ns, json_object_get(exp, "namespace")) ||
        !same_str(p->name, json_object_get(exp, "name")) ||
        !same_str(p->version, json_object_get(exp, "version")) ||
        !same_str(p->subpath, json_object_get(exp, "subpath")))
        return false;
    json_t *q = json_object_get(exp, "qualifiers");
    size_t nq = json_is_object(q) ? json_object_size(q) : 0;
    if (nq != p->nqualifiers) return false;
    for (size_t i = 0; i < p->nqualifiers; i++)
        if (!same_str(p->qualifiers[i].value, json_object_get(q, p->qualifiers[i].key)))
            return false;
    return true;
}

static int build_from(json_t *in, wb_purl **out, wb_error *err)
{
    const char *keys[WB_PURL_MAX_QUALIFIERS + 1], *vals[WB_PURL_MAX_QUALIFIERS + 1];
    size_t nq = 0;
    json_t *q = json_object_get(in, "qualifiers");
    const char *k;
    json_t *v;
    if (json_is_object(q)) {
        json_object_foreach(q, k, v)
        {
            keys[nq] = k;
            vals[nq++] = json_string_value(v);
        }
    }
    return wb_purl_build(json_string_value(json_object_get(in, "type")),
                         json_string_value(json_object_get(in, "namespace")),
                         json_string_value(json_object_get(in, "name")),
                         json_string_value(json_object_get(in, "version")), keys, vals, nq,
                         json_string_value(json_object_get(in, "subpath")), out, err);
}

static void run_suite(const char *path, suite_tally *t)
{
    json_t *root;
    json_t *tests = suite_load(path, &root);
    assert_non_null(tests);
    const char *file = strrchr(path, '/') + 1;
    size_t i;
    json_t *tc;
    wb_buf out = {0};
    json_array_foreach(tests, i, tc)
    {
        const char *type = json_string_value(json_object_get(tc, "test_type"));
        json_t *in = json_object_get(tc, "input");
        json_t *exp = json_object_get(tc, "expected_output");
        bool fail = json_is_true(json_object_get(tc, "expected_failure"));
        wb_purl *p = NULL;
        wb_error err = {0};
        int rc;
        bool ok;
        if (strcmp(type, "parse") == 0 && !fail &&
            strstr(json_string_value(in), "repositorY_url")) {
            /* The suites contradict each other: the rpm and gem parse cases
             * require rejecting upper-case qualifier keys, these maven ones
             * require accepting them. Strict parsing rejects; lenient
             * parsing must give the expected components. */
            const char *s = json_string_value(in);
            assert_int_equal(wb_purl_parse(s, strlen(s), WB_PURL_STRICT, &p, &err), WB_EINVAL);
            assert_int_equal(wb_purl_parse(s, strlen(s), 0, &p, &err), 0);
            assert_true(same_parts(p, exp));
            wb_purl_free(p);
            suite_skip(t,
                       "maven 'repositorY_url' parse cases: accepted by lenient parsing only (the "
                       "rpm and gem parse cases require strict parsing to reject upper-case "
                       "qualifier keys)");
            continue;
        }
        if (strcmp(type, "parse") == 0) {
            const char *s = json_string_value(in);
            rc = wb_purl_parse(s, strlen(s), WB_PURL_STRICT, &p, &err);
            ok = fail ? rc != 0 : rc == 0 && same_parts(p, exp);
        } else if (strcmp(type, "validate") == 0 || strcmp(type, "roundtrip") == 0) {
            const char *s = json_string_value(in);
            rc = wb_purl_parse(s, strlen(s), 0, &p, &err);
            ok = fail ? rc != 0
                      : rc == 0 && wb_purl_format(p, &out) == 0 &&
                            strcmp(out.data, json_string_value(exp)) == 0;
        } else if (strcmp(type, "build") == 0) {
            rc = build_from(in, &p, &err);
            ok = fail ? rc != 0
                      : rc == 0 && wb_purl_format(p, &out) == 0 &&
                            strcmp(out.data, json_string_value(exp)) == 0;
        } else {
            char reason[200];
            snprintf(reason, sizeof reason, "%s: test type '%s' unknown", file, type);
            suite_skip(t, reason);
            continue;
        }
        t->run++;
        if (!ok) {
            t->failed++;
            char *ins = json_dumps(in, JSON_ENCODE_ANY | JSON_COMPACT);
            char *exps = json_dumps(exp, JSON_ENCODE_ANY | JSON_COMPACT);
            printf("FAIL %s #%zu %s %s: want %s%s, got rc %d '%s' %s\n", file, i, type, ins,
                   fail ? "failure " : "", exps ? exps : "null", rc,
                   rc == 0 && out.data ? out.data : "", err.msg);
            free(ins);
            free(exps);
        }
        wb_purl_free(p);
    }
    wb_buf_free(&out);
    json_decref(root);
}

static void test_purl_suites(void **state)
{
    (void)state;
    suite_tally t = {0};
    run_suite(SUITE_PURL "spec/specification-test.json", &t);
    DIR *d = opendir(SUITE_PURL "types");
    assert_non_null(d);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d)) != NULL) {
        if (!strstr(e->d_name, "-test.json")) continue;
        char path[1024];
        snprintf(path, sizeof path, SUITE_PURL "types/%s", e->d_name);
        run_suite(path, &t);
        files++;
    }
    closedir(d);
    suite_report("purl-spec suites", &t);
    assert_true(files >= 40);
    assert_int_equal(t.failed, 0);
    assert_true(t.run > 550);
}

static void roundtrip(const char *in, const char *want)
{
    wb_purl *p = NULL;
    wb_error err = {0};
    int rc = wb_purl_parse(in, strlen(in), 0, &p, &err);
    if (rc != 0) printf("FAIL %s: %s\n", in, err.msg);
    assert_int_equal(rc, 0);
    wb_buf b = {0};
    assert_int_equal(wb_purl_format(p, &b), 0);
    assert_string_equal(b.data, want);
    wb_purl_free(p);
    /* canonical is a fixed point */
    assert_int_equal(wb_purl_parse(b.data, b.len, WB_PURL_STRICT, &p, &err), 0);
    wb_buf c = {0};
    assert_int_equal(wb_purl_format(p, &c), 0);
    assert_string_equal(b.data, c.data);
    wb_purl_free(p);
    wb_buf_free(&b);
    wb_buf_free(&c);
}

static void rejects(const char *in, unsigned flags, const char *msg)
{
    wb_purl *p = NULL;
    wb_error err = {0};
    int rc = wb_purl_parse(in, strlen(in), flags, &p, &err);
    if (rc == 0 || !strstr(err.msg, msg)) printf("FAIL %s: rc %d '%s'\n", in, rc, err.msg);
    assert_int_equal(rc, WB_EINVAL);
    assert_null(p);
    assert_non_null(strstr(err.msg, msg));
    assert_non_null(strstr(err.msg, "purl '"));
}

static void test_purl_own(void **state)
{
    (void)state;
    roundtrip("pkg:deb/Debian/OpenSSL@3.0.11-1~deb12u2?arch=amd64&distro=debian-12",
              "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12");
    roundtrip("pkg:generic/a%20b@1.0?empty=&z=1&a=x%26y#./sub/../dir//f.c",
              "pkg:generic/a%20b@1.0?a=x%26y&z=1#sub/dir/f.c");
    roundtrip("pkg:maven/org.example/app@1.0%2B1", "pkg:maven/org.example/app@1.0%2B1");
    roundtrip("  pkg:npm/%40scope/name@1.0.0  ", "pkg:npm/%40scope/name@1.0.0");
    roundtrip("pkg:pypi/Zope.Interface_X", "pkg:pypi/zope.interface-x");
    rejects("pkg:npm/a@1?a=1&A=2", 0, "appears twice");
    /* found by fuzzing: a git repository path of empty segments is no name */
    rejects("Pkg:git/.//@:gg", 0, "the name is missing");
    rejects("pkg:npm/a@1?x", 0, "has no '='");
    rejects("pkg:npm/a%2@1", 0, "percent-encoding");
    rejects("pkg:npm/a%00b", 0, "percent-encoding");
    rejects("pkg:npm/a b", 0, "white space");
    rejects("pkg:npm/a@", 0, "version after '@' is empty");
    rejects("pkg:npm", 0, "name is missing");
    rejects("pkg:pypi/ns/name", 0, "no namespace");
    rejects("pkg:github/name", 0, "needs a namespace");
    rejects("pkg:julia/Dates", 0, "'uuid'");
    rejects("PKG:npm/a", WB_PURL_STRICT, "'pkg:'");
    rejects("pkg:npm/a?Key=v", WB_PURL_STRICT, "not lower-case");
    wb_purl *p = NULL;
    wb_error err = {0};
    assert_int_equal(wb_purl_parse("pkg:rpm/fedora/curl?Arch=i386", 29, 0, &p, &err), 0);
    assert_string_equal(wb_purl_qualifier_get(p, "arch"), "i386");
    assert_null(wb_purl_qualifier_get(p, "distro"));
    wb_purl_free(p);
    const char *k[] = {"in production"}, *v[] = {"true"};
    assert_int_equal(wb_purl_build("npm", NULL, "x", NULL, k, v, 1, NULL, &p, &err), WB_EINVAL);
    assert_non_null(strstr(err.msg, "qualifier key 'in production'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_purl_suites),
        cmocka_unit_test(test_purl_own),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
