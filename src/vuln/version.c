/*
 * version.c - the table of version schemes and the entry points that look a
 * scheme up, bound the input and name the version in error messages. The
 * small generic schemes (generic, intdot, lexicographic, datetime) live here
 * too; each ecosystem's scheme has its own file (version_deb.c, ...).
 */
#include <stdio.h>
#include <string.h>

#include "vuln/version_internal.h"
#include "weerbaar/core.h"

/* ---- shared helpers ------------------------------------------------------ */

int wbi_numcmp(const char *a, size_t an, const char *b, size_t bn)
{
    while (an > 0 && *a == '0') {
        a++;
        an--;
    }
    while (bn > 0 && *b == '0') {
        b++;
        bn--;
    }
    if (an != bn) return an < bn ? -1 : 1;
    int c = an ? memcmp(a, b, an) : 0;
    return c < 0 ? -1 : c > 0;
}

bool wbi_num_is_zero(const char *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != '0') return false;
    return true;
}

int wbi_bytecmp(const char *a, size_t an, const char *b, size_t bn)
{
    size_t m = an < bn ? an : bn;
    int c = m ? memcmp(a, b, m) : 0;
    if (c) return c < 0 ? -1 : 1;
    return an < bn ? -1 : an > bn;
}

int wbi_bytecasecmp(const char *a, size_t an, const char *b, size_t bn)
{
    size_t m = an < bn ? an : bn;
    for (size_t i = 0; i < m; i++) {
        unsigned char x = (unsigned char)wb_lower(a[i]), y = (unsigned char)wb_lower(b[i]);
        if (x != y) return x < y ? -1 : 1;
    }
    return an < bn ? -1 : an > bn;
}

/* ---- generic: libversion-like ------------------------------------------- */

/* A component's rank decides before its value: pre-release words sort below
 * the padding zero of a shorter version, post-release words above it, and
 * numbers above both ("1.0alpha" < "1.0" = "1.0.0" < "1.0patch1" < "1.0.1"). */
enum { GEN_PRE = 0, GEN_ZERO = 1, GEN_POST = 2, GEN_NONZERO = 3 };

typedef struct gen_comp {
    const char *p;
    size_t n;
    int rank;
    bool num;
} gen_comp;

static bool gen_next(const char **s, const char *end, gen_comp *c)
{
    const char *p = *s;
    while (p < end && !wbi_isalnum(*p))
        p++;
    if (p == end) {
        *s = p;
        return false;
    }
    const char *q = p;
    c->num = wbi_isdigit(*p);
    if (c->num) {
        while (q < end && wbi_isdigit(*q))
            q++;
    } else {
        while (q < end && wbi_isalpha(*q))
            q++;
    }
    c->p = p;
    c->n = (size_t)(q - p);
    if (c->num) {
        c->rank = wbi_num_is_zero(p, c->n) ? GEN_ZERO : GEN_NONZERO;
    } else {
        /* libversion's post-release words, and the service packs, updates,
         * hotfixes and builds of vendors' versions ("V4.8 SP5", "V6.0 Upd4",
         * "5.2.0 build 140805"), which come after the version they name */
        static const char *const post[] = {"post", "patch",  "pl", "errata", "p",     "sp",
                                           "upd",  "update", "hf", "hotfix", "build", NULL};
        c->rank = GEN_PRE;
        for (int i = 0; post[i]; i++)
            if (wb_strn_ieq(p, c->n, post[i])) c->rank = GEN_POST;
    }
    *s = q;
    return true;
}

int wbi_generic_check(const char *v, size_t n, wb_error *err)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 0x7f)
            return wb_error_set(err, WB_EINVAL, "whitespace or a non-printable byte at offset %zu",
                                i);
    if (n == 0) return wb_error_set(err, WB_EINVAL, "empty version");
    return 0;
}

