/*
 * osv.c - OSV records (the Open Source Vulnerability format,
 * https://ossf.github.io/osv-schema/), one advisory per record; a file may
 * also hold a JSON array of records.
 *
 * Each affected[] package gives one wb_affected per interval of each SEMVER
 * or ECOSYSTEM range (introduced -> >=, fixed and limit -> <, last_affected
 * -> <=, introduced "0" -> no lower bound; empty intervals left out), with
 * the fix that ends it, and one per version in versions[]. GIT ranges name
 * commits, which no inventory carries, and are skipped. A package with
 * neither ranges nor versions is affected in every version. No remediation
 * text is made here: the scanner names the fix of the installed version's
 * branch.
 *
 * The ids of the record are its id, aliases, upstream and related.
 *
 * severity[] CVSS_V3 and CVSS_V2 vectors get their base score computed
 * (cvss.c); CVSS_V4 vectors are kept with score 0 (see cvss.c). The
 * textual severity of database_specific / ecosystem_specific (GHSA's
 * "HIGH", Ubuntu's priority) goes to wb_advisory.severity.
 *
 * Withdrawn records (a `withdrawn` time) are read and checked but not
 * passed on: the database says they are not vulnerabilities.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/vulndata.h"
#include "weerbaar/purl.h"
#include "weerbaar/version.h"

typedef struct ecosys {
    const char *name;   /* OSV ecosystem, without ":release" */
    const char *scheme; /* version scheme */
    const char *ptype;  /* purl type; NULL when there is none */
    const char *pns;    /* fixed purl namespace, or NULL */
    const char *distro; /* prefix of the distro qualifier built from ":release", or NULL */
} ecosys;

static const ecosys ecosystems[] = {
    {"npm", "npm", "npm", NULL, NULL},
    {"PyPI", "pypi", "pypi", NULL, NULL},
    {"Maven", "maven", "maven", NULL, NULL},
    {"Go", "semver", "golang", NULL, NULL},
    {"crates.io", "semver", "cargo", NULL, NULL},
    {"RubyGems", "gem", "gem", NULL, NULL},
    {"NuGet", "nuget", "nuget", NULL, NULL},
    {"Packagist", "generic", "composer", NULL, NULL},
    {"Hex", "semver", "hex", NULL, NULL},
    {"Pub", "semver", "pub", NULL, NULL},
    {"Hackage", "generic", "hackage", NULL, NULL},
    {"CRAN", "generic", "cran", NULL, NULL},
    {"SwiftURL", "semver", "swift", NULL, NULL},
    {"Debian", "deb", "deb", "debian", "debian"},
    {"Ubuntu", "deb", "deb", "ubuntu", "ubuntu"},
    {"Alpine", "alpine", "apk", "alpine", "alpine"},
    {"Red Hat", "rpm", "rpm", "redhat", NULL},
    {"AlmaLinux", "rpm", "rpm", "almalinux", "almalinux"},
    {"Rocky Linux", "rpm", "rpm", "rocky", "rocky"},
    {"openSUSE", "rpm", "rpm", "opensuse", NULL},
    {"SUSE", "rpm", "rpm", "suse", NULL},
};

static const ecosys *find_ecosystem(const char *eco, size_t n)
{
    for (size_t i = 0; i < sizeof ecosystems / sizeof ecosystems[0]; i++)
        if (strlen(ecosystems[i].name) == n && memcmp(ecosystems[i].name, eco, n) == 0)
            return &ecosystems[i];
    return NULL;
}

/* The package's purl without version, from package.purl or built from the
 * ecosystem and name; NULL (no error) when the ecosystem has no purl type. */
