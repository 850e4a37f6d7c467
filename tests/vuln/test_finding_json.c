/*
 * test_finding_json.c - wb_finding_json against jansson as the oracle: the
 * JSON output of `weerbaar vuln scan` was a jansson object per finding and
 * must stay byte for byte the same. Findings with hand-picked awkward
 * values (every control character, quotes and backslashes, valid UTF-8 of
 * 2, 3 and 4 bytes, overlong forms, surrogates, bytes above U+10FFFF, NULL
 * fields, tiny and large numbers) and 20 000 random ones are written both
 * ways and compared.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "weerbaar/vulnscan.h"

/* ---- the oracle: the jansson object the CLI used to build ------------------ */

static json_t *jstr(const char *s)
{
    if (s == NULL) return json_null();
    json_t *j = json_string(s);
    if (j == NULL) {
        size_t n = strlen(s);
        char *t = malloc(n + 1);
        assert_non_null(t);
        for (size_t i = 0; i <= n; i++)
            t[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
        j = json_string(t);
        free(t);
    }
    return j;
}

static json_t *jtime(wb_time t)
{
    char buf[40];
    if (t == WB_TIME_NONE) return json_null();
    wb_time_format(t, buf, sizeof buf);
    return json_string(buf);
}

static const char *cvss_version_str(unsigned v)
{
    return v == 40 ? "4.0" : v == 31 ? "3.1" : v == 30 ? "3.0" : v == 20 ? "2.0" : NULL;
}

static json_t *oracle(const wb_finding *f)
{
    json_t *o = json_object();
    json_t *ids = json_array(), *fixed = json_array();
    for (size_t i = 0; i < f->nids; i++)
        json_array_append_new(ids, jstr(f->ids[i]));
    for (size_t i = 0; i < f->nfixed; i++)
        json_array_append_new(fixed, jstr(f->fixed[i]));
    json_object_set_new(o, "rank", f->rank ? json_integer((json_int_t)f->rank) : json_null());
    json_object_set_new(o, "asset", jstr(f->asset));
    json_object_set_new(o, "component", jstr(f->component));
    json_object_set_new(o, "name", jstr(f->name));
    json_object_set_new(o, "version", jstr(f->version));
    json_object_set_new(o, "inventory", jstr(f->where));
    json_object_set_new(o, "internet_facing", json_boolean(f->internet_facing));
    json_object_set_new(o, "vulnerability", jstr(f->vuln));
    json_object_set_new(o, "cve", jstr(f->cve));
    json_object_set_new(o, "ids", ids);
    json_object_set_new(o, "title", jstr(f->title));
    json_object_set_new(o, "advisory", jstr(f->advisory));
    json_object_set_new(o, "advisory_source", jstr(f->advisory_source));
    json_object_set_new(o, "advisory_kind", jstr(f->advisory_kind));
    json_object_set_new(o, "advisory_url", jstr(f->advisory_url));
    json_object_set_new(o, "matched_by", jstr(f->matched_by));
    json_object_set_new(o, "status", jstr(f->status));
    json_object_set_new(o, "cvss_score", f->cvss_version ? json_real(f->cvss_score) : json_null());
    json_object_set_new(o, "cvss_version", jstr(cvss_version_str(f->cvss_version)));
    json_object_set_new(o, "cvss_vector", jstr(f->cvss_vector));
    json_object_set_new(o, "severity", jstr(wb_severity_name(f->severity)));
    json_object_set_new(o, "kev", json_boolean(f->kev));
    json_object_set_new(o, "kev_date_added", jtime(f->kev_added));
    json_object_set_new(o, "kev_due_date", jtime(f->kev_due));
    json_object_set_new(o, "kev_ransomware",
                        f->kev ? json_boolean(f->kev_ransomware) : json_null());
    json_object_set_new(o, "epss", f->has_epss ? json_real(f->epss) : json_null());
    json_object_set_new(o, "epss_percentile",
                        f->has_epss ? json_real(f->epss_percentile) : json_null());
    json_object_set_new(o, "fixed_versions", fixed);
    json_object_set_new(o, "remediation", jstr(f->remediation));
    json_object_set_new(o, "remediation_category", jstr(f->remediation_category));
    json_object_set_new(o, "remediation_url", jstr(f->remediation_url));
    json_object_set_new(o, "published", jtime(f->published));
    json_object_set_new(o, "deadline", jtime(f->deadline));
    json_object_set_new(o, "deadline_rule", jstr(wb_patch_rule_name(f->deadline_rule)));
    json_object_set_new(o, "overdue", json_boolean(f->overdue));
    json_object_set_new(o, "suppressed", json_boolean(f->suppressed));
    json_object_set_new(o, "vex_status", jstr(f->vex_status));
    json_object_set_new(o, "vex_justification", jstr(f->vex_justification));
    json_object_set_new(o, "vex_detail", jstr(f->vex_detail));
    json_object_set_new(o, "vex_source", jstr(f->vex_source));
    return o;
}

static void same_as_oracle(const wb_finding *f)
{
    json_t *o = oracle(f);
    assert_non_null(o);
    char *want = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(o);
    assert_non_null(want);
    wb_buf got = {0};
    assert_int_equal(wb_finding_json(f, &got), 0);
    if (strcmp(want, got.data) != 0) {
        fprintf(stderr, "want %s\ngot  %s\n", want, got.data);
        fail();
    }
    /* and the output parses back as one JSON object */
    json_error_t je;
    json_t *back = json_loads(got.data, 0, &je);
    assert_non_null(back);
    json_decref(back);
    free(want);
    wb_buf_free(&got);
}

/* ---- hand-picked values ----------------------------------------------------------- */

static void fill(wb_finding *f, const char *s, const char *const *list, size_t n)
{
    memset(f, 0, sizeof *f);
    f->rank = 7;
    f->asset = f->component = f->name = f->version = f->where = s;
    f->vuln = f->cve = f->title = f->advisory = f->advisory_source = s;
    f->advisory_kind = f->advisory_url = f->matched_by = f->cvss_vector = f->status = s;
    f->remediation = f->remediation_category = f->remediation_url = s;
    f->vex_status = f->vex_justification = f->vex_detail = f->vex_source = s;
    f->ids = list;
    f->nids = n;
    f->fixed = list;
    f->nfixed = n;
    f->kev_added = f->kev_due = f->published = f->deadline = WB_TIME_NONE;
}

static void test_strings(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "",
        "plain",
        "quote \" backslash \\ slash /",
        "\x01\x02\x03\x04\x05\x06\x07\b\t\n\x0b\f\r\x0e\x0f\x10\x1a\x1f\x7f",
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92", /* 2, 3, 4-byte UTF-8 */
        "bad \xff byte",                             /* not UTF-8 at all */
        "lone \x80 continuation",                    /* stray continuation */
        "overlong \xc0\xaf and \xe0\x80\xaf",        /* overlong forms */
        "surrogate \xed\xa0\x80",                    /* U+D800 */
        "too big \xf4\x90\x80\x80",                  /* U+110000 */
        "cut \xe2\x82",                              /* truncated sequence */
        "mixed \xc3\xa9 and \xff then \n newline",   /* one bad byte: all '?' */
        "max \xf4\x8f\xbf\xbf and \xef\xbf\xbf",     /* U+10FFFF, U+FFFF */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *list[3] = {cases[i], "CVE-2024-0001", cases[i]};
        wb_finding f;
        fill(&f, cases[i], list, 3);
        same_as_oracle(&f);
    }
    /* every field absent */
    wb_finding f;
    fill(&f, NULL, NULL, 0);
    f.rank = 0;
    same_as_oracle(&f);
}

