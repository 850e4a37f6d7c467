/*
 * jscan.c - the tree-less JSON reader of the MISP and STIX loaders (see
 * jscan.h): one validating pass, then navigation by offsets.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "intel/jscan.h"

/* jansson's JSON_PARSER_MAX_DEPTH: it counts every value, scalars too. */
#define MAX_DEPTH 2048
/* Drop mapped pages in steps of this much, so madvise stays rare. */
#define RELEASE_STEP ((size_t)1 << 20)

static inline bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline size_t skip_ws(const wbi_jdoc *d, size_t i)
{
    while (i < d->n && is_ws(d->s[i]))
        i++;
    return i;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(s[k]);
        if (h < 0) return false;
        v = v << 4 | (unsigned)h;
    }
    *out = v;
    return true;
}

/* One UTF-8 sequence at s[i] (first byte >= 0x80), as jansson's utf8.c
 * accepts it: no overlong forms, no surrogates, nothing above U+10FFFF.
 * Returns its length or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0], cp;
    size_t k;
    if (c < 0xc2) return 0;
    if (c <= 0xdf) {
        k = 2;
        cp = c & 0x1f;
    } else if (c <= 0xef) {
        k = 3;
        cp = c & 0x0f;
    } else if (c <= 0xf4) {
        k = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < k) return 0;
    for (size_t j = 1; j < k; j++) {
        if ((s[j] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (s[j] & 0x3f);
    }
    if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000)) return 0;
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return k;
}

/* A string starting at the '"' at i; returns the offset past it or
 * WBI_JNONE with *bad set. */
static size_t check_string(const wbi_jdoc *d, size_t i, size_t *bad)
{
    const unsigned char *s = (const unsigned char *)d->s;
    size_t n = d->n;
    i++;
    for (;;) {
        while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
            i++;
        if (i >= n) break;
        unsigned char c = s[i];
        if (c == '"') return i + 1;
        if (c < 0x20) break;
        if (c >= 0x80) {
            size_t k = utf8_seq(s + i, n - i);
            if (k == 0) break;
            i += k;
            continue;
        }
        /* backslash */
        if (i + 1 >= n) break;
        char e = (char)s[i + 1];
        if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
            e == 't') {
            i += 2;
            continue;
        }
        if (e != 'u' || i + 6 > n) break;
        unsigned u;
        if (!hex4(d->s + i + 2, &u) || u == 0) break;
        i += 6;
        if (u >= 0xdc00 && u <= 0xdfff) break;
        if (u >= 0xd800 && u <= 0xdbff) {
            unsigned lo;
            if (i + 6 > n || s[i] != '\\' || s[i + 1] != 'u' || !hex4(d->s + i + 2, &lo) ||
                lo < 0xdc00 || lo > 0xdfff)
                break;
            i += 6;
        }
    }
    *bad = i;
    return WBI_JNONE;
}

/* A number at i; jansson refuses integers outside long long and reals that
 * overflow to infinity. */
static size_t check_number(const wbi_jdoc *d, size_t i, size_t *bad)
{
    const char *s = d->s;
    size_t n = d->n, start = i;
    bool real = false;
    if (i < n && s[i] == '-') i++;
    if (i >= n || !(s[i] >= '0' && s[i] <= '9')) goto fail;
    if (s[i] == '0') {
        i++;
        if (i < n && s[i] >= '0' && s[i] <= '9') goto fail;
    } else {
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && s[i] == '.') {
        real = true;
        i++;
        if (i >= n || !(s[i] >= '0' && s[i] <= '9')) goto fail;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        real = true;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= n || !(s[i] >= '0' && s[i] <= '9')) goto fail;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    {
        /* strtoll/strtod need a terminated copy; numbers in indicator files
         * are short, so the common case stays on the stack. */
        char small[64];
        size_t len = i - start;
        char *tmp = len < sizeof small ? small : malloc(len + 1);
        if (tmp == NULL) {
            *bad = WBI_JNONE; /* out of memory, not bad text */
            return WBI_JNONE;
        }
        memcpy(tmp, s + start, len);
        tmp[len] = '\0';
        bool ok;
        errno = 0;
        if (real) {
            double v = strtod(tmp, NULL);
            ok = !isinf(v);
        } else {
            (void)strtoll(tmp, NULL, 10);
            ok = errno != ERANGE;
        }
        if (tmp != small) free(tmp);
        if (!ok) {
            i = start;
            goto fail;
        }
    }
    return i;
fail:
    *bad = i;
    return WBI_JNONE;
}

