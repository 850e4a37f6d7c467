/*
 * inventory_os.c - what a machine says is installed, in the forms users
 * have: dpkg's own database (/var/lib/dpkg/status, with each package's
 * source package from its Source: field, which Debian's advisories name),
 * Alpine's /lib/apk/db/installed, `dpkg -l`, `rpm -qa` in its default
 * NAME-VERSION-RELEASE.ARCH form, SPDX 2.x tag-value SBOMs, and a whole root
 * file system (`--inventory DIR`, `--inventory /`): its etc/os-release for
 * the distribution and release, then the package databases under it.
 *
 * Like the other readers (inventory.c) each runs twice, checking then
 * handing out; a record that cannot be used is skipped and reported
 * through opts->skipped, never silently.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vuln/inventory_internal.h"
#include "weerbaar/io.h"
#include "weerbaar/purl.h"
#include "weerbaar/version.h"

/* ---- lines and stanzas ------------------------------------------------------------- */

typedef struct lines {
    const char *data;
    size_t len, pos, no;
} lines;

/* The next line without its end (and '\r'); false at the end. */
static bool next_line(lines *l, const char **s, size_t *n)
{
    if (l->pos >= l->len) return false;
    size_t j = l->pos;
    while (j < l->len && l->data[j] != '\n')
        j++;
    *s = l->data + l->pos;
    *n = j - l->pos;
    if (*n > 0 && (*s)[*n - 1] == '\r') (*n)--;
    l->pos = j + 1;
    l->no++;
    return true;
}

/* "Key: value" (or apk's "K:value"): true with the value trimmed. */
static bool field(const char *s, size_t n, const char *key, const char **v, size_t *vn)
{
    size_t k = strlen(key);
    if (n < k + 1 || memcmp(s, key, k) != 0 || s[k] != ':') return false;
    size_t i = k + 1;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    size_t e = n;
    while (e > i && (s[e - 1] == ' ' || s[e - 1] == '\t'))
        e--;
    *v = s + i;
    *vn = e - i;
    return true;
}

typedef struct span {
    const char *p;
    size_t n;
} span;

static char *dupspan(wbi_inv *v, span s)
{
    return s.p ? wb_arena_strndup(&v->d.arena, s.p, s.n) : NULL;
}

/* One distribution package: name, version, arch, source, as a component
 * with a purl of type (deb, apk). */
static int os_package(wbi_inv *v, const char *type, const char *ns, span name, span version,
                      span arch, span src, span srcver, size_t line)
{
    if (v->sink == NULL) return 0;
    wb_arena_free(&v->d.arena); /* per-package strings: memory stays flat */
    wb_component c = {0};
    c.asset = v->asset;
    c.name = c.product = dupspan(v, name);
    c.version = dupspan(v, version);
    c.source_name = dupspan(v, src);
    c.source_version = srcver.p ? dupspan(v, srcver) : src.p ? c.version : NULL;
    char *a = dupspan(v, arch);
    if (c.name == NULL || c.version == NULL || (name.p && !c.name)) return wbi_doc_nomem(&v->d);
    const char *keys[2], *vals[2];
    size_t nq = 0;
    if (a && *a) keys[nq] = "arch", vals[nq++] = a;
    if (v->distro) keys[nq] = "distro", vals[nq++] = v->distro;
    char where[1024];
    snprintf(where, sizeof where, "%s:%zu", v->d.name, line);
    c.where = where;
    int rc = 0;
    wb_error *saved = v->d.err, e;
    wb_error_clear(&e);
    v->d.err = &e; /* a package whose purl cannot be built is skipped, not the file */
    c.purl = wbi_inv_purl(v, type, ns, c.name, c.version, keys, vals, nq, line, &rc);
    v->d.err = saved;
    if (rc == WB_ENOMEM) return wbi_doc_nomem(&v->d);
    if (rc != 0) {
        wbi_inv_skip(v, "%s (package skipped)", e.msg);
        return 0;
    }
    return wbi_inv_emit(v, &c);
}

/* ---- dpkg status and apk installed ---------------------------------------------------- */

