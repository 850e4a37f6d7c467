/*
 * match.c - matching an inventory against the vulnerability database:
 * components in, findings out (one per asset, component and vulnerability).
 *
 * For each component the scanner looks up the affected entries that name
 * the same package: by purl type/namespace/name, by the Debian source
 * package of a dpkg component, by CPE vendor:product, and - only when the
 * component has neither purl nor CPE - by the lower-cased vendor and product
 * names of CSAF product trees. The entries of one advisory are then judged
 * together: one that says "affected" for the installed version makes a
 * finding unless another of the same advisory says "not affected" or
 * "fixed" for it. For deb, rpm and alpine the "fixed" entries of
 * distribution advisories also mean "every older version on this platform
 * is affected", which is how the distributions' own scanners read them.
 *
 * wb_vulnscan_finish() then orders the findings by priority (KEV, internet
 * facing, score, EPSS) and numbers them. Deadlines, KEV, EPSS and VEX are
 * settled per finding as it is made, since none depends on the others.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/db_internal.h"
#include "vuln/vulndata.h"
#include "weerbaar/cpe.h"
#include "weerbaar/purl.h"
#include "weerbaar/vers.h"
#include "weerbaar/version.h"

/* Most fixed versions kept per finding (the report needs a few, not all). */
#define MAX_FIXED 16

enum { M_PURL, M_SOURCE, M_CPE, M_NAME, M_PKG };
static const char *const method_names[] = {"purl", "source-package", "cpe", "csaf-product",
                                           "package-name"};

/* One affected entry a component's identity led to. */
typedef struct cand {
    uint32_t aff;
    uint32_t adv;
    int method;
} cand;

/* The component being matched, with what its identity parses into. */
typedef struct comp {
    const wb_component *c;
    const char *version;     /* c->version, else the purl's version (as compared) */
    const char *shown;       /* the version as the inventory writes it, for the report */
    const char *src_version; /* dpkg source version, else version */
    const char *distro;      /* purl distro qualifier, or NULL */
    const char *purl_type;   /* for the default version scheme */
    /* rpm, deb and apk purls, for package-name matches: namespace, name and
     * the arch and rpmmod qualifiers (NULL when absent) */
    const char *ns, *pname, *arch, *rpmmod;
    bool has_cpe;
    wb_cpe cpe;
} comp;

typedef struct meta {
    uint32_t vuln;
    size_t nfixed_cap;
} meta;

struct wb_vulnscan {
    const wbi_view *v, *x; /* the advisories' database and the scan-time extras (or NULL) */
    wb_policy policy;
    wb_time now;
    bool linear;
    wb_component_sink sink;
    wb_arena arena;
    wb_finding *f;
    meta *m;
    size_t n, cap;
    cand *cands;
    size_t ncand, candcap;
    /* Parsed "vers:" ranges of affected entries, by entry (lazily; NULL =
     * not parsed yet, &bad_range = does not parse). Popular packages are in
     * many components: parsing each range once halves the scan. */
    wb_vers **vcache;
    wb_buf key[7], distro, pver, tmp, gver[2];
    wb_scan_summary sum;
    int fail;
    bool finished;
};

/* ---- versions ------------------------------------------------------------------- */

/* The version scheme of a purl type ("generic" for NULL and the rest). */
static const char *scheme_of_type(const char *purl_type)
{
    static const char *const map[][2] = {
        {"deb", "deb"},      {"rpm", "rpm"},       {"apk", "alpine"},     {"pypi", "pypi"},
        {"npm", "npm"},      {"maven", "maven"},   {"gem", "gem"},        {"nuget", "nuget"},
        {"cargo", "semver"}, {"golang", "semver"}, {"composer", "semver"}};
    for (size_t i = 0; purl_type && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(purl_type, map[i][0]) == 0) return map[i][1];
    return "generic";
}

static const char *scheme_for(const wbi_view *v, const wbi_aff *a, const comp *c, int method)
{
    const char *s = wbi_vuln_str(v, a->scheme);
    /* A product named without purl says nothing of its scheme (CSAF's
     * default is generic): the component's package type does. */
    if (method == M_PKG && (s == NULL || strcmp(s, "generic") == 0))
        return scheme_of_type(c->purl_type);
    if (s) return s;
    if (method == M_PURL || method == M_SOURCE) return scheme_of_type(c->purl_type);
    return "generic";
}

static bool is_distro_scheme(const char *s)
{
    return strcmp(s, "deb") == 0 || strcmp(s, "rpm") == 0 || strcmp(s, "alpine") == 0 ||
           strcmp(s, "apk") == 0 || strcmp(s, "debian") == 0;
}

static bool ieq(const char *a, const char *b)
{
    return wb_strn_ieq(a, strlen(a), b);
}

/* Compares installed and listed under scheme: 0 with *cmp set, or -1 when
 * either is not a valid version of it. */
static int vcmp(const char *scheme, const char *a, const char *b, int *cmp)
{
    wb_error err;
    return wb_version_cmp(scheme, a, b, cmp, &err) == 0 ? 0 : -1;
}

/* Equal versions: by the scheme when both are valid in it, else as names
 * (CSAF product versions are names such as "V3.0 SP1"). */
static bool version_eq(const char *scheme, const char *a, const char *b)
{
    int c;
    if (vcmp(scheme, a, b, &c) == 0) return c == 0;
    return ieq(a, b);
}

/* Whether a CSAF platform's full name ("Red Hat Enterprise Linux BaseOS
 * (v. 9)", "Debian GNU/Linux 12") is the distribution release a component's
 * distro qualifier names ("rhel-9", "debian-12", "ubuntu-22.04"). CSAF
 * relationships give no machine-readable release, so this reads the name:
 * the distribution's name, and its release as a whole token (or the
 * release's major number: rhel-9.2 is on "... (v. 9)"). */
static bool icontains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (strnlen(p, n) == n && wb_strn_ieq(p, n, needle)) return true;
    return false;
}

