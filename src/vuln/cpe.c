/*
 * cpe.c - CPE names: unbinding formatted strings (2.3) and URIs (2.2) into
 * well-formed names, binding them back, and name matching.
 *
 * The functions follow the pseudo-code of NISTIR 7695 (add_quoting,
 * decode, process_quoted_chars, transform_for_uri) and NISTIR 7696
 * (compare_strings and the attribute table 6-2). Values are kept in WFN form:
 * lower-case, every character other than a letter, digit or '_' quoted with
 * '\', unquoted '*' and '?' only as wildcards at either end.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "weerbaar/cpe.h"

static const char *const attr_names[WB_CPE_NATTR] = {
    "part",     "vendor",     "product",   "version",   "update", "edition",
    "language", "sw_edition", "target_sw", "target_hw", "other"};

const char *wb_cpe_attr_name(wb_cpe_attr a)
{
    return a < WB_CPE_NATTR ? attr_names[a] : "?";
}

const char *wb_cpe_relation_name(wb_cpe_relation r)
{
    switch (r) {
    case WB_CPE_EQUAL:
        return "equal";
    case WB_CPE_SUBSET:
        return "subset";
    case WB_CPE_SUPERSET:
        return "superset";
    case WB_CPE_DISJOINT:
        return "disjoint";
    case WB_CPE_OVERLAP:
        return "overlap";
    }
    return "?";
}

static int cpe_fail(wb_error *err, const char *s, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int cpe_fail(wb_error *err, const char *s, size_t n, const char *fmt, ...)
{
    char reason[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    int shown = n > 160 ? 160 : (int)n;
    return wb_error_set(err, WB_EINVAL, "cpe '%.*s%s': %s", shown, s, n > 160 ? "..." : "", reason);
}

static bool alnum_(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Appends to the value being built for attribute a; false when full. */
typedef struct builder {
    wb_cpe *c;
    size_t used;
} builder;

static bool put(builder *b, char ch)
{
    if (b->used + 1 >= sizeof b->c->text) return false;
    b->c->text[b->used++] = wb_lower(ch);
    return true;
}

/* NISTIR 7695 add_quoting(): a formatted-string component into WFN form. */
static int unbind_fs_value(builder *b, const char *s, size_t n, int attr, const char *all,
                           size_t alln, wb_error *err)
{
    bool embedded = false;
    for (size_t i = 0; i < n;) {
        char c = s[i];
        bool ok = true;
        if (alnum_(c)) {
            ok = put(b, c);
            i++;
            embedded = true;
        } else if (c == '\\') {
            if (i + 1 >= n || (unsigned char)s[i + 1] <= ' ' || (unsigned char)s[i + 1] >= 0x7f)
                return cpe_fail(err, all, alln, "%s: a '\\' must quote a printable character",
                                attr_names[attr]);
            /* a quoted letter or digit is just the letter or digit */
            ok = alnum_(s[i + 1]) ? put(b, s[i + 1]) : put(b, c) && put(b, s[i + 1]);
            i += 2;
            embedded = true;
        } else if (c == '*') {
            if (i != 0 && i != n - 1)
                return cpe_fail(err, all, alln, "%s: '*' may only stand at the start or end",
                                attr_names[attr]);
            ok = put(b, c);
            i++;
            embedded = true;
        } else if (c == '?') {
            /* NISTIR 7695 allows a run of '?' at either end; its pseudo-code
             * also lets a run through in the middle, which no binding can
             * carry, so the run itself must reach an end */
            size_t j = i;
            while (j < n && s[j] == '?')
                j++;
            bool leading = !embedded, trailing = j == n;
            if (!leading && !trailing)
                return cpe_fail(err, all, alln, "%s: '?' may only stand at the start or end",
                                attr_names[attr]);
            for (; ok && i < j; i++)
                ok = put(b, c);
            embedded = true;
        } else if ((unsigned char)c <= ' ' || (unsigned char)c >= 0x7f) {
            return cpe_fail(err, all, alln, "%s: white space or a non-ASCII byte",
                            attr_names[attr]);
        } else {
            ok = put(b, '\\') && put(b, c);
            i++;
            embedded = true;
        }
        if (!ok)
            return cpe_fail(err, all, alln, "its values are longer than %d bytes", 2 * WB_CPE_MAX);
    }
    return 0;
}

