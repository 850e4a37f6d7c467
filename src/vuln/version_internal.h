/*
 * version_internal.h - what the version scheme files share inside the
 * library: number comparison on digit strings, the per-scheme check and
 * compare functions the registry (version.c) puts in its table, and the
 * parsed forms that vers.c needs to translate native ranges (PEP 440
 * specifiers, node-semver ranges).
 */
#ifndef WB_VULN_VERSION_INTERNAL_H
#define WB_VULN_VERSION_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "weerbaar/error.h"
#include "weerbaar/version.h"

/* Compares two runs of ASCII digits as unbounded non-negative integers
 * (leading zeros ignored), so that no version number can overflow. */
int wbi_numcmp(const char *a, size_t an, const char *b, size_t bn);
/* True when the digit run is all zeros (or empty). */
bool wbi_num_is_zero(const char *a, size_t n);
/* Byte-wise comparison of two counted strings, shorter first on a tie. */
int wbi_bytecmp(const char *a, size_t an, const char *b, size_t bn);
/* The same ignoring ASCII case. */
int wbi_bytecasecmp(const char *a, size_t an, const char *b, size_t bn);

static inline bool wbi_isdigit(char c)
{
    return c >= '0' && c <= '9';
}
static inline bool wbi_isalpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline bool wbi_isalnum(char c)
{
    return wbi_isdigit(c) || wbi_isalpha(c);
}

/* ---- the schemes --------------------------------------------------------- */

int wbi_deb_check(const char *v, size_t n, wb_error *err);
int wbi_deb_cmp(const char *a, size_t an, const char *b, size_t bn);
int wbi_rpm_check(const char *v, size_t n, wb_error *err);
int wbi_rpm_cmp(const char *a, size_t an, const char *b, size_t bn);
/* rpmvercmp() itself on two segments. */
int wbi_rpmvercmp(const char *a, size_t an, const char *b, size_t bn);
int wbi_alpm_check(const char *v, size_t n, wb_error *err);
int wbi_alpm_cmp(const char *a, size_t an, const char *b, size_t bn);
int wbi_pypi_check(const char *v, size_t n, wb_error *err);
int wbi_pypi_cmp(const char *a, size_t an, const char *b, size_t bn);
int wbi_maven_check(const char *v, size_t n, wb_error *err);
int wbi_maven_cmp(const char *a, size_t an, const char *b, size_t bn);
int wbi_semver_check(const char *v, size_t n, wb_error *err);
int wbi_semver_cmp(const char *a, size_t an, const char *b, size_t bn);
int wbi_npm_check(const char *v, size_t n, wb_error *err);
int wbi_npm_cmp(const char *a, size_t an, const char *b, size_t bn);
int wbi_nuget_check(const char *v, size_t n, wb_error *err);
int wbi_nuget_cmp(const char *a, size_t an, const char *b, size_t bn);
int wbi_gem_check(const char *v, size_t n, wb_error *err);
int wbi_gem_cmp(const char *a, size_t an, const char *b, size_t bn);
int wbi_apk_check(const char *v, size_t n, wb_error *err);
int wbi_apk_cmp(const char *a, size_t an, const char *b, size_t bn);
int wbi_generic_check(const char *v, size_t n, wb_error *err);
int wbi_generic_cmp(const char *a, size_t an, const char *b, size_t bn);
int wbi_intdot_check(const char *v, size_t n, wb_error *err);
int wbi_intdot_cmp(const char *a, size_t an, const char *b, size_t bn);
int wbi_lexicographic_check(const char *v, size_t n, wb_error *err);
int wbi_lexicographic_cmp(const char *a, size_t an, const char *b, size_t bn);
int wbi_datetime_check(const char *v, size_t n, wb_error *err);
int wbi_datetime_cmp(const char *a, size_t an, const char *b, size_t bn);

/* ---- PEP 440 parsed form (for specifier translation) --------------------- */

#define WBI_PEP440_MAX_RELEASE 32

typedef struct wbi_span {
    const char *p;
    size_t n;
} wbi_span;

typedef struct wbi_pep440 {
    wbi_span epoch;                           /* digits; empty = 0 */
    wbi_span release[WBI_PEP440_MAX_RELEASE]; /* digit runs */
    size_t nrelease;
    char pre;        /* 0 none, 'a', 'b', 'c' (rc) */
    wbi_span pre_n;  /* empty = 0 */
    bool post;       /* has a post-release */
    wbi_span post_n; /* empty = 0 */
    bool dev;        /* has a dev-release */
    wbi_span dev_n;  /* empty = 0 */
    wbi_span local;  /* after '+', raw (separators not yet normalised) */
    bool has_local;
} wbi_pep440;

/* Parses v[0..n) the way packaging.version.Version does (leading "v",
 * alternate spellings, surrounding whitespace). 0 or WB_EINVAL. */
int wbi_pep440_parse(const char *v, size_t n, wbi_pep440 *out, wb_error *err);
int wbi_pep440_cmp_parsed(const wbi_pep440 *a, const wbi_pep440 *b);

/* ---- SemVer parsed form -------------------------------------------------- */

typedef struct wbi_semver {
    wbi_span major, minor, patch;
    wbi_span pre;   /* without '-', empty when none */
    wbi_span build; /* without '+', empty when none */
    bool has_pre;
} wbi_semver;

/* Strict SemVer 2.0.0 (npm: a leading "v" or "=" is skipped and numbers are
 * bounded as node-semver bounds them). 0 or WB_EINVAL. */
int wbi_semver_parse(const char *v, size_t n, bool npm, wbi_semver *out, wb_error *err);
int wbi_semver_cmp_parsed(const wbi_semver *a, const wbi_semver *b, bool npm);

#endif
