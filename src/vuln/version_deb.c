/*
 * version_deb.c - Debian package versions as dpkg compares them
 * (deb-version(7)): [epoch:]upstream_version[-debian_revision].
 *
 * The epoch is a number; the upstream version runs to the last hyphen. Each
 * part is compared as alternating non-digit and digit runs: in non-digit
 * runs '~' sorts before everything, even the end of the string, then the end,
 * then letters, then every other character; digit runs compare as numbers.
 * Where dpkg only warns (upstream not starting with a digit, characters
 * outside its alphabet) we reject: such a string is not a Debian version a
 * package can carry, and accepting it would make ranges ambiguous.
 */
#include <string.h>

#include "vuln/version_internal.h"

#define DEB_EPOCH_MAX 2147483647 /* dpkg keeps the epoch in an int */

typedef struct deb_version {
    const char *epoch;
    size_t epoch_n; /* 0 when absent (= 0) */
    const char *up;
    size_t up_n;
    const char *rev;
    size_t rev_n; /* 0 when absent */
} deb_version;

static int deb_split(const char *v, size_t n, deb_version *d, wb_error *err)
{
    memset(d, 0, sizeof *d);
    d->epoch = d->rev = ""; /* never NULL: the comparison walks them */
    if (n == 0) return wb_error_set(err, WB_EINVAL, "version string is empty");
    for (size_t i = 0; i < n; i++)
        if (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r' || v[i] == '\v' ||
            v[i] == '\f')
            return wb_error_set(err, WB_EINVAL, "version string has embedded spaces");
    const char *colon = memchr(v, ':', n);
    const char *p = v, *end = v + n;
    if (colon) {
        if (colon == v) return wb_error_set(err, WB_EINVAL, "epoch in version is empty");
        for (const char *q = v; q < colon; q++)
            if (!wbi_isdigit(*q))
                return wb_error_set(err, WB_EINVAL, "epoch in version is not a number");
        if (wbi_numcmp(v, (size_t)(colon - v), "2147483647", 10) > 0)
            return wb_error_set(err, WB_EINVAL, "epoch in version is too big (max %d)",
                                DEB_EPOCH_MAX);
        d->epoch = v;
        d->epoch_n = (size_t)(colon - v);
        p = colon + 1;
        if (p == end) return wb_error_set(err, WB_EINVAL, "nothing after colon in version number");
    }
    const char *hyphen = NULL;
    for (const char *q = p; q < end; q++)
        if (*q == '-') hyphen = q;
    d->up = p;
    d->up_n = (size_t)((hyphen ? hyphen : end) - p);
    if (hyphen) {
        d->rev = hyphen + 1;
        d->rev_n = (size_t)(end - d->rev);
        if (d->rev_n == 0) return wb_error_set(err, WB_EINVAL, "revision number is empty");
    }
    if (d->up_n == 0) return wb_error_set(err, WB_EINVAL, "version number is empty");
    if (!wbi_isdigit(d->up[0]))
        return wb_error_set(err, WB_EINVAL, "version number does not start with digit");
    for (size_t i = 0; i < d->up_n; i++)
        if (!wbi_isalnum(d->up[i]) && !strchr(".-+~:", d->up[i]))
            return wb_error_set(err, WB_EINVAL, "invalid character '%c' in version number",
                                d->up[i]);
    for (size_t i = 0; i < d->rev_n; i++)
        if (!wbi_isalnum(d->rev[i]) && !strchr(".+~", d->rev[i]))
            return wb_error_set(err, WB_EINVAL, "invalid character '%c' in revision number",
                                d->rev[i]);
    return 0;
}

/* dpkg's character weight in a non-digit run: '~' below the end of the
 * string (0), letters by value, everything else above all letters. */
static int deb_order(const char *s, const char *end)
{
    if (s >= end) return 0;
    char c = *s;
    if (wbi_isdigit(c)) return 0;
    if (wbi_isalpha(c)) return (unsigned char)c;
    if (c == '~') return -1;
    return (unsigned char)c + 256;
}

static int verrevcmp(const char *a, size_t an, const char *b, size_t bn)
{
    const char *ea = a + an, *eb = b + bn;
    while (a < ea || b < eb) {
        while ((a < ea && !wbi_isdigit(*a)) || (b < eb && !wbi_isdigit(*b))) {
            int ac = deb_order(a, ea), bc = deb_order(b, eb);
            if (ac != bc) return ac < bc ? -1 : 1;
            if (a < ea) a++;
            if (b < eb) b++;
        }
        const char *sa = a, *sb = b;
        while (a < ea && wbi_isdigit(*a))
            a++;
        while (b < eb && wbi_isdigit(*b))
            b++;
        int c = wbi_numcmp(sa, (size_t)(a - sa), sb, (size_t)(b - sb));
        if (c) return c;
    }
    return 0;
}

int wbi_deb_check(const char *v, size_t n, wb_error *err)
{
    deb_version d;
    return deb_split(v, n, &d, err);
}

int wbi_deb_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    deb_version x, y;
    (void)deb_split(a, an, &x, NULL);
    (void)deb_split(b, bn, &y, NULL);
    int c = wbi_numcmp(x.epoch, x.epoch_n, y.epoch, y.epoch_n);
    if (c == 0) c = verrevcmp(x.up, x.up_n, y.up, y.up_n);
    if (c == 0) c = verrevcmp(x.rev, x.rev_n, y.rev, y.rev_n);
    return c;
}
