/*
 * inventory_internal.h - what the inventory readers share: inventory.c
 * (SBOMs, CSV, the dpkg-query/rpm lists, detection and the entry point) and
 * inventory_os.c (a machine's package databases and other text lists: dpkg
 * status, apk installed, dpkg -l, rpm -qa NEVRA, SPDX tag-value, and root
 * file systems).
 */
#ifndef WB_VULN_INVENTORY_INTERNAL_H
#define WB_VULN_INVENTORY_INTERNAL_H

#include "vuln/vulndata.h"

/* Formats beyond the public enum, detected from content only. */
enum {
    WBI_INV_DPKG_STATUS = 100, /* /var/lib/dpkg/status */
    WBI_INV_APK,               /* /lib/apk/db/installed */
    WBI_INV_DPKG_L,            /* dpkg -l */
    WBI_INV_RPM_NEVRA,         /* rpm -qa (default: NAME-VERSION-RELEASE.ARCH) */
    WBI_INV_SPDX_TV            /* SPDX 2.x tag-value */
};

typedef struct wbi_inv {
    wbi_doc d;
    const wb_inventory_opts *opts;
    wb_component_sink *sink; /* NULL in the checking pass */
    const char *asset;
    const char *distro; /* --distro, else the root file system's os-release; or NULL */
    bool no_source;     /* a Debian package list without source package names */
    char *owned; /* an asset name read from the document (SPDX tag-value), freed at the end */
} wbi_inv;

/* Hands a component to the sink (nothing in the checking pass). */
int wbi_inv_emit(wbi_inv *v, wb_component *c);
/* Reports a skipped component through opts->skipped (second pass only). */
void wbi_inv_skip(wbi_inv *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The purl namespace for a distro ("debian-12" -> "debian", "rhel-9" ->
 * "redhat"); NULL for rpm without a known vendor. */
const char *wbi_inv_distro_ns(const char *distro, bool rpm, char *buf, size_t cap);
/* A purl string in the document's arena, or NULL with *rc set (an error
 * naming file and line). */
const char *wbi_inv_purl(wbi_inv *v, const char *type, const char *ns, const char *name,
                         const char *version, const char *const *keys, const char *const *vals,
                         size_t nq, size_t line, int *rc);

/* The readers of inventory_os.c; each reads the whole text. */
int wbi_inv_dpkg_status(wbi_inv *v, const char *data, size_t len);
int wbi_inv_apk(wbi_inv *v, const char *data, size_t len);
int wbi_inv_dpkg_l(wbi_inv *v, const char *data, size_t len);
int wbi_inv_rpm_nevra(wbi_inv *v, const char *data, size_t len);
int wbi_inv_spdx_tv(wbi_inv *v, const char *data, size_t len);
/* The text format of data, or WB_INV_AUTO when none of these. */
int wbi_inv_detect_os(const char *data, size_t len);
/* A root file system: etc/os-release, then var/lib/dpkg/status and
 * lib/apk/db/installed under root. */
int wbi_inv_rootfs(const char *root, const wb_inventory_opts *opts, wb_component_sink *sink,
                   wb_error *err);

#endif