static size_t check_literal(const wbi_jdoc *d, size_t i, const char *lit, size_t *bad)
{
    size_t k = strlen(lit);
    if (d->n - i < k || memcmp(d->s + i, lit, k) != 0) {
        *bad = i;
        return WBI_JNONE;
    }
    return i + k;
}

bool wbi_jscan_valid(wbi_jdoc *d, size_t *bad)
{
    /* The open containers, innermost last: '{' or '['. On the C stack (2 KB):
     * the check must not fail for want of memory. */
    char stack[MAX_DEPTH];
    size_t depth = 0, i = skip_ws(d, 0), scalar_end = WBI_JNONE;
    bool ok = false;
    for (;;) {
        /* A value is expected at i, at nesting depth+1. */
        if (i >= d->n || depth + 1 > MAX_DEPTH) goto out;
        char c = d->s[i];
        if (c == '{' || c == '[') {
            stack[depth++] = c;
            i = skip_ws(d, i + 1);
            if (i < d->n && d->s[i] == (c == '{' ? '}' : ']')) {
                depth--;
                i++;
                goto after_value;
            }
            if (c == '{') {
                if (i >= d->n || d->s[i] != '"') goto out;
                i = check_string(d, i, bad);
                if (i == WBI_JNONE) goto fail;
                i = skip_ws(d, i);
                if (i >= d->n || d->s[i] != ':') goto out;
                i = skip_ws(d, i + 1);
            }
            continue;
        }
        if (c == '"')
            i = check_string(d, i, bad);
        else if (c == 't')
            i = check_literal(d, i, "true", bad);
        else if (c == 'f')
            i = check_literal(d, i, "false", bad);
        else if (c == 'n')
            i = check_literal(d, i, "null", bad);
        else if (c == '-' || (c >= '0' && c <= '9'))
            i = check_number(d, i, bad);
        else
            goto out;
        if (i == WBI_JNONE) goto fail;
        if (depth == 0 && c != '"') scalar_end = i; /* not after a string */
    after_value:
        for (;;) {
            i = skip_ws(d, i);
            if (d->mapped && (i >= d->released + RELEASE_STEP || i < d->released))
                wbi_jdoc_release(d, i);
            if (depth == 0) {
                /* jansson's quirk: a scalar root right before one NUL that
                 * ends the buffer is accepted ("1\0", "true\0") */
                ok = i == d->n || (scalar_end == i && i + 1 == d->n && d->s[i] == '\0');
                goto out;
            }
            if (i >= d->n) goto out;
            char open = stack[depth - 1];
            if (d->s[i] == (open == '{' ? '}' : ']')) {
                depth--;
                i++;
                continue;
            }
            if (d->s[i] != ',') goto out;
            i = skip_ws(d, i + 1);
            if (open == '{') {
                if (i >= d->n || d->s[i] != '"') goto out;
                i = check_string(d, i, bad);
                if (i == WBI_JNONE) goto fail;
                i = skip_ws(d, i);
                if (i >= d->n || d->s[i] != ':') goto out;
                i = skip_ws(d, i + 1);
            }
            break;
        }
    }
out:
    if (!ok) *bad = i;
fail:
    return ok;
}

size_t wbi_jscan_root(const wbi_jdoc *d)
{
    return skip_ws(d, 0);
}

/* Past a validated string: only '"' and '\\' matter now. A byte loop, not
 * memchr: keys and values are short, and the call cost more than the scan
 * (perf on a 1M-indicator STIX bundle: memchr was a fifth of the load). */
static inline size_t skip_string(const wbi_jdoc *d, size_t i)
{
    const char *s = d->s;
    i++;
    for (;;) {
        /* i++ alone in the loop: the next load does not wait on this byte */
        while (s[i] != '"' && s[i] != '\\')
            i++;
        if (s[i] == '"') return i + 1;
        i += 2;
    }
}

