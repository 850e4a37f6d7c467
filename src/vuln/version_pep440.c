/*
 * version_pep440.c - Python package versions (PEP 440) as the `packaging`
 * library parses and orders them.
 *
 *   [v][N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]
 *
 * Alternate spellings normalise as packaging does: alpha = a, beta = b,
 * c/pre/preview = rc, rev/r = post, "-N" = .postN; separators '-', '_', '.'
 * are optional around the labels; a missing number is 0; case is ignored;
 * surrounding whitespace is allowed. Anything else (LegacyVersion strings
 * such as "1.0-foo") is invalid, as in packaging >= 22.
 *
 * Order: epoch, release (trailing zeros ignored), then pre-release (a
 * dev-only release such as 1.0.dev1 sorts before 1.0a1), post-release,
 * dev-release (before the same version without), local label (after the
 * version without; numeric parts beat alphanumeric ones).
 */
#include <string.h>

#include "vuln/version_internal.h"
#include "weerbaar/core.h"

static bool pep_sep(char c)
{
    return c == '-' || c == '_' || c == '.';
}

static bool pep_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Matches one of the labels case-insensitively at v[i], longest first as the
 * regular expression in packaging tries them; returns its length or 0. */
static size_t pep_label(const char *v, size_t n, size_t i, const char *const *labels, int *which)
{
    for (int k = 0; labels[k]; k++) {
        size_t l = strlen(labels[k]);
        if (i + l <= n && wb_strn_ieq(v + i, l, labels[k])) {
            *which = k;
            return l;
        }
    }
    return 0;
}

static size_t pep_digits(const char *v, size_t n, size_t i)
{
    size_t j = i;
    while (j < n && wbi_isdigit(v[j]))
        j++;
    return j - i;
}

int wbi_pep440_parse(const char *v, size_t n, wbi_pep440 *out, wb_error *err)
{
    memset(out, 0, sizeof *out);
    out->epoch.p = out->pre_n.p = out->post_n.p = out->dev_n.p = out->local.p = "";
    while (n > 0 && pep_space(v[0])) {
        v++;
        n--;
    }
    while (n > 0 && pep_space(v[n - 1]))
        n--;
    if (n == 0) return wb_error_set(err, WB_EINVAL, "empty version");
    size_t i = 0;
    if (v[i] == 'v' || v[i] == 'V') i++;

    size_t d = pep_digits(v, n, i);
    if (d == 0) return wb_error_set(err, WB_EINVAL, "the release segment must start with a number");
    if (i + d < n && v[i + d] == '!') {
        out->epoch = (wbi_span){v + i, d};
        i += d + 1;
        d = pep_digits(v, n, i);
        if (d == 0) return wb_error_set(err, WB_EINVAL, "a number must follow the epoch '!'");
    }
    for (;;) {
        if (out->nrelease == WBI_PEP440_MAX_RELEASE)
            return wb_error_set(err, WB_EINVAL, "more than %d release numbers",
                                WBI_PEP440_MAX_RELEASE);
        out->release[out->nrelease++] = (wbi_span){v + i, d};
        i += d;
        if (i + 1 < n && v[i] == '.' && wbi_isdigit(v[i + 1])) {
            i++;
            d = pep_digits(v, n, i);
            continue;
        }
        break;
    }

    /* pre-release */
    static const char *const pre_labels[] = {"alpha", "a", "beta", "b", "preview",
                                             "pre",   "c", "rc",   NULL};
    static const char pre_kind[] = {'a', 'a', 'b', 'b', 'c', 'c', 'c', 'c'};
    size_t j = i;
    if (j < n && pep_sep(v[j])) j++;
    int which = 0;
    size_t l = pep_label(v, n, j, pre_labels, &which);
    if (l) {
        out->pre = pre_kind[which];
        j += l;
        if (j < n && pep_sep(v[j])) j++;
        d = pep_digits(v, n, j);
        out->pre_n = (wbi_span){v + j, d};
        i = j + d;
    }

    /* post-release: "-N" or [sep](post|rev|r)[sep][N] */
    static const char *const post_labels[] = {"post", "rev", "r", NULL};
    if (i + 1 < n && v[i] == '-' && wbi_isdigit(v[i + 1])) {
        d = pep_digits(v, n, i + 1);
        out->post = true;
        out->post_n = (wbi_span){v + i + 1, d};
        i += 1 + d;
    } else {
        j = i;
        if (j < n && pep_sep(v[j])) j++;
        l = pep_label(v, n, j, post_labels, &which);
        if (l) {
            out->post = true;
            j += l;
            if (j < n && pep_sep(v[j])) j++;
            d = pep_digits(v, n, j);
            out->post_n = (wbi_span){v + j, d};
            i = j + d;
        }
    }

    /* dev-release */
    static const char *const dev_labels[] = {"dev", NULL};
    j = i;
    if (j < n && pep_sep(v[j])) j++;
    l = pep_label(v, n, j, dev_labels, &which);
    if (l) {
        out->dev = true;
        j += l;
        if (j < n && pep_sep(v[j])) j++;
        d = pep_digits(v, n, j);
        out->dev_n = (wbi_span){v + j, d};
        i = j + d;
    }

    /* local version label */
    if (i < n && v[i] == '+') {
        i++;
        size_t start = i;
        for (;;) {
            size_t s = i;
            while (i < n && wbi_isalnum(v[i]))
                i++;
            if (i == s)
                return wb_error_set(err, WB_EINVAL,
                                    "local version label has an empty part at offset %zu", i);
            if (i < n && pep_sep(v[i])) {
                i++;
                continue;
            }
            break;
        }
        out->has_local = true;
        out->local = (wbi_span){v + start, i - start};
    }
    if (i != n)
        return wb_error_set(err, WB_EINVAL, "unexpected '%c' at offset %zu (not PEP 440)", v[i], i);
    return 0;
}