static bool platform_is(const char *platform, const char *distro)
{
    static const char *const names[][3] = {
        {"rhel", "red hat enterprise linux", "rhel"},
        {"redhat", "red hat enterprise linux", "rhel"},
        {"sles", "suse linux enterprise", "sles"},
        {"opensuse", "opensuse", NULL},
        {"amzn", "amazon linux", NULL},
        {"ol", "oracle linux", NULL},
        {"rocky", "rocky linux", NULL},
        {"almalinux", "almalinux", NULL},
    };
    const char *dash = strrchr(distro, '-');
    size_t idn = dash ? (size_t)(dash - distro) : strlen(distro);
    const char *rel = dash ? dash + 1 : "";
    bool named = false, known = false;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !known; i++) {
        if (!wb_strn_ieq(distro, idn, names[i][0])) continue;
        known = true;
        for (int k = 1; k < 3 && !named; k++)
            named = names[i][k] && icontains(platform, names[i][k]);
    }
    if (!known) {
        /* debian, ubuntu, alpine, fedora, centos, ...: the id is the name */
        char id[64];
        snprintf(id, sizeof id, "%.*s", (int)(idn < 63 ? idn : 63), distro);
        named = idn > 0 && icontains(platform, id);
    }
    if (!named) return false;
    if (*rel == '\0') return true;
    /* The release as a token: "12" is in "Debian 12" but not in "Debian
     * 120"; a distro release "9.2" is on a platform named "9" (the major
     * alone, not "9.4"). */
    size_t rn = strlen(rel), major = strcspn(rel, ".");
    for (const char *p = platform; *p; p++) {
        if (p > platform && ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == '.')) continue;
        if (strncmp(p, rel, rn) == 0 && !(p[rn] >= '0' && p[rn] <= '9')) return true;
        if (major < rn && strncmp(p, rel, major) == 0 && !(p[major] >= '0' && p[major] <= '9') &&
            !(p[major] == '.' && p[major + 1] >= '0' && p[major + 1] <= '9'))
            return true;
    }
    return false;
}

typedef enum { V_OUT, V_IN, V_INCOMPARABLE } vres;

/* The marker of a cached range that does not parse. */
static char bad_range;

static vres in_range(wb_vulnscan *s, const char *range, const char *scheme, const char *ver)
{
    wb_vers *vr = NULL;
    wb_error err;
    int rc = strncmp(range, "vers:", 5) == 0
                 ? wb_vers_parse(range, strlen(range), 0, &vr, &err)
                 : wb_vers_parse_for(scheme, range, strlen(range), &vr, &err);
    if (rc != 0) {
        if (rc == WB_ENOMEM) s->fail = WB_ENOMEM;
        return V_INCOMPARABLE;
    }
    bool in = false;
    rc = wb_vers_contains(vr, ver, &in, &err);
    wb_vers_free(vr);
    if (rc != 0) return V_INCOMPARABLE;
    return in ? V_IN : V_OUT;
}

/* Unquotes a CPE WFN value into out; false when it holds a wildcard. */
static bool cpe_plain_value(const char *p, size_t n, wb_buf *out)
{
    wb_buf_reset(out);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\' && i + 1 < n) {
            wb_buf_putc(out, p[++i]);
            continue;
        }
        if (p[i] == '*' || p[i] == '?') return false;
        wb_buf_putc(out, p[i]);
    }
    return out->data != NULL;
}

/* Whether the entry covers the installed version. */
/* A vendor's version with spaces, under the generic scheme, as freerange.c
 * writes the advisories' side: "V4.8 SP3" -> "4.8.SP3", so that an asset
 * list's version compares with "All versions < V4.8 SP5". Others are kept
 * (the generic scheme itself reads "V4.8" as 4.8). */
static const char *generic_form(wb_vulnscan *s, const char *ver, int slot)
{
    if (ver == NULL) return NULL;
    bool plain = true;
    for (const char *p = ver; *p && plain; p++)
        plain = (unsigned char)*p > ' ' && (unsigned char)*p < 0x7f;
    if (plain) return ver;
    wb_buf_reset(&s->gver[slot]);
    int rc = wbi_free_version(ver, strlen(ver), &s->gver[slot]);
    if (rc == -2) s->fail = WB_ENOMEM;
    return rc == 0 ? s->gver[slot].data : ver;
}

static vres version_in(wb_vulnscan *s, const wbi_aff *a, const comp *c, int method, const char *ver,
                       const char *aver)
{
    const wbi_view *v = s->v;
    const char *scheme = scheme_for(v, a, c, method);
    if (strcmp(scheme, "generic") == 0) {
        ver = generic_form(s, ver, 0);
        aver = generic_form(s, aver, 1);
    }
    if (a->range) {
        if (ver == NULL) return V_INCOMPARABLE;
        const char *range = wbi_vuln_str(v, a->range);
        /* A "vers:" range names its own scheme, so its parse does not depend
         * on the component and can be kept. */
        if (strncmp(range, "vers:", 5) != 0 || v->naff == 0) return in_range(s, range, scheme, ver);
        if (s->vcache == NULL) {
            s->vcache = calloc(v->naff, sizeof *s->vcache);
            if (s->vcache == NULL) {
                s->fail = WB_ENOMEM;
                return V_INCOMPARABLE;
            }
        }
        wb_vers **slot = &s->vcache[a - v->aff];
        wb_error err;
        if (*slot == NULL) {
            int rc = wb_vers_parse(range, strlen(range), 0, slot, &err);
            if (rc == WB_ENOMEM) {
                s->fail = WB_ENOMEM;
                return V_INCOMPARABLE;
            }
            if (rc != 0) *slot = (wb_vers *)(void *)&bad_range;
        }
        if (*slot == (wb_vers *)(void *)&bad_range) return V_INCOMPARABLE;
        bool in = false;
        if (wb_vers_contains(*slot, ver, &in, &err) != 0) return V_INCOMPARABLE;
        return in ? V_IN : V_OUT;
    }
    if (aver) {
        if (ver == NULL) return V_INCOMPARABLE;
        return version_eq(scheme, ver, aver) ? V_IN : V_OUT;
    }
    if (method == M_CPE && a->cpe) {
        /* NVD: a cpeMatch without bounds names its version in the CPE. */
        wb_cpe e;
        wb_error err;
        const char *ac = wbi_vuln_str(v, a->cpe);
        if (wb_cpe_parse(ac, strlen(ac), &e, &err) != 0) return V_INCOMPARABLE;
        if (e.kind[WB_CPE_VERSION] == WB_CPE_ANY) return V_IN;
        if (e.kind[WB_CPE_VERSION] == WB_CPE_NA) return V_OUT;
        size_t n;
        const char *val = wb_cpe_value(&e, WB_CPE_VERSION, &n);
        if (cpe_plain_value(val, n, &s->tmp)) {
            if (ver == NULL) return V_INCOMPARABLE;
            return version_eq(scheme, ver, s->tmp.data) ? V_IN : V_OUT;
        }
        /* A wildcard version: NISTIR 7696 on the whole names decides. */
        if (!c->has_cpe) return V_INCOMPARABLE;
        wb_cpe_relation r;
        if (wb_cpe_compare(&e, &c->cpe, &r, &err) != 0) return V_INCOMPARABLE;
        return r == WB_CPE_SUPERSET || r == WB_CPE_EQUAL ? V_IN : V_OUT;
    }
    return V_IN; /* no version given: every version */
}

/* For CPE matches: the entry's CPE must be a superset of or equal to the
 * component's with the version left out of the comparison (the version is
 * judged by version_in, which knows ranges). */
