/*
 * version_rpm.c - RPM and Arch Linux (pacman) versions.
 *
 * Both write [epoch:]version[-release] and compare each part with a variant
 * of rpmvercmp(): the string is cut into alphabetic and numeric segments
 * (everything else only separates), numbers compare as numbers and beat
 * letters, letters compare as bytes. RPM adds '~' (sorts before everything,
 * even the end: 1.0~rc1 < 1.0) and '^' (sorts after the end but before any
 * further segment: 1.0 < 1.0^git1 < 1.0.1). pacman has neither but counts
 * separator lengths and lets a trailing letter segment lose to the end.
 *
 * A missing epoch is 0. A missing release sorts before any release in RPM (as
 * rpm.labelCompare does) and is ignored by pacman (as alpm_pkg_vercmp does).
 */
#include <stdio.h>
#include <string.h>

#include "vuln/version_internal.h"

typedef struct evr {
    const char *e, *v, *r;
    size_t en, vn, rn;
    bool has_r;
} evr;

/* rpm's parseEVR: an epoch only when the string starts with digits and a
 * colon; the release after the last hyphen. */
static void evr_split(const char *s, size_t n, evr *x)
{
    size_t i = 0;
    while (i < n && wbi_isdigit(s[i]))
        i++;
    x->e = "0";
    x->en = 1;
    size_t vstart = 0;
    if (i < n && s[i] == ':') {
        if (i > 0) {
            x->e = s;
            x->en = i;
        }
        vstart = i + 1;
    }
    size_t hy = n;
    for (size_t j = vstart; j < n; j++)
        if (s[j] == '-') hy = j;
    x->v = s + vstart;
    x->vn = hy - vstart;
    x->has_r = hy < n;
    x->r = x->has_r ? s + hy + 1 : "";
    x->rn = x->has_r ? n - hy - 1 : 0;
}

static int evr_check(const char *s, size_t n, wb_error *err)
{
    if (n == 0) return wb_error_set(err, WB_EINVAL, "version string is empty");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c >= 0x7f)
            return wb_error_set(err, WB_EINVAL, "whitespace or a non-printable byte at offset %zu",
                                i);
    }
    evr x;
    evr_split(s, n, &x);
    if (x.vn == 0) return wb_error_set(err, WB_EINVAL, "version part is empty");
    if (x.has_r && x.rn == 0) return wb_error_set(err, WB_EINVAL, "release after '-' is empty");
    return 0;
}

int wbi_rpmvercmp(const char *a, size_t an, const char *b, size_t bn)
{
    if (an == bn && memcmp(a, b, an) == 0) return 0;
    const char *one = a, *two = b, *e1 = a + an, *e2 = b + bn;
    while (one < e1 || two < e2) {
        while (one < e1 && !wbi_isalnum(*one) && *one != '~' && *one != '^')
            one++;
        while (two < e2 && !wbi_isalnum(*two) && *two != '~' && *two != '^')
            two++;
        /* '~' sorts before everything else, the end of the string included */
        if ((one < e1 && *one == '~') || (two < e2 && *two == '~')) {
            if (one >= e1 || *one != '~') return 1;
            if (two >= e2 || *two != '~') return -1;
            one++;
            two++;
            continue;
        }
        /* '^' sorts after the end of the string but before anything else */
        if ((one < e1 && *one == '^') || (two < e2 && *two == '^')) {
            if (one >= e1) return -1;
            if (two >= e2) return 1;
            if (*one != '^') return 1;
            if (*two != '^') return -1;
            one++;
            two++;
            continue;
        }
        if (!(one < e1 && two < e2)) break;
        const char *s1 = one, *s2 = two;
        bool isnum = wbi_isdigit(*s1);
        if (isnum) {
            while (s1 < e1 && wbi_isdigit(*s1))
                s1++;
            while (s2 < e2 && wbi_isdigit(*s2))
                s2++;
        } else {
            while (s1 < e1 && wbi_isalpha(*s1))
                s1++;
            while (s2 < e2 && wbi_isalpha(*s2))
                s2++;
        }
        /* different kinds of segment: numbers are newer than letters */
        if (s2 == two) return isnum ? 1 : -1;
        int c = isnum ? wbi_numcmp(one, (size_t)(s1 - one), two, (size_t)(s2 - two))
                      : wbi_bytecmp(one, (size_t)(s1 - one), two, (size_t)(s2 - two));
        if (c) return c;
        one = s1;
        two = s2;
    }
    if (one >= e1 && two >= e2) return 0;
    return one >= e1 ? -1 : 1;
}