int wbi_inv_dpkg_status(wbi_inv *v, const char *data, size_t len)
{
    char nsbuf[64];
    const char *ns = wbi_inv_distro_ns(v->distro, false, nsbuf, sizeof nsbuf);
    lines l = {data, len, 0, 0};
    const char *s;
    size_t n;
    span name = {0}, ver = {0}, arch = {0}, src = {0}, status = {0};
    size_t at = 0;
    bool more = true;
    while (more) {
        more = next_line(&l, &s, &n);
        if (more && n > 0) {
            const char *val;
            size_t vn;
            if (s[0] == ' ' || s[0] == '\t') continue; /* a continuation line */
            if (field(s, n, "Package", &val, &vn))
                name = (span){val, vn}, at = l.no;
            else if (field(s, n, "Version", &val, &vn))
                ver = (span){val, vn};
            else if (field(s, n, "Architecture", &val, &vn))
                arch = (span){val, vn};
            else if (field(s, n, "Source", &val, &vn))
                src = (span){val, vn};
            else if (field(s, n, "Status", &val, &vn))
                status = (span){val, vn};
            continue;
        }
        /* the end of a stanza */
        if (name.p) {
            /* "install ok installed", "hold ok installed": the third word */
            bool installed =
                status.n >= 10 && memcmp(status.p + status.n - 10, " installed", 10) == 0;
            if (installed && ver.n == 0) {
                wbi_inv_skip(v, "%s:%zu: package '%.*s' has no Version (package skipped)",
                             v->d.name, at, (int)(name.n > 100 ? 100 : name.n), name.p);
            } else if (installed) {
                /* "Source: glibc" or "Source: glibc (2.36-9+deb12u4)" */
                span sname = src.p ? src : name, sver = {0};
                if (src.p) {
                    const char *paren = memchr(src.p, '(', src.n);
                    if (paren) {
                        sname.n = (size_t)(paren - src.p);
                        while (sname.n > 0 && sname.p[sname.n - 1] == ' ')
                            sname.n--;
                        const char *close = memchr(paren, ')', src.n - (size_t)(paren - src.p));
                        if (close) sver = (span){paren + 1, (size_t)(close - paren - 1)};
                    }
                }
                int rc = os_package(v, "deb", ns, name, ver, arch, sname, sver.p ? sver : ver, at);
                if (rc != 0) return rc;
            }
        }
        name = ver = arch = src = status = (span){0};
    }
    return 0;
}

int wbi_inv_apk(wbi_inv *v, const char *data, size_t len)
{
    lines l = {data, len, 0, 0};
    const char *s;
    size_t n;
    span name = {0}, ver = {0}, arch = {0}, origin = {0};
    size_t at = 0;
    bool more = true;
    while (more) {
        more = next_line(&l, &s, &n);
        if (more && n > 0) {
            const char *val;
            size_t vn;
            if (field(s, n, "P", &val, &vn))
                name = (span){val, vn}, at = l.no;
            else if (field(s, n, "V", &val, &vn))
                ver = (span){val, vn};
            else if (field(s, n, "A", &val, &vn))
                arch = (span){val, vn};
            else if (field(s, n, "o", &val, &vn))
                origin = (span){val, vn};
            continue;
        }
        if (name.p && ver.n == 0) {
            wbi_inv_skip(v, "%s:%zu: package '%.*s' has no V: line (package skipped)", v->d.name,
                         at, (int)(name.n > 100 ? 100 : name.n), name.p);
        } else if (name.p) {
            /* Alpine's secdb and OSV name the origin (source) package */
            int rc =
                os_package(v, "apk", "alpine", name, ver, arch, origin.p ? origin : name, ver, at);
            if (rc != 0) return rc;
        }
        name = ver = arch = origin = (span){0};
    }
    return 0;
}

/* ---- dpkg -l ---------------------------------------------------------------------------- */

