/*
 * vers_native.c - native ecosystem ranges to vers ("vers from-native").
 *
 * npm: node-semver ranges. Each comparator becomes vers constraints the way
 * the vers-spec reference translation (and its test suite) does it:
 *   ^1.2.3 -> >=1.2.3|<2.0.0     ~1.2.3 -> >=1.2.3|<1.3.0
 *   1.2.x  -> >=1.2.0|<1.3.0     1.2    -> 1.2.0 (missing parts are zeros)
 *   1.2.3 - 2.3 -> >=1.2.3|<2.4.0 (a partial upper end excludes its next)
 *   * or x -> *                  "=" and a leading "v" are dropped
 * then all constraints of all "||" alternatives are sorted by version. Like
 * the reference, overlapping alternatives are not merged, so "<1 || <2"
 * gives "<1.0.0|<2.0.0", which is not a valid vers range; the caller sees
 * that when it parses the result.
 *
 * pypi: PEP 440 specifier sets ("," = and). Each specifier maps to vers:
 *   >=V <V ... as written, ==V -> V, ===V -> V, !=V -> !=V,
 *   ==V.* -> >=V.dev0|<W.dev0 and ~=V -> >=V|<W.dev0 (W: V's prefix bumped),
 *   !=V.* -> <V.dev0|>=W.dev0,
 * sorted by version; versions must be valid PEP 440.
 */
#include <stdlib.h>
#include <string.h>

#include "vuln/version_internal.h"
#include "vuln/vers_internal.h"
#include "weerbaar/vers.h"

typedef struct nat_list {
    wb_vers_constraint *c;
    size_t n, cap;
    wb_arena arena;
    bool any;
} nat_list;

static int nat_add(nat_list *l, wb_vers_op op, const char *v, size_t vn)
{
    if (l->n == WB_VERS_MAX_CONSTRAINTS) return WB_EINVAL;
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;
        wb_vers_constraint *c = realloc(l->c, ncap * sizeof *c);
        if (!c) return WB_ENOMEM;
        l->c = c;
        l->cap = ncap;
    }
    char *s = wb_arena_strndup(&l->arena, v, vn);
    if (!s) return WB_ENOMEM;
    l->c[l->n++] = (wb_vers_constraint){op, s};
    return 0;
}

