/*
 * purl.h - package URLs (https://github.com/package-url/purl-spec):
 *
 *   pkg:type/namespace/name@version?qualifiers#subpath
 *
 * Parsing and building both produce the canonical components: the type and
 * qualifier keys lower-cased, qualifiers sorted by key with empty values
 * dropped, namespace and subpath segments cleaned of empty, "." and ".."
 * parts, and the normalisations of the package types (pypi names
 * lower-cased with '_' as '-', github/bitbucket/composer/... names
 * lower-cased, required and prohibited namespaces, required qualifiers).
 * Formatting writes the canonical string, percent-encoding everything but
 * RFC 3986 unreserved characters and ':'.
 */
#ifndef WEERBAAR_PURL_H
#define WEERBAAR_PURL_H

#include <stdbool.h>
#include <stddef.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WB_PURL_MAX 65536         /* longest purl string accepted */
#define WB_PURL_MAX_QUALIFIERS 64 /* most qualifiers in one purl */

typedef struct wb_purl_qualifier {
    const char *key;   /* lower-case */
    const char *value; /* decoded, non-empty */
} wb_purl_qualifier;

/* Components, decoded (no percent-encoding). NULL when absent. */
typedef struct wb_purl {
    const char *type;
    const char *ns; /* segments joined by '/' */
    const char *name;
    const char *version;
    wb_purl_qualifier *qualifiers; /* sorted by key */
    size_t nqualifiers;
    const char *subpath; /* segments joined by '/' */
    wb_arena arena;      /* owns every string */
} wb_purl;

enum {
    /* parse: reject what canonicalisation would otherwise repair, such as
     * upper-case qualifier keys (the purl-spec "parse" tests) */
    WB_PURL_STRICT = 1u << 0
};

/* Parses a purl. On success *out owns a new purl (wb_purl_free); on failure
 * WB_EINVAL with a message naming the purl and the problem, *out NULL. */
int wb_purl_parse(const char *s, size_t n, unsigned flags, wb_purl **out, wb_error *err);

/* Builds a purl from decoded components (NULL = absent), validating and
 * normalising them as parsing does. keys/values hold nq qualifiers. */
int wb_purl_build(const char *type, const char *ns, const char *name, const char *version,
                  const char *const *keys, const char *const *values, size_t nq,
                  const char *subpath, wb_purl **out, wb_error *err);

/* Writes the canonical purl string into out (replacing its content). 0 or
 * WB_ENOMEM. */
int wb_purl_format(const wb_purl *p, wb_buf *out);

/* The value of a qualifier, or NULL. */
const char *wb_purl_qualifier_get(const wb_purl *p, const char *key);

void wb_purl_free(wb_purl *p);

#ifdef __cplusplus
}
#endif
#endif