/* Splits at runs of blanks into at most max fields (the last takes the rest). */
static int words(const char *s, size_t n, span *f, int max)
{
    int k = 0;
    size_t i = 0;
    while (i < n && k < max) {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i == n) break;
        size_t j = i;
        while (j < n && !(s[j] == ' ' || s[j] == '\t'))
            j++;
        f[k++] = (span){s + i, j - i};
        i = j;
    }
    return k;
}

int wbi_inv_dpkg_l(wbi_inv *v, const char *data, size_t len)
{
    char nsbuf[64];
    const char *ns = wbi_inv_distro_ns(v->distro, false, nsbuf, sizeof nsbuf);
    lines l = {data, len, 0, 0};
    const char *s;
    size_t n;
    bool body = false;
    v->no_source = true; /* dpkg -l does not name source packages */
    while (next_line(&l, &s, &n)) {
        if (!body) {
            body = n >= 4 && memcmp(s, "+++-", 4) == 0;
            continue;
        }
        if (n == 0) continue;
        span f[4];
        int nf = words(s, n, f, 4);
        if (nf < 3 || f[0].n < 2) {
            wbi_inv_skip(v, "%s:%zu: expected 'STATE NAME VERSION ARCH DESCRIPTION' (line skipped)",
                         v->d.name, l.no);
            continue;
        }
        /* desired/status: "ii", "hi", "iU"...: the second letter i = installed */
        if (f[0].p[1] != 'i') continue;
        span name = f[1], arch = nf >= 4 ? f[3] : (span){0};
        const char *colon = memchr(name.p, ':', name.n);
        if (colon) {
            arch = (span){colon + 1, name.n - (size_t)(colon + 1 - name.p)};
            name.n = (size_t)(colon - name.p);
        }
        int rc = os_package(v, "deb", ns, name, f[2], arch, (span){0}, (span){0}, l.no);
        if (rc != 0) return rc;
    }
    return 0;
}

/* ---- rpm -qa (default format) ----------------------------------------------------------- */

int wbi_inv_rpm_nevra(wbi_inv *v, const char *data, size_t len)
{
    char nsbuf[64];
    const char *ns = wbi_inv_distro_ns(v->distro, true, nsbuf, sizeof nsbuf);
    if (ns == NULL)
        return wb_error_set(v->d.err, WB_EPARSE,
                            "%s: an rpm package list needs --distro naming its distribution "
                            "(rhel-9, fedora-40, centos-7, rocky-9, almalinux-9, sles-15, "
                            "opensuse-15, ol-9, amzn-2023): it gives the purls' namespace",
                            v->d.name);
    lines l = {data, len, 0, 0};
    const char *s;
    size_t n;
    while (next_line(&l, &s, &n)) {
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        if (n == 0 || s[0] == '#') continue;
        wb_nevra x;
        wb_error e;
        /* the imported signing keys are packages to rpm (without an arch) */
        if (n > 11 && memcmp(s, "gpg-pubkey-", 11) == 0) continue;
        if (wb_nevra_parse(s, n, &x, &e) != 0 || x.arch_len == 0) {
            wbi_inv_skip(v, "%s:%zu: '%.*s' is not NAME-VERSION-RELEASE.ARCH (line skipped)",
                         v->d.name, l.no, (int)(n > 100 ? 100 : n), s);
            continue;
        }
        if (x.name_len == 10 && memcmp(x.name, "gpg-pubkey", 10) == 0) continue;
        if (v->sink == NULL) continue;
        wb_arena_free(&v->d.arena);
        char *name = wb_arena_strndup(&v->d.arena, x.name, x.name_len);
        char *arch = wb_arena_strndup(&v->d.arena, x.arch, x.arch_len);
        char *epoch = x.epoch_len ? wb_arena_strndup(&v->d.arena, x.epoch, x.epoch_len) : NULL;
        size_t vrn = x.version_len + x.release_len + 2;
        char *vr = wb_arena_alloc(&v->d.arena, vrn);
        char evr[WB_VERSION_MAX + 2];
        if (name == NULL || arch == NULL || vr == NULL || (x.epoch_len && epoch == NULL))
            return wbi_doc_nomem(&v->d);
        snprintf(vr, vrn, "%.*s-%.*s", (int)x.version_len, x.version, (int)x.release_len,
                 x.release);
        if (wb_nevra_evr(&x, evr, sizeof evr) == 0) {
            wbi_inv_skip(v, "%s:%zu: version too long (line skipped)", v->d.name, l.no);
            continue;
        }
        wb_component c = {0};
        c.asset = v->asset;
        c.name = c.product = name;
        c.version = wb_arena_strdup(&v->d.arena, evr);
        if (c.version == NULL) return wbi_doc_nomem(&v->d);
        char where[1024];
        snprintf(where, sizeof where, "%s:%zu", v->d.name, l.no);
        c.where = where;
        const char *keys[3], *vals[3];
        size_t nq = 0;
        keys[nq] = "arch", vals[nq++] = arch;
        if (v->distro) keys[nq] = "distro", vals[nq++] = v->distro;
        if (epoch) keys[nq] = "epoch", vals[nq++] = epoch;
        int rc = 0;
        c.purl = wbi_inv_purl(v, "rpm", ns, name, vr, keys, vals, nq, l.no, &rc);
        if (rc == 0) rc = wbi_inv_emit(v, &c);
        if (rc != 0) return rc;
    }
    return 0;
}