static bool sp(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Adds one to a decimal digit string into out. */
static void incr(wb_buf *out, wbi_span d)
{
    char tmp[WB_VERSION_MAX + 2];
    size_t n = d.n < WB_VERSION_MAX ? d.n : WB_VERSION_MAX;
    memcpy(tmp + 1, d.p, n);
    tmp[0] = '0';
    size_t i = n;
    for (;;) {
        if (tmp[i] == '9') {
            tmp[i] = '0';
            i--;
            continue;
        }
        tmp[i]++;
        break;
    }
    size_t s = tmp[0] == '0' ? 1 : 0;
    while (s < n && tmp[s] == '0') /* keep a single 0 */
        s++;
    (void)wb_buf_append(out, tmp + s, n + 1 - s);
}

/* ---- npm ------------------------------------------------------------------ */

typedef struct npm_partial {
    wbi_span part[3];
    int given; /* numeric parts before the first wildcard or the end */
    bool wild; /* an x, X or * was written */
    wbi_span pre, build;
} npm_partial;

static int npm_parse_partial(const char *s, size_t n, npm_partial *p, wb_error *err)
{
    memset(p, 0, sizeof *p);
    p->pre.p = p->build.p = "";
    size_t i = 0;
    while (i < n && (s[i] == '=' || s[i] == 'v' || s[i] == 'V'))
        i++;
    for (int k = 0; k < 3; k++) {
        if (k > 0) {
            if (i >= n || s[i] != '.') break;
            i++;
        }
        if (i < n && (s[i] == 'x' || s[i] == 'X' || s[i] == '*')) {
            p->wild = true;
            i++;
            continue;
        }
        size_t st = i;
        while (i < n && wbi_isdigit(s[i]))
            i++;
        if (i == st)
            return wb_error_set(err, WB_EINVAL, "npm range: '%.*s' is not a version", (int)n, s);
        if (!p->wild) {
            p->part[k] = (wbi_span){s + st, i - st};
            p->given = k + 1;
        }
    }
    if (i < n && s[i] == '-' && p->given == 3) {
        size_t st = ++i;
        while (i < n && s[i] != '+')
            i++;
        p->pre = (wbi_span){s + st, i - st};
    }
    if (i < n && s[i] == '+') {
        p->build = (wbi_span){s + i + 1, n - i - 1};
        i = n;
    }
    if (i != n)
        return wb_error_set(err, WB_EINVAL, "npm range: '%.*s' is not a version", (int)n, s);
    return 0;
}

/* "M.m.p[-pre]" with missing parts as 0. */
static void npm_fmt(wb_buf *b, const npm_partial *p, bool with_pre)
{
    wb_buf_reset(b);
    for (int k = 0; k < 3; k++) {
        if (k) (void)wb_buf_putc(b, '.');
        if (k < p->given)
            (void)wb_buf_append(b, p->part[k].p, p->part[k].n);
        else
            (void)wb_buf_putc(b, '0');
    }
    if (with_pre && p->pre.n) {
        (void)wb_buf_putc(b, '-');
        (void)wb_buf_append(b, p->pre.p, p->pre.n);
    }
}

/* The version just above every version starting with the first `keep`
 * parts: 1.2 -> 1.3.0, 1 -> 2.0.0. */
static void npm_bump(wb_buf *b, const npm_partial *p, int keep)
{
    wb_buf_reset(b);
    for (int k = 0; k < 3; k++) {
        if (k) (void)wb_buf_putc(b, '.');
        if (k < keep - 1)
            (void)wb_buf_append(b, p->part[k].p, p->part[k].n);
        else if (k == keep - 1)
            incr(b, p->part[k]);
        else
            (void)wb_buf_putc(b, '0');
    }
}

static int npm_add_buf(nat_list *l, wb_vers_op op, const wb_buf *b)
{
    return b->data ? nat_add(l, op, b->data, b->len) : WB_ENOMEM;
}

static int npm_lo_hi(nat_list *l, const npm_partial *p, int keep)
{
    wb_buf b = {0};
    npm_fmt(&b, p, true);
    int rc = npm_add_buf(l, WB_VERS_GE, &b);
    if (rc == 0) {
        npm_bump(&b, p, keep);
        rc = npm_add_buf(l, WB_VERS_LT, &b);
    }
    wb_buf_free(&b);
    return rc;
}

static int npm_comparator(nat_list *l, const char *op, size_t opn, const char *v, size_t vn,
                          wb_error *err)
{
    npm_partial p;
    int rc = npm_parse_partial(v, vn, &p, err);
    if (rc != 0) return rc;
    if (p.given == 0) { /* *, x: every version */
        l->any = true;
        return 0;
    }
    if (opn == 1 && op[0] == '^') {
        /* the first non-zero part is the one that may not change */
        int keep = 1;
        if (wbi_num_is_zero(p.part[0].p, p.part[0].n)) {
            keep = 2;
            if (p.given >= 2 && wbi_num_is_zero(p.part[1].p, p.part[1].n)) keep = 3;
        }
        if (keep > p.given) keep = p.given;
        return npm_lo_hi(l, &p, keep);
    }
    if ((opn == 1 && op[0] == '~') || (opn == 2 && op[0] == '~' && op[1] == '>'))
        return npm_lo_hi(l, &p, p.given >= 2 ? 2 : 1);
    if (p.wild) return npm_lo_hi(l, &p, p.given);
    wb_vers_op o = WB_VERS_EQ;
    if (opn == 2 && op[0] == '>' && op[1] == '=') o = WB_VERS_GE;
    if (opn == 2 && op[0] == '<' && op[1] == '=') o = WB_VERS_LE;
    if (opn == 1 && op[0] == '>') o = WB_VERS_GT;
    if (opn == 1 && op[0] == '<') o = WB_VERS_LT;
    if (opn > 0 && o == WB_VERS_EQ && !(opn == 1 && op[0] == '='))
        return wb_error_set(err, WB_EINVAL, "npm range: unknown comparator '%.*s'", (int)opn, op);
    wb_buf b = {0};
    npm_fmt(&b, &p, true);
    rc = npm_add_buf(l, o, &b);
    wb_buf_free(&b);
    return rc;
}

static int npm_hyphen(nat_list *l, const char *a, size_t an, const char *b, size_t bn,
                      wb_error *err)
{
    npm_partial lo, hi;
    int rc = npm_parse_partial(a, an, &lo, err);
    if (rc == 0) rc = npm_parse_partial(b, bn, &hi, err);
    if (rc != 0) return rc;
    wb_buf buf = {0};
    if (lo.given > 0) {
        npm_fmt(&buf, &lo, true);
        rc = npm_add_buf(l, WB_VERS_GE, &buf);
    }
    if (rc == 0 && hi.given == 3) {
        npm_fmt(&buf, &hi, true);
        rc = npm_add_buf(l, WB_VERS_LE, &buf);
    } else if (rc == 0 && hi.given > 0) {
        npm_bump(&buf, &hi, hi.given);
        rc = npm_add_buf(l, WB_VERS_LT, &buf);
    }
    if (rc == 0 && lo.given == 0 && hi.given == 0) l->any = true;
    wb_buf_free(&buf);
    return rc;
}

static int npm_range(nat_list *l, const char *s, size_t n, wb_error *err)
{
    /* tokens: whitespace-separated, but a comparator may stand apart from
     * its version (">= 1.2.3") */
    const char *tok[512];
    size_t tokn[512], nt = 0;
    for (size_t i = 0; i < n;) {
        while (i < n && sp(s[i]))
            i++;
        if (i == n) break;
        size_t st = i;
        while (i < n && !sp(s[i]))
            i++;
        if (nt == 512) return wb_error_set(err, WB_EINVAL, "npm range: too many comparators");
        tok[nt] = s + st;
        tokn[nt++] = i - st;
    }
    if (nt == 0) {
        l->any = true;
        return 0;
    }
    if (nt == 3 && tokn[1] == 1 && tok[1][0] == '-')
        return npm_hyphen(l, tok[0], tokn[0], tok[2], tokn[2], err);
    for (size_t k = 0; k < nt; k++) {
        size_t opn = 0;
        while (opn < tokn[k] && strchr("<>=~^", tok[k][opn]))
            opn++;
        const char *op = tok[k];
        const char *v = tok[k] + opn;
        size_t vn = tokn[k] - opn;
        if (vn == 0) {
            if (k + 1 == nt)
                return wb_error_set(err, WB_EINVAL, "npm range: '%.*s' without a version", (int)opn,
                                    op);
            k++;
            v = tok[k];
            vn = tokn[k];
        }
        int rc = npm_comparator(l, op, opn, v, vn, err);
        if (rc != 0) return rc;
    }
    return 0;
}

static int npm_native(nat_list *l, const char *s, wb_error *err)
{
    size_t n = strlen(s), start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && !(s[i] == '|' && i + 1 < n && s[i + 1] == '|')) continue;
        int rc = npm_range(l, s + start, i - start, err);
        if (rc != 0) return rc;
        i++;
        start = i + 1;
    }
    return 0;
}