static int set_attr(wb_cpe *c, int a, wb_cpe_kind kind, size_t off, size_t len)
{
    c->kind[a] = (unsigned char)kind;
    c->off[a] = (unsigned short)off;
    c->len[a] = (unsigned short)len;
    return 0;
}

static int check_part(const wb_cpe *c, const char *s, size_t n, wb_error *err)
{
    if (c->kind[WB_CPE_PART] == WB_CPE_NA) return cpe_fail(err, s, n, "part may not be '-'");
    if (c->kind[WB_CPE_PART] == WB_CPE_VALUE) {
        const char *p = c->text + c->off[WB_CPE_PART];
        if (c->len[WB_CPE_PART] != 1 || (p[0] != 'a' && p[0] != 'o' && p[0] != 'h'))
            return cpe_fail(err, s, n, "part is '%.*s', not a, o or h", (int)c->len[WB_CPE_PART],
                            p);
    }
    return 0;
}

static int parse_fs(const char *s, size_t n, wb_cpe *c, wb_error *err)
{
    builder b = {c, 0};
    size_t i = 8, a = 0; /* after "cpe:2.3:" */
    while (a < WB_CPE_NATTR) {
        size_t st = i;
        while (i < n && s[i] != ':') {
            if (s[i] == '\\' && i + 1 < n) i++;
            i++;
        }
        if (i > n) i = n;
        const char *v = s + st;
        size_t vn = i - st;
        if (vn == 0)
            return cpe_fail(err, s, n, "%s is empty (use * for any, - for not applicable)",
                            attr_names[a]);
        if (vn == 1 && v[0] == '*') {
            set_attr(c, (int)a, WB_CPE_ANY, b.used, 0);
        } else if (vn == 1 && v[0] == '-') {
            set_attr(c, (int)a, WB_CPE_NA, b.used, 0);
        } else {
            size_t off = b.used;
            int rc = unbind_fs_value(&b, v, vn, (int)a, s, n, err);
            if (rc != 0) return rc;
            set_attr(c, (int)a, WB_CPE_VALUE, off, b.used - off);
        }
        a++;
        if (i >= n) break;
        i++; /* the ':' */
    }
    if (a < WB_CPE_NATTR)
        return cpe_fail(err, s, n, "%zu of the 11 attributes after cpe:2.3: (missing %s)", a,
                        attr_names[a]);
    if (i < n) return cpe_fail(err, s, n, "more than 11 attributes after cpe:2.3:");
    return check_part(c, s, n, err);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* NISTIR 7695 decode(): a URI component into WFN form. */
static int decode_uri_value(wb_cpe *c, builder *b, int a, const char *v, size_t vn, const char *s,
                            size_t n, wb_error *err)
{
    if (vn == 0) return set_attr(c, a, WB_CPE_ANY, b->used, 0);
    if (vn == 1 && v[0] == '-') return set_attr(c, a, WB_CPE_NA, b->used, 0);
    size_t off = b->used;
    bool embedded = false, ok = true;
    for (size_t i = 0; i < vn && ok;) {
        char ch = v[i];
        if (ch == '.' || ch == '-' || ch == '~') {
            ok = put(b, '\\') && put(b, ch);
            i++;
            embedded = true;
            continue;
        }
        if (ch != '%') {
            if (!alnum_(ch))
                return cpe_fail(err, s, n, "%s: '%c' must be percent-encoded in a CPE URI",
                                attr_names[a], ch);
            ok = put(b, ch);
            i++;
            embedded = true;
            continue;
        }
        if (i + 2 >= vn || hexval(v[i + 1]) < 0 || hexval(v[i + 2]) < 0)
            return cpe_fail(err, s, n, "%s: invalid percent-encoding", attr_names[a]);
        if (v[i + 1] == '0' && v[i + 2] == '1') {
            /* a run of %01 (?) must reach the start or the end */
            size_t j = i;
            while (j + 3 <= vn && memcmp(v + j, "%01", 3) == 0)
                j += 3;
            if (embedded && j != vn)
                return cpe_fail(err, s, n, "%s: %%01 (?) may only stand at the start or end",
                                attr_names[a]);
            for (; ok && i < j; i += 3)
                ok = put(b, '?');
            embedded = true;
            continue;
        }
        if (v[i + 1] == '0' && v[i + 2] == '2') {
            if (i != 0 && i != vn - 3)
                return cpe_fail(err, s, n, "%s: %%02 (*) may only stand at the start or end",
                                attr_names[a]);
            ok = put(b, '*');
        } else {
            char d = (char)(hexval(v[i + 1]) * 16 + hexval(v[i + 2]));
            if ((unsigned char)d <= ' ' || (unsigned char)d >= 0x7f)
                return cpe_fail(err, s, n, "%s: encodes white space or a non-ASCII byte",
                                attr_names[a]);
            ok = alnum_(d) ? put(b, d) : put(b, '\\') && put(b, d);
        }
        i += 3;
        embedded = true;
    }
    if (!ok) return cpe_fail(err, s, n, "its values are longer than %d bytes", 2 * WB_CPE_MAX);
    return set_attr(c, a, WB_CPE_VALUE, off, b->used - off);
}

static int parse_uri(const char *s, size_t n, wb_cpe *c, wb_error *err)
{
    builder b = {c, 0};
    const char *comp[8];
    size_t compn[8], nc = 0;
    for (size_t i = 5; i <= n;) {
        size_t st = i;
        while (i < n && s[i] != ':')
            i++;
        if (nc == 7) return cpe_fail(err, s, n, "more than 7 components after cpe:/");
        comp[nc] = s + st;
        compn[nc++] = i - st;
        i++;
    }
    for (int a = 0; a < WB_CPE_NATTR; a++)
        set_attr(c, a, WB_CPE_ANY, 0, 0);
    for (size_t k = 0; k < nc; k++) {
        int rc;
        if (k == WB_CPE_EDITION && compn[k] > 0 && comp[k][0] == '~') {
            /* packed: ~edition~sw_edition~target_sw~target_hw~other */
            static const int packed[5] = {WB_CPE_EDITION, WB_CPE_SW_EDITION, WB_CPE_TARGET_SW,
                                          WB_CPE_TARGET_HW, WB_CPE_OTHER};
            const char *p = comp[k] + 1, *e = comp[k] + compn[k];
            for (int j = 0; j < 5; j++) {
                const char *t = p;
                while (t < e && *t != '~')
                    t++;
                if (j < 4 && t == e)
                    return cpe_fail(err, s, n, "a packed edition has five '~'-separated parts");
                if (j == 4 && t != e)
                    return cpe_fail(err, s, n, "a packed edition has five '~'-separated parts");
                rc = decode_uri_value(c, &b, packed[j], p, (size_t)(t - p), s, n, err);
                if (rc != 0) return rc;
                p = t + 1;
            }
            continue;
        }
        rc = decode_uri_value(c, &b, (int)k, comp[k], compn[k], s, n, err);
        if (rc != 0) return rc;
    }
    return check_part(c, s, n, err);
}

int wb_cpe_parse(const char *s, size_t n, wb_cpe *out, wb_error *err)
{
    memset(out, 0, sizeof *out);
    if (n > 8 * WB_CPE_MAX) return cpe_fail(err, s, 160, "longer than %d bytes", 8 * WB_CPE_MAX);
    if (memchr(s, '\0', n)) return cpe_fail(err, s, n, "contains a NUL byte");
    if (n >= 8 && wb_strn_ieq(s, 8, "cpe:2.3:")) return parse_fs(s, n, out, err);
    if (n >= 5 && wb_strn_ieq(s, 5, "cpe:/")) return parse_uri(s, n, out, err);
    return cpe_fail(err, s, n, "starts with neither cpe:2.3: nor cpe:/");
}

const char *wb_cpe_value(const wb_cpe *c, wb_cpe_attr a, size_t *len)
{
    *len = c->len[a];
    return c->text + c->off[a];
}

/* ---- binding ------------------------------------------------------------------ */

int wb_cpe_format(const wb_cpe *c, wb_buf *out)
{
    wb_buf_reset(out);
    int rc = wb_buf_puts(out, "cpe:2.3");
    for (int a = 0; rc == 0 && a < WB_CPE_NATTR; a++) {
        rc = wb_buf_putc(out, ':');
        if (rc != 0) break;
        if (c->kind[a] == WB_CPE_ANY) {
            rc = wb_buf_putc(out, '*');
        } else if (c->kind[a] == WB_CPE_NA) {
            rc = wb_buf_putc(out, '-');
        } else {
            /* process_quoted_chars: '.', '-' and '_' need no quoting here */
            const char *v = c->text + c->off[a];
            size_t vn = c->len[a];
            for (size_t i = 0; rc == 0 && i < vn; i++) {
                if (v[i] == '\\' && i + 1 < vn) {
                    i++; /* a quoted pair: keep the quote unless it is . - _ */
                    if (!strchr(".-_", v[i])) rc = wb_buf_putc(out, '\\');
                }
                if (rc == 0) rc = wb_buf_putc(out, v[i]);
            }
        }
    }
    return rc;
}

static int uri_value(wb_buf *out, const wb_cpe *c, int a)
{
    if (c->kind[a] == WB_CPE_ANY) return 0;
    if (c->kind[a] == WB_CPE_NA) return wb_buf_putc(out, '-');
    const char *v = c->text + c->off[a];
    size_t vn = c->len[a];
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < vn; i++) {
        char ch = v[i];
        if (alnum_(ch)) {
            rc = wb_buf_putc(out, ch);
        } else if (ch == '\\' && i + 1 < vn) {
            char q = v[++i];
            rc = q == '-' || q == '.' ? wb_buf_putc(out, q) : wb_buf_printf(out, "%%%02x", q);
        } else if (ch == '?') {
            rc = wb_buf_puts(out, "%01");
        } else if (ch == '*') {
            rc = wb_buf_puts(out, "%02");
        }
    }
    return rc;
}