static bool cpe_identity(const wbi_view *v, const wbi_aff *a, const comp *c)
{
    if (!c->has_cpe || !a->cpe) return false;
    wb_cpe e, t = c->cpe;
    wb_error err;
    const char *ac = wbi_vuln_str(v, a->cpe);
    if (wb_cpe_parse(ac, strlen(ac), &e, &err) != 0) return false;
    e.kind[WB_CPE_VERSION] = WB_CPE_ANY;
    t.kind[WB_CPE_VERSION] = WB_CPE_ANY;
    e.len[WB_CPE_VERSION] = t.len[WB_CPE_VERSION] = 0;
    wb_cpe_relation r;
    if (wb_cpe_compare(&e, &t, &r, &err) != 0) return false;
    return r == WB_CPE_SUPERSET || r == WB_CPE_EQUAL;
}

/* ---- candidates ---------------------------------------------------------------- */

static int add_cand(wb_vulnscan *s, uint32_t aff, int method)
{
    if (s->ncand == s->candcap) {
        size_t nc = s->candcap ? s->candcap * 2 : 64;
        cand *p = realloc(s->cands, nc * sizeof *p);
        if (p == NULL) return WB_ENOMEM;
        s->cands = p;
        s->candcap = nc;
    }
    s->cands[s->ncand++] = (cand){aff, s->v->aff[aff].adv, method};
    return 0;
}

static size_t key_field(const wbi_aff *a, int which)
{
    return which == 0   ? a->purl_key
           : which == 1 ? a->cpe_key
           : which == 2 ? a->name_key
                        : a->pkg_key;
}

/* Entries whose key (which: 0 purl, 1 cpe, 2 name, 3 package name) equals key. */
static int lookup(wb_vulnscan *s, int which, const char *key, int method)
{
    const wbi_view *v = s->v;
    if (s->linear) {
        /* The baseline: every entry of every advisory compared. */
        for (size_t i = 0; i < v->naff; i++) {
            uint32_t k = (uint32_t)key_field(&v->aff[i], which);
            if (k && strcmp(v->str + k, key) == 0 && add_cand(s, (uint32_t)i, method) != 0)
                return WB_ENOMEM;
        }
        return 0;
    }
    const wbi_vuln_key *idx = which == 0   ? v->ipurl
                              : which == 1 ? v->icpe
                              : which == 2 ? v->iname
                                           : v->ipkg;
    size_t n = which == 0 ? v->nipurl : which == 1 ? v->nicpe : which == 2 ? v->niname : v->nipkg;
    uint64_t h = wb_hash64(key, strlen(key), WBI_HASH_SEED);
    for (size_t i = wbi_vuln_key_find(idx, n, h); i < n && idx[i].hash == h; i++)
        if (strcmp(v->str + idx[i].key, key) == 0 && add_cand(s, idx[i].aff, method) != 0)
            return WB_ENOMEM;
    return 0;
}

static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->adv != y->adv) return x->adv < y->adv ? -1 : 1;
    return x->aff < y->aff ? -1 : x->aff > y->aff;
}

/* ---- KEV, EPSS, VEX ------------------------------------------------------------- */

static const wbi_kev *kev_find(const wbi_view *v, const char *id)
{
    if (v == NULL || v->nkev == 0) return NULL;
    uint64_t h = wb_hash64(id, strlen(id), WBI_HASH_SEED);
    const wbi_kev *hit = NULL;
    /* kev is sorted by hash; equal hashes keep load order, the last wins. */
    size_t lo = 0, hi = v->nkev;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->kev[mid].hash < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < v->nkev && v->kev[i].hash == h; i++)
        if (strcmp(v->str + v->kev[i].cve, id) == 0) hit = &v->kev[i];
    return hit;
}

static const wbi_epss *epss_find(const wbi_view *v, const char *id)
{
    if (v == NULL || v->nepss == 0) return NULL;
    uint64_t h = wb_hash64(id, strlen(id), WBI_HASH_SEED);
    const wbi_epss *hit = NULL;
    size_t lo = 0, hi = v->nepss;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->epss[mid].hash < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < v->nepss && v->epss[i].hash == h; i++)
        if (strcmp(v->str + v->epss[i].cve, id) == 0) hit = &v->epss[i];
    return hit;
}

/* Whether a VEX statement names this component (and installed version). */
static bool vex_product(wb_vulnscan *s, const wbi_view *v, const wbi_vex *r, const comp *c,
                        const char *purl_key)
{
    const char *ver = c->version;
    const char *scheme = scheme_of_type(c->purl_type);
    if (r->version && (ver == NULL || !version_eq(scheme, ver, wbi_vuln_str(v, r->version))))
        return false;
    /* A statement about a range of versions covers only those: a
     * not_affected range must not suppress the versions outside it. */
    if (r->range && (ver == NULL || in_range(s, wbi_vuln_str(v, r->range), scheme, ver) != V_IN))
        return false;
    if (r->purl_key) {
        if (purl_key == NULL || strcmp(purl_key, wbi_vuln_str(v, r->purl_key)) != 0) return false;
        return !r->purl_version ||
               (ver && version_eq(scheme, ver, wbi_vuln_str(v, r->purl_version)));
    }
    if (r->cpe) {
        wb_cpe e;
        wb_error err;
        const char *vc = wbi_vuln_str(v, r->cpe);
        if (!c->has_cpe || wb_cpe_parse(vc, strlen(vc), &e, &err) != 0) return false;
        wb_cpe_relation rel;
        if (wb_cpe_compare(&e, &c->cpe, &rel, &err) != 0) return false;
        return rel == WB_CPE_SUPERSET || rel == WB_CPE_EQUAL;
    }
    if (r->product) {
        const char *p = wbi_vuln_str(v, r->product);
        const char *cp = c->c->product ? c->c->product : c->c->name;
        /* A vendor in the statement must be the component's when it has one. */
        if (r->vendor && c->c->vendor && !ieq(c->c->vendor, wbi_vuln_str(v, r->vendor)))
            return false;
        return (cp && ieq(cp, p)) || (c->c->name && ieq(c->c->name, p));
    }
    return false;
}

static const wbi_vex *vex_find(wb_vulnscan *s, const wbi_view *v, const char *id, const comp *c,
                               const char *purl_key)
{
    if (v == NULL || v->nvex == 0) return NULL;
    uint64_t h = wb_hash64(id, strlen(id), WBI_HASH_SEED);
    size_t lo = 0, hi = v->nvex;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->vex[mid].hash < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < v->nvex && v->vex[i].hash == h; i++) {
        const wbi_vex *r = &v->vex[i];
        if (strcmp(v->str + r->vuln, id) != 0) continue;
        if (r->status != WB_VEX_NOT_AFFECTED && r->status != WB_VEX_FIXED) continue;
        if (vex_product(s, v, r, c, purl_key)) return r;
    }
    return NULL;
}

