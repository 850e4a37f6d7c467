/*
 * test_jsonflat.c - the one-pass JSON object reader of the JSON-lines log
 * formats: paths, arrays, escapes, numbers, and every way a line can fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "logs/jsonflat.h"

static int parse(wbi_jflat *f, const char *s)
{
    return wbi_jflat_parse(f, s, strlen(s));
}

static const wbi_jent *find(const wbi_jflat *f, const char *path, size_t nth)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(wbi_jent_path(f, &f->e[i]), path) == 0 && nth-- == 0) return &f->e[i];
    return NULL;
}

static void expect_str(const wbi_jflat *f, const char *path, size_t nth, const char *want)
{
    const wbi_jent *e = find(f, path, nth);
    if (e == NULL) fail_msg("no entry %s[%zu]", path, nth);
    assert_int_equal(e->type, WBI_J_STR);
    assert_int_equal(e->vlen, strlen(want));
    assert_memory_equal(wbi_jent_val(f, e), want, e->vlen);
}

static void test_paths(void **st)
{
    (void)st;
    wbi_jflat f = {0};
    assert_int_equal(parse(&f,
                           " {\"a\":\"x\",\"b\":{\"c\":[\"y\",\"z\",{\"d\":\"w\"}],\"n\":-1.5e3},"
                           "\"t\":true,\"u\":null,\"id.orig_h\":\"10.0.0.1\",\"e\":{}} "),
                     0);
    expect_str(&f, "a", 0, "x");
    expect_str(&f, "b.c", 0, "y");
    expect_str(&f, "b.c", 1, "z");
    expect_str(&f, "b.c.d", 0, "w");
    expect_str(&f, "id.orig_h", 0, "10.0.0.1");
    const wbi_jent *c = find(&f, "b.c", 0);
    assert_true(c->in_array);
    assert_int_equal(c->key, 2); /* "c" starts after "b." */
    const wbi_jent *n = find(&f, "b.n", 0);
    assert_int_equal(n->type, WBI_J_NUM);
    assert_memory_equal(wbi_jent_val(&f, n), "-1.5e3", 6);
    assert_int_equal(n->obj, c->obj); /* both members of "b" */
    assert_int_not_equal(n->obj, find(&f, "a", 0)->obj);
    assert_int_equal(find(&f, "t", 0)->type, WBI_J_OTHER);
    assert_int_equal(find(&f, "u", 0)->type, WBI_J_OTHER);
    assert_int_equal(parse(&f, "{}"), 0);
    assert_int_equal(f.n, 0);
    wbi_jflat_free(&f);
}

static void test_escapes(void **st)
{
    (void)st;
    wbi_jflat f = {0};
    assert_int_equal(
        parse(&f, "{\"k\\\"ey\":\"a\\\\b\\/c\\n\\t\\u00e9\\ud83d\\ude00\",\"p\":\"plain\"}"), 0);
    expect_str(&f, "k\"ey", 0, "a\\b/c\n\t\xc3\xa9\xf0\x9f\x98\x80");
    expect_str(&f, "p", 0, "plain"); /* after an escaped string, unescaped still works */
    wbi_jflat_free(&f);
}

static void test_errors(void **st)
{
    (void)st;
    wbi_jflat f = {0};
    static const char *const broken[] = {
        "",
        "{",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{\"a\":01}",
        "{\"a\":1.}",
        "{\"a\":-}",
        "{\"a\":tru}",
        "{\"a\":\"x}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"\\ud800\"}",
        "{\"a\":\"\\udc00\"}",
        "{\"a\":\"tab\there\"}",
        "{\"a\":[1,2}",
        "{\"a\":1} x",
        "{a:1}",
        "not json",
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++)
        if (parse(&f, broken[i]) != 1) fail_msg("'%s' not refused as broken", broken[i]);
    assert_int_equal(parse(&f, "[1,2]"), 2);
    assert_int_equal(parse(&f, "\"s\""), 2);
    assert_int_equal(parse(&f, "42"), 2);
    /* depth: 64 nested objects are fine, 70 are not */
    char deep[200];
    size_t k = 0;
    for (int i = 0; i < 70; i++) {
        deep[k++] = '{';
        deep[k++] = '"';
        deep[k++] = 'a';
        deep[k++] = '"';
        deep[k++] = ':';
        if (k > 150) break;
    }
    deep[k++] = '1';
    size_t opened = (k - 1) / 5;
    for (size_t i = 0; i < opened; i++)
        deep[k++] = '}';
    deep[k] = '\0';
    assert_int_equal(parse(&f, deep), 0);
    char deeper[800];
    k = 0;
    for (int i = 0; i < 70; i++) {
        memcpy(deeper + k, "{\"a\":", 5);
        k += 5;
    }
    deeper[k++] = '1';
    for (int i = 0; i < 70; i++)
        deeper[k++] = '}';
    deeper[k] = '\0';
    assert_int_equal(parse(&f, deeper), 1);
    wbi_jflat_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
