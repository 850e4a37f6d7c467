/*
 * vulndb.h - the data model of `weerbaar vuln`: advisories (CSAF 2.0, OSV,
 * NVD CVE JSON 2.0), the inventory they are matched against (CycloneDX, SPDX,
 * CSV asset lists, dpkg-query and rpm -qa output), VEX statements, CISA KEV
 * and EPSS.
 *
 * Parsers (src/vuln/csaf.c, osv.c, ...) do not build the database: like the
 * intel loaders they hand each record to a sink, with strings that need only
 * live for the call. The scanner's database (src/vuln/db.c) is one such sink;
 * tests use recording sinks. All times are wb_time (UTC microseconds).
 */
#ifndef WEERBAAR_VULNDB_H
#define WEERBAAR_VULNDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- advisories ----------------------------------------------------------- */

typedef struct wb_cvss {
    uint8_t version; /* 20, 30, 31 or 40 (CVSS v2.0 ... v4.0) */
    double score;    /* base score 0.0-10.0 */
    const char *vector;
} wb_cvss;

typedef enum wb_aff_status {
    WB_AFF_AFFECTED,            /* known_affected, OSV affected, NVD vulnerable:true */
    WB_AFF_FIXED,               /* CSAF fixed / first_fixed: this version (and, for deb/rpm-style
                                   schemes, later ones of the same package) is not affected */
    WB_AFF_NOT_AFFECTED,        /* CSAF known_not_affected */
    WB_AFF_UNDER_INVESTIGATION, /* CSAF under_investigation */
    WB_AFF_UNKNOWN /* listed as affected, but its version range (free text) cannot be read:
                      a component of the product is reported with status "unknown" */
} wb_aff_status;

/* One product (or package) an advisory speaks about, with the versions it
 * covers. Identity by purl (without version), by CPE, or by vendor+product
 * names (CSAF product trees without identifiers). Versions by one exact
 * version, by a vers range, or both absent (every version). */
typedef struct wb_affected {
    wb_aff_status status;
    const char *purl;       /* "pkg:deb/debian/openssl?distro=debian-12", no version; or NULL */
    const char *cpe;        /* CPE 2.3 formatted string (may carry a version); or NULL */
    const char *vendor;     /* CSAF vendor branch / NVD CPE vendor; or NULL */
    const char *product;    /* CSAF product_name branch / NVD CPE product; or NULL */
    const char *version;    /* one exact version; or NULL */
    const char *range;      /* a vers string ("vers:npm/>=1.0.0|<1.2.3"); or NULL */
    const char *scheme;     /* version scheme for version and range ("deb", "semver",
                               "generic", ...), see version.h; NULL = "generic" */
    const char *fixed;      /* first fixed version, for the report; or NULL */
    const char *product_id; /* CSAF product_id (or OSV package name), for the report */
    const char *platform;   /* CSAF relationship: full name of the product this one is
                               installed on / a component of (same-platform rule); or NULL */
} wb_affected;

typedef struct wb_remediation {
    const char *category; /* CSAF: vendor_fix, mitigation, workaround, none_available,
                             no_fix_planned; OSV/NVD: "vendor_fix" for fixed versions */
    const char *details;
    const char *url;                /* or NULL */
    const char *const *product_ids; /* CSAF products it applies to; NULL = all */
    size_t nproduct_ids;
} wb_remediation;

/* One vulnerability as one source describes it. A CSAF document with three
 * vulnerabilities gives three advisories (id = the CVE, or the document's
 * tracking id plus the vulnerability's ordinal when it has none). */
typedef struct wb_advisory {
    const char *id;             /* "CVE-2021-44228", "GHSA-jfh8-c2jp-5v3q", ... */
    const char *const *aliases; /* other ids of the same vulnerability (CVE, GHSA, vendor) */
    size_t naliases;
    const char *doc_id;      /* CSAF tracking id, OSV id, NVD CVE id */
    const char *source;      /* the file it came from */
    const char *source_kind; /* "csaf", "osv", "nvd" */
    const char *title;       /* or NULL */
    const char *url;         /* the advisory's own web page (CSAF self reference, NVD/OSV page) */
    wb_time published;       /* first release: CSAF initial_release_date, OSV published,
                                NVD published; WB_TIME_NONE when unknown */
    wb_time modified;
    const wb_cvss *cvss;
    size_t ncvss;
    const wb_affected *affected;
    size_t naffected;
    const wb_remediation *remediations;
    size_t nremediations;
    const char *severity; /* the source's own rating when it gives one: CSAF
                             aggregate_severity / threats impact, OSV database_specific or
                             ecosystem_specific severity ("HIGH", "Moderate"); or NULL */
} wb_advisory;

