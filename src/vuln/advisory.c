/*
 * advisory.c - loading advisories: format detection from content, dispatch
 * to the CSAF, OSV and NVD parsers, and walking what holds documents: files
 * (plain, gzip, zstd), directories, mirrored CSAF providers and OSV all.zip
 * archives.
 *
 * A document is all or nothing: a CSAF or NVD file with several
 * vulnerabilities is checked completely (a dry run into a sink that keeps
 * nothing) before any of them reaches the caller's sink, so a document that
 * is reported as skipped has really been skipped. Checking twice costs a
 * walk over an already parsed tree, small next to the JSON parse.
 *
 * A CSAF provider mirror (provider-metadata.json at the root) is read the
 * way the CSAF 2.0 standard (section 7.1) lays it out: in a directory with
 * index.txt (or else changes.csv) exactly the listed documents are read;
 * elsewhere every *.json below, except the provider's metadata, ROLIE feeds
 * and service documents.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/zip.h"
#include "vuln/vulndata.h"
#include "weerbaar/io.h"

/* ---- detection and parsing ----------------------------------------------------------- */

static bool is_osv(const json_t *o)
{
    return json_is_string(json_object_get(o, "id")) &&
           (json_object_get(o, "affected") || json_object_get(o, "modified")) &&
           (json_object_get(o, "schema_version") || !json_object_get(o, "document"));
}

wbi_json_kind wbi_json_detect(const json_t *root)
{
    if (json_is_array(root)) {
        json_t *first = json_array_get(root, 0);
        return first && is_osv(first) ? WBI_JSON_OSV : WBI_JSON_UNKNOWN;
    }
    if (!json_is_object(root)) return WBI_JSON_UNKNOWN;
    json_t *doc = json_object_get(root, "document");
    if (json_is_object(doc) && json_object_get(doc, "csaf_version")) return WBI_JSON_CSAF;
    json_t *vulns = json_object_get(root, "vulnerabilities");
    if (json_is_array(vulns) && (json_is_object(json_object_get(json_array_get(vulns, 0), "cve")) ||
                                 json_is_string(json_object_get(root, "format"))))
        return WBI_JSON_NVD;
    json_t *cve = json_object_get(root, "cve");
    if (json_is_object(cve) && json_is_string(json_object_get(cve, "id"))) return WBI_JSON_NVD;
    if (json_is_string(json_object_get(root, "id")) &&
        (json_object_get(root, "configurations") || json_object_get(root, "sourceIdentifier")) &&
        !json_object_get(root, "affected"))
        return WBI_JSON_NVD;
    if (is_osv(root)) return WBI_JSON_OSV;
    if (json_object_get(root, "canonical_url") && json_object_get(root, "metadata_version"))
        return WBI_JSON_META; /* provider-metadata.json */
    if (json_object_get(root, "feed") || json_object_get(root, "service") ||
        json_object_get(root, "categories") || json_object_get(root, "aggregator"))
        return WBI_JSON_META; /* ROLIE feed, service and category documents; aggregators */
    return WBI_JSON_UNKNOWN;
}

static int dry_add(wb_advisory_sink *self, const wb_advisory *adv)
{
    (void)self;
    (void)adv;
    return 0;
}

static int dispatch(wbi_doc *d, const json_t *root, wbi_json_kind kind, wb_advisory_sink *sink)
{
    switch (kind) {
    case WBI_JSON_CSAF:
        return wbi_csaf_parse(d, root, sink);
    case WBI_JSON_OSV:
        return wbi_osv_parse(d, root, sink);
    case WBI_JSON_NVD:
        return wbi_nvd_parse(d, root, sink);
    case WBI_JSON_META:
        return wb_error_set(d->err, WB_EFORMAT,
                            "%s: a CSAF provider, ROLIE or aggregator document, not an advisory",
                            d->name);
    case WBI_JSON_UNKNOWN:
        break;
    }
    return wb_error_set(d->err, WB_EFORMAT, "%s: not a CSAF, OSV or NVD document", d->name);
}

static int parse_kind(const char *name, const char *data, size_t len, wb_advisory_format format,
                      wb_advisory_sink *sink, wb_error *err, wbi_json_kind *kind_out,
                      const wb_advisory_opts *opts)
{
    wbi_doc d;
    json_t *root = NULL;
    wbi_doc_init(&d, name, err);
    if (opts) d.warn = opts->warn, d.warn_ud = opts->warn_ud;
    int rc = wbi_doc_json(&d, data, len, &root);
    wbi_json_kind kind = WBI_JSON_UNKNOWN;
    if (rc == 0) {
        switch (format) {
        case WB_ADV_AUTO:
            kind = wbi_json_detect(root);
            break;
        case WB_ADV_CSAF:
            kind = WBI_JSON_CSAF;
            break;
        case WB_ADV_OSV:
            kind = WBI_JSON_OSV;
            break;
        case WB_ADV_NVD:
            kind = WBI_JSON_NVD;
            break;
        }
        bool many = kind != WBI_JSON_OSV || json_is_array(root);
        if (many) {
            wb_advisory_sink dry = {dry_add};
            d.quiet = true; /* the real run warns */
            rc = dispatch(&d, root, kind, &dry);
            d.quiet = false;
            /* the second run must not see the first one's arena strings as
             * an excuse to grow without bound: start it afresh */
            wb_arena_free(&d.arena);
            wbi_path_cut(&d, 1);
        }
        if (rc == 0) rc = dispatch(&d, root, kind, sink);
    }
    if (kind_out) *kind_out = kind;
    json_decref(root);
    wbi_doc_free(&d);
    return rc;
}

