/*
 * inventory.c - what is installed, detected from content: CycloneDX JSON
 * 1.2-1.6 SBOMs, SPDX 2.2-2.3 JSON SBOMs, CSV asset lists, `dpkg-query -W`
 * output (its default, or with source package columns) and `rpm -qa --qf
 * '%{NAME} %{EPOCH}:%{VERSION}-%{RELEASE} %{ARCH}\n'` output; and the entry
 * point, which hands a machine's package databases, the other text lists
 * and root file systems to inventory_os.c.
 *
 * Every component stays tied to its asset: the `=ASSET` the user gave, else
 * the SBOM's metadata.component (CycloneDX) or document name (SPDX), else
 * the CSV row's asset column, else the file name. A CycloneDX SBOM's
 * metadata.component is also passed on as a component when it has a purl,
 * CPE or version: the application an SBOM describes has advisories of its
 * own.
 *
 * A file is read in two passes: the first checks the document's structure
 * (a file that is not an inventory is an error), the second hands the
 * components out. A component that cannot be used - an unparsable purl or
 * CPE (Microsoft's sbom-tool writes URLs as purls), a bad CSV row - is
 * skipped with a message naming the file and JSON path or line, and the
 * others are scanned: one typo must not hide a whole SBOM, and must not go
 * unsaid either.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vuln/inventory_internal.h"
#include "weerbaar/cpe.h"
#include "weerbaar/io.h"
#include "weerbaar/purl.h"

typedef wbi_inv inv;

static int emit(inv *v, wb_component *c)
{
    if (v->sink == NULL) return 0;
    int rc = v->sink->add(v->sink, c);
    if (rc != 0 && (v->d.err == NULL || v->d.err->code == WB_OK))
        wb_error_set(v->d.err, rc, "%s: %s", c->where ? c->where : v->d.name, wb_strerror(rc));
    return rc;
}

/* A component left out: said once (in the pass that hands components out),
 * with the file and the path or line. */
int wbi_inv_emit(wbi_inv *v, wb_component *c)
{
    return emit(v, c);
}