size_t wbi_jscan_skip(const wbi_jdoc *d, size_t i)
{
    const char *s = d->s;
    char c = s[i];
    if (c == '"') return skip_string(d, i);
    if (c != '{' && c != '[') {
        while (i < d->n && !is_ws(s[i]) && s[i] != ',' && s[i] != '}' && s[i] != ']')
            i++;
        return i;
    }
    size_t depth = 0;
    for (;;) {
        c = s[i];
        if (c == '"') {
            /* Skipping a large array (an event's attributes, looked over
             * before they are read) must not keep it all resident. The
             * release mark is a hint about the mapping, not the document's
             * value, hence the cast. */
            if (d->mapped && (i >= d->released + RELEASE_STEP || i < d->released))
                wbi_jdoc_release((wbi_jdoc *)d, i);
            i = skip_string(d, i);
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']') {
            if (--depth == 0) return i + 1;
        }
        i++;
    }
}

bool wbi_jscan_next(const wbi_jdoc *d, size_t *it, size_t *key, size_t *val)
{
    size_t i = *it;
    const char *s = d->s;
    char c = s[i];
    bool obj;
    if (c == '{' || c == '[') {
        obj = c == '{';
        i = skip_ws(d, i + 1);
    } else {
        /* i is just past the previous value */
        i = skip_ws(d, i);
        if (s[i] != ',') {
            *it = i;
            return false;
        }
        i = skip_ws(d, i + 1);
        obj = s[i] == '"' && *key != WBI_JNONE;
    }
    if (s[i] == '}' || s[i] == ']') {
        *it = i;
        return false;
    }
    if (obj) {
        *key = i;
        i = skip_ws(d, skip_string(d, i));
        i = skip_ws(d, i + 1); /* ':' */
    } else {
        *key = WBI_JNONE;
    }
    *val = i;
    *it = wbi_jscan_skip(d, i);
    return true;
}

/* The raw bytes of the string at i, between the quotes. */
static void raw_string(const wbi_jdoc *d, size_t i, const char **p, size_t *n)
{
    *p = d->s + i + 1;
    *n = skip_string(d, i) - i - 2;
}

void wbi_jscan_members(const wbi_jdoc *d, size_t obj, const char *const *keys, size_t nkeys,
                       size_t *vals)
{
    for (size_t k = 0; k < nkeys; k++)
        vals[k] = WBI_JNONE;
    if (obj == WBI_JNONE || d->s[obj] != '{') return;
    size_t it = obj, key = 0, val;
    while (wbi_jscan_next(d, &it, &key, &val)) {
        const char *p;
        size_t n;
        raw_string(d, key, &p, &n);
        bool plain = memchr(p, '\\', n) == NULL;
        for (size_t k = 0; k < nkeys; k++) {
            if (plain ? strlen(keys[k]) == n && memcmp(p, keys[k], n) == 0
                      : wbi_jscan_str_eq(d, key, keys[k]))
                vals[k] = val;
        }
    }
}

size_t wbi_jscan_get(const wbi_jdoc *d, size_t obj, const char *key)
{
    size_t v;
    wbi_jscan_members(d, obj, &key, 1, &v);
    return v;
}

static int put_utf8(wb_buf *b, unsigned cp)
{
    char u[4];
    size_t k;
    if (cp < 0x80) {
        u[0] = (char)cp;
        k = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3f));
        k = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | cp >> 12);
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        k = 3;
    } else {
        u[0] = (char)(0xf0 | cp >> 18);
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        k = 4;
    }
    return wb_buf_append(b, u, k);
}

/* Appends the decoded string (validated) to b. */
static int decode(const char *p, size_t n, wb_buf *b)
{
    size_t i = 0;
    while (i < n) {
        const char *bs = memchr(p + i, '\\', n - i);
        size_t run = bs ? (size_t)(bs - (p + i)) : n - i;
        if (run && wb_buf_append(b, p + i, run) != 0) return WB_ENOMEM;
        i += run;
        if (i >= n) break;
        char e = p[i + 1];
        int rc = 0;
        switch (e) {
        case 'b':
            rc = wb_buf_putc(b, '\b');
            break;
        case 'f':
            rc = wb_buf_putc(b, '\f');
            break;
        case 'n':
            rc = wb_buf_putc(b, '\n');
            break;
        case 'r':
            rc = wb_buf_putc(b, '\r');
            break;
        case 't':
            rc = wb_buf_putc(b, '\t');
            break;
        case 'u': {
            unsigned u, lo;
            hex4(p + i + 2, &u);
            if (u >= 0xd800 && u <= 0xdbff) {
                hex4(p + i + 8, &lo);
                u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                i += 6;
            }
            rc = put_utf8(b, u);
            i += 4;
            break;
        }
        default: /* " \ / */
            rc = wb_buf_putc(b, e);
            break;
        }
        if (rc) return WB_ENOMEM;
        i += 2;
    }
    return 0;
}