/* ---- package names ---------------------------------------------------------------- */

static char *dup(wb_vulnscan *s, const char *p)
{
    if (p == NULL) return NULL;
    char *d = wb_arena_strdup(&s->arena, p);
    if (d == NULL) s->fail = WB_ENOMEM;
    return d;
}

/* Lower-case letters and digits of s, at most cap - 1 of them. */
static void alnum_lower(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; *s && n + 1 < cap; s++)
        if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))
            out[n++] = *s;
        else if (*s >= 'A' && *s <= 'Z')
            out[n++] = (char)(*s - 'A' + 'a');
    out[n] = '\0';
}

/* Whether a CSAF vendor name ("Red Hat", "SUSE LLC", "The Debian Project")
 * is the distribution a purl namespace names ("redhat", "suse", "debian"):
 * the namespace's letters and digits appear in the vendor's. Ubuntu's
 * packages come from Canonical. A shorter namespace than three characters
 * says too little to compare. */
static bool vendor_is(const char *vendor, const char *ns)
{
    char vv[128], nn[64];
    alnum_lower(vendor, vv, sizeof vv);
    alnum_lower(ns, nn, sizeof nn);
    if (strlen(nn) < 3) return false;
    if (strstr(vv, nn)) return true;
    return strcmp(nn, "ubuntu") == 0 && strstr(vv, "canonical") != NULL;
}

static bool is_src_arch(const char *a, size_t n)
{
    return (n == 3 && memcmp(a, "src", 3) == 0) || (n == 5 && memcmp(a, "nosrc", 5) == 0);
}

/* Whether an entry's build architecture applies to the installed one. The
 * same name and version can differ per architecture (i686 and x86_64 builds
 * installed side by side); source packages are never installed, so a .src
 * entry speaks only of source components; noarch builds install anywhere.
 * Unknown on either side: no objection. */
static bool arch_fits(const char *ea, size_t en, const char *ca)
{
    if (en == 0 || ca == NULL || *ca == '\0') return true;
    size_t cn = strlen(ca);
    if (is_src_arch(ea, en) || is_src_arch(ca, cn))
        return is_src_arch(ea, en) && is_src_arch(ca, cn);
    if ((en == 6 && memcmp(ea, "noarch", 6) == 0) || strcmp(ca, "noarch") == 0) return true;
    return en == cn && memcmp(ea, ca, en) == 0;
}

/* A build of a RHEL 8+ / Fedora module stream: its release carries
 * ".module+el8.7.0+..." or ".module_f28+...". */
static bool is_module_build(const char *v, size_t n)
{
    for (size_t i = 0; i + 8 <= n; i++)
        if (memcmp(v + i, ".module", 7) == 0 && (v[i + 7] == '+' || v[i + 7] == '_')) return true;
    return false;
}

/* "name:stream" of a module given as NAME:STREAM[:VERSION:CONTEXT...] at the
 * start of s (a purl's rpmmod qualifier, or the full name "httpd:2.4:
 * 8070020230131172653:bd1311ed as a component of ..." of the module a
 * package belongs to); for a full name, the token must have the four parts
 * of a module NSVC. Length 0 when s names none. */
static size_t module_stream(const char *s, bool need_nsvc)
{
    size_t tok = strcspn(s, " \t"), colons = 0, second = 0;
    for (size_t i = 0; i < tok; i++)
        if (s[i] == ':' && ++colons == 2) second = i;
    if (colons < 1 || (need_nsvc && colons < 3)) return 0;
    return colons >= 2 ? second : tok;
}

/* Whether an rpm build an entry names (arch, release, and the module stream
 * it belongs to: stream[0..sn), sn 0 when unknown) is one the component can
 * be: see arch_fits; a module's build and the distribution's own build of a
 * package are different lines of versions, and so are two streams of one
 * module. */
static bool rpm_build_fits(const comp *c, const char *arch, size_t an, const char *rel, size_t rn,
                           const char *stream, size_t sn)
{
    if (!arch_fits(arch, an, c->arch)) return false;
    if (rel == NULL) return true;
    bool emod = is_module_build(rel, rn);
    if (c->version == NULL || emod != is_module_build(c->version, strlen(c->version))) return false;
    size_t cn = emod && c->rpmmod ? module_stream(c->rpmmod, false) : 0;
    return !(emod && sn && cn && (sn != cn || memcmp(stream, c->rpmmod, sn) != 0));
}

/* The same for an entry with an rpm purl (Red Hat's newer CSAF:
 * pkg:rpm/redhat/nodejs?arch=x86_64&rpmmod=nodejs:18:...). */
static bool rpm_purl_fits(wb_vulnscan *s, const wbi_aff *a, const comp *c)
{
    const wbi_view *v = s->v;
    const char *purl = wbi_vuln_str(v, a->purl);
    if (purl == NULL || strncmp(purl, "pkg:rpm/", 8) != 0 || strchr(purl, '?') == NULL) {
        const char *ver = wbi_vuln_str(v, a->version);
        return rpm_build_fits(c, NULL, 0, ver, ver ? strlen(ver) : 0, NULL, 0);
    }
    wb_purl *p = NULL;
    wb_error err;
    int rc = wb_purl_parse(purl, strlen(purl), 0, &p, &err);
    if (rc != 0) {
        if (rc == WB_ENOMEM) s->fail = rc;
        return false;
    }
    const char *arch = wb_purl_qualifier_get(p, "arch"), *mod = wb_purl_qualifier_get(p, "rpmmod");
    const char *ver = wbi_vuln_str(v, a->version);
    bool ok = rpm_build_fits(c, arch, arch ? strlen(arch) : 0, ver, ver ? strlen(ver) : 0, mod,
                             mod ? module_stream(mod, false) : 0);
    wb_purl_free(p);
    return ok;
}

/* For a package-name candidate: whether the entry applies to the component
 * beyond the name (vendor, architecture, module stream), and the entry's
 * version to compare (*aver): for an rpm NEVRA its [epoch:]version-release,
 * copied into the scan's arena because fixed versions are kept. An
 * installed version without any epoch takes the entry's (*ver): SBOM tools
 * often leave the epoch out, and an epoch-less 0.17-70 compared as epoch 0
 * would be older than every fix "1:0.17-65" (grype reads it the same way). */