void wbi_inv_skip(inv *v, const char *fmt, ...)
{
    if (v->sink == NULL || v->opts->skipped == NULL) return;
    char msg[WB_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    wb_error w;
    wb_error_clear(&w);
    wb_error_set(&w, WB_EPARSE, "%s", msg);
    v->opts->skipped(v->opts->skipped_ud, &w);
}

/* Checks a purl or CPE from a document: 0 when it parses, 1 when it does
 * not (the component is skipped, named by the field's path). */
static int check_purl(inv *v, const char *purl, const char *key)
{
    wb_purl *p = NULL;
    wb_error e = {0};
    if (wb_purl_parse(purl, strlen(purl), 0, &p, &e) == 0) {
        wb_purl_free(p);
        return 0;
    }
    if (e.code == WB_ENOMEM) return wbi_doc_nomem(&v->d);
    size_t old = wbi_path_key(&v->d, key);
    wbi_inv_skip(v, "%s: %s: %s (component skipped)", v->d.name,
                 v->d.path.data ? v->d.path.data : "$", e.msg);
    wbi_path_cut(&v->d, old);
    return 1;
}

static int check_cpe(inv *v, const char *cpe, const char *key)
{
    wb_cpe c;
    wb_error e = {0};
    if (wb_cpe_parse(cpe, strlen(cpe), &c, &e) == 0) return 0;
    size_t old = wbi_path_key(&v->d, key);
    wbi_inv_skip(v, "%s: %s: %s (component skipped)", v->d.name,
                 v->d.path.data ? v->d.path.data : "$", e.msg);
    wbi_path_cut(&v->d, old);
    return 1;
}

/* ---- CycloneDX ------------------------------------------------------------------------ */

static int cdx_component(inv *v, const json_t *c, bool top)
{
    if (!json_is_object(c)) return wbi_doc_fail(&v->d, "expected an object");
    const char *name = NULL, *version = NULL, *purl = NULL, *cpe = NULL, *group = NULL,
               *publisher = NULL, *vendor = NULL;
    json_t *supplier = NULL, *manufacturer = NULL;
    int rc = wbi_req_str(&v->d, c, "name", &name);
    if (rc == 0) rc = wbi_opt_str(&v->d, c, "version", &version);
    if (rc == 0) rc = wbi_opt_str(&v->d, c, "purl", &purl);
    if (rc == 0) rc = wbi_opt_str(&v->d, c, "cpe", &cpe);
    if (rc == 0) rc = wbi_opt_str(&v->d, c, "group", &group);
    if (rc == 0) rc = wbi_opt_str(&v->d, c, "publisher", &publisher);
    if (rc == 0) rc = wbi_opt_obj(&v->d, c, "supplier", &supplier);
    if (rc == 0) rc = wbi_opt_obj(&v->d, c, "manufacturer", &manufacturer);
    if (rc == 0 && purl && purl[0]) rc = check_purl(v, purl, "purl");
    if (rc == 0 && cpe && cpe[0]) rc = check_cpe(v, cpe, "cpe");
    if (rc == 1) return 0; /* skipped; its nested components are read */
    if (rc != 0) return rc;
    if (supplier) vendor = json_string_value(json_object_get(supplier, "name"));
    if (!vendor && manufacturer) vendor = json_string_value(json_object_get(manufacturer, "name"));
    if (!vendor) vendor = publisher;
    if (top && !(purl && purl[0]) && !(cpe && cpe[0]) && !(version && version[0])) return 0;
    wb_component k = {0};
    k.asset = v->asset;
    k.name = name;
    k.version = version && version[0] ? version : NULL;
    k.purl = purl && purl[0] ? purl : NULL;
    k.cpe = cpe && cpe[0] ? cpe : NULL;
    k.vendor = vendor && vendor[0] ? vendor : (group && group[0] ? group : NULL);
    k.product = name;
    if (v->sink) {
        k.where = wbi_doc_where(&v->d, NULL);
        if (k.where == NULL) return wbi_doc_nomem(&v->d);
    }
    return emit(v, &k);
}

static int cdx_components(inv *v, const json_t *arr, int depth)
{
    if (depth > WBI_VULN_MAX_DEPTH) return wbi_doc_fail(&v->d, "components nested too deeply");
    size_t i;
    json_t *c;
    json_array_foreach(arr, i, c)
    {
        size_t old = wbi_path_idx(&v->d, i);
        int rc = cdx_component(v, c, false);
        json_t *sub = NULL;
        if (rc == 0) rc = wbi_opt_arr(&v->d, c, "components", &sub);
        if (rc == 0 && sub) {
            size_t o2 = wbi_path_key(&v->d, "components");
            rc = cdx_components(v, sub, depth + 1);
            wbi_path_cut(&v->d, o2);
        }
        if (rc != 0) return rc;
        wbi_path_cut(&v->d, old);
    }
    return 0;
}

static int cdx_load(inv *v, const json_t *root)
{
    json_t *meta = NULL, *mc = NULL, *comps = NULL;
    int rc = wbi_opt_obj(&v->d, root, "metadata", &meta);
    if (rc == 0 && meta) {
        size_t old = wbi_path_key(&v->d, "metadata");
        rc = wbi_opt_obj(&v->d, meta, "component", &mc);
        if (rc == 0) wbi_path_cut(&v->d, old);
    }
    if (rc == 0) rc = wbi_opt_arr(&v->d, root, "components", &comps);
    if (rc != 0) return rc;
    v->asset = v->opts->asset;
    if (v->asset == NULL && mc) v->asset = json_string_value(json_object_get(mc, "name"));
    if (v->asset == NULL) v->asset = v->d.name;
    if (mc) {
        size_t old = wbi_path_key(&v->d, "metadata");
        wbi_path_key(&v->d, "component");
        rc = cdx_component(v, mc, true);
        if (rc != 0) return rc;
        wbi_path_cut(&v->d, old);
    }
    if (comps) {
        size_t old = wbi_path_key(&v->d, "components");
        rc = cdx_components(v, comps, 0);
        if (rc != 0) return rc;
        wbi_path_cut(&v->d, old);
    }
    return 0;
}

/* ---- SPDX -------------------------------------------------------------------------------- */

static int spdx_load(inv *v, const json_t *root)
{
    const char *docname = NULL;
    json_t *pkgs = NULL;
    int rc = wbi_opt_str(&v->d, root, "name", &docname);
    if (rc == 0) rc = wbi_opt_arr(&v->d, root, "packages", &pkgs);
    if (rc != 0) return rc;
    v->asset = v->opts->asset ? v->opts->asset : docname ? docname : v->d.name;
    size_t old = wbi_path_key(&v->d, "packages"), i;
    json_t *p;
    json_array_foreach(pkgs, i, p)
    {
        size_t o2 = wbi_path_idx(&v->d, i);
        const char *name = NULL, *version = NULL, *supplier = NULL, *purl = NULL, *cpe = NULL;
        json_t *refs = NULL;
        if (!json_is_object(p)) return wbi_doc_fail(&v->d, "expected an object");
        rc = wbi_req_str(&v->d, p, "name", &name);
        if (rc == 0) rc = wbi_opt_str(&v->d, p, "versionInfo", &version);
        if (rc == 0) rc = wbi_opt_str(&v->d, p, "supplier", &supplier);
        if (rc == 0) rc = wbi_opt_arr(&v->d, p, "externalRefs", &refs);
        if (rc != 0) return rc;
        size_t j;
        json_t *r;
        bool bad = false;
        json_array_foreach(refs, j, r)
        {
            size_t o3 = wbi_path_key(&v->d, "externalRefs");
            wbi_path_idx(&v->d, j);
            const char *cat = NULL, *type = NULL, *loc = NULL;
            if (!json_is_object(r)) return wbi_doc_fail(&v->d, "expected an object");
            rc = wbi_req_str(&v->d, r, "referenceCategory", &cat);
            if (rc == 0) rc = wbi_req_str(&v->d, r, "referenceType", &type);
            if (rc == 0) rc = wbi_req_str(&v->d, r, "referenceLocator", &loc);
            if (rc != 0) return rc;
            /* SPDX 2.3 spells the category PACKAGE-MANAGER, 2.2 PACKAGE_MANAGER */
            if (strcmp(type, "purl") == 0 && purl == NULL && !bad) {
                rc = check_purl(v, loc, "referenceLocator");
                purl = loc;
            } else if ((strcmp(type, "cpe23Type") == 0 || strcmp(type, "cpe22Type") == 0) &&
                       strcmp(cat, "SECURITY") == 0 && cpe == NULL && !bad) {
                rc = check_cpe(v, loc, "referenceLocator");
                cpe = loc;
            }
            if (rc == 1) bad = true, rc = 0;
            if (rc != 0) return rc;
            wbi_path_cut(&v->d, o3);
        }
        if (bad) {
            wbi_path_cut(&v->d, o2);
            continue;
        }
        wb_component k = {0};
        k.asset = v->asset;
        k.name = name;
        k.product = name;
        /* NOASSERTION / NONE say nothing */
        if (version && version[0] && strcmp(version, "NOASSERTION") != 0) k.version = version;
        if (supplier && strncmp(supplier, "Organization: ", 14) == 0)
            k.vendor = supplier + 14;
        else if (supplier && strncmp(supplier, "Person: ", 8) == 0)
            k.vendor = supplier + 8;
        k.purl = purl;
        k.cpe = cpe;
        if (v->sink && (k.where = wbi_doc_where(&v->d, NULL)) == NULL) return wbi_doc_nomem(&v->d);
        rc = emit(v, &k);
        if (rc != 0) return rc;
        wbi_path_cut(&v->d, o2);
    }
    wbi_path_cut(&v->d, old);
    return 0;
}

/* ---- CSV asset lists ------------------------------------------------------------------- */

enum {
    COL_ASSET,
    COL_VENDOR,
    COL_PRODUCT,
    COL_VERSION,
    COL_CPE,
    COL_PURL,
    COL_INET,
    COL_CRIT,
    COL_OWNER,
    NCOL
};
static const char *const col_names[NCOL] = {"asset",           "vendor",      "product",
                                            "version",         "cpe",         "purl",
                                            "internet_facing", "criticality", "owner"};
#define CSV_MAX_FIELDS 64

typedef struct csv_field {
    size_t off, len; /* into the row's decoded text */
} csv_field;

/* Reads one CSV record (RFC 4180: quoted fields may hold commas, doubled
 * quotes and newlines) starting at *pos; decoded text goes to out. Returns
 * the field count, 0 at the end of input, -1 for a malformed record (an
 * unterminated quote, text after a closing quote, too many fields). */
static int csv_record(const char *s, size_t n, size_t *pos, size_t *line, wb_buf *out, csv_field *f)
{
    size_t i = *pos;
    if (i >= n) return 0;
    wb_buf_reset(out);
    int nf = 0;
    for (;;) {
        if (nf == CSV_MAX_FIELDS) return -1;
        size_t start = out->len;
        if (i < n && s[i] == '"') {
            i++;
            for (;;) {
                if (i >= n) return -1;
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"') {
                        if (wb_buf_putc(out, '"') != 0) return -2;
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (s[i] == '\n') (*line)++;
                if (wb_buf_putc(out, s[i++]) != 0) return -2;
            }
            if (i < n && s[i] != ',' && s[i] != '\n' && s[i] != '\r') return -1;
        } else {
            while (i < n && s[i] != ',' && s[i] != '\n' && s[i] != '\r')
                if (wb_buf_putc(out, s[i++]) != 0) return -2;
        }
        f[nf].off = start;
        f[nf].len = out->len - start;
        nf++;
        if (wb_buf_putc(out, '\0') != 0) return -2;
        if (i < n && s[i] == ',') {
            i++;
            continue;
        }
        if (i < n && s[i] == '\r') i++;
        if (i < n && s[i] == '\n') i++;
        break;
    }
    *pos = i;
    return nf;
}

static bool csv_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"yes", "true", "1", "y"}, *const no[] = {"no", "false", "0",
                                                                               "n", ""};
    for (size_t i = 0; i < 4; i++)
        if (wb_strn_ieq(s, strlen(s), yes[i])) return *out = true, true;
    for (size_t i = 0; i < 5; i++)
        if (wb_strn_ieq(s, strlen(s), no[i])) return *out = false, true;
    return false;
}