int wbi_jscan_str(const wbi_jdoc *d, size_t i, wb_buf *tmp, const char **out, size_t *len)
{
    const char *p;
    size_t n;
    raw_string(d, i, &p, &n);
    if (memchr(p, '\\', n) == NULL) {
        *out = p;
        *len = n;
        return 0;
    }
    wb_buf_reset(tmp);
    if (decode(p, n, tmp) != 0 || wb_buf_putc(tmp, '\0') != 0) return WB_ENOMEM;
    tmp->len--;
    *out = tmp->data;
    *len = tmp->len;
    return 0;
}

int wbi_jscan_str_copy(const wbi_jdoc *d, size_t i, wb_buf *b)
{
    const char *p;
    size_t n;
    raw_string(d, i, &p, &n);
    wb_buf_reset(b);
    if (decode(p, n, b) != 0 || wb_buf_putc(b, '\0') != 0) return WB_ENOMEM;
    b->len--;
    return 0;
}

/* Whether the escaped text p[0..n) decodes to lit. Decoded into a stack
 * buffer the decoded text cannot outgrow, so a key comparison never fails
 * for want of memory (and never silently differs under allocation
 * failure). */
static bool decoded_is(const char *p, size_t n, const char *lit, size_t ln)
{
    char small[512];
    if (n + 2 > sizeof small) {
        wb_buf b = {0};
        bool eq = decode(p, n, &b) == 0 && b.len == ln && memcmp(b.data, lit, ln) == 0;
        wb_buf_free(&b);
        return eq;
    }
    wb_buf b = {small, 0, sizeof small};
    decode(p, n, &b);
    return b.len == ln && memcmp(b.data, lit, ln) == 0;
}

bool wbi_jscan_str_eq(const wbi_jdoc *d, size_t i, const char *lit)
{
    if (i == WBI_JNONE || d->s[i] != '"') return false;
    const char *p;
    size_t n;
    raw_string(d, i, &p, &n);
    size_t ln = strlen(lit);
    if (memchr(p, '\\', n) == NULL) return ln == n && memcmp(p, lit, n) == 0;
    /* escapes only make the text shorter, by at most 6 to 1 ("\u0041") */
    if (n < ln || n > 6 * ln) return false;
    return decoded_is(p, n, lit, ln);
}

bool wbi_jscan_flag(const wbi_jdoc *d, size_t i)
{
    char c = wbi_jscan_kind(d, i);
    if (c == 't') return true;
    if (c == '-' || (c >= '0' && c <= '9')) {
        /* an integer is true when not zero; a real (jansson's json_is_integer
         * is false for it) never is */
        size_t end = wbi_jscan_skip(d, i);
        bool nonzero = false;
        for (size_t k = i; k < end; k++) {
            char x = d->s[k];
            if (x == '.' || x == 'e' || x == 'E') return false;
            if (x >= '1' && x <= '9') nonzero = true;
        }
        return nonzero;
    }
    if (c == '"') {
        const char *p;
        size_t n;
        raw_string(d, i, &p, &n);
        if (memchr(p, '\\', n) == NULL) return wb_strn_ieq(p, n, "1") || wb_strn_ieq(p, n, "true");
        if (n > 24) return false; /* decodes to more than "true" */
        char small[32];
        wb_buf b = {small, 0, sizeof small};
        decode(p, n, &b); /* fits: never grows, never allocates */
        return wb_strn_ieq(b.data, b.len, "1") || wb_strn_ieq(b.data, b.len, "true");
    }
    return false;
}

void wbi_jdoc_release(wbi_jdoc *d, size_t i)
{
    if (!d->mapped) return;
    long pg = sysconf(_SC_PAGESIZE);
    size_t page = pg > 0 ? (size_t)pg : 4096;
    if (i < d->released) {
        /* a new walk from further back: count from here */
        d->released = i / page * page;
        return;
    }
    if (i < d->released + RELEASE_STEP) return;
    size_t upto = i / page * page;
    if (upto <= d->released) return;
    /* MADV_DONTNEED on a read-only private file mapping only drops the
     * pages from this process; touching them again reads the page cache. */
    (void)madvise((char *)(uintptr_t)d->s + d->released, upto - d->released, MADV_DONTNEED);
    d->released = upto;
}