static bool pkg_fits(wb_vulnscan *s, const wbi_aff *a, const comp *c, const char **aver,
                     const char **ver)
{
    const wbi_view *v = s->v;
    const char *key = wbi_vuln_str(v, a->pkg_key), *vendor = wbi_vuln_str(v, a->vendor);
    /* The index led here; a damaged file may not have the key on the entry. */
    if (key == NULL) return false;
    if (strncmp(key, "rpm\x1f", 4) != 0) {
        /* product names: only where the vendor is the component's
         * distribution, or the names of any vendor's product would match */
        return vendor && c->ns && vendor_is(vendor, c->ns);
    }
    if (vendor && c->ns && !vendor_is(vendor, c->ns)) return false;
    wb_nevra nv;
    wb_error err;
    if (*aver == NULL || wb_nevra_parse(*aver, strlen(*aver), &nv, &err) != 0) return false;
    const char *plat = wbi_vuln_str(v, a->platform);
    if (!rpm_build_fits(c, nv.arch, nv.arch_len, nv.release, nv.release_len, plat,
                        plat ? module_stream(plat, true) : 0))
        return false;
    char evr[WB_VERSION_MAX + 2];
    if (wb_nevra_evr(&nv, evr, sizeof evr) == 0) return false;
    *aver = dup(s, evr);
    if (*aver && nv.epoch_len && *ver && !strchr(*ver, ':')) {
        wb_buf_reset(&s->tmp);
        if (wb_buf_printf(&s->tmp, "%.*s:%s", (int)nv.epoch_len, nv.epoch, *ver) != 0)
            s->fail = WB_ENOMEM;
        *ver = s->fail ? NULL : dup(s, s->tmp.data);
    }
    return *aver != NULL && !s->fail;
}

/* ---- findings ------------------------------------------------------------------------ */

static void add_fixed(wb_vulnscan *s, size_t fi, const char *ver)
{
    wb_finding *f = &s->f[fi];
    if (ver == NULL) return;
    for (size_t i = 0; i < f->nfixed; i++)
        if (strcmp(f->fixed[i], ver) == 0) return;
    if (f->nfixed == MAX_FIXED) return;
    if (f->fixed == NULL) {
        f->fixed = wb_arena_alloc(&s->arena, MAX_FIXED * sizeof(char *));
        if (f->fixed == NULL) {
            s->fail = WB_ENOMEM;
            return;
        }
    }
    ((const char **)f->fixed)[f->nfixed++] = ver;
}

/* The remediation for the product that matched: vendor_fix first. */
static void pick_remediation(const wbi_view *v, const wbi_adv *a, const char *pid, wb_finding *f)
{
    const wbi_rem *best = NULL;
    for (uint32_t k = 0; k < a->nrem; k++) {
        const wbi_rem *r = &v->rem[a->rem + k];
        bool applies = r->npids == 0;
        for (uint32_t j = 0; !applies && pid && j < r->npids; j++)
            applies = strcmp(v->str + v->u32[r->pids + j], pid) == 0;
        if (!applies) continue;
        const char *cat = wbi_vuln_str(v, r->category);
        if (best == NULL ||
            (cat && strcmp(cat, "vendor_fix") == 0 &&
             !(best->category && strcmp(wbi_vuln_str(v, best->category), "vendor_fix") == 0)))
            best = r;
    }
    if (best) {
        f->remediation = wbi_vuln_str(v, best->details);
        f->remediation_category = wbi_vuln_str(v, best->category);
        f->remediation_url = wbi_vuln_str(v, best->url);
    }
}

static int grow(wb_vulnscan *s)
{
    if (s->n < s->cap) return 0;
    size_t nc = s->cap ? s->cap * 2 : 256;
    wb_finding *f = realloc(s->f, nc * sizeof *f);
    if (f == NULL) return WB_ENOMEM;
    s->f = f;
    meta *m = realloc(s->m, nc * sizeof *m);
    if (m == NULL) return WB_ENOMEM;
    s->m = m;
    s->cap = nc;
    return 0;
}

static void settle(wb_vulnscan *s, wb_finding *f, const wbi_vuln *vu, const comp *c,
                   const char *purl_key)
{
    const wbi_view *v = s->v;
    const wbi_view *views[2] = {s->x, v}; /* scan-time data first: it wins */
    for (uint32_t k = 0; k < vu->nids && !f->kev; k++) {
        const char *id = v->str + v->u32[vu->ids + k];
        for (int w = 0; w < 2 && !f->kev; w++) {
            const wbi_kev *kv = kev_find(views[w], id);
            if (kv) {
                f->kev = true;
                f->kev_added = kv->added;
                f->kev_due = kv->due;
                f->kev_ransomware = kv->ransomware != 0;
            }
        }
    }
    for (uint32_t k = 0; k < vu->nids && !f->has_epss; k++) {
        const char *id = v->str + v->u32[vu->ids + k];
        for (int w = 0; w < 2 && !f->has_epss; w++) {
            const wbi_epss *e = epss_find(views[w], id);
            if (e) {
                f->has_epss = true;
                f->epss = e->score;
                f->epss_percentile = e->percentile;
            }
        }
    }
    f->deadline = wb_policy_deadline(&s->policy, f->severity, f->internet_facing, f->published,
                                     f->kev ? f->kev_due : WB_TIME_NONE, &f->deadline_rule);
    f->overdue = f->deadline != WB_TIME_NONE && s->now > f->deadline;
    for (uint32_t k = 0; k < vu->nids && !f->suppressed; k++) {
        const char *id = v->str + v->u32[vu->ids + k];
        for (int w = 0; w < 2 && !f->suppressed; w++) {
            const wbi_vex *r = vex_find(s, views[w], id, c, purl_key);
            if (r) {
                const wbi_view *rv = views[w];
                f->suppressed = true;
                f->vex_status = r->status == WB_VEX_FIXED ? "fixed" : "not_affected";
                f->vex_justification = wbi_vuln_str(rv, r->justification);
                f->vex_detail = wbi_vuln_str(rv, r->detail);
                f->vex_source = wbi_vuln_str(rv, r->source);
            }
        }
    }
}

/* A finding for (component, vulnerability of adv), or the existing one of
 * this component: returns its index, or SIZE_MAX when out of memory. */