/* ---- SPDX tag-value ---------------------------------------------------------------------- */

typedef struct tvpkg {
    span name, version, supplier, purl, cpe;
    size_t line;
} tvpkg;

static int tv_emit(wbi_inv *v, tvpkg *p)
{
    if (p->name.p == NULL || v->sink == NULL) return 0;
    wb_arena_free(&v->d.arena);
    wb_component c = {0};
    c.asset = v->asset;
    c.name = c.product = dupspan(v, p->name);
    if (p->version.p && !(p->version.n == 11 && memcmp(p->version.p, "NOASSERTION", 11) == 0))
        c.version = dupspan(v, p->version);
    span sup = p->supplier;
    if (sup.n > 14 && memcmp(sup.p, "Organization: ", 14) == 0)
        c.vendor = dupspan(v, (span){sup.p + 14, sup.n - 14});
    else if (sup.n > 8 && memcmp(sup.p, "Person: ", 8) == 0)
        c.vendor = dupspan(v, (span){sup.p + 8, sup.n - 8});
    c.purl = dupspan(v, p->purl);
    c.cpe = dupspan(v, p->cpe);
    if (c.name == NULL) return wbi_doc_nomem(&v->d);
    char where[1024];
    snprintf(where, sizeof where, "%s:%zu", v->d.name, p->line);
    c.where = where;
    wb_error e;
    wb_error_clear(&e);
    if (c.purl) {
        wb_purl *pp = NULL;
        int rc = wb_purl_parse(c.purl, strlen(c.purl), 0, &pp, &e);
        wb_purl_free(pp);
        if (rc == WB_ENOMEM) return wbi_doc_nomem(&v->d);
        if (rc != 0) {
            wbi_inv_skip(v, "%s: PackageName %s: ExternalRef purl: %s (package skipped)", where,
                         c.name, e.msg);
            return 0;
        }
    }
    return wbi_inv_emit(v, &c);
}

