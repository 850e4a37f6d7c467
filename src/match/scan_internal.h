/*
 * scan_internal.h - the matcher's wb_scan implementation, used by the engine
 * (one scanner per block in flight) and by wb_iocset_lookup.
 */
#ifndef WB_SCAN_INTERNAL_H
#define WB_SCAN_INTERNAL_H

#include "match/match_internal.h"

#define WBI_MAX_BAD 10

typedef struct wbi_match_hit {
    uint64_t line; /* block-relative, 0-based */
    wb_time ts;
    uint32_t ioc;
    uint32_t field;             /* offset into strings */
    uint32_t matched;           /* offset into strings */
    uint32_t ctx[WB_CTX_COUNT]; /* offsets into strings, WBI_NONE when absent */
} wbi_match_hit;

typedef struct wbi_scanner {
    wb_scan scan; /* what the log readers see */
    const wb_iocset *set;
    wbi_match_hit *hits;
    size_t nhits, hits_cap;
    wb_buf strings; /* field names and matched values of hits */
    wb_buf tmp;     /* normalisation scratch */
    struct {
        uint64_t line;
        const char *reason;
    } bad[WBI_MAX_BAD];
    size_t nbad;
    uint64_t malformed;
    uint64_t ts_line; /* the record whose timestamp is cached in ts */
    bool ts_done;
    wb_time ts;
    uint32_t ctx[WB_CTX_COUNT]; /* the context of record ts_line */
    bool oom;                   /* a sighting could not be stored: the block fails */
} wbi_scanner;

static inline uint32_t v4_from_addr(const wb_addr *a)
{
    return (uint32_t)a->b[12] << 24 | (uint32_t)a->b[13] << 16 | (uint32_t)a->b[14] << 8 | a->b[15];
}

void wbi_scanner_init(wbi_scanner *sc, const wb_iocset *set);
void wbi_scanner_reset(wbi_scanner *sc);
void wbi_scanner_free(wbi_scanner *sc);

#endif