static int package_purl(wbi_doc *d, const json_t *pkg, const ecosys *es, const char *release,
                        const char *name, const char **out, const char **scheme)
{
    const char *given = NULL;
    int rc = wbi_opt_str(d, pkg, "purl", &given);
    if (rc != 0) return rc;
    if (given) {
        size_t old = wbi_path_key(d, "purl");
        const char *ps = NULL;
        rc = wbi_purl_split(d, given, out, NULL, &ps);
        wbi_path_cut(d, old);
        if (rc == 0 && es == NULL) *scheme = ps;
        return rc;
    }
    if (es == NULL || es->ptype == NULL) return 0;
    /* Split the OSV name into purl namespace and name. */
    char nsbuf[512];
    const char *ns = es->pns, *nm = name;
    const char *cut = NULL;
    if (strcmp(es->ptype, "maven") == 0)
        cut = strchr(name, ':');
    else if (strcmp(es->ptype, "golang") == 0 || strcmp(es->ptype, "composer") == 0 ||
             (strcmp(es->ptype, "npm") == 0 && name[0] == '@'))
        cut = strrchr(name, '/');
    if (cut != NULL) {
        size_t n = (size_t)(cut - name);
        if (n == 0 || n >= sizeof nsbuf)
            return wbi_doc_fail(d, "package name '%.100s' is too long or malformed", name);
        memcpy(nsbuf, name, n);
        nsbuf[n] = '\0';
        ns = nsbuf;
        nm = cut + 1;
    }
    const char *key = "distro";
    char distro[128];
    const char *val = NULL;
    if (es->distro && release && release[0]) {
        /* "Debian:12" -> distro=debian-12, "Alpine:v3.18" -> alpine-3.18,
         * "Ubuntu:22.04:LTS" -> ubuntu-22.04 */
        const char *r = release[0] == 'v' ? release + 1 : release;
        size_t rl = strcspn(r, ":");
        snprintf(distro, sizeof distro, "%s-%.*s", es->distro, (int)(rl > 64 ? 64 : rl), r);
        val = distro;
    }
    wb_purl *p = NULL;
    wb_error e = {0};
    if (wb_purl_build(es->ptype, ns, nm, NULL, &key, &val, val ? 1 : 0, NULL, &p, &e) != 0) {
        if (e.code == WB_ENOMEM) return wbi_doc_nomem(d);
        size_t old = wbi_path_key(d, "name");
        rc = wbi_doc_fail(d, "no purl can be built: %s", e.msg);
        wbi_path_cut(d, old);
        return rc;
    }
    wb_buf b = {0};
    rc = wb_purl_format(p, &b);
    *out = rc == 0 ? wb_arena_strndup(&d->arena, b.data, b.len) : NULL;
    wb_buf_free(&b);
    wb_purl_free(p);
    return *out ? 0 : wbi_doc_nomem(d);
}

/* One event of a range, its version with Go's "v" dropped. */
typedef struct event {
    char kind; /* 'i'ntroduced, 'f'ixed, 'l'ast_affected, 'L'imit */
    const char *v;
} event;

#define MAX_EVENTS 4096

/* Events are compared in the range's scheme when every version is valid in
 * it; "introduced: 0" comes first. Returns false when one is not. */
static bool events_sort(event *ev, size_t n, const char *scheme)
{
    wb_error e;
    for (size_t i = 0; i < n; i++)
        if (!(ev[i].kind == 'i' && strcmp(ev[i].v, "0") == 0) &&
            wb_version_valid(scheme, ev[i].v, &e) != 0)
            return false;
    /* insertion sort: stable (the order of equal versions is the document's)
     * and the lists are short */
    for (size_t i = 1; i < n; i++) {
        event t = ev[i];
        size_t j = i;
        while (j > 0) {
            int c;
            const event *p = &ev[j - 1];
            bool tz = t.kind == 'i' && strcmp(t.v, "0") == 0;
            bool pz = p->kind == 'i' && strcmp(p->v, "0") == 0;
            if (tz || pz)
                c = tz && pz ? 0 : tz ? -1 : 1;
            else if (wb_version_cmp(scheme, t.v, p->v, &c, &e) != 0)
                return false;
            if (c >= 0) break;
            ev[j] = ev[j - 1];
            j--;
        }
        ev[j] = t;
    }
    return true;
}