/* Local label parts: numbers beat words, numbers compare as numbers, words
 * case-insensitively; a label that is a prefix of the other sorts first. */
static int pep_local_cmp(wbi_span a, wbi_span b)
{
    size_t i = 0, j = 0;
    for (;;) {
        bool ea = i >= a.n, eb = j >= b.n;
        if (ea || eb) return ea && eb ? 0 : ea ? -1 : 1;
        size_t si = i, sj = j;
        while (i < a.n && !pep_sep(a.p[i]))
            i++;
        while (j < b.n && !pep_sep(b.p[j]))
            j++;
        size_t xn = i - si, yn = j - sj;
        bool xnum = pep_digits(a.p + si, xn, 0) == xn, ynum = pep_digits(b.p + sj, yn, 0) == yn;
        int c;
        if (xnum && ynum)
            c = wbi_numcmp(a.p + si, xn, b.p + sj, yn);
        else if (xnum != ynum)
            c = xnum ? 1 : -1;
        else
            c = wbi_bytecasecmp(a.p + si, xn, b.p + sj, yn);
        if (c) return c;
        if (i < a.n) i++;
        if (j < b.n) j++;
    }
}

/* The pre-release key: -1 for "-infinity" (dev-only), 1 for "+infinity"
 * (final), 0 with letter and number otherwise. */
static int pep_pre_rank(const wbi_pep440 *v)
{
    if (!v->pre && !v->post && v->dev) return -1;
    if (!v->pre) return 1;
    return 0;
}

int wbi_pep440_cmp_parsed(const wbi_pep440 *a, const wbi_pep440 *b)
{
    int c = wbi_numcmp(a->epoch.p, a->epoch.n, b->epoch.p, b->epoch.n);
    if (c) return c;
    size_t m = a->nrelease > b->nrelease ? a->nrelease : b->nrelease;
    for (size_t k = 0; k < m; k++) {
        wbi_span x = k < a->nrelease ? a->release[k] : (wbi_span){"0", 1};
        wbi_span y = k < b->nrelease ? b->release[k] : (wbi_span){"0", 1};
        c = wbi_numcmp(x.p, x.n, y.p, y.n);
        if (c) return c;
    }
    int ra = pep_pre_rank(a), rb = pep_pre_rank(b);
    if (ra != rb) return ra < rb ? -1 : 1;
    if (ra == 0) {
        if (a->pre != b->pre) return a->pre < b->pre ? -1 : 1;
        c = wbi_numcmp(a->pre_n.p, a->pre_n.n, b->pre_n.p, b->pre_n.n);
        if (c) return c;
    }
    if (a->post != b->post) return a->post ? 1 : -1;
    if (a->post) {
        c = wbi_numcmp(a->post_n.p, a->post_n.n, b->post_n.p, b->post_n.n);
        if (c) return c;
    }
    if (a->dev != b->dev) return a->dev ? -1 : 1;
    if (a->dev) {
        c = wbi_numcmp(a->dev_n.p, a->dev_n.n, b->dev_n.p, b->dev_n.n);
        if (c) return c;
    }
    if (a->has_local != b->has_local) return a->has_local ? 1 : -1;
    if (a->has_local) return pep_local_cmp(a->local, b->local);
    return 0;
}

int wbi_pypi_check(const char *v, size_t n, wb_error *err)
{
    wbi_pep440 p;
    return wbi_pep440_parse(v, n, &p, err);
}

int wbi_pypi_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    wbi_pep440 x, y;
    (void)wbi_pep440_parse(a, an, &x, NULL);
    (void)wbi_pep440_parse(b, bn, &y, NULL);
    return wbi_pep440_cmp_parsed(&x, &y);
}
