/*
 * cmd_match_fetch.c - one -i argument of `match` or `intel export`: a path, or
 * a URL through weerbaar's intel fetcher and its cache.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/cmd_match_fetch.h"
#include "weerbaar/intelfetch.h"
#include "weerbaar/progress.h"

static void on_bytes(void *ud, const char *url, uint64_t done, uint64_t total)
{
    (void)url;
    wb_progress_update(ud, done, total >= done ? total : 0);
}

int wb_cli_load_iocs(const char *path, const char *key, const wb_intel_opts *io, wb_ioc_sink *sink,
                     wb_error *err)
{
    if (!wb_intel_is_url(path)) return wb_intel_load(path, io, sink, err);
    wb_progress line;
    wb_progress_start(&line, wb_cli_progress_out(false), path, WB_PROGRESS_BYTES);
    wb_fetch_opts fo = {.key = key, .progress = on_bytes, .progress_ud = &line};
    wb_fetch_stats st = {0};
    int rc = wb_intel_load_url(path, &fo, io, sink, &st, err);
    wb_progress_end(&line);
    if (rc == 0)
        fprintf(stderr, "weerbaar: %s: %u fetched, %u unchanged (from the cache)\n", path,
                st.fetched, st.not_modified);
    return rc;
}
