/*
 * store_vulnscan.h - the store's hub vulnerability scans (migration 12):
 * an organisation's scan results, each the findings of one uploaded SBOM
 * or package list in the order `vuln scan` gives them, and whether the
 * organisation shares it with its CSIRT. The scan service (vulnsvc.h)
 * is the only caller; it decides who may read what.
 */
#ifndef WEERBAAR_STORE_VULNSCAN_H
#define WEERBAAR_STORE_VULNSCAN_H

#include "weerbaar/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wb_vscan_rec {
    int64_t id;
    int64_t org_id;
    const char *org_name;   /* filled on read */
    const char *org_sector; /* filled on read; NULL when none */
    const char *name;       /* what was uploaded, as the uploader named it */
    const char *author;     /* e-mail */
    wb_time created;
    int64_t components, findings, kev, overdue;
    const char *summary; /* JSON object: vuln scan's summary */
    const char *body;    /* JSON array of findings; NULL on a list */
    bool shared_csirt;
} wb_vscan_rec;

typedef int (*wb_vscan_cb)(void *ud, const wb_vscan_rec *r);

int wb_store_vscan_add(wb_store *s, const wb_vscan_rec *r, int64_t *id, wb_error *err);
/* One scan with its body; WB_ENOTFOUND when there is none. */
int wb_store_vscan_get(wb_store *s, int64_t id, wb_vscan_cb cb, void *ud, wb_error *err);
/* Scans without bodies, newest first: of org_id, or all (0). */
int wb_store_vscan_list(wb_store *s, int64_t org_id, wb_vscan_cb cb, void *ud, wb_error *err);
int wb_store_vscan_share(wb_store *s, int64_t id, bool shared, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