/* ---- pypi ----------------------------------------------------------------- */

/* Writes epoch!prefix-with-last-part-bumped.dev0 for the first `keep`
 * release numbers of v (keep >= 1). */
static void pep_bump(wb_buf *b, const wbi_pep440 *v, size_t keep)
{
    wb_buf_reset(b);
    if (v->epoch.n) {
        (void)wb_buf_append(b, v->epoch.p, v->epoch.n);
        (void)wb_buf_putc(b, '!');
    }
    for (size_t k = 0; k < keep; k++) {
        if (k) (void)wb_buf_putc(b, '.');
        if (k + 1 == keep)
            incr(b, v->release[k]);
        else
            (void)wb_buf_append(b, v->release[k].p, v->release[k].n);
    }
    (void)wb_buf_puts(b, ".dev0");
}

static int pypi_spec(nat_list *l, const char *s, size_t n, wb_error *err)
{
    static const struct {
        const char *op;
        wb_vers_op v;
    } ops[] = {{"===", WB_VERS_EQ}, {"~=", WB_VERS_GE}, {"==", WB_VERS_EQ}, {"!=", WB_VERS_NE},
               {"<=", WB_VERS_LE},  {">=", WB_VERS_GE}, {"<", WB_VERS_LT},  {">", WB_VERS_GT}};
    size_t k = 0, opl = 0;
    for (; k < sizeof ops / sizeof ops[0]; k++) {
        opl = strlen(ops[k].op);
        if (n >= opl && memcmp(s, ops[k].op, opl) == 0) break;
    }
    if (k == sizeof ops / sizeof ops[0])
        return wb_error_set(err, WB_EINVAL, "pypi specifier '%.*s' has no operator (==, >=, ...)",
                            (int)n, s);
    const char *v = s + opl;
    size_t vn = n - opl;
    while (vn && sp(*v)) {
        v++;
        vn--;
    }
    bool star = vn >= 2 && v[vn - 1] == '*' && v[vn - 2] == '.';
    if (star && k != 2 && k != 3)
        return wb_error_set(err, WB_EINVAL,
                            "pypi specifier '%.*s': '.*' only follows == or !=", (int)n, s);
    if (k == 0) /* ===: arbitrary equality, compared as a string */
        return nat_add(l, WB_VERS_EQ, v, vn);
    wbi_pep440 pv;
    int rc = wbi_pep440_parse(v, star ? vn - 2 : vn, &pv, err);
    if (rc != 0) {
        wb_error_prefix(err, "pypi specifier '%.*s': ", (int)n, s);
        return rc;
    }
    if (star && (pv.pre || pv.post || pv.dev || pv.has_local))
        return wb_error_set(err, WB_EINVAL, "pypi specifier '%.*s': a prefix match is release only",
                            (int)n, s);
    wb_buf b = {0};
    if (star || k == 1) {
        if (k == 1 && pv.nrelease < 2) {
            return wb_error_set(err, WB_EINVAL,
                                "pypi specifier '%.*s': ~= needs at least two release numbers",
                                (int)n, s);
        }
        size_t keep = star ? pv.nrelease : pv.nrelease - 1;
        wb_buf lo = {0};
        if (k == 1) {
            (void)wb_buf_append(&lo, v, vn);
        } else {
            (void)wb_buf_append(&lo, v, vn - 2);
            (void)wb_buf_puts(&lo, ".dev0");
        }
        pep_bump(&b, &pv, keep);
        bool ne = k == 3;
        rc = lo.data && b.data ? 0 : WB_ENOMEM;
        if (rc == 0) rc = nat_add(l, ne ? WB_VERS_LT : WB_VERS_GE, lo.data, lo.len);
        if (rc == 0) rc = nat_add(l, ne ? WB_VERS_GE : WB_VERS_LT, b.data, b.len);
        wb_buf_free(&lo);
        wb_buf_free(&b);
        return rc;
    }
    return nat_add(l, ops[k].v, v, vn);
}

