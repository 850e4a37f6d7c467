/*
 * version.h - comparing package versions the way each ecosystem does.
 *
 * A version scheme is named as in vers ("deb", "rpm", "pypi", "maven", "npm",
 * "semver", "nuget", "gem", "alpine", "generic", "intdot", ...). Each scheme
 * is a const wb_version_scheme in a const table (src/vuln/version.c): a
 * validity check and a comparison that follow the ecosystem's own tool
 * (dpkg, rpmvercmp, packaging, Maven's ComparableVersion, node-semver,
 * NuGet.Versioning, Gem::Version, apk-tools). docs/vuln-versions.md lists
 * the rules.
 *
 * Versions are plain byte strings; nothing here allocates or keeps state,
 * so every function is safe to call from several threads.
 */
#ifndef WEERBAAR_VERSION_H
#define WEERBAAR_VERSION_H

#include <stdbool.h>
#include <stddef.h>

#include "weerbaar/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest version string any scheme accepts (bytes). */
#define WB_VERSION_MAX 1024

typedef struct wb_version_scheme {
    const char *name;    /* vers type: "deb", "pypi", ... */
    const char *summary; /* one line for --help and docs */
    /* 0 when v[0..n) is a valid version of the scheme, else WB_EINVAL with
     * the reason in err (without the version: the caller names it). */
    int (*check)(const char *v, size_t n, wb_error *err);
    /* Compares two versions that passed check(): <0, 0 or >0. */
    int (*cmp)(const char *a, size_t an, const char *b, size_t bn);
} wb_version_scheme;

/* Every scheme, NULL-terminated, in --help order. */
extern const wb_version_scheme *const wb_version_schemes[];

/* The scheme with this name or one of its aliases ("apk" = "alpine",
 * "debian" = "deb", "rubygems" = "gem", "pep440" = "pypi"),
 * case-insensitively; NULL when there is none. */
const wb_version_scheme *wb_version_scheme_find(const char *name);

/* Compares a and b under the named scheme: *result <0, 0 or >0. Returns 0,
 * or WB_EINVAL with a message naming the scheme and the version when the
 * scheme is unknown or a version is not valid in it. */
int wb_version_cmp(const char *scheme, const char *a, const char *b, int *result, wb_error *err);

/* The same with a scheme already looked up and counted strings. */
int wb_version_scheme_cmp(const wb_version_scheme *s, const char *a, size_t an, const char *b,
                          size_t bn, int *result, wb_error *err);

/* 0 when v is a valid version of the scheme, else WB_EINVAL with a message
 * ("pypi version '1.0+': local version label is empty"). */
int wb_version_valid(const char *scheme, const char *v, wb_error *err);
int wb_version_scheme_check(const wb_version_scheme *s, const char *v, size_t n, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