/* "V4.8" is 4.8: vendors write the V, asset lists often do not. */
static void gen_skip_v(const char **s, size_t *n)
{
    if (*n >= 2 && ((*s)[0] == 'v' || (*s)[0] == 'V') && wbi_isdigit((*s)[1])) (*s)++, (*n)--;
}

int wbi_generic_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    gen_skip_v(&a, &an);
    gen_skip_v(&b, &bn);
    const char *ea = a + an, *eb = b + bn;
    for (;;) {
        gen_comp x, y;
        bool hx = gen_next(&a, ea, &x), hy = gen_next(&b, eb, &y);
        if (!hx && !hy) return 0;
        if (!hx) x = (gen_comp){"0", 1, GEN_ZERO, true};
        if (!hy) y = (gen_comp){"0", 1, GEN_ZERO, true};
        if (x.rank != y.rank) return x.rank < y.rank ? -1 : 1;
        int c;
        if (x.num && y.num)
            c = wbi_numcmp(x.p, x.n, y.p, y.n);
        else
            c = wbi_bytecasecmp(x.p, x.n, y.p, y.n);
        if (c) return c;
    }
}

/* ---- intdot: integers separated by dots ---------------------------------- */

/* The vers definition stops reading at the first byte that is neither a digit
 * nor a dot, so "1.2rc1" compares as 1.2; missing components count as 0. */
int wbi_intdot_check(const char *v, size_t n, wb_error *err)
{
    if (n == 0 || !wbi_isdigit(v[0]))
        return wb_error_set(err, WB_EINVAL, "an intdot version starts with a digit");
    return wbi_generic_check(v, n, err);
}

static size_t intdot_len(const char *v, size_t n)
{
    size_t i = 0;
    while (i < n && (wbi_isdigit(v[i]) || v[i] == '.'))
        i++;
    return i;
}

int wbi_intdot_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    an = intdot_len(a, an);
    bn = intdot_len(b, bn);
    size_t i = 0, j = 0;
    while (i < an || j < bn) {
        size_t si = i, sj = j;
        while (i < an && a[i] != '.')
            i++;
        while (j < bn && b[j] != '.')
            j++;
        int c = wbi_numcmp(a + si, i - si, b + sj, j - sj);
        if (c) return c;
        if (i < an) i++;
        if (j < bn) j++;
    }
    return 0;
}

/* ---- lexicographic: unsigned bytes --------------------------------------- */

int wbi_lexicographic_check(const char *v, size_t n, wb_error *err)
{
    if (n == 0) return wb_error_set(err, WB_EINVAL, "empty version");
    return 0;
}

int wbi_lexicographic_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    return wbi_bytecmp(a, an, b, bn);
}

/* ---- datetime: RFC 3339 section 5.6 timestamps --------------------------- */

/* Checks the strict RFC 3339 date-time shape (upper-case T and Z, as vers
 * requires) and returns where the fraction digits are. */
static bool dt_shape(const char *v, size_t n, size_t *frac, size_t *fracn)
{
    static const char pat[] = "dddd-dd-ddTdd:dd:dd";
    size_t i = 0;
    if (n < sizeof pat - 1) return false;
    for (; i < sizeof pat - 1; i++) {
        if (pat[i] == 'd' ? !wbi_isdigit(v[i]) : v[i] != pat[i]) return false;
    }
    *frac = i;
    *fracn = 0;
    if (i < n && v[i] == '.') {
        i++;
        *frac = i;
        while (i < n && wbi_isdigit(v[i]))
            i++;
        *fracn = i - *frac;
        if (*fracn == 0) return false;
    }
    if (i < n && v[i] == 'Z') return i + 1 == n;
    if (i + 6 == n && (v[i] == '+' || v[i] == '-') && wbi_isdigit(v[i + 1]) &&
        wbi_isdigit(v[i + 2]) && v[i + 3] == ':' && wbi_isdigit(v[i + 4]) && wbi_isdigit(v[i + 5]))
        return true;
    return false;
}

