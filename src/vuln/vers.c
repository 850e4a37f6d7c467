/*
 * vers.c - parsing, validating, formatting and testing vers ranges.
 *
 * Parsing splits "vers:type/constraints" and decodes each constraint into a
 * comparator and a version; strict parsing rejects anything that is not
 * already canonical, lenient parsing repairs what can be repaired without
 * guessing (whitespace, empty constraints, "=", order, duplicates). Both then
 * check the rules of the spec's section 5.4 on the sorted list. Containment
 * follows the algorithm of the spec's "how to parse" document.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/version_internal.h"
#include "vuln/vers_internal.h"
#include "weerbaar/vers.h"

const char *wb_vers_op_str(wb_vers_op op)
{
    switch (op) {
    case WB_VERS_EQ:
        return "";
    case WB_VERS_NE:
        return "!=";
    case WB_VERS_LT:
        return "<";
    case WB_VERS_LE:
        return "<=";
    case WB_VERS_GT:
        return ">";
    case WB_VERS_GE:
        return ">=";
    case WB_VERS_ANY:
        return "*";
    }
    return "?";
}

/* Characters a version must percent-encode in vers. */
static bool must_encode(unsigned char c)
{
    return c <= ' ' || c >= 0x7f || strchr("<>=!*|%", c) != NULL;
}

void wbi_vers_encode(wb_buf *out, const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (must_encode(c))
            (void)wb_buf_printf(out, "%%%02X", c);
        else
            (void)wb_buf_putc(out, (char)c);
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Error helper: every message starts with the vers string, cut short. */
static int vers_fail(wb_error *err, const char *s, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int vers_fail(wb_error *err, const char *s, size_t n, const char *fmt, ...)
{
    char reason[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    int shown = n > 120 ? 120 : (int)n;
    return wb_error_set(err, WB_EINVAL, "vers '%.*s%s': %s", shown, s, n > 120 ? "..." : "",
                        reason);
}

static int cmp_constraint(const wb_version_scheme *vs, const wb_vers_constraint *a,
                          const wb_vers_constraint *b)
{
    return vs->cmp(a->version, strlen(a->version), b->version, strlen(b->version));
}

/* Stable insertion sort on the version: ranges are short. */
static void sort_constraints(const wb_version_scheme *vs, wb_vers_constraint *c, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        wb_vers_constraint x = c[i];
        size_t j = i;
        while (j > 0 && cmp_constraint(vs, &c[j - 1], &x) > 0) {
            c[j] = c[j - 1];
            j--;
        }
        c[j] = x;
    }
}

static bool is_lower(wb_vers_op op)
{
    return op == WB_VERS_LT || op == WB_VERS_LE;
}
static bool is_upper(wb_vers_op op)
{
    return op == WB_VERS_GT || op == WB_VERS_GE;
}

/* The rules of section 5.4 on a sorted, de-duplicated list. */
static int check_sequence(const wb_vers *v, const char *s, size_t n, wb_error *err)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->c[i].op == WB_VERS_ANY && v->n > 1)
            return vers_fail(err, s, n, "'*' must stand alone");
    /* Ignoring !=, an equality may only be followed by =, > or >=. */
    wb_vers_op prev = WB_VERS_ANY;
    for (size_t i = 0; i < v->n; i++) {
        wb_vers_op op = v->c[i].op;
        if (op == WB_VERS_NE) continue;
        if (prev == WB_VERS_EQ && is_lower(op))
            return vers_fail(err, s, n,
                             "an equality is followed by '%s' (only =, > or >= may follow)",
                             wb_vers_op_str(op));
        prev = op;
    }
    /* Ignoring != and =, bounds alternate: > or >= then < or <=, and so on. */
    prev = WB_VERS_ANY;
    for (size_t i = 0; i < v->n; i++) {
        wb_vers_op op = v->c[i].op;
        if (op == WB_VERS_NE || op == WB_VERS_EQ) continue;
        if (prev != WB_VERS_ANY && is_lower(prev) == is_lower(op))
            return vers_fail(err, s, n,
                             "'%s' follows a bound of the same direction (< and > must alternate)",
                             wb_vers_op_str(op));
        prev = op;
    }
    return 0;
}

static int add_constraint(wb_vers *v, size_t *cap, wb_vers_op op, const char *ver)
{
    if (v->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        wb_vers_constraint *c = realloc(v->c, ncap * sizeof *c);
        if (!c) return WB_ENOMEM;
        v->c = c;
        *cap = ncap;
    }
    v->c[v->n++] = (wb_vers_constraint){op, ver};
    return 0;
}

