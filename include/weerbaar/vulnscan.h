/*
 * vulnscan.h - the scanner behind `weerbaar vuln scan` and `weerbaar vuln
 * index`: a vulnerability database fed by the advisory, KEV, EPSS and VEX
 * sinks of vulndb.h, its persistent index file, the patch-deadline policy,
 * and the matching of an inventory against the database into findings.
 *
 * Life of a database: wb_vulndb_new() gives a builder whose sinks copy what
 * they keep; wb_vulndb_build() merges the ids of one vulnerability (CVE,
 * GHSA, vendor ids: union-find over ids and aliases), builds the match
 * indexes and freezes it. A frozen database is immutable and can be shared
 * between threads; wb_vulndb_save() writes it as an index file that
 * wb_vulndb_open() loads with one read and a bounds check of every offset.
 *
 * A scan takes one database with the advisories and optionally a second one
 * with scan-time KEV, EPSS and VEX data (which win over the first's). Its
 * component sink matches each component as it arrives; wb_vulnscan_finish()
 * applies VEX, deadlines and the priority order. docs/vuln-scan.md has the
 * rules.
 */
#ifndef WEERBAAR_VULNSCAN_H
#define WEERBAAR_VULNSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"
#include "weerbaar/vulndb.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- severity and policy ------------------------------------------------- */

/* Severity bands of the FIRST CVSS specification. */
typedef enum wb_severity {
    WB_SEV_UNKNOWN = 0, /* no CVSS score from any source */
    WB_SEV_NONE,        /* 0.0 */
    WB_SEV_LOW,         /* 0.1 - 3.9 */
    WB_SEV_MEDIUM,      /* 4.0 - 6.9 */
    WB_SEV_HIGH,        /* 7.0 - 8.9 */
    WB_SEV_CRITICAL     /* 9.0 - 10.0 */
} wb_severity;

wb_severity wb_severity_from_score(double score);
/* A source's own rating word (CSAF aggregate_severity, OSV severity):
 * critical; high or important; moderate or medium; low; none (any case).
 * WB_SEV_UNKNOWN for any other word or NULL. Used when no source gives a
 * CVSS score. */
wb_severity wb_severity_from_word(const char *word);
/* "unknown", "none", "low", "medium", "high", "critical". */
const char *wb_severity_name(wb_severity s);
/* The inverse of wb_severity_name; WB_EINVAL for anything else. */
int wb_severity_parse(const char *name, wb_severity *out);

/* Days from an advisory's first release to its patch deadline. */
typedef struct wb_policy {
    bool kev_due_date;       /* a KEV entry's dueDate is a deadline (default true) */
    int critical_internet;   /* critical and internet-facing (default 7) */
    int critical;            /* default 14 */
    int high;                /* default 30 */
    int medium;              /* default 90 */
    int low;                 /* default 180 */
    int none;                /* score 0.0; -1 = no deadline (default) */
    wb_severity unscored_as; /* band for findings without a score (default medium) */
} wb_policy;

void wb_policy_default(wb_policy *p);
/* A JSON object with any of the keys "kev_due_date" (bool), "critical_internet",
 * "critical", "high", "medium", "low", "none" (days, 0-3650, or null for none)
 * and "unscored_as" (a severity name); absent keys keep their defaults.
 * Errors: WB_EPARSE "name: $.key: reason". */
int wb_policy_parse(const char *name, const char *json, size_t len, wb_policy *p, wb_error *err);
int wb_policy_load(const char *path, wb_policy *p, wb_error *err);

/* How a deadline was set, for the report. */
typedef enum wb_patch_rule {
    WB_DL_NONE,              /* no deadline: no release date and no KEV entry */
    WB_DL_KEV,               /* the KEV dueDate (earlier than the policy's) */
    WB_DL_CRITICAL_INTERNET, /* the policy's bands ... */
    WB_DL_CRITICAL,
    WB_DL_HIGH,
    WB_DL_MEDIUM,
    WB_DL_LOW,
    WB_DL_SEVERITY_NONE,
    WB_DL_UNSCORED /* no score: the band of unscored_as */
} wb_patch_rule;