static void test_numbers(void **state)
{
    (void)state;
    static const double v[] = {0.0,  0.1,    1.0,       9.8,     10.0,  0.00043,  1e-5, 1.5e-7,
                               0.97, 0.9999, 0.1234567, 12345.6, 1e+20, 123456.0, 1e6,  3.3333};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        wb_finding f;
        fill(&f, "x", NULL, 0);
        static const unsigned versions[] = {40, 31, 30, 20, 0};
        f.cvss_version = versions[i % 5];
        f.cvss_score = v[i];
        f.has_epss = true;
        f.epss = v[i];
        f.epss_percentile = v[(i + 3) % (sizeof v / sizeof v[0])];
        f.kev = true;
        f.kev_ransomware = i % 2;
        f.kev_added = (wb_time)1704067200 * 1000000;
        f.kev_due = f.kev_added + (wb_time)i * 86400 * 1000000 + 123;
        f.published = f.kev_added;
        f.deadline = f.kev_due;
        f.rank = i * 1000003u;
        f.severity = (wb_severity)(i % (WB_SEV_CRITICAL + 1));
        f.deadline_rule = (wb_patch_rule)(i % (WB_DL_UNSCORED + 1));
        f.internet_facing = f.overdue = f.suppressed = i % 3 == 0;
        same_as_oracle(&f);
    }
}

/* ---- random findings ---------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* Mostly ASCII, with control characters, UTF-8 and broken UTF-8 mixed in. */
static void rnd_str(char *out, size_t cap)
{
    static const char *const pieces[] = {"\xc3\xa9",     "\xe2\x82\xac", "\xf0\x9f\x94\x92",
                                         "\xff",         "\x80",         "\xc3",
                                         "\xed\xa0\x80", "\"",           "\\",
                                         "\n",           "\x01",         "/"};
    size_t n = 0, len = rnd(40);
    for (size_t i = 0; i < len && n + 5 < cap; i++) {
        if (rnd(8) == 0) {
            const char *p = pieces[rnd(sizeof pieces / sizeof pieces[0])];
            memcpy(out + n, p, strlen(p));
            n += strlen(p);
        } else {
            out[n++] = (char)(0x20 + rnd(0x5f));
        }
    }
    out[n] = '\0';
}

static void test_random(void **state)
{
    (void)state;
    char s[8][64];
    for (int round = 0; round < 20000; round++) {
        for (int k = 0; k < 8; k++)
            rnd_str(s[k], sizeof s[k]);
        const char *list[4] = {s[4], s[5], s[6], s[7]};
        wb_finding f;
        fill(&f, rnd(5) ? s[0] : NULL, list, rnd(5));
        f.title = s[1];
        f.remediation = rnd(2) ? s[2] : NULL;
        f.vex_detail = s[3];
        f.cvss_version = rnd(2) ? 31 : 0;
        f.cvss_score = rnd(101) / 10.0;
        f.has_epss = rnd(2);
        f.epss = rnd(1000000) / 1e6 / (1 + rnd(1000));
        f.epss_percentile = rnd(100001) / 1e5;
        same_as_oracle(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
