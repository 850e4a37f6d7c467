/*
 * map_internal.h - the dependency map's representation, shared by map.c
 * (which fills it) and report.c (which reads it).
 */
#ifndef WB_DEPS_MAP_INTERNAL_H
#define WB_DEPS_MAP_INTERNAL_H

#include "deps/deps_internal.h"

#define WBI_MAX_PORTS 8
#define WBI_MAX_NAMES 8
#define WBI_DAY_BITS 65536 /* days since 1970 tracked for "observed days": to 2149 */

typedef struct wbi_dayc {
    int32_t day;
    uint32_t n;
} wbi_dayc;

typedef struct wbi_pair {
    uint32_t asset; /* index into the map's assets */
    wb_addr ep;
    uint64_t bytes_out, bytes_in, flows;
    wb_time first, last;
    double max_dur;
    wbi_dayc *days; /* contacts per day */
    uint32_t ndays, capdays;
    uint32_t ports[WBI_MAX_PORTS]; /* proto << 16 | port */
    uint8_t nports;
    struct wbi_names *names; /* the names this asset used for ep, or NULL */
} wbi_pair;

typedef struct wbi_asset_rt {
    long def; /* inventory index, or -1 for an internal address outside it */
    wb_addr addr;
} wbi_asset_rt;

typedef struct wbi_names {
    const char *name[WBI_MAX_NAMES];
    unsigned n;
} wbi_names;
/* (in the map's arena) */

struct wb_deps_map {
    wb_deps_cfg cfg;
    const wb_deps_inventory *inv;
    wbi_pair *pairs;
    size_t npairs, cappairs;
    uint32_t *slots; /* pair index + 1 */
    size_t capslots;
    bool over_limit;
    wbi_asset_rt *assets;
    size_t nassets, capassets;
    int32_t *inv_asset; /* inventory index -> asset index or -1 */
    wbi_addrmap auto_assets;
    wbi_addrmap name_idx;
    wbi_names **names; /* per endpoint address (name_idx), NULL when none yet */
    size_t nnames, capnames;
    uint8_t daybits[WBI_DAY_BITS / 8];
    uint64_t records, skipped, flows, internal;
    char first_skip[200];
    wb_arena arena;
};

wbi_pair *wbi_deps_pair(wb_deps_map *m, uint32_t asset, const wb_addr *ep);
int wbi_deps_pair_day(wbi_pair *p, int32_t day, uint32_t n);
void wbi_deps_pair_port(wbi_pair *p, uint32_t pp);
void wbi_deps_mark_day(wb_deps_map *m, int32_t day);
int wbi_deps_add_name(wb_deps_map *m, const wb_addr *a, const char *name, size_t n);
/* Adds name to the list (strings and the list in the map's arena). */
int wbi_deps_names_add(wb_deps_map *m, wbi_names **nl, const char *name, size_t n);
const char *wbi_deps_map_first_skip(const wb_deps_map *m);

#endif
