/*
 * version_semver.c - Semantic Versioning 2.0.0 and its two relatives:
 *
 *   semver  the specification itself: MAJOR.MINOR.PATCH[-pre][+build],
 *           numbers without leading zeros and of any size; precedence by
 *           numbers, then a pre-release sorts before the release, then
 *           identifiers one by one (numeric < alphanumeric, numbers
 *           numerically, words by ASCII); build metadata is ignored.
 *   npm     node-semver: the same, plus an optional leading 'v' or '=',
 *           surrounding whitespace, at most 256 bytes, MAJOR/MINOR/PATCH at
 *           most 2^53-1, and numeric pre-release identifiers compared as
 *           JavaScript numbers (doubles), as node-semver compares them.
 *   nuget   NuGet.Versioning: 1 to 4 numeric parts (missing ones are 0,
 *           leading zeros allowed, each at most 2^31-1), pre-release labels
 *           compared case-insensitively, a label is numeric only when it
 *           fits in an int, metadata ignored.
 */
#include <stdlib.h>
#include <string.h>

#include "vuln/version_internal.h"
#include "weerbaar/core.h"

#define NPM_MAX_LENGTH 256
#define NPM_MAX_SAFE "9007199254740991"

static bool ident_char(char c)
{
    return wbi_isalnum(c) || c == '-';
}

static bool all_digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!wbi_isdigit(p[i])) return false;
    return n > 0;
}

/* Dot-separated identifiers of [0-9A-Za-z-]; numeric ones without leading
 * zeros unless allowed. */
static int check_idents(const char *p, size_t n, bool leading_zeros, const char *what,
                        wb_error *err)
{
    size_t i = 0;
    for (;;) {
        size_t s = i;
        while (i < n && p[i] != '.') {
            if (!ident_char(p[i]))
                return wb_error_set(err, WB_EINVAL, "invalid character '%c' in %s", p[i], what);
            i++;
        }
        if (i == s) return wb_error_set(err, WB_EINVAL, "empty identifier in %s", what);
        if (!leading_zeros && i - s > 1 && p[s] == '0' && all_digits(p + s, i - s))
            return wb_error_set(err, WB_EINVAL,
                                "numeric identifier '%.*s' in %s has a leading zero", (int)(i - s),
                                p + s, what);
        if (i == n) return 0;
        i++;
        if (i == n) return wb_error_set(err, WB_EINVAL, "empty identifier in %s", what);
    }
}

/* One of MAJOR, MINOR, PATCH: "0" or a number without leading zeros. */
static int main_number(const char *v, size_t n, size_t *i, wbi_span *out, bool npm,
                       const char *what, wb_error *err)
{
    size_t s = *i;
    while (*i < n && wbi_isdigit(v[*i]))
        (*i)++;
    size_t d = *i - s;
    if (d == 0) return wb_error_set(err, WB_EINVAL, "%s version is not a number", what);
    if (d > 1 && v[s] == '0')
        return wb_error_set(err, WB_EINVAL, "%s version has a leading zero", what);
    if (npm && wbi_numcmp(v + s, d, NPM_MAX_SAFE, strlen(NPM_MAX_SAFE)) > 0)
        return wb_error_set(err, WB_EINVAL, "%s version is larger than 2^53-1", what);
    *out = (wbi_span){v + s, d};
    return 0;
}

static bool js_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

