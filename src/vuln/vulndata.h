/*
 * vulndata.h - what the parsers of `weerbaar vuln` share inside the library:
 * the per-document context that builds "file: $.json.path: reason" messages,
 * checked JSON field access, a string-keyed hash map (CSAF product ids,
 * CycloneDX bom-refs), the advisory builder that collects one wb_advisory
 * before it goes to the sink, CVSS base scores, package-type to version
 * scheme mapping, and one entry point per
 * advisory format.
 *
 * Strings handed to sinks point into the parsed JSON or into the document's
 * arena; both live until the document is done, longer than the sink call.
 */
#ifndef WB_VULN_VULNDATA_H
#define WB_VULN_VULNDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"
#include "weerbaar/vulndb.h"

/* Largest file read when the caller sets no bound. */
#define WBI_VULN_MAX_FILE ((size_t)256 << 20)
/* Nesting bound for recursive structures (CSAF branches, CycloneDX
 * components): far beyond real documents, well inside the C stack. */
#define WBI_VULN_MAX_DEPTH 64

/* ---- document context ------------------------------------------------------ */

typedef struct wbi_doc {
    const char *name; /* file name (or archive!member) used in messages */
    wb_error *err;
    wb_buf path;    /* JSON path of the value being read: "$.a[3].b" */
    wb_arena arena; /* computed strings of this document */
    /* warnings: a part used as far as it can be read (see wb_advisory_opts) */
    void (*warn)(void *ud, const wb_error *w);
    void *warn_ud;
    bool quiet; /* the checking run of a two-pass parse: no warnings */
} wbi_doc;

