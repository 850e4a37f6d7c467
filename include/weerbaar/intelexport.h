/*
 * intelexport.h - hands a built indicator set (after warninglists and
 * expiry) to the sensors people run, so the same vetted set drives offline
 * (`weerbaar match`) and live detection:
 *
 *   zeek-intel        a Zeek 6 Intel framework file (Intel::read_files)
 *   suricata-dataset  Suricata 7 datasets for dns.query, http.host and
 *                     tls.sni, an IP reputation (iprep) list, file hash
 *                     lists, and the rules that use them
 *   suricata-rules    one Suricata 7 rule per indicator (domains with
 *                     their subdomains, URLs, address groups, ip|port)
 *   csv               weerbaar's own CSV (type,value,event,uuid,source,tlp)
 *
 * What a target cannot express is counted per type in the stats, never
 * dropped without a word.
 */
#ifndef WEERBAAR_INTELEXPORT_H
#define WEERBAAR_INTELEXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "weerbaar/error.h"
#include "weerbaar/ioc.h"
#include "weerbaar/match.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum wb_export_target {
    WB_EXPORT_ZEEK_INTEL,
    WB_EXPORT_SURICATA_DATASET,
    WB_EXPORT_SURICATA_RULES,
    WB_EXPORT_CSV
} wb_export_target;

typedef struct wb_export_opts {
    wb_export_target target;
    /* zeek-intel and csv: the file (NULL or "-": out); Suricata: the
     * directory the files go into (created when missing). */
    const char *path;
    FILE *out;         /* standard output for the single-file targets */
    uint32_t sid_base; /* Suricata: the first rule's sid (0 = 1740000) */
} wb_export_opts;

typedef struct wb_export_stats {
    uint64_t written[WB_IOC_TYPE_COUNT]; /* indicators exported, per type */
    uint64_t skipped[WB_IOC_TYPE_COUNT]; /* the target has no way to say them */
    uint64_t rules;                      /* Suricata rules written */
} wb_export_stats;

/* "zeek-intel", "suricata-dataset", "suricata-rules", "csv"; 0 or WB_EINVAL. */
int wb_export_target_parse(const char *name, wb_export_target *out);
/* Writes the set. 0, or WB_EIO / WB_ENOMEM with err naming the file. */
int wb_intel_export(const wb_iocset *set, const wb_export_opts *opts, wb_export_stats *st,
                    wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