int wbi_semver_parse(const char *v, size_t n, bool npm, wbi_semver *out, wb_error *err)
{
    memset(out, 0, sizeof *out);
    out->pre.p = out->build.p = "";
    if (npm) {
        if (n > NPM_MAX_LENGTH)
            return wb_error_set(err, WB_EINVAL, "longer than %d bytes", NPM_MAX_LENGTH);
        while (n > 0 && js_space(v[0])) {
            v++;
            n--;
        }
        while (n > 0 && js_space(v[n - 1]))
            n--;
        if (n > 0 && v[0] == '=') {
            v++;
            n--;
        }
        if (n > 0 && v[0] == 'v') { /* node-semver's regular expression: lower-case only */
            v++;
            n--;
        }
    }
    if (n == 0) return wb_error_set(err, WB_EINVAL, "empty version");
    size_t i = 0;
    int rc = main_number(v, n, &i, &out->major, npm, "major", err);
    if (rc == 0 && (i >= n || v[i] != '.'))
        rc = wb_error_set(err, WB_EINVAL, "expected MAJOR.MINOR.PATCH");
    if (rc == 0) {
        i++;
        rc = main_number(v, n, &i, &out->minor, npm, "minor", err);
    }
    if (rc == 0 && (i >= n || v[i] != '.'))
        rc = wb_error_set(err, WB_EINVAL, "expected MAJOR.MINOR.PATCH");
    if (rc == 0) {
        i++;
        rc = main_number(v, n, &i, &out->patch, npm, "patch", err);
    }
    if (rc != 0) return rc;
    if (i < n && v[i] == '-') {
        size_t s = ++i;
        while (i < n && v[i] != '+')
            i++;
        out->pre = (wbi_span){v + s, i - s};
        out->has_pre = true;
        rc = check_idents(v + s, i - s, false, "pre-release", err);
        if (rc != 0) return rc;
    }
    if (i < n && v[i] == '+') {
        size_t s = ++i;
        i = n;
        out->build = (wbi_span){v + s, n - s};
        rc = check_idents(v + s, n - s, true, "build metadata", err);
        if (rc != 0) return rc;
    }
    if (i != n)
        return wb_error_set(err, WB_EINVAL, "unexpected '%c' after MAJOR.MINOR.PATCH", v[i]);
    return 0;
}

/* node-semver keeps numeric identifiers as JavaScript numbers: beyond 2^53
 * two different digit strings can compare equal, and we do the same so
 * that `npm` answers exactly as npm does. */
static int js_numcmp(const char *a, size_t an, const char *b, size_t bn)
{
    if (an <= 15 && bn <= 15) return wbi_numcmp(a, an, b, bn);
    char x[WB_VERSION_MAX + 1], y[WB_VERSION_MAX + 1];
    memcpy(x, a, an);
    x[an] = '\0';
    memcpy(y, b, bn);
    y[bn] = '\0';
    double dx = strtod(x, NULL), dy = strtod(y, NULL);
    return dx < dy ? -1 : dx > dy;
}

static int cmp_idents(wbi_span a, wbi_span b, bool npm)
{
    size_t i = 0, j = 0;
    for (;;) {
        bool ea = i >= a.n, eb = j >= b.n;
        if (ea || eb) return ea && eb ? 0 : ea ? -1 : 1;
        size_t si = i, sj = j;
        while (i < a.n && a.p[i] != '.')
            i++;
        while (j < b.n && b.p[j] != '.')
            j++;
        const char *x = a.p + si, *y = b.p + sj;
        size_t xn = i - si, yn = j - sj;
        bool xd = all_digits(x, xn), yd = all_digits(y, yn);
        int c;
        if (xd && yd) {
            c = npm ? js_numcmp(x, xn, y, yn) : wbi_numcmp(x, xn, y, yn);
            /* node-semver stops at the first identifiers that differ as
             * strings, even when they are equal as numbers */
            if (npm && c == 0 && wbi_bytecmp(x, xn, y, yn) != 0) return 0;
        } else if (xd != yd)
            c = xd ? -1 : 1;
        else
            c = wbi_bytecmp(x, xn, y, yn);
        if (c) return c;
        i++;
        j++;
    }
}

int wbi_semver_cmp_parsed(const wbi_semver *a, const wbi_semver *b, bool npm)
{
    int c = wbi_numcmp(a->major.p, a->major.n, b->major.p, b->major.n);
    if (c == 0) c = wbi_numcmp(a->minor.p, a->minor.n, b->minor.p, b->minor.n);
    if (c == 0) c = wbi_numcmp(a->patch.p, a->patch.n, b->patch.p, b->patch.n);
    if (c) return c;
    if (a->has_pre != b->has_pre) return a->has_pre ? -1 : 1;
    if (!a->has_pre) return 0;
    return cmp_idents(a->pre, b->pre, npm);
}

int wbi_semver_check(const char *v, size_t n, wb_error *err)
{
    wbi_semver s;
    return wbi_semver_parse(v, n, false, &s, err);
}

int wbi_semver_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    wbi_semver x, y;
    (void)wbi_semver_parse(a, an, false, &x, NULL);
    (void)wbi_semver_parse(b, bn, false, &y, NULL);
    return wbi_semver_cmp_parsed(&x, &y, false);
}