/* One interval [lo, hi) of a range as an affected entry: the vers range,
 * and the fix that ends it. */
static int interval(wbi_doc *d, wbi_advb *b, const wb_affected *proto, const char *lo, char hikind,
                    const char *hi)
{
    wb_buf s = {0};
    int rc = 0;
    const char *range = NULL, *version = NULL;
    if (hikind == 'l' && lo && strcmp(lo, hi) == 0) {
        version = hi; /* introduced X, last_affected X: X alone */
    } else {
        if (lo && wb_buf_printf(&s, ">=%s", lo) != 0) rc = wbi_doc_nomem(d);
        if (rc == 0 && hi &&
            wb_buf_printf(&s, "%s%s%s", s.len ? "|" : "", hikind == 'l' ? "<=" : "<", hi) != 0)
            rc = wbi_doc_nomem(d);
        if (rc == 0 && s.len == 0 && wb_buf_puts(&s, "*") != 0) rc = wbi_doc_nomem(d);
        if (rc == 0) rc = wbi_vers_canon(d, proto->scheme, s.data, &range);
    }
    wb_buf_free(&s);
    if (rc != 0) return rc;
    wb_affected *a = wbi_advb_affected(b);
    if (a == NULL) return wbi_doc_nomem(d);
    *a = *proto;
    a->range = range;
    a->version = version;
    a->fixed = hikind == 'f' ? hi : NULL;
    return 0;
}

/* One SEMVER or ECOSYSTEM range: one affected entry per interval of its
 * events (sorted by version when all are valid in the scheme), so that the
 * entry that holds an installed version carries the fix of its own branch
 * (rustls 0.23.0 is fixed in 0.23.5, not in the first fix 0.21.11). An
 * empty interval (introduced X, fixed X: RUSTSEC-2024-0399 has one) holds
 * no version and is left out. `limit` ends an interval without being a
 * fix. */
static int range_events(wbi_doc *d, const json_t *events, bool strip_v, wbi_advb *b,
                        const wb_affected *proto)
{
    size_t n = json_array_size(events);
    if (n == 0) return wbi_doc_fail(d, "no events");
    if (n > MAX_EVENTS) return wbi_doc_fail(d, "more than %d events", MAX_EVENTS);
    event *ev = wb_arena_alloc(&d->arena, n * sizeof *ev);
    if (ev == NULL) return wbi_doc_nomem(d);
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e)
    {
        size_t old = wbi_path_idx(d, i);
        if (!json_is_object(e) || json_object_size(e) != 1)
            return wbi_doc_fail(d, "an event is an object with one of introduced, fixed, "
                                   "last_affected, limit");
        const char *k = json_object_iter_key(json_object_iter((json_t *)e));
        json_t *vj = json_object_get(e, k);
        if (!json_is_string(vj) || json_string_length(vj) == 0) {
            wbi_path_key(d, k);
            return wbi_doc_fail(d, "expected a version string");
        }
        const char *v = json_string_value(vj);
        if (strip_v && v[0] == 'v' && v[1]) v++;
        if (strcmp(k, "introduced") == 0)
            ev[i].kind = 'i';
        else if (strcmp(k, "fixed") == 0)
            ev[i].kind = 'f';
        else if (strcmp(k, "last_affected") == 0)
            ev[i].kind = 'l';
        else if (strcmp(k, "limit") == 0)
            ev[i].kind = 'L';
        else {
            wbi_path_key(d, k);
            return wbi_doc_fail(d, "unknown event");
        }
        ev[i].v = v;
        wbi_path_cut(d, old);
    }
    events_sort(ev, n, proto->scheme);
    /* Walk the events: introduced opens an interval (a second one while
     * open changes nothing), fixed / last_affected / limit close it. */
    bool open = false;
    const char *lo = NULL;
    int rc = 0;
    for (i = 0; i < n && rc == 0; i++) {
        if (ev[i].kind == 'i') {
            if (!open) lo = strcmp(ev[i].v, "0") == 0 ? NULL : ev[i].v;
            open = true;
            continue;
        }
        if (!open) continue; /* a fix of no open interval affects nothing */
        open = false;
        if (lo && ev[i].kind != 'l' && strcmp(lo, ev[i].v) == 0) continue; /* empty */
        if (lo && ev[i].kind != 'l') {
            /* empty also when equal by the scheme ("1.0" and "1.0.0" in pypi) */
            int c;
            wb_error err;
            if (wb_version_cmp(proto->scheme, lo, ev[i].v, &c, &err) == 0 && c >= 0) continue;
        }
        rc = interval(d, b, proto, lo, ev[i].kind, ev[i].v);
    }
    if (rc == 0 && open) rc = interval(d, b, proto, lo, 0, NULL);
    return rc;
}