int wb_advisory_parse(const char *name, const char *data, size_t len, wb_advisory_format format,
                      wb_advisory_sink *sink, wb_error *err)
{
    return parse_kind(name, data, len, format, sink, err, NULL, NULL);
}

/* ---- walking --------------------------------------------------------------------------- */

typedef struct loader {
    const wb_advisory_opts *opts;
    wb_advisory_sink *sink;
    wb_error *err;
    size_t max;
} loader;

static void report(loader *l, const wb_error *e)
{
    if (l->opts->bad) l->opts->bad(l->opts->bad_ud, e);
}

/* A per-document problem is reported and the load goes on; running out of
 * memory (or a sink's failure) ends it. */
static int settle(loader *l, int rc, const wb_error *e)
{
    if (rc == 0) return 0;
    if (rc == WB_ENOMEM || rc == WB_EINTERNAL) {
        if (l->err && e != l->err) *l->err = *e;
        return rc;
    }
    report(l, e);
    return 0;
}

static int load_zip(loader *l, const char *path)
{
    wbi_core_zip *z = NULL;
    wb_error e = {0};
    int rc = wbi_core_zip_open(path, &z, &e);
    if (rc != 0) return settle(l, rc, &e);
    size_t n = wbi_core_zip_count(z);
    size_t plen = strlen(path);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *member = wbi_core_zip_name(z, i);
        if (!wb_str_endswith(member, ".json")) continue;
        char *data = NULL;
        size_t len = 0;
        wb_error_clear(&e);
        size_t nlen = plen + strlen(member) + 2;
        char *name = malloc(nlen);
        if (name == NULL) {
            rc = wb_error_set(l->err, WB_ENOMEM, "%s: out of memory", path);
            break;
        }
        snprintf(name, nlen, "%s!%s", path, member); /* the member, as jar: URLs name it */
        rc = wbi_core_zip_read(z, i, l->max, &data, &len, &e);
        if (rc == 0) rc = parse_kind(name, data, len, l->opts->format, l->sink, &e, NULL, l->opts);
        rc = settle(l, rc, &e);
        free(data);
        free(name);
    }
    wbi_core_zip_close(z);
    return rc;
}

static int load_file(loader *l, const char *path, bool in_walk)
{
    wb_error e = {0};
    FILE *f = fopen(path, "rb");
    if (f == NULL) return settle(l, wb_error_set(&e, WB_EIO, "%s: %s", path, strerror(errno)), &e);
    char magic[4] = {0};
    size_t got = fread(magic, 1, sizeof magic, f);
    fclose(f);
    if (wbi_core_zip_magic(magic, got)) return load_zip(l, path);
    char *data = NULL;
    size_t len = 0;
    int rc = wb_read_file(path, l->max, &data, &len, &e);
    wbi_json_kind kind = WBI_JSON_UNKNOWN;
    if (rc == 0) rc = parse_kind(path, data, len, l->opts->format, l->sink, &e, &kind, l->opts);
    free(data);
    /* In a directory, metadata beside the advisories is expected, not bad. */
    if (rc == WB_EFORMAT && in_walk && kind == WBI_JSON_META) return 0;
    return settle(l, rc, &e);
}

static bool wanted_name(const char *name)
{
    return wb_str_endswith(name, ".json") || wb_str_endswith(name, ".json.gz") ||
           wb_str_endswith(name, ".json.zst") || wb_str_endswith(name, ".zip");
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s%s%s", dir, wb_str_endswith(dir, "/") ? "" : "/", name);
    return p;
}

/* A listed path must stay inside the directory that lists it. */
static bool safe_rel(const char *p, size_t n)
{
    if (n == 0 || p[0] == '/' || memchr(p, '\0', n)) return false;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && p[j] != '/')
            j++;
        if (j - i == 2 && p[i] == '.' && p[i + 1] == '.') return false;
        i = j + 1;
    }
    return true;
}

/* Reads the documents listed in index.txt (one path a line) or changes.csv
 * ("path","time" a line) of a CSAF distribution directory. */