static bool csv_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return false;
    return true;
}

static int csv_pass(inv *v, const char *data, size_t len)
{
    wb_buf row = {0};
    csv_field f[CSV_MAX_FIELDS];
    int map[NCOL];
    for (int c = 0; c < NCOL; c++)
        map[c] = -1;
    size_t pos = 0, line = 1, rowno = 0;
    int rc = 0, nhead = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) pos = 3; /* spreadsheet BOM */
    while (rc == 0) {
        size_t startline = line;
        /* skip blank lines and '#' comments before the header and between rows */
        if (pos < len && (data[pos] == '\n' || data[pos] == '\r' || data[pos] == '#')) {
            while (pos < len && data[pos] != '\n')
                pos++;
            pos++;
            line++;
            continue;
        }
        int nf = csv_record(data, len, &pos, &line, &row, f);
        if (nf == 0) break;
        if (nf == -2) {
            rc = wbi_doc_nomem(&v->d);
            break;
        }
        if (nf < 0) {
            rc = wb_error_set(v->d.err, WB_EPARSE, "%s:%zu: malformed CSV record", v->d.name,
                              startline);
            break;
        }
        line++;
        if (nhead == 0) {
            nhead = nf;
            for (int k = 0; k < nf && rc == 0; k++) {
                const char *h = row.data + f[k].off;
                int c;
                for (c = 0; c < NCOL; c++)
                    if (wb_strn_ieq(h, f[k].len, col_names[c])) break;
                if (c == NCOL)
                    rc = wb_error_set(v->d.err, WB_EPARSE,
                                      "%s:%zu: column %d: unknown column '%.40s' (known: asset, "
                                      "vendor, product, version, cpe, purl, internet_facing, "
                                      "criticality, owner)",
                                      v->d.name, startline, k + 1, h);
                else if (map[c] >= 0)
                    rc = wb_error_set(v->d.err, WB_EPARSE, "%s:%zu: column %d: '%s' appears twice",
                                      v->d.name, startline, k + 1, col_names[c]);
                else
                    map[c] = k;
            }
            if (rc == 0 && map[COL_CPE] < 0 && map[COL_PURL] < 0 &&
                (map[COL_PRODUCT] < 0 || map[COL_VERSION] < 0))
                rc = wb_error_set(v->d.err, WB_EPARSE,
                                  "%s:%zu: the header needs a cpe or purl column, or product and "
                                  "version",
                                  v->d.name, startline);
            continue;
        }
        rowno++;
        if (nf != nhead) {
            wbi_inv_skip(v, "%s:%zu: row %zu has %d fields, the header %d (row skipped)", v->d.name,
                         startline, rowno, nf, nhead);
            continue;
        }
        const char *val[NCOL] = {0};
        for (int c = 0; c < NCOL; c++) {
            if (map[c] < 0) continue;
            char *t = row.data + f[map[c]].off;
            size_t n = f[map[c]].len;
            while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t'))
                t[--n] = '\0';
            while (*t == ' ' || *t == '\t')
                t++;
            val[c] = *t ? t : NULL;
        }
        if (csv_blank(row.data, row.len) && val[COL_ASSET] == NULL && val[COL_CPE] == NULL &&
            val[COL_PURL] == NULL && val[COL_PRODUCT] == NULL)
            continue;
#define ROWFAIL(col, ...)                                                                          \
    do {                                                                                           \
        char why_[256];                                                                            \
        snprintf(why_, sizeof why_, __VA_ARGS__);                                                  \
        wbi_inv_skip(v, "%s:%zu: row %zu, column %s: %s (row skipped)", v->d.name, startline,      \
                     rowno, col, why_);                                                            \
        bad = true;                                                                                \
    } while (0)
        bool inet = false, bad = false;
        wb_error e = {0};
        if (val[COL_CPE]) {
            wb_cpe c;
            if (wb_cpe_parse(val[COL_CPE], strlen(val[COL_CPE]), &c, &e) != 0)
                ROWFAIL("cpe", "%s", e.msg);
        }
        if (!bad && val[COL_PURL]) {
            wb_purl *p = NULL;
            if (wb_purl_parse(val[COL_PURL], strlen(val[COL_PURL]), 0, &p, &e) != 0)
                ROWFAIL("purl", "%s", e.msg);
            wb_purl_free(p);
        }
        if (!bad && val[COL_INET] && !csv_bool(val[COL_INET], &inet))
            ROWFAIL("internet_facing", "'%.40s' is not yes/no/true/false/1/0", val[COL_INET]);
        if (!bad && !val[COL_CPE] && !val[COL_PURL] &&
            !(val[COL_VENDOR] && val[COL_PRODUCT] && val[COL_VERSION]))
            ROWFAIL(!val[COL_VENDOR]    ? "vendor"
                    : !val[COL_PRODUCT] ? "product"
                                        : "version",
                    "empty, and the row has no cpe or purl: each row needs cpe, purl, or vendor, "
                    "product and version");
        if (!bad && !val[COL_ASSET] && !v->opts->asset && map[COL_ASSET] >= 0)
            ROWFAIL("asset", "empty");
#undef ROWFAIL
        if (bad || v->sink == NULL) continue;
        wb_component k = {0};
        k.asset = v->opts->asset ? v->opts->asset : val[COL_ASSET] ? val[COL_ASSET] : v->d.name;
        k.vendor = val[COL_VENDOR];
        k.product = val[COL_PRODUCT];
        k.name = val[COL_PRODUCT];
        k.version = val[COL_VERSION];
        k.cpe = val[COL_CPE];
        k.purl = val[COL_PURL];
        k.internet_facing = inet;
        k.criticality = val[COL_CRIT];
        k.owner = val[COL_OWNER];
        char where[1024];
        snprintf(where, sizeof where, "%s:%zu", v->d.name, startline);
        k.where = where;
        if (k.name == NULL && k.purl) {
            wb_purl *p = NULL;
            if (wb_purl_parse(k.purl, strlen(k.purl), 0, &p, &e) == 0) {
                k.name = wb_arena_strdup(&v->d.arena, p->name);
                if (k.version == NULL && p->version)
                    k.version = wb_arena_strdup(&v->d.arena, p->version);
            }
            wb_purl_free(p);
        }
        rc = emit(v, &k);
    }
    if (rc == 0 && nhead == 0)
        rc = wb_error_set(v->d.err, WB_EPARSE, "%s: no CSV header", v->d.name);
    wb_buf_free(&row);
    return rc;
}