int wb_cpe_format_uri(const wb_cpe *c, wb_buf *out)
{
    wb_buf_reset(out);
    int rc = wb_buf_puts(out, "cpe:/");
    for (int a = 0; rc == 0 && a <= WB_CPE_LANGUAGE; a++) {
        if (a) rc = wb_buf_putc(out, ':');
        if (rc == 0 && a == WB_CPE_EDITION &&
            (c->kind[WB_CPE_SW_EDITION] != WB_CPE_ANY || c->kind[WB_CPE_TARGET_SW] != WB_CPE_ANY ||
             c->kind[WB_CPE_TARGET_HW] != WB_CPE_ANY || c->kind[WB_CPE_OTHER] != WB_CPE_ANY)) {
            static const int packed[5] = {WB_CPE_EDITION, WB_CPE_SW_EDITION, WB_CPE_TARGET_SW,
                                          WB_CPE_TARGET_HW, WB_CPE_OTHER};
            for (int j = 0; rc == 0 && j < 5; j++) {
                rc = wb_buf_putc(out, '~');
                if (rc == 0) rc = uri_value(out, c, packed[j]);
            }
            continue;
        }
        if (rc == 0) rc = uri_value(out, c, a);
    }
    /* trailing empty components are dropped */
    while (rc == 0 && out->len > 5 && out->data[out->len - 1] == ':')
        out->data[--out->len] = '\0';
    return rc;
}