static const char *specific_severity(const json_t *o)
{
    const char *s = json_string_value(json_object_get(o, "severity"));
    return s && s[0] ? s : NULL;
}

static int severity_list(wbi_doc *d, const json_t *arr, wbi_advb *b)
{
    size_t i;
    json_t *s;
    json_array_foreach(arr, i, s)
    {
        size_t old = wbi_path_idx(d, i);
        const char *type = NULL, *score = NULL;
        if (!json_is_object(s)) return wbi_doc_fail(d, "expected an object");
        int rc = wbi_req_str(d, s, "type", &type);
        if (rc == 0) rc = wbi_req_str(d, s, "score", &score);
        if (rc != 0) return rc;
        double val = 0;
        uint8_t ver = 0;
        if (strcmp(type, "CVSS_V3") == 0) {
            if (wbi_cvss3_score(score, &val, &ver) != 0)
                return wbi_doc_fail(d, "'%.100s' is not a CVSS v3 vector", score);
        } else if (strcmp(type, "CVSS_V2") == 0) {
            if (wbi_cvss2_score(score, &val) != 0)
                return wbi_doc_fail(d, "'%.100s' is not a CVSS v2 vector", score);
            ver = 20;
        } else if (strcmp(type, "CVSS_V4") == 0) {
            if (strncmp(score, "CVSS:4.0/", 9) != 0)
                return wbi_doc_fail(d, "'%.100s' is not a CVSS v4 vector", score);
            ver = 40;
        } else {
            if (b->adv.severity == NULL) b->adv.severity = score; /* "Ubuntu": a priority word */
            wbi_path_cut(d, old);
            continue;
        }
        if (wbi_advb_cvss(b, ver, val, score) != 0) return wbi_doc_nomem(d);
        wbi_path_cut(d, old);
    }
    return 0;
}