static size_t finding_for(wb_vulnscan *s, size_t first, const comp *c, uint32_t adv, int method,
                          const char *pid, const char *purl_key)
{
    const wbi_view *v = s->v;
    const wbi_adv *a = &v->adv[adv];
    for (size_t i = first; i < s->n; i++)
        if (s->m[i].vuln == a->vuln) return i;
    if (grow(s) != 0) {
        s->fail = WB_ENOMEM;
        return SIZE_MAX;
    }
    const wbi_vuln *vu = &v->vuln[a->vuln];
    wb_finding *f = &s->f[s->n];
    memset(f, 0, sizeof *f);
    s->m[s->n].vuln = a->vuln;
    const wb_component *wc = c->c;
    f->asset = wc->asset;
    f->name = wc->name ? wc->name : wc->product;
    f->component = wc->purl ? wc->purl : wc->cpe ? wc->cpe : f->name;
    f->version = c->shown ? c->shown : c->version;
    f->where = wc->where;
    f->internet_facing = wc->internet_facing;
    f->vuln = wbi_vuln_str(v, vu->id);
    f->cve = wbi_vuln_str(v, vu->cve);
    f->ids = (const char *const *)wb_arena_alloc(&s->arena, vu->nids * sizeof(char *));
    if (f->ids == NULL) {
        s->fail = WB_ENOMEM;
        return SIZE_MAX;
    }
    for (uint32_t k = 0; k < vu->nids; k++)
        ((const char **)f->ids)[k] = v->str + v->u32[vu->ids + k];
    f->nids = vu->nids;
    f->title = wbi_vuln_str(v, vu->title);
    f->advisory = a->doc_id ? wbi_vuln_str(v, a->doc_id) : wbi_vuln_str(v, a->id);
    f->advisory_source = wbi_vuln_str(v, a->source);
    f->advisory_kind = wbi_vuln_str(v, a->kind);
    f->advisory_url = wbi_vuln_str(v, a->url);
    f->matched_by = method_names[method];
    f->cvss_version = vu->cvss_version;
    f->cvss_score = vu->score;
    f->cvss_vector = wbi_vuln_str(v, vu->vector);
    /* No score from any source: the sources' own rating word, if any. */
    f->severity = vu->cvss_version ? wb_severity_from_score(vu->score)
                                   : wb_severity_from_word(wbi_vuln_str(v, vu->severity));
    f->kev_added = f->kev_due = WB_TIME_NONE;
    f->published = vu->published;
    f->status = "unknown"; /* until an entry affirms it (judge) */
    pick_remediation(v, a, pid, f);
    settle(s, f, vu, c, purl_key);
    return s->n++;
}

/* Whether a fixed version is a way forward from the installed one: above
 * it in the scheme. A fix at or below the installed version is not one (the
 * installed version is affected on another branch), and one that does not
 * compare is kept only when there is no installed version to compare. */
static bool above(wb_vulnscan *s, const char *scheme, const char *fixed, const char *installed)
{
    int c;
    if (installed == NULL) return true;
    if (strcmp(scheme, "generic") == 0) {
        /* vendor versions with spaces ("V3.0 SP1"), as version_in reads them */
        installed = generic_form(s, installed, 0);
        fixed = generic_form(s, fixed, 1);
    }
    return vcmp(scheme, fixed, installed, &c) == 0 && c > 0;
}

/* Sources without remediation text (OSV, NVD) get one from the fix found
 * for the installed version: "Upgrade NAME to VERSION". */
static void upgrade_text(wb_vulnscan *s, wb_finding *f)
{
    if (f->remediation || f->nfixed == 0) return;
    wb_buf_reset(&s->tmp);
    int rc =
        wb_buf_printf(&s->tmp, "Upgrade %s to %s", f->name ? f->name : "the package", f->fixed[0]);
    for (size_t k = 1; rc == 0 && k < f->nfixed; k++)
        rc = wb_buf_printf(&s->tmp, " or %s", f->fixed[k]);
    f->remediation = rc == 0 ? dup(s, s->tmp.data) : NULL;
    if (f->remediation == NULL) s->fail = WB_ENOMEM;
    f->remediation_category = "vendor_fix";
}

/* Judges the entries of one advisory [b, e) of s->cands for the component. */
static void judge(wb_vulnscan *s, size_t first, const comp *c, size_t b, size_t e,
                  const char *purl_key)
{
    const wbi_view *v = s->v;
    bool blocked = false;
    size_t hit = SIZE_MAX, unknown = SIZE_MAX;
    const char *fixed[MAX_FIXED];
    size_t nfixed = 0;
    for (size_t i = b; i < e; i++) {
        const cand *cd = &s->cands[i];
        const wbi_aff *a = &v->aff[cd->aff];
        const char *ver = cd->method == M_SOURCE ? c->src_version : c->version;
        /* Platform: an entry for one distribution release says nothing about
         * another's package of the same name. */
        if ((cd->method == M_PURL || cd->method == M_SOURCE) && a->distro &&
            (c->distro == NULL || !ieq(c->distro, wbi_vuln_str(v, a->distro))))
            continue;
        /* The same where purls carry no distro (Red Hat's, most CSAF): the
         * relationship's platform names the release. A component without a
         * distro cannot be placed and is judged against every platform. */
        if (a->distro == 0 && a->platform && c->distro &&
            !platform_is(wbi_vuln_str(v, a->platform), c->distro))
            continue;
        if (cd->method == M_CPE && !cpe_identity(v, a, c)) continue;
        const char *aver = wbi_vuln_str(v, a->version);
        if (cd->method == M_PKG && !pkg_fits(s, a, c, &aver, &ver)) continue;
        if (cd->method == M_PURL && c->purl_type && strcmp(c->purl_type, "rpm") == 0 &&
            !rpm_purl_fits(s, a, c))
            continue;
        const char *scheme = scheme_for(v, a, c, cd->method);
        vres r;
        switch ((wb_aff_status)a->status) {
        case WB_AFF_AFFECTED:
            r = version_in(s, a, c, cd->method, ver, aver);
            if (r == V_INCOMPARABLE && ver) s->sum.incomparable++;
            if (r == V_IN) {
                if (hit == SIZE_MAX) hit = i;
                const char *fx = wbi_vuln_str(v, a->fixed);
                if (fx && nfixed < MAX_FIXED && above(s, scheme, fx, ver)) fixed[nfixed++] = fx;
            }
            break;
        case WB_AFF_NOT_AFFECTED:
            if (version_in(s, a, c, cd->method, ver, aver) == V_IN) blocked = true;
            break;
        case WB_AFF_FIXED:
            if (aver && is_distro_scheme(scheme)) {
                /* Distribution semantics: older than the fixed build is
                 * affected, the fixed build and later are not. */
                int cmp;
                if (ver == NULL) break;
                if (vcmp(scheme, ver, aver, &cmp) != 0) {
                    s->sum.incomparable++;
                    break;
                }
                if (cmp < 0) {
                    if (hit == SIZE_MAX) hit = i;
                    if (nfixed < MAX_FIXED) fixed[nfixed++] = aver;
                } else {
                    blocked = true;
                }
            } else if (version_in(s, a, c, cd->method, ver, aver) == V_IN) {
                blocked = true;
            } else if (aver && nfixed < MAX_FIXED && above(s, scheme, aver, ver)) {
                fixed[nfixed++] = aver;
            }
            break;
        case WB_AFF_UNDER_INVESTIGATION:
            break;
        case WB_AFF_UNKNOWN:
            /* the product matched, its versions could not be read */
            if (unknown == SIZE_MAX) unknown = i;
            break;
        }
    }
    if (blocked) return;
    bool is_unknown = false;
    if (hit == SIZE_MAX) {
        if (unknown == SIZE_MAX) return;
        hit = unknown;
        is_unknown = true;
    }
    const cand *cd = &s->cands[hit];
    size_t fi = finding_for(s, first, c, cd->adv, cd->method,
                            wbi_vuln_str(v, v->aff[cd->aff].product_id), purl_key);
    if (fi == SIZE_MAX) return;
    for (size_t k = 0; k < nfixed; k++)
        add_fixed(s, fi, fixed[k]);
    upgrade_text(s, &s->f[fi]);
    /* a finding of this vulnerability that another entry affirms is affected */
    if (!is_unknown) s->f[fi].status = "affected";
}