/* ---- dpkg and rpm --------------------------------------------------------------------------- */

/* Splits a line at single spaces or tabs (dpkg-query's default format) into
 * at most max fields; returns the count (fields may be empty: dpkg writes ""
 * for unset values). */
static int split_spaces(const char *s, size_t n, const char **f, size_t *fl, int max)
{
    int k = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == ' ' || s[i] == '\t') {
            if (k == max) return max + 1;
            f[k] = s + start;
            fl[k] = i - start;
            k++;
            start = i + 1;
        }
    }
    return k;
}

static const struct {
    const char *prefix, *ns;
} rpm_vendors[] = {{"rhel", "redhat"},    {"redhat", "redhat"},     {"fedora", "fedora"},
                   {"centos", "centos"},  {"rocky", "rocky"},       {"almalinux", "almalinux"},
                   {"alma", "almalinux"}, {"opensuse", "opensuse"}, {"sles", "suse"},
                   {"suse", "suse"},      {"ol", "oracle"},         {"oracle", "oracle"},
                   {"amzn", "amazon"},    {"amazon", "amazon"}};

/* The purl namespace for a distro ("debian-12" -> "debian", "rhel-9" ->
 * "redhat"); NULL for rpm without a known vendor. */
const char *wbi_inv_distro_ns(const char *distro, bool rpm, char *buf, size_t cap)
{
    if (distro == NULL) return rpm ? NULL : "debian";
    size_t n = strcspn(distro, "-");
    if (!rpm) {
        snprintf(buf, cap, "%.*s", (int)(n > 60 ? 60 : n), distro);
        for (char *p = buf; *p; p++)
            *p = wb_lower(*p);
        return buf;
    }
    for (size_t i = 0; i < sizeof rpm_vendors / sizeof rpm_vendors[0]; i++)
        if (wb_strn_ieq(distro, n, rpm_vendors[i].prefix)) return rpm_vendors[i].ns;
    return NULL;
}