static int affected_one(wbi_doc *d, const json_t *af, wbi_advb *b)
{
    if (!json_is_object(af)) return wbi_doc_fail(d, "expected an object");
    json_t *pkg = NULL, *ranges = NULL, *versions = NULL, *sev = NULL;
    int rc = wbi_opt_obj(d, af, "package", &pkg);
    if (rc == 0) rc = wbi_opt_arr(d, af, "ranges", &ranges);
    if (rc == 0) rc = wbi_opt_arr(d, af, "versions", &versions);
    if (rc == 0) rc = wbi_opt_arr(d, af, "severity", &sev);
    if (rc != 0) return rc;
    if (sev) {
        size_t old = wbi_path_key(d, "severity");
        rc = severity_list(d, sev, b);
        if (rc != 0) return rc;
        wbi_path_cut(d, old);
    }
    if (b->adv.severity == NULL)
        b->adv.severity = specific_severity(json_object_get(af, "ecosystem_specific"));
    if (b->adv.severity == NULL)
        b->adv.severity = specific_severity(json_object_get(af, "database_specific"));
    const char *eco = NULL, *name = NULL, *purl = NULL, *scheme = "generic";
    const ecosys *es = NULL;
    const char *release = NULL;
    if (pkg) {
        size_t old = wbi_path_key(d, "package");
        rc = wbi_opt_str(d, pkg, "ecosystem", &eco);
        if (rc == 0) rc = wbi_opt_str(d, pkg, "name", &name);
        if (rc == 0 && name == NULL && json_object_get(pkg, "purl") == NULL)
            rc = wbi_doc_fail(d, "needs a name or a purl");
        if (rc == 0 && eco) {
            size_t n = strcspn(eco, ":");
            es = find_ecosystem(eco, n);
            if (eco[n] == ':') release = eco + n + 1;
            if (es) scheme = es->scheme;
        }
        if (rc == 0) rc = package_purl(d, pkg, es, release, name ? name : "", &purl, &scheme);
        if (rc != 0) return rc;
        wbi_path_cut(d, old);
    }
    bool strip_v = es && strcmp(es->name, "Go") == 0;
    size_t first = b->naff;
    size_t i;
    json_t *r;
    json_array_foreach(ranges, i, r)
    {
        size_t old = wbi_path_key(d, "ranges");
        wbi_path_idx(d, i);
        const char *type = NULL;
        json_t *events = NULL;
        if (!json_is_object(r)) return wbi_doc_fail(d, "expected an object");
        rc = wbi_req_str(d, r, "type", &type);
        if (rc == 0) rc = wbi_opt_arr(d, r, "events", &events);
        if (rc == 0 && events == NULL) rc = wbi_doc_fail(d, "events is missing");
        if (rc != 0) return rc;
        if (strcmp(type, "GIT") == 0) {
            wbi_path_cut(d, old);
            continue;
        }
        if (strcmp(type, "SEMVER") != 0 && strcmp(type, "ECOSYSTEM") != 0) {
            size_t o2 = wbi_path_key(d, "type");
            rc = wbi_doc_fail(d, "unknown range type '%.40s'", type);
            wbi_path_cut(d, o2);
            return rc;
        }
        /* SEMVER ranges are SemVer 2.0 whatever the ecosystem compares by. */
        const char *rs =
            strcmp(type, "SEMVER") == 0 && strcmp(scheme, "generic") == 0 ? "semver" : scheme;
        wb_affected proto = {
            .status = WB_AFF_AFFECTED, .purl = purl, .scheme = rs, .product_id = name};
        size_t o2 = wbi_path_key(d, "events");
        rc = range_events(d, events, strip_v || strcmp(type, "SEMVER") == 0, b, &proto);
        if (rc != 0) return rc;
        wbi_path_cut(d, o2);
        wbi_path_cut(d, old);
    }
    bool had_range = b->naff > first;
    json_array_foreach(versions, i, r)
    {
        if (!json_is_string(r) || json_string_length(r) == 0) {
            wbi_path_key(d, "versions");
            wbi_path_idx(d, i);
            return wbi_doc_fail(d, "expected a version string");
        }
        wb_affected *a = wbi_advb_affected(b);
        if (a == NULL) return wbi_doc_nomem(d);
        a->status = WB_AFF_AFFECTED;
        a->purl = purl;
        a->scheme = scheme;
        a->version = json_string_value(r);
        if (strip_v && a->version[0] == 'v') a->version++;
        a->product_id = name;
    }
    if (!had_range && json_array_size(versions) == 0 && !json_array_size(ranges)) {
        wb_affected *a = wbi_advb_affected(b);
        if (a == NULL) return wbi_doc_nomem(d);
        a->status = WB_AFF_AFFECTED;
        a->purl = purl;
        a->scheme = scheme;
        a->product_id = name;
    }
    return 0;
}