/* Parses one constraint text t[0..tn) (whitespace already handled). */
static int parse_constraint(wb_vers *v, size_t *cap, const char *t, size_t tn, bool strict,
                            const char *s, size_t n, wb_error *err)
{
    wb_vers_op op = WB_VERS_EQ;
    size_t i = 0;
    if (tn == 1 && t[0] == '*') return add_constraint(v, cap, WB_VERS_ANY, "");
    if (tn >= 2 && t[0] == '!' && t[1] == '=') {
        op = WB_VERS_NE;
        i = 2;
    } else if (tn >= 2 && t[0] == '<' && t[1] == '=') {
        op = WB_VERS_LE;
        i = 2;
    } else if (tn >= 2 && t[0] == '>' && t[1] == '=') {
        op = WB_VERS_GE;
        i = 2;
    } else if (t[0] == '<') {
        op = WB_VERS_LT;
        i = 1;
    } else if (t[0] == '>') {
        op = WB_VERS_GT;
        i = 1;
    } else if (t[0] == '=') {
        if (strict) return vers_fail(err, s, n, "a constraint may not start with '='");
        i = tn > 1 && t[1] == '=' ? 2 : 1; /* "=1.0" and "==1.0" mean 1.0 */
    }
    if (i == tn) return vers_fail(err, s, n, "a comparator without a version");
    /* decode, checking the percent-encoding */
    wb_buf dec = {0};
    bool oom = false; /* a byte that could not be appended: not a shorter version */
    for (size_t k = i; k < tn; k++) {
        char c = t[k];
        if (c == '%') {
            int h = k + 2 < tn ? hexval(t[k + 1]) : -1, l = k + 2 < tn ? hexval(t[k + 2]) : -1;
            if (h < 0 || l < 0) {
                wb_buf_free(&dec);
                return vers_fail(err, s, n, "invalid percent-encoding in version");
            }
            if (h == 0 && l == 0) { /* found by fuzzing: it would cut the version short */
                wb_buf_free(&dec);
                return vers_fail(err, s, n, "a version may not contain a NUL byte (%%00)");
            }
            oom |= wb_buf_putc(&dec, (char)(h * 16 + l)) != 0;
            k += 2;
        } else if (strchr("<>=!*|", c)) {
            wb_buf_free(&dec);
            char what[2] = {c, 0};
            return vers_fail(err, s, n, "'%s' inside a version must be percent-encoded", what);
        } else {
            oom |= wb_buf_putc(&dec, c) != 0;
        }
    }
    if (oom || !dec.data) {
        wb_buf_free(&dec);
        return WB_ENOMEM;
    }
    if (strict) {
        wb_buf enc = {0};
        wbi_vers_encode(&enc, dec.data, dec.len);
        bool same = enc.data && enc.len == tn - i && memcmp(enc.data, t + i, enc.len) == 0;
        wb_buf_free(&enc);
        if (!same) {
            bool colon = strcmp(v->type, "datetime") == 0 && memchr(dec.data, ':', dec.len);
            wb_buf_free(&dec);
            return vers_fail(err, s, n,
                             colon ? "datetime time colons must be unencoded"
                                   : "percent-encoding in version is not canonical");
        }
    }
    char *ver = wb_arena_strndup(&v->arena, dec.data, dec.len);
    size_t declen = dec.len;
    wb_buf_free(&dec);
    if (!ver) return WB_ENOMEM;
    if (v->scheme) {
        wb_error e = {0};
        if (wb_version_scheme_check(v->scheme, ver, declen, &e) != 0)
            return vers_fail(err, s, n, "%s", e.msg);
    }
    return add_constraint(v, cap, op, ver);
}