/* Distribution packages (rpm, deb, apk purls) by name, against CSAF
 * products that have neither purl nor CPE: an rpm name against products
 * named by their NEVRA, any of them against vendor + product names. */
static int lookup_pkg(wb_vulnscan *s, comp *c)
{
    wb_purl *p = NULL;
    wb_error err;
    const char *purl = c->c->purl;
    int rc = wb_purl_parse(purl, strlen(purl), 0, &p, &err);
    if (rc != 0) return rc == WB_ENOMEM ? rc : 0;
    c->ns = dup(s, p->ns);
    c->pname = dup(s, p->name);
    c->arch = dup(s, wb_purl_qualifier_get(p, "arch"));
    c->rpmmod = dup(s, wb_purl_qualifier_get(p, "rpmmod"));
    /* pkg:rpm/redhat/telnet@0.17-65.el7_6?epoch=1 is 1:0.17-65.el7_6: without
     * its epoch the installed build would compare older than every fix. */
    const char *epoch = wb_purl_qualifier_get(p, "epoch");
    if (strcmp(c->purl_type, "rpm") == 0 && epoch && c->version && !strchr(c->version, ':')) {
        wb_buf_reset(&s->tmp);
        if (wb_buf_printf(&s->tmp, "%s:%s", epoch, c->version) != 0) s->fail = WB_ENOMEM;
        c->version = s->fail ? NULL : dup(s, s->tmp.data);
    }
    wb_purl_free(p);
    if (s->fail) return s->fail;
    if (c->pname == NULL) return 0;
    if (strcmp(c->purl_type, "rpm") == 0) {
        rc = wbi_pkg_key("rpm", c->pname, strlen(c->pname), &s->key[5]);
        if (rc == 0) rc = lookup(s, 3, s->key[5].data, M_PKG);
        if (rc != 0 && rc != WB_EINVAL) return rc;
    }
    rc = wbi_pkg_key("name", c->pname, strlen(c->pname), &s->key[6]);
    if (rc == 0) rc = lookup(s, 3, s->key[6].data, M_PKG);
    return rc == WB_EINVAL ? 0 : rc;
}

/* Go versions as Go writes them: "v1.5.9" in module purls and SBOMs, and
 * "go1.20.4" for the toolchain and standard library (Syft's versionInfo);
 * the Go vulnerability database writes SemVer without either prefix. */
static const char *go_version(const char *v)
{
    if (v == NULL) return NULL;
    if (v[0] == 'v' && v[1] >= '0' && v[1] <= '9') return v + 1;
    if (v[0] == 'g' && v[1] == 'o' && v[2] >= '0' && v[2] <= '9') return v + 2;
    return v;
}

static int scan_component(wb_component_sink *self, const wb_component *in)
{
    wb_vulnscan *s = (wb_vulnscan *)((char *)self - offsetof(wb_vulnscan, sink));
    if (s->finished) return WB_EINVAL;
    if (s->fail) return s->fail;
    s->sum.components++;
    /* Copy what findings keep. */
    wb_component *wc = wb_arena_alloc(&s->arena, sizeof *wc);
    if (wc == NULL) return s->fail = WB_ENOMEM;
    *wc = *in;
    wc->asset = dup(s, in->asset);
    wc->name = dup(s, in->name);
    wc->version = dup(s, in->version);
    wc->purl = dup(s, in->purl);
    wc->cpe = dup(s, in->cpe);
    wc->vendor = dup(s, in->vendor);
    wc->product = dup(s, in->product);
    wc->source_name = dup(s, in->source_name);
    wc->source_version = dup(s, in->source_version);
    wc->criticality = dup(s, in->criticality);
    wc->owner = dup(s, in->owner);
    wc->where = dup(s, in->where);
    if (s->fail) return s->fail;

    comp c = {.c = wc, .version = wc->version};
    s->ncand = 0;
    const char *purl_key = NULL;
    int rc = 0;
    if (wc->purl && wbi_purl_key(wc->purl, &s->key[0], &s->distro, &s->pver) == 0) {
        purl_key = dup(s, s->key[0].data);
        if (c.version == NULL && s->pver.len) c.version = dup(s, s->pver.data);
        if (s->distro.len) c.distro = dup(s, s->distro.data);
        const char *colon = strchr(purl_key, ':'), *slash = strchr(purl_key, '/');
        if (colon && slash && slash > colon) {
            wb_buf_reset(&s->tmp);
            wb_buf_append(&s->tmp, colon + 1, (size_t)(slash - colon - 1));
            c.purl_type = dup(s, s->tmp.data ? s->tmp.data : "");
        }
        rc = lookup(s, 0, purl_key, M_PURL);
    }
    if (c.purl_type && strcmp(c.purl_type, "golang") == 0) {
        c.shown = c.version;
        c.version = go_version(c.version);
    }
    if (rc == 0 && c.purl_type &&
        (strcmp(c.purl_type, "rpm") == 0 || strcmp(c.purl_type, "deb") == 0 ||
         strcmp(c.purl_type, "apk") == 0))
        rc = lookup_pkg(s, &c);
    c.src_version = wc->source_version ? wc->source_version : c.version;
    if (rc == 0 && wc->source_name &&
        (wc->name == NULL || strcmp(wc->source_name, wc->name) != 0 ||
         (wc->source_version && c.version && strcmp(wc->source_version, c.version) != 0))) {
        /* Debian advisories name source packages: look the source up in the
         * component's own namespace (pkg:deb/ubuntu/... stays ubuntu). */
        wb_purl *sp = NULL;
        wb_error err;
        const char *ns = "debian";
        wb_purl *own = NULL;
        if (wc->purl && wb_purl_parse(wc->purl, strlen(wc->purl), 0, &own, &err) == 0 && own->ns)
            ns = own->ns;
        /* an apk component's origin package is looked up as an apk purl */
        const char *stype = own && strcmp(own->type, "apk") == 0 ? "apk" : "deb";
        if (wb_purl_build(stype, ns, wc->source_name, NULL, NULL, NULL, 0, NULL, &sp, &err) == 0 &&
            wb_purl_format(sp, &s->key[1]) == 0) {
            if (c.purl_type == NULL) c.purl_type = "deb";
            rc = lookup(s, 0, s->key[1].data, M_SOURCE);
        }
        wb_purl_free(sp);
        wb_purl_free(own);
    }
    if (rc == 0 && wc->cpe) {
        wb_error err;
        if (wb_cpe_parse(wc->cpe, strlen(wc->cpe), &c.cpe, &err) == 0) {
            c.has_cpe = true;
            if (c.version == NULL && c.cpe.kind[WB_CPE_VERSION] == WB_CPE_VALUE) {
                size_t n;
                const char *val = wb_cpe_value(&c.cpe, WB_CPE_VERSION, &n);
                if (cpe_plain_value(val, n, &s->tmp)) c.version = dup(s, s->tmp.data);
            }
            if (c.src_version == NULL) c.src_version = c.version;
            if (wbi_cpe_key(wc->cpe, &s->key[2]) == 0) rc = lookup(s, 1, s->key[2].data, M_CPE);
        }
    }
    if (rc == 0 && !wc->purl && !wc->cpe) {
        const char *prod = wc->product ? wc->product : wc->name;
        if (wbi_name_key(wc->vendor, prod, &s->key[3]) == 0)
            rc = lookup(s, 2, s->key[3].data, M_NAME);
        /* Entries without a vendor branch match on the product alone. */
        if (rc == 0 && wc->vendor && wbi_name_key(NULL, prod, &s->key[4]) == 0)
            rc = lookup(s, 2, s->key[4].data, M_NAME);
    }
    if (rc != 0) return s->fail = rc;
    if (s->ncand > 1) qsort(s->cands, s->ncand, sizeof *s->cands, cmp_cand);
    size_t first = s->n;
    for (size_t b = 0; b < s->ncand;) {
        size_t e = b + 1;
        while (e < s->ncand && s->cands[e].adv == s->cands[b].adv)
            e++;
        judge(s, first, &c, b, e, purl_key);
        b = e;
    }
    return s->fail;
}