const char *wbi_inv_purl(inv *v, const char *type, const char *ns, const char *name,
                         const char *version, const char *const *keys, const char *const *vals,
                         size_t nq, size_t line, int *rc)
{
    wb_purl *p = NULL;
    wb_error e = {0};
    *rc = 0;
    if (wb_purl_build(type, ns, name, version, keys, vals, nq, NULL, &p, &e) != 0) {
        *rc = e.code == WB_ENOMEM
                  ? wbi_doc_nomem(&v->d)
                  : wb_error_set(v->d.err, WB_EPARSE, "%s:%zu: %s", v->d.name, line, e.msg);
        return NULL;
    }
    wb_buf b = {0};
    const char *s = NULL;
    if (wb_purl_format(p, &b) == 0) s = wb_arena_strndup(&v->d.arena, b.data, b.len);
    wb_buf_free(&b);
    wb_purl_free(p);
    if (s == NULL) *rc = wbi_doc_nomem(&v->d);
    return s;
}

static int pkg_lines(inv *v, const char *data, size_t len, bool rpm)
{
    char nsbuf[64];
    const char *ns = wbi_inv_distro_ns(v->distro, rpm, nsbuf, sizeof nsbuf);
    /* A purl of type rpm needs the vendor as namespace (purl spec), and only
     * the --distro option says which one the list is from. */
    if (rpm && ns == NULL)
        return wb_error_set(v->d.err, WB_EPARSE,
                            "%s: an rpm package list needs --distro naming its distribution "
                            "(rhel-9, fedora-40, centos-7, rocky-9, almalinux-9, sles-15, "
                            "opensuse-15, ol-9, amzn-2023): it gives the purls' namespace",
                            v->d.name);
    const char *asset = v->opts->asset ? v->opts->asset : v->d.name;
    size_t line = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < len;) {
        size_t j = i;
        while (j < len && data[j] != '\n')
            j++;
        line++;
        const char *s = data + i;
        size_t n = j - i;
        i = j + 1;
        if (n > 0 && s[n - 1] == '\r') n--;
        if (n == 0) continue;
        const char *f[5];
        size_t fl[5];
        int nf = split_spaces(s, n, f, fl, 4);
        wb_arena_free(&v->d.arena); /* per-line strings: keep memory flat on 10k packages */
        char *t[4] = {0};
        for (int k = 0; k < nf && k < 4; k++)
            if ((t[k] = wb_arena_strndup(&v->d.arena, f[k], fl[k])) == NULL)
                return wbi_doc_nomem(&v->d);
        wb_component c = {0};
        c.asset = asset;
        char where[1024];
        snprintf(where, sizeof where, "%s:%zu", v->d.name, line);
        c.where = where;
        if (!rpm) {
            if ((nf != 2 && nf != 4) || fl[0] == 0) {
                wbi_inv_skip(
                    v, "%s:%zu: expected 'PACKAGE VERSION [SOURCE SOURCE-VERSION]' (line skipped)",
                    v->d.name, line);
                continue;
            }
            if (fl[1] == 0) continue; /* known to dpkg but not installed */
            /* ${binary:Package} and dpkg-query's default write libc6:amd64 */
            char *colon = strchr(t[0], ':');
            const char *arch = NULL;
            if (colon) *colon = '\0', arch = colon + 1;
            c.name = c.product = t[0];
            c.version = t[1];
            if (nf == 4) {
                c.source_name = fl[2] ? t[2] : t[0];
                c.source_version = fl[3] ? t[3] : t[1];
            } else {
                v->no_source = true; /* Debian's advisories name source packages */
            }
            const char *keys[2], *vals[2];
            size_t nq = 0;
            if (arch && *arch) keys[nq] = "arch", vals[nq++] = arch;
            if (v->distro) keys[nq] = "distro", vals[nq++] = v->distro;
            c.purl = wbi_inv_purl(v, "deb", ns, c.name, c.version, keys, vals, nq, line, &rc);
        } else {
            if (nf != 3 || fl[0] == 0 || fl[1] == 0 || fl[2] == 0)
                return wb_error_set(v->d.err, WB_EPARSE,
                                    "%s:%zu: expected 'NAME EPOCH:VERSION-RELEASE ARCH'", v->d.name,
                                    line);
            /* the imported signing keys are packages to rpm, not software */
            if (strcmp(t[0], "gpg-pubkey") == 0) continue;
            char *colon = strchr(t[1], ':');
            char *dash = strrchr(t[1], '-');
            if (colon == NULL || dash == NULL || dash < colon)
                return wb_error_set(v->d.err, WB_EPARSE,
                                    "%s:%zu: version '%.100s' is not EPOCH:VERSION-RELEASE",
                                    v->d.name, line, t[1]);
            *colon = '\0';
            const char *epoch = strcmp(t[1], "(none)") == 0 || t[1][0] == '\0' ? NULL : t[1];
            int64_t ep;
            if (epoch && wb_parse_i64(epoch, strlen(epoch), 0, INT32_MAX, &ep) != 0)
                return wb_error_set(v->d.err, WB_EPARSE, "%s:%zu: epoch '%.40s' is not a number",
                                    v->d.name, line, epoch);
            const char *vr = colon + 1;
            c.name = c.product = t[0];
            if (epoch) {
                size_t vn = strlen(epoch) + strlen(vr) + 2;
                char *ev = wb_arena_alloc(&v->d.arena, vn);
                if (ev == NULL) return wbi_doc_nomem(&v->d);
                snprintf(ev, vn, "%s:%s", epoch, vr);
                c.version = ev;
            } else {
                c.version = vr;
            }
            const char *keys[3], *vals[3];
            size_t nq = 0;
            if (strcmp(t[2], "(none)") != 0) keys[nq] = "arch", vals[nq++] = t[2];
            if (v->distro) keys[nq] = "distro", vals[nq++] = v->distro;
            if (epoch) keys[nq] = "epoch", vals[nq++] = epoch;
            c.purl = wbi_inv_purl(v, "rpm", ns, c.name, vr, keys, vals, nq, line, &rc);
        }
        if (rc == 0) rc = emit(v, &c);
    }
    return rc;
}

