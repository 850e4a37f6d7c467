/*
 * vers.h - version ranges in the vers notation of the package-url project
 * (https://github.com/package-url/vers-spec):
 *
 *   vers:<type>/<constraint>|<constraint>|...     e.g. vers:npm/>=1.0.0|<2.0.0
 *
 * Parsing comes in two strengths. Strict parsing accepts only the canonical
 * form (no whitespace, no empty constraints, sorted, unique versions,
 * well-formed comparator sequence, canonical percent-encoding). Lenient
 * parsing, for data found in the wild such as CSAF product_version_range,
 * drops whitespace and empty constraints, accepts "=1.0", sorts and removes
 * duplicates, then applies the same validity rules. Both validate each
 * version in the type's version scheme (version.h) when weerbaar knows it.
 *
 * A parsed range is immutable; wb_vers_contains may be called from several
 * threads at once.
 */
#ifndef WEERBAAR_VERS_H
#define WEERBAAR_VERS_H

#include <stdbool.h>
#include <stddef.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"
#include "weerbaar/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest vers string accepted (bytes) and most constraints in one range. */
#define WB_VERS_MAX 65536
#define WB_VERS_MAX_CONSTRAINTS 1024

typedef enum wb_vers_op {
    WB_VERS_EQ, /* written without a comparator */
    WB_VERS_NE, /* != */
    WB_VERS_LT, /* <  */
    WB_VERS_LE, /* <= */
    WB_VERS_GT, /* >  */
    WB_VERS_GE, /* >= */
    WB_VERS_ANY /* *, alone */
} wb_vers_op;

typedef struct wb_vers_constraint {
    wb_vers_op op;
    const char *version; /* percent-decoded; "" for WB_VERS_ANY */
} wb_vers_constraint;

typedef struct wb_vers {
    const char *type;                /* lower-case: "npm", "deb", ... */
    const wb_version_scheme *scheme; /* NULL when weerbaar has no comparison for the type */
    wb_vers_constraint *c;           /* sorted by version (when scheme is known) */
    size_t n;
    wb_arena arena; /* owns every string above */
} wb_vers;

enum {
    WB_VERS_STRICT = 1u << 0 /* canonical form only */
};

/* "!=", "<", ... ("" for WB_VERS_EQ, "*" for WB_VERS_ANY). */
const char *wb_vers_op_str(wb_vers_op op);

/* Parses a "vers:" string. On success *out owns a new range (free it with
 * wb_vers_free); on failure returns WB_EINVAL (or WB_ENOMEM) with a message
 * naming the problem ("vers 'vers:npm/>=2|<1': constraints are not sorted by
 * version") and *out is NULL. */
int wb_vers_parse(const char *s, size_t n, unsigned flags, wb_vers **out, wb_error *err);

/* Parses bare constraints ("<=2", ">= 1.0 | < 2.0", "<V3.0.29", or a whole
 * "vers:" string) for a type given separately, always leniently: what CSAF
 * product_version_range and similar fields hold. */
int wb_vers_parse_for(const char *type, const char *s, size_t n, wb_vers **out, wb_error *err);

void wb_vers_free(wb_vers *v);

/* Writes the canonical string of a range into out (replacing its content).
 * 0 or WB_ENOMEM. */
int wb_vers_format(const wb_vers *v, wb_buf *out);

/* Sets *in to whether version lies in the range (the vers containment
 * algorithm). WB_EINVAL when the version is not valid in the range's scheme
 * or weerbaar cannot compare versions of the range's type. */
int wb_vers_contains(const wb_vers *v, const char *version, bool *in, wb_error *err);

/* Translates a native range of an ecosystem into a canonical vers string in
 * out: "npm" (node-semver ranges: comparators, ^, ~, x-ranges, hyphen
 * ranges, ||) and "pypi" (PEP 440 specifier sets: ==, !=, <, <=, >, >=,
 * ~=, ==X.*, !=X.*, ===). WB_EINVAL with a message for anything else. */
int wb_vers_from_native(const char *type, const char *native, wb_buf *out, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