typedef struct wb_advisory_sink wb_advisory_sink;
struct wb_advisory_sink {
    int (*add)(wb_advisory_sink *self, const wb_advisory *adv); /* 0 or WB_ENOMEM */
};

typedef enum wb_advisory_format {
    WB_ADV_AUTO = 0,
    WB_ADV_CSAF,
    WB_ADV_OSV,
    WB_ADV_NVD
} wb_advisory_format;

/* Loads advisories from a file, a directory (recursively; a mirrored CSAF
 * provider with provider-metadata.json, index.txt or changes.csv and year
 * folders; an OSV directory) or an OSV all.zip archive. A malformed document
 * is reported through `bad` (file and JSON path) and skipped; the return
 * value is 0 unless the path cannot be read at all or memory runs out. */
typedef struct wb_advisory_opts {
    wb_advisory_format format;
    size_t max_file;                            /* 0 = 256 MiB */
    void (*bad)(void *ud, const wb_error *err); /* a document skipped; may be NULL */
    void *bad_ud;
    /* a part of a document that is used but cannot be fully interpreted (a
     * CSAF range that is not readable); may be NULL */
    void (*warn)(void *ud, const wb_error *err);
    void *warn_ud;
} wb_advisory_opts;

int wb_advisories_load(const char *path, const wb_advisory_opts *opts, wb_advisory_sink *sink,
                       wb_error *err);
/* One document in memory; `name` names it in messages. Errors: WB_EPARSE with
 * "name: $.json.path: reason". */
int wb_advisory_parse(const char *name, const char *data, size_t len, wb_advisory_format format,
                      wb_advisory_sink *sink, wb_error *err);

/* ---- inventory ---------------------------------------------------------------- */

typedef struct wb_component {
    const char *asset;   /* the system it belongs to (SBOM metadata.component, =ASSET, CSV asset) */
    const char *name;    /* package or product name */
    const char *version; /* installed version, or NULL */
    const char *purl;    /* with version when known; or NULL */
    const char *cpe;     /* CPE 2.3; or NULL */
    const char *vendor;  /* or NULL */
    const char *product; /* or NULL (CSV product column; else name) */
    const char *source_name;    /* dpkg: the source package, which Debian advisories name */
    const char *source_version; /* dpkg: the source package's version */
    bool internet_facing;
    const char *criticality; /* CSV column, free text; or NULL */
    const char *owner;       /* or NULL */
    const char *where;       /* "file:line" or "file: $.components[3]" for messages */
} wb_component;

typedef struct wb_component_sink wb_component_sink;
struct wb_component_sink {
    int (*add)(wb_component_sink *self, const wb_component *c); /* 0 or WB_ENOMEM */
};

typedef enum wb_inventory_format {
    WB_INV_AUTO = 0,
    WB_INV_CYCLONEDX, /* JSON 1.2-1.6, nested components */
    WB_INV_SPDX,      /* 2.2-2.3 JSON, externalRefs purl/cpe */
    WB_INV_CSV,       /* asset,vendor,product,version,cpe,purl,internet_facing,criticality,owner */
    WB_INV_DPKG, /* dpkg-query -W -f='${Package} ${Version} ${source:Package} ${source:Version}\n'
                  */
    WB_INV_RPM   /* rpm -qa --qf '%{NAME} %{EPOCH}:%{VERSION}-%{RELEASE} %{ARCH}\n' */
} wb_inventory_format;

/* With WB_INV_AUTO also: /var/lib/dpkg/status, dpkg -l, Alpine's
 * /lib/apk/db/installed, rpm -qa in its default NAME-VERSION-RELEASE.ARCH
 * form, SPDX tag-value, and a directory read as a root file system (its
 * os-release, hostname and package databases). These are detected from
 * content only. */