int wbi_inv_spdx_tv(wbi_inv *v, const char *data, size_t len)
{
    lines l = {data, len, 0, 0};
    const char *s;
    size_t n;
    tvpkg p = {0};
    bool in_text = false;
    int rc = 0;
    v->asset = v->opts->asset ? v->opts->asset : v->d.name;
    while (rc == 0 && next_line(&l, &s, &n)) {
        /* multi-line values: <text> ... </text> */
        if (in_text) {
            for (size_t i = 0; i + 7 <= n; i++)
                if (memcmp(s + i, "</text>", 7) == 0) in_text = false;
            continue;
        }
        const char *val;
        size_t vn;
        const char *colon = memchr(s, ':', n);
        if (colon) {
            const char *t = colon + 1;
            size_t rest = n - (size_t)(t - s);
            while (rest > 0 && *t == ' ')
                t++, rest--;
            bool open = rest >= 6 && memcmp(t, "<text>", 6) == 0, closed = false;
            for (size_t i = 0; open && i + 7 <= rest; i++)
                if (memcmp(t + i, "</text>", 7) == 0) closed = true;
            if (open && !closed) in_text = true;
        }
        if (field(s, n, "DocumentName", &val, &vn)) {
            if (v->opts->asset == NULL) {
                /* the asset outlives the per-package arena resets */
                char *keep = malloc(vn + 1);
                if (keep == NULL) return wbi_doc_nomem(&v->d);
                free(v->owned);
                memcpy(keep, val, vn);
                keep[vn] = '\0';
                v->owned = keep;
                v->asset = keep;
            }
        } else if (field(s, n, "PackageName", &val, &vn)) {
            rc = tv_emit(v, &p);
            memset(&p, 0, sizeof p);
            p.name = (span){val, vn};
            p.line = l.no;
        } else if (field(s, n, "PackageVersion", &val, &vn)) {
            p.version = (span){val, vn};
        } else if (field(s, n, "PackageSupplier", &val, &vn)) {
            p.supplier = (span){val, vn};
        } else if (field(s, n, "ExternalRef", &val, &vn)) {
            span f[3];
            int nf = words(val, vn, f, 3);
            if (nf == 3 && f[1].n == 4 && memcmp(f[1].p, "purl", 4) == 0 && p.purl.p == NULL)
                p.purl = f[2];
            else if (nf == 3 && f[0].n == 8 && memcmp(f[0].p, "SECURITY", 8) == 0 &&
                     ((f[1].n == 9 && memcmp(f[1].p, "cpe23Type", 9) == 0)) && p.cpe.p == NULL)
                p.cpe = f[2];
        } else if (field(s, n, "FileName", &val, &vn) || field(s, n, "SnippetSPDXID", &val, &vn)) {
            /* files and snippets end the package section */
            rc = tv_emit(v, &p);
            memset(&p, 0, sizeof p);
        }
    }
    if (rc == 0) rc = tv_emit(v, &p);
    return rc;
}

/* ---- detection ------------------------------------------------------------------------------ */

int wbi_inv_detect_os(const char *data, size_t len)
{
    lines l = {data, len, 0, 0};
    const char *s;
    size_t n;
    while (next_line(&l, &s, &n)) {
        if (n == 0 || s[0] == '#') continue;
        if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3, n -= 3;
        if (n >= 12 && memcmp(s, "SPDXVersion:", 12) == 0) return WBI_INV_SPDX_TV;
        if (n >= 9 && memcmp(s, "Package: ", 9) == 0) return WBI_INV_DPKG_STATUS;
        if (n >= 3 && (memcmp(s, "C:Q", 3) == 0 || memcmp(s, "P:", 2) == 0)) return WBI_INV_APK;
        if (n >= 8 && memcmp(s, "Desired=", 8) == 0) return WBI_INV_DPKG_L;
        if (memchr(s, ' ', n) == NULL && memchr(s, '\t', n) == NULL && memchr(s, ',', n) == NULL) {
            wb_nevra x;
            wb_error e;
            if (wb_nevra_parse(s, n, &x, &e) == 0 && x.arch_len > 0) return WBI_INV_RPM_NEVRA;
        }
        return WB_INV_AUTO;
    }
    return WB_INV_AUTO;
}

/* ---- a root file system ------------------------------------------------------------------- */

static char *join(const char *root, const char *rel)
{
    size_t n = strlen(root) + strlen(rel) + 2;
    char *p = malloc(n);
    if (p == NULL) return NULL;
    bool slash = root[0] && root[strlen(root) - 1] == '/';
    snprintf(p, n, "%s%s%s", root, slash ? "" : "/", rel);
    return p;
}

/* ID and VERSION_ID of os-release as "debian-12", "ubuntu-22.04",
 * "alpine-3.18" (Alpine's point releases share one OSV ecosystem). */