/* ---- the scan ----------------------------------------------------------------------- */

int wb_vulnscan_new(wb_vulnscan **out, const wb_vulndb *db, const wb_vulndb *extra,
                    const wb_scan_opts *opts, wb_error *err)
{
    *out = NULL;
    const wbi_view *v = wbi_vulndb_view(db);
    const wbi_view *x = extra ? wbi_vulndb_view(extra) : NULL;
    if (v == NULL || (extra && x == NULL))
        return wb_error_set(err, WB_EINVAL, "scan: the vulnerability database is not built");
    wb_vulnscan *s = calloc(1, sizeof *s);
    if (s == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    s->v = v;
    s->x = x;
    if (opts && opts->policy)
        s->policy = *opts->policy;
    else
        wb_policy_default(&s->policy);
    s->now = opts && opts->now != WB_TIME_NONE ? opts->now : wb_time_now();
    s->linear = opts && opts->linear;
    s->sink.add = scan_component;
    wb_arena_init(&s->arena, 0);
    *out = s;
    return 0;
}

wb_component_sink *wb_vulnscan_sink(wb_vulnscan *s)
{
    return &s->sink;
}

static int cmp_prio(const void *pa, const void *pb)
{
    const wb_finding *a = pa, *b = pb;
    if (a->suppressed != b->suppressed) return a->suppressed ? 1 : -1;
    if (a->kev != b->kev) return a->kev ? -1 : 1;
    if (a->internet_facing != b->internet_facing) return a->internet_facing ? -1 : 1;
    /* The band first, so a finding rated "high" by its source outranks a
     * scored medium one; within a band the score. */
    if (a->severity != b->severity) return a->severity > b->severity ? -1 : 1;
    double sa = a->cvss_version ? a->cvss_score : -1.0, sb = b->cvss_version ? b->cvss_score : -1.0;
    if (sa != sb) return sa > sb ? -1 : 1;
    double ea = a->has_epss ? a->epss : -1.0, eb = b->has_epss ? b->epss : -1.0;
    if (ea != eb) return ea > eb ? -1 : 1;
    /* Ties: the earlier deadline, then names, so the order is stable. */
    wb_time da = a->deadline == WB_TIME_NONE ? WB_TIME_MAX : a->deadline;
    wb_time db = b->deadline == WB_TIME_NONE ? WB_TIME_MAX : b->deadline;
    if (da != db) return da < db ? -1 : 1;
    int c = strcmp(a->asset ? a->asset : "", b->asset ? b->asset : "");
    if (c == 0) c = strcmp(a->component ? a->component : "", b->component ? b->component : "");
    if (c == 0) c = strcmp(a->vuln, b->vuln);
    if (c == 0) c = strcmp(a->where ? a->where : "", b->where ? b->where : "");
    return c;
}

int wb_vulnscan_finish(wb_vulnscan *s, wb_error *err)
{
    if (s->finished) return wb_error_set(err, WB_EINVAL, "scan: finished twice");
    if (s->fail) return wb_error_set(err, s->fail, "scan: out of memory");
    s->finished = true;
    if (s->n > 1) qsort(s->f, s->n, sizeof *s->f, cmp_prio);
    size_t rank = 0;
    for (size_t i = 0; i < s->n; i++) {
        wb_finding *f = &s->f[i];
        if (f->suppressed) {
            s->sum.suppressed++;
            continue;
        }
        f->rank = ++rank;
        s->sum.findings++;
        s->sum.by_severity[f->severity]++;
        if (f->kev) s->sum.kev++;
        if (f->overdue) s->sum.overdue++;
        if (strcmp(f->status, "unknown") == 0) s->sum.unknown++;
    }
    return 0;
}

size_t wb_vulnscan_count(const wb_vulnscan *s)
{
    return s->n;
}

const wb_finding *wb_vulnscan_get(const wb_vulnscan *s, size_t i)
{
    return i < s->n ? &s->f[i] : NULL;
}

void wb_vulnscan_summary_get(const wb_vulnscan *s, wb_scan_summary *out)
{
    *out = s->sum;
}

void wb_vulnscan_free(wb_vulnscan *s)
{
    if (s == NULL) return;
    wb_arena_free(&s->arena);
    free(s->f);
    free(s->m);
    free(s->cands);
    for (size_t i = 0; s->vcache && i < s->v->naff; i++)
        if (s->vcache[i] != (wb_vers *)(void *)&bad_range) wb_vers_free(s->vcache[i]);
    free(s->vcache);
    for (int i = 0; i < 7; i++)
        wb_buf_free(&s->key[i]);
    wb_buf_free(&s->distro);
    wb_buf_free(&s->pver);
    wb_buf_free(&s->tmp);
    wb_buf_free(&s->gver[0]);
    wb_buf_free(&s->gver[1]);
    free(s);
}
