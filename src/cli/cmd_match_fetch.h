/*
 * cmd_match_fetch.h - loading one -i argument for `match` and `intel export`:
 * a file or directory, or an http(s) URL fetched through the cache
 * (weerbaar/intelfetch.h).
 */
#ifndef WB_CLI_MATCH_FETCH_H
#define WB_CLI_MATCH_FETCH_H

#include "weerbaar/ioc.h"

/* key: for URLs (NULL = none). Reports how much travelled on stderr. */
int wb_cli_load_iocs(const char *path, const char *key, const wb_intel_opts *io, wb_ioc_sink *sink,
                     wb_error *err);

#endif