static int load_listing(loader *l, const char *dir, const char *list, bool csv)
{
    char *data = NULL;
    size_t len = 0;
    wb_error e = {0};
    int rc = wb_read_file(list, l->max, &data, &len, &e);
    if (rc != 0) return settle(l, rc, &e);
    size_t lineno = 0;
    for (size_t i = 0; rc == 0 && i < len;) {
        size_t j = i;
        while (j < len && data[j] != '\n')
            j++;
        lineno++;
        const char *s = data + i;
        size_t n = j - i;
        i = j + 1;
        if (n > 0 && s[n - 1] == '\r') n--;
        if (csv) {
            /* first field, quoted or not */
            if (n > 0 && s[0] == '"') {
                const char *q = memchr(s + 1, '"', n - 1);
                if (q == NULL)
                    n = 0;
                else {
                    n = (size_t)(q - s - 1);
                    s++;
                }
            } else {
                const char *c = memchr(s, ',', n);
                if (c) n = (size_t)(c - s);
            }
        }
        while (n > 0 && (s[0] == ' ' || s[0] == '\t'))
            s++, n--;
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        if (n == 0) continue;
        if (!safe_rel(s, n)) {
            wb_error_set(&e, WB_EPARSE, "%s:%zu: path '%.*s' leaves the directory", list, lineno,
                         (int)(n > 200 ? 200 : n), s);
            report(l, &e);
            continue;
        }
        char *rel = malloc(n + 1);
        char *p = rel ? (memcpy(rel, s, n), rel[n] = '\0', join(dir, rel)) : NULL;
        if (p == NULL)
            rc = wb_error_set(l->err, WB_ENOMEM, "%s: out of memory", list);
        else
            rc = load_file(l, p, true);
        free(rel);
        free(p);
    }
    free(data);
    return rc;
}

static int walk(loader *l, const char *dir, bool provider, int depth)
{
    wb_error e = {0};
    if (depth > WBI_VULN_MAX_DEPTH)
        return settle(l, wb_error_set(&e, WB_ELIMIT, "%s: directories nested too deeply", dir), &e);
    if (provider) {
        char *idx = join(dir, "index.txt"), *chg = join(dir, "changes.csv");
        struct stat st;
        int rc = 0;
        bool done = true;
        if (idx == NULL || chg == NULL)
            rc = wb_error_set(l->err, WB_ENOMEM, "%s: out of memory", dir);
        else if (stat(idx, &st) == 0 && S_ISREG(st.st_mode))
            rc = load_listing(l, dir, idx, false);
        else if (stat(chg, &st) == 0 && S_ISREG(st.st_mode))
            rc = load_listing(l, dir, chg, true);
        else
            done = false;
        free(idx);
        free(chg);
        if (done || rc != 0) return rc;
    }
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, NULL, alphasort); /* sorted: the same order on every machine */
    if (n < 0) return settle(l, wb_error_set(&e, WB_EIO, "%s: %s", dir, strerror(errno)), &e);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        if (rc != 0 || name[0] == '.') continue; /* ".", "..", hidden files */
        char *p = join(dir, name);
        struct stat st;
        if (p == NULL) {
            rc = wb_error_set(l->err, WB_ENOMEM, "%s: out of memory", dir);
        } else if (lstat(p, &st) != 0) {
            rc = settle(l, wb_error_set(&e, WB_EIO, "%s: %s", p, strerror(errno)), &e);
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk(l, p, provider, depth + 1); /* symlinked directories are not followed */
        } else if (wanted_name(name) && strcmp(name, "provider-metadata.json") != 0 &&
                   stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
            rc = load_file(l, p, true);
        }
        free(p);
    }
    for (int i = 0; i < n; i++)
        free(ents[i]);
    free(ents);
    return rc;
}

int wb_advisories_load(const char *path, const wb_advisory_opts *opts, wb_advisory_sink *sink,
                       wb_error *err)
{
    static const wb_advisory_opts defaults = {0};
    loader l = {opts ? opts : &defaults, sink, err, 0};
    l.max = l.opts->max_file ? l.opts->max_file : WBI_VULN_MAX_FILE;
    struct stat st;
    if (stat(path, &st) != 0)
        return wb_error_set(err, errno == ENOENT ? WB_ENOTFOUND : WB_EIO, "%s: %s", path,
                            strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        /* A single named file that cannot be read is the caller's error,
         * not a skipped document. */
        FILE *f = fopen(path, "rb");
        if (f == NULL) return wb_error_set(err, WB_EIO, "%s: %s", path, strerror(errno));
        fclose(f);
        return load_file(&l, path, false);
    }
    char *pm = join(path, "provider-metadata.json");
    if (pm == NULL) return wb_error_set(err, WB_ENOMEM, "%s: out of memory", path);
    bool provider = stat(pm, &st) == 0;
    free(pm);
    return walk(&l, path, provider, 0);
}