/* "kev", "critical-internet-facing", "critical", ... */
const char *wb_patch_rule_name(wb_patch_rule r);

/* The deadline of a finding: published + the band's days (the band from
 * severity, internet_facing, unscored_as), and the KEV due date (or
 * WB_TIME_NONE) when the policy uses it: the earlier of the two wins.
 * Returns WB_TIME_NONE with WB_DL_NONE when neither applies. */
wb_time wb_policy_deadline(const wb_policy *p, wb_severity sev, bool internet_facing,
                           wb_time published, wb_time kev_due, wb_patch_rule *rule);

/* ---- the database -------------------------------------------------------- */

typedef struct wb_vulndb wb_vulndb;

typedef struct wb_vulndb_stats {
    size_t advisories, vulns, affected, remediations, kev, epss, vex;
    size_t bad_purls, bad_cpes; /* affected entries whose purl/CPE did not parse (not indexed) */
    size_t bytes;               /* size of the frozen image (= index file size) */
    size_t deb; /* frozen only: affected entries of Debian/Ubuntu packages (a pkg:deb purl or
                   the deb version scheme), whose names are source package names */
} wb_vulndb_stats;

/* A new, empty builder. 0 or WB_ENOMEM. */
int wb_vulndb_new(wb_vulndb **out);
/* Sinks that copy what they are given into the builder. Adding to a frozen
 * database fails with WB_EINVAL. */
wb_advisory_sink *wb_vulndb_advisory_sink(wb_vulndb *db);
wb_kev_sink *wb_vulndb_kev_sink(wb_vulndb *db);
wb_epss_sink *wb_vulndb_epss_sink(wb_vulndb *db);
wb_vex_sink *wb_vulndb_vex_sink(wb_vulndb *db);
/* Copies every advisory, KEV, EPSS and VEX record of a frozen database into
 * a builder (to combine an index file with raw sources). */
int wb_vulndb_copy_into(const wb_vulndb *from, wb_vulndb *to, wb_error *err);
/* Merges aliases, builds the indexes, freezes. WB_ELIMIT when the image would
 * exceed 4 GiB of strings or 2^32 records of a kind. */
int wb_vulndb_build(wb_vulndb *db, wb_error *err);
/* Writes a frozen database as an index file (written to PATH.tmp, then
 * renamed). WB_EIO with a message naming the path. */
int wb_vulndb_save(const wb_vulndb *db, const char *path, wb_error *err);
/* Loads an index file (WB_EFORMAT "path: not a weerbaar vulnerability index",
 * WB_EPARSE "path: reason" when an offset or count is out of bounds). */
int wb_vulndb_open(wb_vulndb **out, const char *path, wb_error *err);
/* The same from memory (copied); name is used in messages. */
int wb_vulndb_open_mem(wb_vulndb **out, const char *name, const void *data, size_t len,
                       wb_error *err);
/* True when the file starts with the index magic. */
bool wb_vulndb_is_index(const char *path);
void wb_vulndb_stats_get(const wb_vulndb *db, wb_vulndb_stats *st);
void wb_vulndb_free(wb_vulndb *db);

/* ---- scanning ------------------------------------------------------------- */

typedef struct wb_scan_opts {
    wb_time now;             /* for overdue; WB_TIME_NONE = the current time */
    const wb_policy *policy; /* NULL = wb_policy_default */
    bool linear;             /* compare every component with every affected entry instead of
                                using the indexes (slow: the benchmark's baseline and a test
                                oracle; finds the same findings) */
} wb_scan_opts;

/* One (asset, component, vulnerability). Strings live as long as the scan
 * and its databases; NULL when absent. */