static int record(wbi_doc *d, const json_t *o, wbi_advb *b, wb_advisory_sink *sink)
{
    if (!json_is_object(o)) return wbi_doc_fail(d, "expected an OSV record object");
    wbi_advb_reset(b);
    const char *summary = NULL, *details = NULL;
    json_t *affected = NULL, *sev = NULL;
    wb_time withdrawn = WB_TIME_NONE;
    int rc = wbi_req_str(d, o, "id", &b->adv.id);
    if (rc == 0) rc = wbi_opt_str(d, o, "summary", &summary);
    if (rc == 0) rc = wbi_opt_str(d, o, "details", &details);
    if (rc == 0) rc = wbi_opt_time(d, o, "published", &b->adv.published);
    if (rc == 0) rc = wbi_opt_time(d, o, "modified", &b->adv.modified);
    if (rc == 0) rc = wbi_opt_time(d, o, "withdrawn", &withdrawn);
    if (rc == 0) rc = wbi_opt_arr(d, o, "affected", &affected);
    if (rc == 0) rc = wbi_opt_arr(d, o, "severity", &sev);
    if (rc != 0) return rc;
    /* The Go vulnerability database's files carry no publication date (Go's
     * zero time); its last modification stands in, so that the deadline
     * rules have a start. */
    if (b->adv.published == WB_TIME_NONE) b->adv.published = b->adv.modified;
    b->adv.doc_id = b->adv.id;
    b->adv.source = d->name;
    b->adv.source_kind = "osv";
    b->adv.title = summary && summary[0] ? summary : details;
    size_t n = strlen(b->adv.id) + 40;
    char *url = wb_arena_alloc(&d->arena, n);
    if (url == NULL) return wbi_doc_nomem(d);
    snprintf(url, n, "https://osv.dev/vulnerability/%s", b->adv.id);
    b->adv.url = url;
    size_t i;
    json_t *x;
    /* upstream (OSV 1.6: the CVE a DSA, DLA, USN or DEBIAN-CVE record is
     * about) and related join the aliases, so that a distribution's record
     * merges with its CVE and gets the CVE's KEV status, EPSS and deadline. */
    static const char *const idlists[] = {"aliases", "upstream", "related"};
    for (size_t l = 0; l < 3; l++) {
        json_t *arr = NULL;
        rc = wbi_opt_arr(d, o, idlists[l], &arr);
        if (rc != 0) return rc;
        json_array_foreach(arr, i, x)
        {
            if (!json_is_string(x)) {
                wbi_path_key(d, idlists[l]);
                wbi_path_idx(d, i);
                return wbi_doc_fail(d, "expected a string");
            }
            if (wbi_advb_alias(b, json_string_value(x)) != 0) return wbi_doc_nomem(d);
        }
    }
    if (sev) {
        size_t old = wbi_path_key(d, "severity");
        rc = severity_list(d, sev, b);
        if (rc != 0) return rc;
        wbi_path_cut(d, old);
    }
    if (b->adv.severity == NULL)
        b->adv.severity = specific_severity(json_object_get(o, "database_specific"));
    json_array_foreach(affected, i, x)
    {
        size_t old = wbi_path_key(d, "affected");
        wbi_path_idx(d, i);
        rc = affected_one(d, x, b);
        if (rc != 0) return rc;
        wbi_path_cut(d, old);
    }
    if (withdrawn != WB_TIME_NONE) return 0;
    return wbi_advb_emit(b, d, sink);
}

int wbi_osv_parse(wbi_doc *d, const json_t *root, wb_advisory_sink *sink)
{
    wbi_advb b = {0};
    int rc = 0;
    if (json_is_array(root)) {
        size_t i;
        json_t *o;
        json_array_foreach(root, i, o)
        {
            size_t old = wbi_path_idx(d, i);
            rc = record(d, o, &b, sink);
            if (rc != 0) break;
            wbi_path_cut(d, old);
        }
    } else {
        rc = record(d, root, &b, sink);
    }
    wbi_advb_free(&b);
    return rc;
}