/* ---- matching (NISTIR 7696) ------------------------------------------------------ */

enum { REL_EQUAL, REL_SUBSET, REL_SUPERSET, REL_DISJOINT, REL_UNDEFINED };

static bool has_wildcards(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '\\') {
            i++;
            continue;
        }
        if (v[i] == '*' || v[i] == '?') return true;
    }
    return false;
}

/* Backslashes in t[from, to) that quote the next character. */
static size_t count_escapes(const char *t, size_t from, size_t to)
{
    size_t k = 0;
    for (size_t i = from; i < to; i++)
        if (t[i] == '\\') {
            k++;
            i++;
        }
    return k;
}

/* True when the character at i is not quoted (an even number of
 * backslashes precedes it). */
static bool unquoted(const char *s, size_t i)
{
    size_t k = 0;
    while (i > 0 && s[i - 1] == '\\') {
        k++;
        i--;
    }
    return k % 2 == 0;
}

/* Finds needle in hay from `from`; the index or -1. */
static long find(const char *hay, size_t hn, const char *needle, size_t nn, size_t from)
{
    if (nn == 0) return from <= hn ? (long)from : -1;
    for (size_t i = from; i + nn <= hn; i++)
        if (memcmp(hay + i, needle, nn) == 0) return (long)i;
    return -1;
}