/* ---- detection and entry point ----------------------------------------------------------- */

static bool first_line(const char *data, size_t len, const char **s, size_t *n)
{
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && data[j] != '\n')
            j++;
        size_t k = j;
        if (k > i && data[k - 1] == '\r') k--;
        if (k > i && data[i] != '#') {
            *s = data + i;
            *n = k - i;
            return true;
        }
        i = j + 1;
    }
    return false;
}

static wb_inventory_format detect_text(const char *data, size_t len)
{
    const char *s;
    size_t n;
    if (!first_line(data, len, &s, &n)) return WB_INV_AUTO;
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3, n -= 3;
    if (memchr(s, ',', n)) {
        /* a header naming at least one known column */
        for (int c = 0; c < NCOL; c++) {
            size_t cl = strlen(col_names[c]);
            for (size_t i = 0; i + cl <= n; i++)
                if (wb_strn_ieq(s + i, cl, col_names[c]) &&
                    (i == 0 || s[i - 1] == ',' || s[i - 1] == '"'))
                    return WB_INV_CSV;
        }
        return WB_INV_AUTO;
    }
    const char *f[5];
    size_t fl[5];
    int nf = split_spaces(s, n, f, fl, 4);
    if (nf == 3 && memchr(f[1], ':', fl[1]) && memchr(f[1], '-', fl[1])) return WB_INV_RPM;
    if (nf == 4 || nf == 2) return WB_INV_DPKG;
    return WB_INV_AUTO;
}