int wbi_rpm_check(const char *v, size_t n, wb_error *err)
{
    return evr_check(v, n, err);
}

int wbi_rpm_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    evr x, y;
    evr_split(a, an, &x);
    evr_split(b, bn, &y);
    int c = wbi_rpmvercmp(x.e, x.en, y.e, y.en);
    if (c == 0) c = wbi_rpmvercmp(x.v, x.vn, y.v, y.vn);
    if (c == 0) {
        if (x.has_r && y.has_r)
            c = wbi_rpmvercmp(x.r, x.rn, y.r, y.rn);
        else if (x.has_r != y.has_r)
            c = x.has_r ? 1 : -1;
    }
    return c;
}

/* pacman's rpmvercmp (lib/libalpm/version.c): no '~' or '^', separator
 * lengths matter, and a leftover letter segment is older than nothing. */
static int alpm_vercmp(const char *a, size_t an, const char *b, size_t bn)
{
    if (an == bn && memcmp(a, b, an) == 0) return 0;
    const char *one = a, *two = b, *e1 = a + an, *e2 = b + bn;
    const char *p1 = one, *p2 = two;
    while (one < e1 && two < e2) {
        while (one < e1 && !wbi_isalnum(*one))
            one++;
        while (two < e2 && !wbi_isalnum(*two))
            two++;
        if (!(one < e1 && two < e2)) break;
        if (one - p1 != two - p2) return (one - p1) < (two - p2) ? -1 : 1;
        p1 = one;
        p2 = two;
        bool isnum = wbi_isdigit(*p1);
        if (isnum) {
            while (p1 < e1 && wbi_isdigit(*p1))
                p1++;
            while (p2 < e2 && wbi_isdigit(*p2))
                p2++;
        } else {
            while (p1 < e1 && wbi_isalpha(*p1))
                p1++;
            while (p2 < e2 && wbi_isalpha(*p2))
                p2++;
        }
        if (p2 == two) return isnum ? 1 : -1;
        int c = isnum ? wbi_numcmp(one, (size_t)(p1 - one), two, (size_t)(p2 - two))
                      : wbi_bytecmp(one, (size_t)(p1 - one), two, (size_t)(p2 - two));
        if (c) return c;
        one = p1;
        two = p2;
    }
    if (one >= e1 && two >= e2) return 0;
    if ((one >= e1 && !wbi_isalpha(*two)) || (one < e1 && wbi_isalpha(*one))) return -1;
    return 1;
}

int wbi_alpm_check(const char *v, size_t n, wb_error *err)
{
    return evr_check(v, n, err);
}

int wbi_alpm_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    if (an == bn && memcmp(a, b, an) == 0) return 0;
    evr x, y;
    evr_split(a, an, &x);
    evr_split(b, bn, &y);
    int c = alpm_vercmp(x.e, x.en, y.e, y.en);
    if (c == 0) c = alpm_vercmp(x.v, x.vn, y.v, y.vn);
    if (c == 0 && x.has_r && y.has_r) c = alpm_vercmp(x.r, x.rn, y.r, y.rn);
    return c;
}

/* ---- NEVRA ----------------------------------------------------------------------------- */

bool wb_rpm_arch_known(const char *a, size_t n)
{
    /* rpm's own arch table (rpmrc) for the families in use, plus the
     * pseudo-architectures of source and architecture-free packages. */
    static const char *const arches[] = {
        "noarch",       "src",        "nosrc",    "x86_64",   "x86_64_v2", "x86_64_v3",
        "x86_64_v4",    "amd64",      "i386",     "i486",     "i586",      "i686",
        "athlon",       "geode",      "pentium3", "pentium4", "ia32e",     "aarch64",
        "armv5tel",     "armv6hl",    "armv6l",   "armv7hl",  "armv7hnl",  "armv7l",
        "armhfp",       "ppc",        "ppc64",    "ppc64le",  "ppc64p7",   "ppc64iseries",
        "ppc64pseries", "s390",       "s390x",    "ia64",     "alpha",     "sparc",
        "sparcv9",      "sparc64",    "mips",     "mipsel",   "mips64",    "mips64el",
        "riscv64",      "loongarch64"};
    for (size_t i = 0; i < sizeof arches / sizeof arches[0]; i++)
        if (strlen(arches[i]) == n && memcmp(arches[i], a, n) == 0) return true;
    return false;
}