int wbi_npm_check(const char *v, size_t n, wb_error *err)
{
    wbi_semver s;
    return wbi_semver_parse(v, n, true, &s, err);
}

int wbi_npm_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    wbi_semver x, y;
    (void)wbi_semver_parse(a, an, true, &x, NULL);
    (void)wbi_semver_parse(b, bn, true, &y, NULL);
    return wbi_semver_cmp_parsed(&x, &y, true);
}

/* ---- NuGet --------------------------------------------------------------- */

#define NUGET_INT_MAX "2147483647"

typedef struct nuget_version {
    wbi_span part[4];
    size_t nparts;
    wbi_span label; /* without '-' */
    bool has_label;
} nuget_version;

static int nuget_parse(const char *v, size_t n, nuget_version *out, wb_error *err)
{
    memset(out, 0, sizeof *out);
    out->label.p = "";
    if (n == 0) return wb_error_set(err, WB_EINVAL, "empty version");
    size_t end = n, dash = n, plus = n;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '+') {
            plus = i;
            break;
        }
        if (v[i] == '-' && dash == n) dash = i;
    }
    end = dash < plus ? dash : plus;
    size_t i = 0;
    for (;;) {
        size_t s = i;
        while (i < end && wbi_isdigit(v[i]))
            i++;
        if (i == s)
            return wb_error_set(err, WB_EINVAL, "version part %zu is not a number",
                                out->nparts + 1);
        if (out->nparts == 4) return wb_error_set(err, WB_EINVAL, "more than four version parts");
        if (wbi_numcmp(v + s, i - s, NUGET_INT_MAX, strlen(NUGET_INT_MAX)) > 0)
            return wb_error_set(err, WB_EINVAL, "version part %zu is larger than 2^31-1",
                                out->nparts + 1);
        out->part[out->nparts++] = (wbi_span){v + s, i - s};
        if (i == end) break;
        if (v[i] != '.')
            return wb_error_set(err, WB_EINVAL, "unexpected '%c' in the version numbers", v[i]);
        i++;
    }
    int rc = 0;
    if (dash < plus) {
        out->has_label = true;
        out->label = (wbi_span){v + dash + 1, plus - dash - 1};
        rc = check_idents(out->label.p, out->label.n, false, "release label", err);
    }
    if (rc == 0 && plus < n) rc = check_idents(v + plus + 1, n - plus - 1, true, "metadata", err);
    return rc;
}

/* A label is numeric for NuGet when int.TryParse accepts it. */
static bool nuget_numeric(const char *p, size_t n)
{
    return all_digits(p, n) && wbi_numcmp(p, n, NUGET_INT_MAX, strlen(NUGET_INT_MAX)) <= 0;
}

int wbi_nuget_check(const char *v, size_t n, wb_error *err)
{
    nuget_version x;
    return nuget_parse(v, n, &x, err);
}

int wbi_nuget_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    nuget_version x, y;
    (void)nuget_parse(a, an, &x, NULL);
    (void)nuget_parse(b, bn, &y, NULL);
    for (size_t k = 0; k < 4; k++) {
        wbi_span p = k < x.nparts ? x.part[k] : (wbi_span){"0", 1};
        wbi_span q = k < y.nparts ? y.part[k] : (wbi_span){"0", 1};
        int c = wbi_numcmp(p.p, p.n, q.p, q.n);
        if (c) return c;
    }
    if (x.has_label != y.has_label) return x.has_label ? -1 : 1;
    size_t i = 0, j = 0;
    while (x.has_label) {
        bool ea = i >= x.label.n, eb = j >= y.label.n;
        if (ea || eb) return ea && eb ? 0 : ea ? -1 : 1;
        size_t si = i, sj = j;
        while (i < x.label.n && x.label.p[i] != '.')
            i++;
        while (j < y.label.n && y.label.p[j] != '.')
            j++;
        const char *p = x.label.p + si, *q = y.label.p + sj;
        size_t pn = i - si, qn = j - sj;
        bool pd = nuget_numeric(p, pn), qd = nuget_numeric(q, qn);
        int c;
        if (pd && qd)
            c = wbi_numcmp(p, pn, q, qn);
        else if (pd != qd)
            c = pd ? -1 : 1;
        else
            c = wbi_bytecasecmp(p, pn, q, qn);
        if (c) return c;
        i++;
        j++;
    }
    return 0;
}