int wb_inventory_load(const char *path, const wb_inventory_opts *opts, wb_component_sink *sink,
                      wb_error *err)
{
    static const wb_inventory_opts defaults = {0};
    if (opts == NULL) opts = &defaults;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return wbi_inv_rootfs(path, opts, sink, err);
    char *data = NULL;
    size_t len = 0;
    int rc =
        wb_read_file(path, opts->max_file ? opts->max_file : WBI_VULN_MAX_FILE, &data, &len, err);
    if (rc != 0) return rc;
    inv v = {.opts = opts, .distro = opts->distro, .asset = opts->asset ? opts->asset : path};
    wbi_doc_init(&v.d, path, err);
    int fmt = (int)opts->format;
    json_t *root = NULL;
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    bool json = i < len && (data[i] == '{' || data[i] == '[');
    if (fmt == WB_INV_AUTO || fmt == WB_INV_CYCLONEDX || fmt == WB_INV_SPDX) {
        if (json || fmt != WB_INV_AUTO) rc = wbi_doc_json(&v.d, data, len, &root);
        if (rc == 0 && root && fmt == WB_INV_AUTO) {
            if (json_object_get(root, "bomFormat"))
                fmt = WB_INV_CYCLONEDX;
            else if (json_object_get(root, "spdxVersion"))
                fmt = WB_INV_SPDX;
            else
                rc = wb_error_set(err, WB_EFORMAT,
                                  "%s: JSON without bomFormat (CycloneDX) or spdxVersion (SPDX)",
                                  path);
        }
        if (rc == 0 && root && !json_is_object(root))
            rc = wb_error_set(err, WB_EPARSE, "%s: $: expected an object", path);
    }
    if (rc == 0 && fmt == WB_INV_AUTO) {
        fmt = wbi_inv_detect_os(data, len);
        if (fmt == WB_INV_AUTO) fmt = (int)detect_text(data, len);
        if (fmt == WB_INV_AUTO)
            rc = wb_error_set(err, WB_EFORMAT,
                              "%s: not an inventory weerbaar reads: CycloneDX JSON, SPDX JSON or "
                              "tag-value, a CSV asset list with a header (asset,vendor,product,"
                              "version,cpe,purl,...), /var/lib/dpkg/status, dpkg -l, dpkg-query -W "
                              "output, /lib/apk/db/installed, rpm -qa output, or a root file "
                              "system (a directory)",
                              path);
    }
    for (int pass = 0; rc == 0 && pass < 2; pass++) {
        /* pass 0 checks everything, pass 1 hands it out */
        v.sink = pass == 0 ? NULL : sink;
        wb_arena_free(&v.d.arena);
        switch (fmt) {
        case WB_INV_CYCLONEDX:
            rc = cdx_load(&v, root);
            break;
        case WB_INV_SPDX:
            rc = spdx_load(&v, root);
            break;
        case WB_INV_CSV:
            rc = csv_pass(&v, data, len);
            break;
        case WB_INV_DPKG:
            rc = pkg_lines(&v, data, len, false);
            break;
        case WB_INV_RPM:
            rc = pkg_lines(&v, data, len, true);
            break;
        case WBI_INV_DPKG_STATUS:
            rc = wbi_inv_dpkg_status(&v, data, len);
            break;
        case WBI_INV_APK:
            rc = wbi_inv_apk(&v, data, len);
            break;
        case WBI_INV_DPKG_L:
            rc = wbi_inv_dpkg_l(&v, data, len);
            break;
        case WBI_INV_RPM_NEVRA:
            rc = wbi_inv_rpm_nevra(&v, data, len);
            break;
        case WBI_INV_SPDX_TV:
            rc = wbi_inv_spdx_tv(&v, data, len);
            break;
        default:
            rc = wb_error_set(err, WB_EINTERNAL, "%s: format not decided", path);
            break;
        }
    }
    if (rc == 0 && v.no_source && opts->no_source) opts->no_source(opts->no_source_ud, path);
    json_decref(root);
    free(v.owned);
    wbi_doc_free(&v.d);
    free(data);
    return rc;
}
