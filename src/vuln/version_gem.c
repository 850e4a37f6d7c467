/*
 * version_gem.c - RubyGems versions as Gem::Version orders them.
 *
 * A version is digits followed by dot-separated alphanumeric parts, with an
 * optional "-pre.release" tail ('-' reads as ".pre."). It is cut into
 * segments: runs of digits (numbers) and runs of letters (strings; any
 * string marks a pre-release, so 1.0.a < 1.0). The canonical segments drop
 * trailing zeros from the numeric prefix and from the rest, separately;
 * comparison pads the shorter with 0, a string sorts before a number, and
 * strings compare byte-wise (case matters, as in Ruby).
 *
 * Segments are produced by an iterator rather than stored, so a comparison
 * needs no memory however long the version.
 */
#include <string.h>

#include "vuln/version_internal.h"

typedef struct gem_seg {
    const char *p;
    size_t n;
    bool num;
} gem_seg;

typedef struct gem_iter {
    const char *s;
    size_t n, i;
} gem_iter;

static bool gem_next(gem_iter *it, gem_seg *seg)
{
    while (it->i < it->n && !wbi_isalnum(it->s[it->i])) {
        if (it->s[it->i] == '-') { /* Gem::Version reads '-' as ".pre." */
            it->i++;
            *seg = (gem_seg){"pre", 3, false};
            return true;
        }
        it->i++;
    }
    if (it->i >= it->n) return false;
    size_t s = it->i;
    bool num = wbi_isdigit(it->s[s]);
    while (it->i < it->n && (num ? wbi_isdigit(it->s[it->i]) : wbi_isalpha(it->s[it->i])))
        it->i++;
    *seg = (gem_seg){it->s + s, it->i - s, num};
    return true;
}

static bool gem_zero(const gem_seg *g)
{
    return g->num && wbi_num_is_zero(g->p, g->n);
}

/* The kept ranges of canonical_segments: [0, keep1) of the numeric prefix
 * and [first_str, keep2) of the rest. */
typedef struct gem_canon {
    gem_iter it;
    size_t keep1, first_str, keep2, idx;
} gem_canon;

static void gem_canon_init(gem_canon *c, const char *s, size_t n)
{
    memset(c, 0, sizeof *c);
    gem_iter it = {s, n, 0};
    gem_seg g;
    size_t idx = 0;
    bool seen_str = false;
    c->first_str = (size_t)-1;
    while (gem_next(&it, &g)) {
        if (!g.num && !seen_str) {
            seen_str = true;
            c->first_str = idx;
        }
        if (!gem_zero(&g)) {
            if (seen_str)
                c->keep2 = idx + 1;
            else
                c->keep1 = idx + 1;
        }
        idx++;
    }
    c->it = (gem_iter){s, n, 0};
}

static bool gem_canon_next(gem_canon *c, gem_seg *g)
{
    while (gem_next(&c->it, g)) {
        size_t idx = c->idx++;
        if (idx < c->keep1) return true;
        if (c->first_str != (size_t)-1 && idx >= c->first_str && idx < c->keep2) return true;
    }
    return false;
}

int wbi_gem_check(const char *v, size_t n, wb_error *err)
{
    /* Gem::Version::ANCHORED_VERSION_PATTERN, without the surrounding
     * whitespace and without the empty version Ruby maps to "0". */
    if (n == 0) return wb_error_set(err, WB_EINVAL, "empty version");
    size_t i = 0;
    if (!wbi_isdigit(v[0]))
        return wb_error_set(err, WB_EINVAL, "a gem version starts with a digit");
    while (i < n && wbi_isdigit(v[i]))
        i++;
    while (i < n && v[i] == '.') {
        size_t s = ++i;
        while (i < n && wbi_isalnum(v[i]))
            i++;
        if (i == s) return wb_error_set(err, WB_EINVAL, "empty segment after '.' at offset %zu", s);
    }
    if (i < n && v[i] == '-') {
        for (;;) {
            size_t s = ++i;
            while (i < n && (wbi_isalnum(v[i]) || v[i] == '-'))
                i++;
            if (i == s)
                return wb_error_set(err, WB_EINVAL, "empty pre-release part at offset %zu", s);
            if (i < n && v[i] == '.') continue;
            break;
        }
    }
    if (i != n) return wb_error_set(err, WB_EINVAL, "unexpected '%c' at offset %zu", v[i], i);
    return 0;
}

int wbi_gem_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    if (an == bn && memcmp(a, b, an) == 0) return 0;
    gem_canon x, y;
    gem_canon_init(&x, a, an);
    gem_canon_init(&y, b, bn);
    for (;;) {
        gem_seg l, r;
        bool hl = gem_canon_next(&x, &l), hr = gem_canon_next(&y, &r);
        if (!hl && !hr) return 0;
        if (!hl) l = (gem_seg){"0", 1, true};
        if (!hr) r = (gem_seg){"0", 1, true};
        if (l.num && r.num) {
            int c = wbi_numcmp(l.p, l.n, r.p, r.n);
            if (c) return c;
        } else if (l.num != r.num) {
            return l.num ? 1 : -1;
        } else {
            int c = wbi_bytecmp(l.p, l.n, r.p, r.n);
            if (c) return c;
        }
    }
}
