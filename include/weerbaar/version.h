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

/* ---- RPM package names ------------------------------------------------------ */

/* A package named the way rpm and Red Hat's CSAF product_version branches
 * name builds: NAME-[EPOCH:]VERSION-RELEASE[.ARCH] ("telnet-1:0.17-65.el7_6.x86_64",
 * "openssl-1:1.0.2k-19.el7", "perl-Carp-1.50-439.el9.noarch"); yum's
 * EPOCH:NAME-VERSION-RELEASE[.ARCH] is read too. Pointers into the parsed
 * string; a part that is absent has length 0. */
typedef struct wb_nevra {
    const char *name, *epoch, *version, *release, *arch;
    size_t name_len, epoch_len, version_len, release_len, arch_len;
} wb_nevra;

/* Splits s[0..n): the release after the last '-', the version before it
 * (an epoch of digits and ':' may lead it), the name before that. The arch
 * is a '.'-suffix only when it is a known rpm architecture (x86_64, i686,
 * aarch64, ppc64le, s390x, noarch, src, ...; wb_rpm_arch_known): the
 * release "65.el7_6" itself ends in a '.'-part. The name takes letters,
 * digits and "._+-"; version and release letters, digits and "._+~^", the
 * version starting with a digit. So names of other things (module streams
 * "nodejs:18:8080020230202154002:4d2a8c93", container images
 * "openshift4/ose-cli:v4.6.0-2021", "Windows Server 2019") do not parse.
 * Returns 0, or WB_EINVAL with the reason in err. */
int wb_nevra_parse(const char *s, size_t n, wb_nevra *out, wb_error *err);

/* Writes "[EPOCH:]VERSION-RELEASE", a version of the "rpm" scheme, into
 * out[0..cap) with a NUL; returns its length, or 0 when cap is too small. */
size_t wb_nevra_evr(const wb_nevra *x, char *out, size_t cap);

/* Whether a[0..n) is an architecture rpm builds for (or "noarch", "src",
 * "nosrc"). */
bool wb_rpm_arch_known(const char *a, size_t n);

#ifdef __cplusplus
}
#endif
#endif
