/*
 * cmd_match_out.h - the output side of `weerbaar match`: every --format that
 * prints sightings one by one (jsonl, json, csv, table, zeek-intel-log,
 * count), grep's -c, -l, -q and -m, and the --summary per indicator and per
 * internal host. cmd_match.c parses options and runs the engine; it hands each
 * sighting here and calls finish at the end.
 */
#ifndef WB_CLI_MATCH_OUT_H
#define WB_CLI_MATCH_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "weerbaar/match.h"

typedef enum wb_cli_mformat {
    WB_MF_JSONL,
    WB_MF_JSON,
    WB_MF_CSV,
    WB_MF_TABLE,
    WB_MF_COUNT,
    WB_MF_MISP, /* printed by cmd_match.c from its aggregates: nothing here */
    WB_MF_ZEEK_INTEL
} wb_cli_mformat;

/* grep's idioms; at most one. */
typedef enum wb_cli_grep { WB_GREP_NONE, WB_GREP_COUNT, WB_GREP_LIST, WB_GREP_QUIET } wb_cli_grep;

typedef struct wb_cli_mout_opts {
    wb_cli_mformat format;
    FILE *out;
    wb_cli_grep grep;
    uint64_t max_per_file;      /* -m N; 0 = no limit */
    bool with_filename;         /* -c: "FILE:N" rather than "N" */
    bool summary, summary_only; /* --summary, --summary-only */
    bool wide;                  /* --wide: free text in tables whole */
    bool stream;                /* --follow: tables are not held back to align */
    const wb_localnets *local;  /* --local-nets */
} wb_cli_mout_opts;

typedef struct wb_cli_mout wb_cli_mout;

/* 0 or WB_ENOMEM. */
int wb_cli_mout_new(wb_cli_mout **out, const wb_cli_mout_opts *opts);
/* One sighting: 0, WB_ENGINE_NEXT_FILE (-l, -m), or 1 to stop (-q, or the
 * output could not be written). */
int wb_cli_mout_sighting(wb_cli_mout *o, const wb_sighting *s);
/* A file ended (for -c). */
void wb_cli_mout_file_done(wb_cli_mout *o, const char *file);
/* Prints what comes at the end (a table held back, the closing bracket,
 * the count, the summary). 0, or -1 when the output could not be written. */
int wb_cli_mout_finish(wb_cli_mout *o);
/* Sightings selected (after -m): what the exit status depends on. */
uint64_t wb_cli_mout_selected(const wb_cli_mout *o);
bool wb_cli_mout_write_failed(const wb_cli_mout *o);
void wb_cli_mout_free(wb_cli_mout *o);

#endif