static int vers_parse(const char *type, size_t typen, const char *cs, size_t csn, bool strict,
                      const char *s, size_t n, wb_vers **out, wb_error *err)
{
    wb_vers *v = calloc(1, sizeof *v);
    if (!v) return wb_error_set(err, WB_ENOMEM, "out of memory parsing a vers range");
    wb_arena_init(&v->arena, 4096);
    int rc = 0;
    char *t = wb_arena_strndup(&v->arena, type, typen);
    if (!t) rc = WB_ENOMEM;
    for (size_t i = 0; rc == 0 && i < typen; i++)
        t[i] = wb_lower(t[i]);
    v->type = t;
    if (rc == 0) {
        if (strcmp(t, "invalid") == 0)
            rc = vers_fail(err, s, n, "the type 'invalid' is reserved to be invalid");
        v->scheme = wb_version_scheme_find(t);
    }
    size_t cap = 0, start = 0;
    for (size_t i = 0; rc == 0 && i <= csn; i++) {
        if (i < csn && cs[i] != '|') continue;
        const char *seg = cs + start;
        size_t segn = i - start;
        start = i + 1;
        if (!strict) {
            /* CSAF writes "vers:generic/>= 1.0 | < 2.0" */
            while (segn && is_space(seg[0])) {
                seg++;
                segn--;
            }
            while (segn && is_space(seg[segn - 1]))
                segn--;
            if (segn == 0) continue;
            /* and spaces between comparator and version */
            size_t k = 0;
            while (k < segn && strchr("<>=!", seg[k]))
                k++;
            if (k > 0 && k < segn && is_space(seg[k])) {
                wb_buf b = {0};
                (void)wb_buf_append(&b, seg, k);
                while (k < segn && is_space(seg[k]))
                    k++;
                (void)wb_buf_append(&b, seg + k, segn - k);
                char *joined = b.data ? wb_arena_strndup(&v->arena, b.data, b.len) : NULL;
                size_t jn = b.len;
                wb_buf_free(&b);
                if (!joined) {
                    rc = WB_ENOMEM;
                    break;
                }
                seg = joined;
                segn = jn;
            }
        } else if (segn == 0) {
            rc = vers_fail(err, s, n,
                           i == csn && csn > 0     ? "trailing pipe is not permitted"
                           : start - 1 == 0 && csn ? "leading pipe is not permitted"
                           : csn == 0              ? "no constraints after the type"
                                                   : "consecutive pipes are not permitted");
            break;
        }
        if (v->n == WB_VERS_MAX_CONSTRAINTS) {
            rc = vers_fail(err, s, n, "more than 1024 constraints");
            break;
        }
        rc = parse_constraint(v, &cap, seg, segn, strict, s, n, err);
    }
    if (rc == 0 && v->n == 0) rc = vers_fail(err, s, n, "no constraints after the type");
    if (rc == 0 && v->scheme) {
        if (strict) {
            for (size_t i = 1; rc == 0 && i < v->n; i++) {
                int c = cmp_constraint(v->scheme, &v->c[i - 1], &v->c[i]);
                if (c > 0) rc = vers_fail(err, s, n, "constraints are not sorted by version");
                if (c == 0)
                    rc = vers_fail(err, s, n, "version '%s' appears more than once",
                                   v->c[i].version);
            }
        } else {
            /* Sort and drop duplicates until nothing is dropped: some schemes'
             * orders are not transitive (Maven's ComparableVersion, faithfully
             * reproduced: "F0.01" = "F0" < "F0F0" < "F0.01"), so removing an
             * element can leave its neighbours out of order. Found by fuzzing. */
            size_t before;
            do {
                before = v->n;
                sort_constraints(v->scheme, v->c, v->n);
                size_t o = 0;
                for (size_t i = 0; rc == 0 && i < v->n; i++) {
                    if (o > 0 && cmp_constraint(v->scheme, &v->c[o - 1], &v->c[i]) == 0) {
                        if (v->c[o - 1].op == v->c[i].op) continue; /* a duplicate */
                        rc = vers_fail(err, s, n,
                                       "version '%s' appears with two different comparators",
                                       v->c[i].version);
                    }
                    v->c[o++] = v->c[i];
                }
                v->n = o;
            } while (rc == 0 && v->n < before);
        }
        if (rc == 0) rc = check_sequence(v, s, n, err);
    }
    if (rc != 0) {
        wb_vers_free(v);
        *out = NULL;
        if (rc == WB_ENOMEM) wb_error_set(err, WB_ENOMEM, "out of memory parsing a vers range");
        return rc;
    }
    *out = v;
    return 0;
}

int wb_vers_parse(const char *s, size_t n, unsigned flags, wb_vers **out, wb_error *err)
{
    bool strict = flags & WB_VERS_STRICT;
    *out = NULL;
    if (n > WB_VERS_MAX) return vers_fail(err, s, 120, "longer than 65536 bytes");
    if (memchr(s, '\0', n)) return vers_fail(err, s, n, "contains a NUL byte");
    const char *p = s, *end = s + n;
    if (strict) {
        for (size_t i = 0; i < n; i++)
            if (is_space(s[i])) return vers_fail(err, s, n, "whitespace is not permitted");
    } else {
        while (p < end && is_space(*p))
            p++;
        while (end > p && is_space(end[-1]))
            end--;
    }
    size_t len = (size_t)(end - p);
    if (len < 5 || !(strict ? memcmp(p, "vers:", 5) == 0 : wb_strn_ieq(p, 5, "vers:")))
        return vers_fail(err, s, n, "does not start with 'vers:'");
    p += 5;
    const char *slash = memchr(p, '/', (size_t)(end - p));
    if (!slash) return vers_fail(err, s, n, "no '/' after the type");
    const char *type = p;
    size_t typen = (size_t)(slash - p);
    if (!strict)
        while (typen && is_space(type[typen - 1]))
            typen--;
    if (typen == 0 || !wbi_isalpha(type[0]))
        return vers_fail(err, s, n, "the type must start with a letter");
    for (size_t i = 0; i < typen; i++) {
        char c = type[i];
        if (!wbi_isalnum(c) && c != '.' && c != '-')
            return vers_fail(err, s, n, "the type may hold only letters, digits, '.' and '-'");
        if (strict && c >= 'A' && c <= 'Z')
            return vers_fail(err, s, n, "the type must be lower-case");
    }
    return vers_parse(type, typen, slash + 1, (size_t)(end - slash - 1), strict, s, n, out, err);
}