static int pypi_native(nat_list *l, const char *s, wb_error *err)
{
    size_t n = strlen(s), start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != ',') continue;
        const char *p = s + start;
        size_t pn = i - start;
        start = i + 1;
        while (pn && sp(*p)) {
            p++;
            pn--;
        }
        while (pn && sp(p[pn - 1]))
            pn--;
        if (pn == 0) {
            if (n == 0 || (i == n && start == 1)) break; /* "" means any version */
            return wb_error_set(err, WB_EINVAL,
                                "pypi specifiers: an empty specifier between commas");
        }
        int rc = pypi_spec(l, p, pn, err);
        if (rc != 0) return rc;
    }
    if (l->n == 0) l->any = true;
    return 0;
}

int wb_vers_from_native(const char *type, const char *native, wb_buf *out, wb_error *err)
{
    nat_list l = {0};
    wb_arena_init(&l.arena, 4096);
    int rc;
    const wb_version_scheme *vs = NULL;
    if (type && strcmp(type, "npm") == 0) {
        rc = npm_native(&l, native, err);
        vs = wb_version_scheme_find("npm");
    } else if (type && (strcmp(type, "pypi") == 0)) {
        rc = pypi_native(&l, native, err);
        vs = wb_version_scheme_find("pypi");
    } else {
        rc = wb_error_set(err, WB_EINVAL,
                          "from-native: no translation for '%s' ranges (supported: npm, pypi)",
                          type ? type : "");
    }
    /* every version must be valid in the scheme, then sort them stably */
    for (size_t i = 0; rc == 0 && i < l.n; i++)
        if (l.c[i].op != WB_VERS_ANY)
            rc = wb_version_scheme_check(vs, l.c[i].version, strlen(l.c[i].version), err);
    for (size_t i = 1; rc == 0 && i < l.n; i++) {
        wb_vers_constraint x = l.c[i];
        size_t j = i;
        while (j > 0 && vs->cmp(l.c[j - 1].version, strlen(l.c[j - 1].version), x.version,
                                strlen(x.version)) > 0) {
            l.c[j] = l.c[j - 1];
            j--;
        }
        l.c[j] = x;
    }
    if (rc == 0) {
        wb_buf_reset(out);
        (void)wb_buf_printf(out, "vers:%s/", type);
        if (l.any) {
            (void)wb_buf_putc(out, '*');
        } else {
            for (size_t i = 0; i < l.n; i++) {
                if (i) (void)wb_buf_putc(out, '|');
                (void)wb_buf_puts(out, wb_vers_op_str(l.c[i].op));
                wbi_vers_encode(out, l.c[i].version, strlen(l.c[i].version));
            }
        }
        if (!out->data) rc = WB_ENOMEM;
    }
    if (rc == WB_EINVAL && err && err->msg[0] == '\0')
        wb_error_set(err, WB_EINVAL, "from-native: more than %d constraints",
                     WB_VERS_MAX_CONSTRAINTS);
    free(l.c);
    wb_arena_free(&l.arena);
    return rc;
}