int wbi_datetime_check(const char *v, size_t n, wb_error *err)
{
    size_t f, fn;
    wb_time t;
    if (!dt_shape(v, n, &f, &fn) || wb_time_parse(v, n, &t) != 0)
        return wb_error_set(err, WB_EINVAL,
                            "not an RFC 3339 date-time such as 2024-01-01T00:00:00Z");
    return 0;
}

int wbi_datetime_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    wb_time ta = 0, tb = 0;
    size_t fa = 0, fan = 0, fb = 0, fbn = 0;
    (void)wb_time_parse(a, an, &ta);
    (void)wb_time_parse(b, bn, &tb);
    if (ta != tb) return ta < tb ? -1 : 1;
    /* Equal to the microsecond: finer digits decide (offsets are whole
     * minutes, so the fractions line up whatever the zone). */
    (void)dt_shape(a, an, &fa, &fan);
    (void)dt_shape(b, bn, &fb, &fbn);
    size_t m = fan > fbn ? fan : fbn;
    for (size_t i = 0; i < m; i++) {
        char x = i < fan ? a[fa + i] : '0', y = i < fbn ? b[fb + i] : '0';
        if (x != y) return x < y ? -1 : 1;
    }
    return 0;
}

/* ---- the table ----------------------------------------------------------- */

static const wb_version_scheme scheme_deb = {
    "deb", "Debian/Ubuntu (dpkg): [epoch:]upstream[-revision], '~' sorts first", wbi_deb_check,
    wbi_deb_cmp};
static const wb_version_scheme scheme_rpm = {
    "rpm", "RPM (rpmvercmp): [epoch:]version[-release], '~' and '^'", wbi_rpm_check, wbi_rpm_cmp};
static const wb_version_scheme scheme_alpm = {
    "alpm", "Arch Linux (pacman vercmp): [epoch:]version[-pkgrel]", wbi_alpm_check, wbi_alpm_cmp};
static const wb_version_scheme scheme_pypi = {
    "pypi", "Python (PEP 440): epoch, release, a/b/rc, post, dev, +local", wbi_pypi_check,
    wbi_pypi_cmp};
static const wb_version_scheme scheme_maven = {
    "maven", "Maven (ComparableVersion): items, qualifiers alpha < ... < sp", wbi_maven_check,
    wbi_maven_cmp};
static const wb_version_scheme scheme_npm = {
    "npm", "npm (node-semver): SemVer 2.0, leading 'v' or '=' allowed", wbi_npm_check, wbi_npm_cmp};
static const wb_version_scheme scheme_semver = {
    "semver", "Semantic Versioning 2.0.0 precedence, build metadata ignored", wbi_semver_check,
    wbi_semver_cmp};
static const wb_version_scheme scheme_nuget = {
    "nuget", "NuGet: 1-4 numeric parts, case-insensitive pre-release labels", wbi_nuget_check,
    wbi_nuget_cmp};
static const wb_version_scheme scheme_gem = {
    "gem", "RubyGems (Gem::Version): segments, letters mark a pre-release", wbi_gem_check,
    wbi_gem_cmp};
static const wb_version_scheme scheme_alpine = {
    "alpine", "Alpine (apk-tools): letter, _alpha.._rc, _cvs.._p suffixes, -rN", wbi_apk_check,
    wbi_apk_cmp};
static const wb_version_scheme scheme_generic = {
    "generic", "alpha/numeric runs, pre-release words before, post words after", wbi_generic_check,
    wbi_generic_cmp};
static const wb_version_scheme scheme_intdot = {
    "intdot", "integers separated by dots; reading stops at any other byte", wbi_intdot_check,
    wbi_intdot_cmp};
static const wb_version_scheme scheme_lexicographic = {
    "lexicographic", "unsigned byte order, no normalisation", wbi_lexicographic_check,
    wbi_lexicographic_cmp};
static const wb_version_scheme scheme_datetime = {
    "datetime", "RFC 3339 timestamps compared as instants", wbi_datetime_check, wbi_datetime_cmp};