typedef struct wb_finding {
    size_t rank; /* 1..N in priority order; 0 for suppressed findings */
    const char *asset;
    const char *component; /* the component's purl, else its CPE, else its name */
    const char *name;      /* the component's name */
    const char *version;   /* installed version */
    const char *where;     /* inventory file and line / JSON path */
    bool internet_facing;
    const char *vuln;       /* the vulnerability's primary id: its CVE, else another */
    const char *cve;        /* a CVE id among the merged ids, or NULL */
    const char *const *ids; /* every merged id, sorted */
    size_t nids;
    const char *title;
    const char *advisory;        /* id of the advisory document that matched (CSAF tracking id,
                                    OSV id, NVD id) */
    const char *advisory_source; /* its file */
    const char *advisory_kind;   /* "csaf", "osv", "nvd" */
    const char *advisory_url;
    const char *matched_by; /* "purl", "cpe", "csaf-product", "source-package" */
    double cvss_score;      /* valid when cvss_version != 0 */
    unsigned cvss_version;  /* 40, 31, 30, 20; 0 when no source gives a score */
    const char *cvss_vector;
    wb_severity severity;
    bool kev;
    wb_time kev_added, kev_due; /* WB_TIME_NONE when absent */
    bool kev_ransomware;
    bool has_epss;
    double epss, epss_percentile;
    const char *const *fixed; /* fixed versions named by the matching entries */
    size_t nfixed;
    const char *remediation;          /* text, or NULL */
    const char *remediation_category; /* "vendor_fix", "mitigation", ... */
    const char *remediation_url;
    wb_time published; /* earliest first release among the merged sources */
    wb_time deadline;  /* WB_TIME_NONE when none */
    wb_patch_rule deadline_rule;
    bool overdue;
    const char *status; /* "affected"; "unknown" when the only matching entry is a CSAF product
                           whose free-text version range could not be read */
    /* VEX: a statement that suppressed the finding */
    bool suppressed;
    const char *vex_status; /* "not_affected", "fixed" */
    const char *vex_justification;
    const char *vex_detail;
    const char *vex_source;
} wb_finding;

typedef struct wb_scan_summary {
    size_t components; /* given to the sink */
    size_t findings;   /* not suppressed */
    size_t by_severity[WB_SEV_CRITICAL + 1];
    size_t kev, overdue, suppressed;
    size_t unknown;      /* findings (not suppressed) with status "unknown" */
    size_t incomparable; /* candidate entries skipped: version not valid in the entry's scheme */
} wb_scan_summary;

typedef struct wb_vulnscan wb_vulnscan;

/* db holds the advisories; extra (may be NULL) scan-time KEV, EPSS and VEX.
 * Both must be frozen and outlive the scan. */
int wb_vulnscan_new(wb_vulnscan **out, const wb_vulndb *db, const wb_vulndb *extra,
                    const wb_scan_opts *opts, wb_error *err);
/* Matches each component as it is added (strings are copied). */
wb_component_sink *wb_vulnscan_sink(wb_vulnscan *s);
/* Applies VEX, sets deadlines, sorts and ranks. Call once, after the last
 * component. */
int wb_vulnscan_finish(wb_vulnscan *s, wb_error *err);
/* Findings in priority order, suppressed ones after the others. */
size_t wb_vulnscan_count(const wb_vulnscan *s);
const wb_finding *wb_vulnscan_get(const wb_vulnscan *s, size_t i);
void wb_vulnscan_summary_get(const wb_vulnscan *s, wb_scan_summary *out);
/* Appends f as the one-line JSON object of `weerbaar vuln scan --format
 * json` (fields in docs/vuln-scan.md): the bytes jansson would write for it
 * with JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6), without
 * allocating per value. Strings that are not UTF-8 are written with '?' for
 * every byte from 0x80 up. 0 or WB_ENOMEM (out then holds a partial object). */
int wb_finding_json(const wb_finding *f, wb_buf *out);
void wb_vulnscan_free(wb_vulnscan *s);

#ifdef __cplusplus
}
#endif
#endif