/* compare_strings(): a source with wildcards against a plain target. */
static int compare_strings(const char *s, size_t sn, const char *t, size_t tn)
{
    size_t start = 0, end = sn;
    long begins = 0, ends = 0;
    if (sn > 0 && s[0] == '*') {
        start = 1;
        begins = -1;
    } else {
        while (start < sn && s[start] == '?') {
            start++;
            begins++;
        }
    }
    if (end > start && s[end - 1] == '*' && unquoted(s, end - 1)) {
        end--;
        ends = -1;
    } else {
        while (end > start && s[end - 1] == '?' && unquoted(s, end - 1)) {
            end--;
            ends++;
        }
    }
    const char *src = s + start;
    size_t srcn = end - start;
    long index = -1;
    long leftover = (long)tn;
    while (leftover > 0) {
        index = find(t, tn, src, srcn, (size_t)(index + 1));
        if (index == -1) break;
        long escapes = (long)count_escapes(t, 0, (size_t)index);
        if (index > 0 && begins != -1 && begins < index - escapes) break;
        /* 7696's pseudo-code counts the escapes from index + 1, which also
         * counts those inside the matched part (already in srcn) and lets
         * "5.1?" match "5.100"; counting after the match is what it means. */
        escapes = (long)count_escapes(t, (size_t)index + srcn, tn);
        leftover = (long)tn - index - escapes - (long)srcn;
        if (leftover > 0 && ends != -1 && leftover > ends) continue;
        return REL_SUPERSET;
    }
    return REL_DISJOINT;
}

static int compare_attr(const wb_cpe *s, const wb_cpe *t, int a)
{
    int sk = s->kind[a], tk = t->kind[a];
    const char *sv = s->text + s->off[a], *tv = t->text + t->off[a];
    size_t sn = s->len[a], tn = t->len[a];
    if (tk == WB_CPE_VALUE && has_wildcards(tv, tn)) return REL_UNDEFINED;
    if (sk == WB_CPE_ANY) return tk == WB_CPE_ANY ? REL_EQUAL : REL_SUPERSET;
    if (sk == WB_CPE_NA) {
        if (tk == WB_CPE_ANY) return REL_SUBSET;
        return tk == WB_CPE_NA ? REL_EQUAL : REL_DISJOINT;
    }
    if (tk == WB_CPE_ANY) return REL_SUBSET;
    if (tk == WB_CPE_NA) return REL_DISJOINT;
    if (has_wildcards(sv, sn)) return compare_strings(sv, sn, tv, tn);
    return sn == tn && memcmp(sv, tv, sn) == 0 ? REL_EQUAL : REL_DISJOINT;
}

int wb_cpe_compare(const wb_cpe *source, const wb_cpe *target, wb_cpe_relation *out, wb_error *err)
{
    bool any_sub = false, any_super = false, disjoint = false;
    for (int a = 0; a < WB_CPE_NATTR; a++) {
        int r = compare_attr(source, target, a);
        if (r == REL_UNDEFINED)
            return wb_error_set(err, WB_EINVAL,
                                "cpe: the target's %s has wildcards, so the match is undefined "
                                "(NISTIR 7696)",
                                attr_names[a]);
        disjoint |= r == REL_DISJOINT;
        any_sub |= r == REL_SUBSET;
        any_super |= r == REL_SUPERSET;
    }
    if (disjoint)
        *out = WB_CPE_DISJOINT;
    else if (any_sub && any_super)
        *out = WB_CPE_OVERLAP;
    else if (any_sub)
        *out = WB_CPE_SUBSET;
    else if (any_super)
        *out = WB_CPE_SUPERSET;
    else
        *out = WB_CPE_EQUAL;
    return 0;
}
