/*
 * intelfetch.h - indicators over HTTP(S) with a local cache (fetch.c).
 *
 * A URL ending in '/' or manifest.json is a MISP feed (a MISP server's or a
 * weerbaar hub's /feeds/misp/); one whose path holds /restSearch is a MISP
 * restSearch (POSTed, {"returnFormat": "json"}); anything else is a single
 * file in any format wb_intel_load detects. Each GET is cached under
 * $XDG_CACHE_HOME/weerbaar/intel (or ~/.cache/weerbaar/intel) with its
 * ETag and revalidated with If-None-Match.
 */
#ifndef WEERBAAR_INTELFETCH_H
#define WEERBAAR_INTELFETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/ioc.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wb_fetch_opts {
    const char *key;       /* sent as "Authorization: KEY"; NULL = none */
    const char *cache_dir; /* NULL = the XDG cache */
    long timeout_s;        /* per request; 0 = 300 */
    /* Bytes received of each body (total 0: not known); may be NULL. */
    void (*progress)(void *ud, const char *url, uint64_t done, uint64_t total);
    void *progress_ud;
} wb_fetch_opts;

typedef struct wb_fetch_stats {
    unsigned fetched;      /* bodies that travelled */
    unsigned not_modified; /* answered 304: read from the cache */
    unsigned events;       /* feed events loaded */
} wb_fetch_stats;

bool wb_intel_is_url(const char *s);
/* Loads the indicators at url into sink. Errors name the URL (and the HTTP
 * status) or the cache file. */
int wb_intel_load_url(const char *url, const wb_fetch_opts *fo, const wb_intel_opts *io,
                      wb_ioc_sink *sink, wb_fetch_stats *st, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