typedef struct wb_inventory_opts {
    wb_inventory_format format;
    const char *asset;  /* "=ASSET" given with --inventory; NULL = from the document */
    const char *distro; /* dpkg/rpm purls: "debian-12", "rhel-9", ... ; NULL = none */
    size_t max_file;    /* 0 = 256 MiB */
    /* a component that is skipped (an SBOM component whose purl or CPE does
     * not parse, a bad CSV row), named by file and JSON path or line; the
     * others are read. May be NULL. */
    void (*skipped)(void *ud, const wb_error *why);
    void *skipped_ud;
    /* a Debian package list without source package names (dpkg -l,
     * dpkg-query -W without ${source:Package}): Debian's advisories name
     * source packages, so they match only where binary and source names are
     * equal. May be NULL. */
    void (*no_source)(void *ud, const char *path);
    void *no_source_ud;
} wb_inventory_opts;

/* Errors name the file and line or JSON path. A file that is not an
 * inventory is an error; a bad component in one is skipped and reported
 * through opts->skipped. */
int wb_inventory_load(const char *path, const wb_inventory_opts *opts, wb_component_sink *sink,
                      wb_error *err);

/* ---- VEX, KEV, EPSS -------------------------------------------------------------- */

typedef enum wb_vex_status {
    WB_VEX_NOT_AFFECTED,
    WB_VEX_AFFECTED,
    WB_VEX_FIXED,
    WB_VEX_UNDER_INVESTIGATION
} wb_vex_status;

/* A statement that a vulnerability does or does not affect a product. */
typedef struct wb_vex {
    const char *vuln;    /* CVE or other id */
    const char *purl;    /* product identity, with or without version; or NULL */
    const char *cpe;     /* or NULL */
    const char *product; /* product name when neither (CSAF product name); or NULL */
    const char *version; /* or NULL (then every version) */
    wb_vex_status status;
    const char *justification; /* e.g. "vulnerable_code_not_in_execute_path"; or NULL */
    const char *detail;        /* impact statement / analysis detail; or NULL */
    const char *source;
    const char *vendor; /* CSAF vendor branch, with product; or NULL */
    const char *range;  /* vers range the statement covers (CSAF product_version_range,
                           CycloneDX affects[].versions[].range); NULL = version says */
} wb_vex;

typedef struct wb_vex_sink wb_vex_sink;
struct wb_vex_sink {
    int (*add)(wb_vex_sink *self, const wb_vex *v);
};

/* CSAF VEX (product_status + flags/threats), CycloneDX VEX (vulnerabilities[]
 * .analysis + affects), OpenVEX; detected from content. */
int wb_vex_load(const char *path, wb_vex_sink *sink, wb_error *err);

typedef struct wb_kev {
    const char *cve;
    wb_time date_added;
    wb_time due_date;
    bool ransomware; /* knownRansomwareCampaignUse == "Known" */
    const char *vendor, *product, *name;
} wb_kev;

typedef struct wb_kev_sink wb_kev_sink;
struct wb_kev_sink {
    int (*add)(wb_kev_sink *self, const wb_kev *k);
};

/* CISA's known_exploited_vulnerabilities.json. */
int wb_kev_load(const char *path, wb_kev_sink *sink, wb_error *err);

typedef struct wb_epss {
    const char *cve;
    double score;      /* probability 0..1 */
    double percentile; /* 0..1 */
} wb_epss;

typedef struct wb_epss_sink wb_epss_sink;
struct wb_epss_sink {
    int (*add)(wb_epss_sink *self, const wb_epss *e);
};

/* FIRST's EPSS CSV (optionally gzip; a leading "#model_version..." comment). */
int wb_epss_load(const char *path, wb_epss_sink *sink, wb_error *err);
/* The score_date of an EPSS file's "#model_version:...,score_date:..." first
 * line (WB_TIME_NONE when it has none). Reads only the start of the file.
 * Errors name the file. */
int wb_epss_score_date(const char *path, wb_time *out, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