static bool name_char(char c)
{
    return wbi_isdigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
           c == '_' || c == '+' || c == '-';
}

static bool ver_char(char c)
{
    return wbi_isdigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
           c == '_' || c == '+' || c == '~' || c == '^';
}

static bool all_of(const char *s, size_t n, bool (*ok)(char))
{
    for (size_t i = 0; i < n; i++)
        if (!ok(s[i])) return false;
    return true;
}

static const char *last_of(const char *s, size_t n, char c)
{
    for (size_t i = n; i > 0; i--)
        if (s[i - 1] == c) return s + i - 1;
    return NULL;
}

int wb_nevra_parse(const char *s, size_t n, wb_nevra *out, wb_error *err)
{
    memset(out, 0, sizeof *out);
    if (n == 0 || n > WB_VERSION_MAX) return wb_error_set(err, WB_EINVAL, "empty or too long");
    const char *p = s, *end = s + n;
    /* yum's EPOCH:NAME-... form */
    size_t d = 0;
    while (p + d < end && wbi_isdigit(p[d]))
        d++;
    const char *lead_epoch = NULL;
    size_t lead_len = 0;
    if (d > 0 && p + d < end && p[d] == ':') {
        lead_epoch = p;
        lead_len = d;
        p += d + 1;
    }
    const char *dot = last_of(p, (size_t)(end - p), '.');
    if (dot && wb_rpm_arch_known(dot + 1, (size_t)(end - dot - 1))) {
        out->arch = dot + 1;
        out->arch_len = (size_t)(end - dot - 1);
        end = dot;
    }
    const char *dash_r = last_of(p, (size_t)(end - p), '-');
    if (dash_r == NULL) return wb_error_set(err, WB_EINVAL, "no '-' before a release");
    const char *dash_v = last_of(p, (size_t)(dash_r - p), '-');
    if (dash_v == NULL || dash_v == p)
        return wb_error_set(err, WB_EINVAL, "no name before the version");
    out->name = p;
    out->name_len = (size_t)(dash_v - p);
    out->release = dash_r + 1;
    out->release_len = (size_t)(end - dash_r - 1);
    const char *v = dash_v + 1;
    size_t vn = (size_t)(dash_r - v);
    const char *colon = memchr(v, ':', vn);
    if (colon) {
        if (lead_epoch) return wb_error_set(err, WB_EINVAL, "two epochs");
        out->epoch = v;
        out->epoch_len = (size_t)(colon - v);
        vn -= out->epoch_len + 1;
        v = colon + 1;
        if (out->epoch_len == 0 || !all_of(out->epoch, out->epoch_len, wbi_isdigit))
            return wb_error_set(err, WB_EINVAL, "epoch is not a number");
    } else if (lead_epoch) {
        out->epoch = lead_epoch;
        out->epoch_len = lead_len;
    }
    out->version = v;
    out->version_len = vn;
    if (!all_of(out->name, out->name_len, name_char))
        return wb_error_set(err, WB_EINVAL, "name has a character rpm does not allow");
    if (vn == 0 || !wbi_isdigit(v[0]) || !all_of(v, vn, ver_char))
        return wb_error_set(err, WB_EINVAL,
                            "version is empty, not starting with a digit, or "
                            "has a character rpm does not allow");
    if (out->release_len == 0 || !all_of(out->release, out->release_len, ver_char) ||
        out->release[0] == '.' || out->release[0] == '~' || out->release[0] == '^')
        return wb_error_set(err, WB_EINVAL,
                            "release is empty or has a character rpm does not allow");
    return 0;
}

size_t wb_nevra_evr(const wb_nevra *x, char *out, size_t cap)
{
    int k = x->epoch_len
                ? snprintf(out, cap, "%.*s:%.*s-%.*s", (int)x->epoch_len, x->epoch,
                           (int)x->version_len, x->version, (int)x->release_len, x->release)
                : snprintf(out, cap, "%.*s-%.*s", (int)x->version_len, x->version,
                           (int)x->release_len, x->release);
    return k < 0 || (size_t)k >= cap ? 0 : (size_t)k;
}