int wb_vers_parse_for(const char *type, const char *s, size_t n, wb_vers **out, wb_error *err)
{
    *out = NULL;
    size_t i = 0;
    while (i < n && is_space(s[i]))
        i++;
    if (n - i >= 5 && wb_strn_ieq(s + i, 5, "vers:")) return wb_vers_parse(s, n, 0, out, err);
    if (n > WB_VERS_MAX) return vers_fail(err, s, 120, "longer than 65536 bytes");
    if (!type || !*type) return vers_fail(err, s, n, "no version scheme given");
    return vers_parse(type, strlen(type), s, n, false, s, n, out, err);
}

void wb_vers_free(wb_vers *v)
{
    if (!v) return;
    free(v->c);
    wb_arena_free(&v->arena);
    free(v);
}

int wb_vers_format(const wb_vers *v, wb_buf *out)
{
    wb_buf_reset(out);
    int rc = wb_buf_printf(out, "vers:%s/", v->type);
    for (size_t i = 0; rc == 0 && i < v->n; i++) {
        if (i) rc = wb_buf_putc(out, '|');
        if (rc == 0) rc = wb_buf_puts(out, wb_vers_op_str(v->c[i].op));
        if (rc == 0) wbi_vers_encode(out, v->c[i].version, strlen(v->c[i].version));
    }
    return rc == 0 && out->data ? 0 : WB_ENOMEM;
}

static bool satisfies(const wb_version_scheme *vs, const char *ver, size_t vn,
                      const wb_vers_constraint *c)
{
    int r = vs->cmp(ver, vn, c->version, strlen(c->version));
    switch (c->op) {
    case WB_VERS_EQ:
        return r == 0;
    case WB_VERS_NE:
        return r != 0;
    case WB_VERS_LT:
        return r < 0;
    case WB_VERS_LE:
        return r <= 0;
    case WB_VERS_GT:
        return r > 0;
    case WB_VERS_GE:
        return r >= 0;
    case WB_VERS_ANY:
        return true;
    }
    return false;
}

int wb_vers_contains(const wb_vers *v, const char *version, bool *in, wb_error *err)
{
    *in = false;
    if (v->n == 1 && v->c[0].op == WB_VERS_ANY) {
        *in = true;
        return 0;
    }
    if (!v->scheme)
        return wb_error_set(err, WB_EINVAL, "vers type '%s': weerbaar cannot compare its versions",
                            v->type);
    size_t vn = strlen(version);
    int rc = wb_version_scheme_check(v->scheme, version, vn, err);
    if (rc != 0) return rc;
    /* equalities and exclusions decide first */
    for (size_t i = 0; i < v->n; i++) {
        if (v->c[i].op == WB_VERS_EQ && satisfies(v->scheme, version, vn, &v->c[i])) {
            *in = true;
            return 0;
        }
        if (v->c[i].op == WB_VERS_NE && !satisfies(v->scheme, version, vn, &v->c[i])) return 0;
    }
    /* then the bounds, pairwise */
    const wb_vers_constraint *b[WB_VERS_MAX_CONSTRAINTS];
    size_t nb = 0;
    for (size_t i = 0; i < v->n; i++)
        if (is_lower(v->c[i].op) || is_upper(v->c[i].op)) b[nb++] = &v->c[i];
    for (size_t i = 0; i < nb; i++) {
        const wb_vers_constraint *cur = b[i], *next = i + 1 < nb ? b[i + 1] : NULL;
        if (i == 0 && is_lower(cur->op) && satisfies(v->scheme, version, vn, cur)) {
            *in = true;
            return 0;
        }
        if (!next && is_upper(cur->op) && satisfies(v->scheme, version, vn, cur)) {
            *in = true;
            return 0;
        }
        if (next && is_upper(cur->op) && is_lower(next->op) &&
            satisfies(v->scheme, version, vn, cur) && satisfies(v->scheme, version, vn, next)) {
            *in = true;
            return 0;
        }
    }
    return 0;
}