void wbi_doc_init(wbi_doc *d, const char *name, wb_error *err);
void wbi_doc_free(wbi_doc *d);
/* Parses JSON with syntax errors reported as "name:line:col: message". */
int wbi_doc_json(wbi_doc *d, const char *data, size_t len, json_t **out);
/* WB_EPARSE with "name: <path>: reason". */
int wbi_doc_fail(wbi_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A warning "name: path: reason" to d->warn (nothing when quiet or unset);
 * path NULL = the current path. */
void wbi_doc_warn(wbi_doc *d, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same with code WB_ENOMEM and no path. */
int wbi_doc_nomem(wbi_doc *d);
/* Path building: push returns the old length to hand back to wbi_path_cut. */
size_t wbi_path_key(wbi_doc *d, const char *key);
size_t wbi_path_idx(wbi_doc *d, size_t i);
void wbi_path_cut(wbi_doc *d, size_t len);
/* "name: <path>" (or "name: <path>.key") in the arena, for `where` fields;
 * NULL when out of memory. */
const char *wbi_doc_where(wbi_doc *d, const char *key);

/* Optional fields of an object: absent or null leaves *out alone (set it
 * first); the wrong type fails naming the field's path. */
int wbi_opt_str(wbi_doc *d, const json_t *obj, const char *key, const char **out);
int wbi_opt_arr(wbi_doc *d, const json_t *obj, const char *key, json_t **out);
int wbi_opt_obj(wbi_doc *d, const json_t *obj, const char *key, json_t **out);
int wbi_opt_num(wbi_doc *d, const json_t *obj, const char *key, double *out, bool *has);
/* An RFC 3339 time; *out WB_TIME_NONE when absent. */
int wbi_opt_time(wbi_doc *d, const json_t *obj, const char *key, wb_time *out);
/* Required variants fail when the field is absent or empty. */
int wbi_req_str(wbi_doc *d, const json_t *obj, const char *key, const char **out);

/* ---- string-keyed hash map ------------------------------------------------------ */

/* Open addressing over keys the caller keeps alive; values are indexes. */
typedef struct wbi_strmap {
    const char **keys;
    size_t *vals;
    size_t cap, n;
} wbi_strmap;

/* 0, or WB_ENOMEM. An existing key keeps its first value (*fresh false). */
int wbi_strmap_put(wbi_strmap *m, const char *key, size_t val, bool *fresh);
/* The value slot of a key, added with value 0 when new (*fresh true);
 * NULL when out of memory. The pointer is valid until the next insertion. */
size_t *wbi_strmap_slot(wbi_strmap *m, const char *key, bool *fresh);
/* true with *val when present. */
bool wbi_strmap_get(const wbi_strmap *m, const char *key, size_t *val);
void wbi_strmap_free(wbi_strmap *m);

/* ---- advisory builder ----------------------------------------------------------- */

typedef struct wbi_advb {
    wb_advisory adv;
    wb_affected *aff;
    size_t naff, capaff;
    wb_cvss *cvss;
    size_t ncvss, capcvss;
    wb_remediation *rem;
    size_t nrem, caprem;
    const char **alias;
    size_t nalias, capalias;
} wbi_advb;

/* Clears the advisory and its lists (keeping their memory). */
void wbi_advb_reset(wbi_advb *b);
void wbi_advb_free(wbi_advb *b);
/* A new zeroed entry, or NULL when out of memory. */
wb_affected *wbi_advb_affected(wbi_advb *b);
wb_remediation *wbi_advb_remediation(wbi_advb *b);
/* Adds a score unless the same version and vector is there. 0 or WB_ENOMEM. */
int wbi_advb_cvss(wbi_advb *b, uint8_t version, double score, const char *vector);
/* Adds an alias unless it is the id or already present. 0 or WB_ENOMEM. */
int wbi_advb_alias(wbi_advb *b, const char *alias);
/* Fills the counts and pointers and calls the sink; a failing sink's code is
 * returned with a message naming the document. */
int wbi_advb_emit(wbi_advb *b, wbi_doc *d, wb_advisory_sink *sink);

/* ---- CVSS ------------------------------------------------------------------------- */

/* The base score of a CVSS v3.0/v3.1 vector ("CVSS:3.1/AV:N/...") per the
 * FIRST specification, and its version (30 or 31). WB_EINVAL when the
 * vector is not a valid v3 vector. */
int wbi_cvss3_score(const char *vector, double *score, uint8_t *version);
/* The base score of a CVSS v2 vector ("AV:N/AC:L/Au:N/C:P/I:P/A:P"). */
int wbi_cvss2_score(const char *vector, double *score);
/* 20, 30, 31 or 40 from a "version" field ("3.1"); 0 when unknown. */
uint8_t wbi_cvss_version(const char *s);

/* ---- schemes and identifiers ------------------------------------------------------ */

/* The version scheme of a purl type ("deb" -> "deb", "apk" -> "alpine",
 * "golang" -> "semver", ...); "generic" for types without one. */
const char *wbi_scheme_for_purl_type(const char *type);
/* Splits a purl into the purl without version (canonical, in the arena)
 * and its version (NULL when none), and tells its scheme. WB_EPARSE naming
 * the path when it is not a purl. */
int wbi_purl_split(wbi_doc *d, const char *purl, const char **base, const char **version,
                   const char **scheme);
/* A CPE 2.3 formatted string or 2.2 URI as a 2.3 formatted string (2.3
 * strings are kept as written); WB_EPARSE naming the path. */
int wbi_cpe_canon(wbi_doc *d, const char *cpe, const char **out);
/* A lenient range (bare constraints or a vers string) as a canonical vers
 * string of the scheme, in the arena; WB_EPARSE naming the path. */
int wbi_vers_canon(wbi_doc *d, const char *scheme, const char *range, const char **out);

/* Free-text CSAF ranges (freerange.c): "All versions < V4.8 SP5" as
 * "<4.8.SP5", ">= V2.0 < V2.2" as ">=2.0|<2.2", into out (reset first).
 * 0, -1 when the text is not a range this reads (prose, wildcards), -2 out
 * of memory. */
int wbi_free_range(const char *text, wb_buf *out);
/* One vendor version ("V6.0 SP9 Upd4") as a generic version ("6.0.SP9.Upd4"),
 * appended to out; 0, -1 when it is not one, -2 out of memory. */
int wbi_free_version(const char *s, size_t n, wb_buf *out);

/* ---- formats ------------------------------------------------------------------------ */

typedef enum wbi_json_kind {
    WBI_JSON_UNKNOWN,
    WBI_JSON_CSAF,
    WBI_JSON_OSV,
    WBI_JSON_NVD,
    WBI_JSON_META /* CSAF provider metadata, ROLIE feed or service document, aggregator */
} wbi_json_kind;

wbi_json_kind wbi_json_detect(const json_t *root);

int wbi_csaf_parse(wbi_doc *d, const json_t *root, wb_advisory_sink *sink);
int wbi_osv_parse(wbi_doc *d, const json_t *root, wb_advisory_sink *sink);
int wbi_nvd_parse(wbi_doc *d, const json_t *root, wb_advisory_sink *sink);

/* CSAF product tree, shared with the CSAF VEX reader. */
typedef struct wbi_csaf_product {
    const char *id;
    const char *name; /* full product name */
    const char *vendor, *product, *version, *range;
    const char *purl, *cpe; /* purl without version */
    const char *scheme;
    const char *platform, *platform_cpe; /* relationships: what it is installed on */
    bool unknown;                        /* its product_version_range could not be read */
} wbi_csaf_product;

typedef struct wbi_csaf_tree {
    wbi_csaf_product *p;
    size_t n, cap;
    wbi_strmap ids;     /* product_id -> index in p */
    wbi_strmap groups;  /* group_id -> index in group_json */
    json_t *group_json; /* borrowed: product_tree.product_groups */
    const char *warned; /* the last unreadable range warned about (one warning per branch) */
} wbi_csaf_tree;

int wbi_csaf_tree_build(wbi_doc *d, const json_t *root, wbi_csaf_tree *t);
void wbi_csaf_tree_free(wbi_csaf_tree *t);
/* The product of a product_id at the current path (+ index); WB_EPARSE when
 * the tree does not define it. */
int wbi_csaf_tree_find(wbi_doc *d, const wbi_csaf_tree *t, const json_t *id,
                       const wbi_csaf_product **out);

/* The product_ids plus the products of the group_ids of an object
 * (remediation, flag, threat) as one array in the arena; each must be
 * defined. *out NULL when the object has neither. */
int wbi_csaf_product_list(wbi_doc *d, const wbi_csaf_tree *t, const json_t *obj,
                          const char *const **out, size_t *nout);

#endif