const wb_version_scheme *const wb_version_schemes[] = {
    &scheme_deb,     &scheme_rpm,    &scheme_alpm,          &scheme_pypi,     &scheme_maven,
    &scheme_npm,     &scheme_semver, &scheme_nuget,         &scheme_gem,      &scheme_alpine,
    &scheme_generic, &scheme_intdot, &scheme_lexicographic, &scheme_datetime, NULL};

static const struct {
    const char *alias;
    const wb_version_scheme *scheme;
} aliases[] = {
    {"apk", &scheme_alpine},   {"debian", &scheme_deb},  {"rubygems", &scheme_gem},
    {"pep440", &scheme_pypi},  {"python", &scheme_pypi}, {"golang", &scheme_semver},
    {"cargo", &scheme_semver}, {"ubuntu", &scheme_deb},
};

const wb_version_scheme *wb_version_scheme_find(const char *name)
{
    if (!name) return NULL;
    size_t n = strlen(name);
    for (size_t i = 0; wb_version_schemes[i]; i++)
        if (wb_strn_ieq(name, n, wb_version_schemes[i]->name)) return wb_version_schemes[i];
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (wb_strn_ieq(name, n, aliases[i].alias)) return aliases[i].scheme;
    return NULL;
}

/* Writes at most 64 bytes of v into out, for messages, escaping what a
 * terminal should not see. */
static const char *shown(const char *v, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < cap; i++) {
        unsigned char c = (unsigned char)v[i];
        if (i == 64) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    return out;
}

int wb_version_scheme_check(const wb_version_scheme *s, const char *v, size_t n, wb_error *err)
{
    char buf[96];
    if (n > WB_VERSION_MAX)
        return wb_error_set(err, WB_EINVAL, "%s version '%s': longer than %d bytes", s->name,
                            shown(v, n, buf, sizeof buf), WB_VERSION_MAX);
    if (memchr(v, '\0', n))
        return wb_error_set(err, WB_EINVAL, "%s version '%s': contains a NUL byte", s->name,
                            shown(v, n, buf, sizeof buf));
    wb_error e = {0};
    if (s->check(v, n, &e) != 0)
        return wb_error_set(err, WB_EINVAL, "%s version '%s': %s", s->name,
                            shown(v, n, buf, sizeof buf), e.msg);
    return 0;
}

int wb_version_scheme_cmp(const wb_version_scheme *s, const char *a, size_t an, const char *b,
                          size_t bn, int *result, wb_error *err)
{
    int rc = wb_version_scheme_check(s, a, an, err);
    if (rc == 0) rc = wb_version_scheme_check(s, b, bn, err);
    if (rc != 0) return rc;
    int c = s->cmp(a, an, b, bn);
    *result = c < 0 ? -1 : c > 0;
    return 0;
}

static const wb_version_scheme *find_or_fail(const char *scheme, wb_error *err)
{
    const wb_version_scheme *s = wb_version_scheme_find(scheme);
    if (!s) {
        wb_buf names = {0};
        for (size_t i = 0; wb_version_schemes[i]; i++)
            (void)wb_buf_printf(&names, "%s%s", i ? ", " : "", wb_version_schemes[i]->name);
        wb_error_set(err, WB_EINVAL, "unknown version scheme '%s' (known: %s)",
                     scheme ? scheme : "(null)", names.data ? names.data : "");
        wb_buf_free(&names);
    }
    return s;
}

int wb_version_cmp(const char *scheme, const char *a, const char *b, int *result, wb_error *err)
{
    const wb_version_scheme *s = find_or_fail(scheme, err);
    if (!s) return WB_EINVAL;
    return wb_version_scheme_cmp(s, a, strlen(a), b, strlen(b), result, err);
}

int wb_version_valid(const char *scheme, const char *v, wb_error *err)
{
    const wb_version_scheme *s = find_or_fail(scheme, err);
    if (!s) return WB_EINVAL;
    return wb_version_scheme_check(s, v, strlen(v), err);
}