static bool os_release(const char *root, char *out, size_t cap)
{
    static const char *const where[] = {"etc/os-release", "usr/lib/os-release"};
    for (int w = 0; w < 2; w++) {
        char *p = join(root, where[w]);
        char *data = NULL;
        size_t len = 0;
        wb_error e;
        int rc = p ? wb_read_file(p, 1 << 16, &data, &len, &e) : -1;
        free(p);
        if (rc != 0) continue;
        char id[64] = "", ver[64] = "";
        lines l = {data, len, 0, 0};
        const char *s;
        size_t n;
        while (next_line(&l, &s, &n)) {
            char *dst = NULL;
            size_t k = 0;
            if (n > 3 && memcmp(s, "ID=", 3) == 0)
                dst = id, k = 3;
            else if (n > 11 && memcmp(s, "VERSION_ID=", 11) == 0)
                dst = ver, k = 11;
            if (dst == NULL) continue;
            size_t m = 0;
            for (size_t i = k; i < n && m + 1 < 64; i++)
                if (s[i] != '"' && s[i] != '\'') dst[m++] = wb_lower(s[i]);
            dst[m] = '\0';
        }
        free(data);
        if (id[0] == '\0') continue;
        if (strcmp(id, "alpine") == 0) {
            char *dot = strchr(ver, '.');
            if (dot && (dot = strchr(dot + 1, '.'))) *dot = '\0';
        }
        if (ver[0])
            snprintf(out, cap, "%s-%s", id, ver);
        else
            snprintf(out, cap, "%s", id);
        return true;
    }
    return false;
}

int wbi_inv_rootfs(const char *root, const wb_inventory_opts *opts, wb_component_sink *sink,
                   wb_error *err)
{
    char distro[140];
    wb_inventory_opts o = *opts;
    if (o.distro == NULL && os_release(root, distro, sizeof distro)) o.distro = distro;
    char host[256];
    if (o.asset == NULL) {
        char *hp = join(root, "etc/hostname");
        FILE *f = hp ? fopen(hp, "r") : NULL;
        free(hp);
        if (f && fgets(host, sizeof host, f)) {
            host[strcspn(host, "\r\n")] = '\0';
            if (host[0]) o.asset = host;
        }
        if (f) fclose(f);
        if (o.asset == NULL) o.asset = root;
    }
    static const char *const dbs[] = {"var/lib/dpkg/status", "lib/apk/db/installed"};
    int found = 0, rc = 0;
    for (int i = 0; rc == 0 && i < 2; i++) {
        char *p = join(root, dbs[i]);
        if (p == NULL) return wb_error_set(err, WB_ENOMEM, "%s: out of memory", root);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
            found++;
            rc = wb_inventory_load(p, &o, sink, err);
        }
        free(p);
    }
    if (rc != 0) return rc;
    static const char *const rpmdb[] = {"var/lib/rpm", "usr/lib/sysimage/rpm"};
    for (int i = 0; i < 2; i++) {
        char *p = join(root, rpmdb[i]);
        if (p == NULL) return wb_error_set(err, WB_ENOMEM, "%s: out of memory", root);
        struct stat st;
        bool there = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
        if (there && o.skipped) {
            /* an empty directory is what dpkg-based systems with rpm installed have */
            wb_error w;
            wb_error_clear(&w);
            wb_error_set(&w, WB_EPARSE,
                         "%s: an RPM database, not read (weerbaar reads no RPM database files: "
                         "give it 'rpm --root %s -qa' output with --distro instead)",
                         p, root);
            char *pk = join(p, "Packages"), *sq = join(p, "rpmdb.sqlite");
            struct stat s2;
            if ((pk && stat(pk, &s2) == 0) || (sq && stat(sq, &s2) == 0))
                o.skipped(o.skipped_ud, &w);
            free(pk);
            free(sq);
        }
        free(p);
    }
    if (found == 0)
        return wb_error_set(err, WB_EFORMAT,
                            "%s: a directory, read as a root file system, but it has no package "
                            "database weerbaar reads (var/lib/dpkg/status, lib/apk/db/installed)",
                            root);
    return 0;
}
