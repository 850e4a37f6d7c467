/*
 * cmd_match_hub.h - the hub mirror behind `weerbaar match --hub --follow`: the
 * indicators of every event the key may see, kept per event and brought up
 * to date from the hub's change feed (GET /api/v1/events?after=SEQ), from
 * which a fresh indicator set is built whenever something changed.
 *
 * An event's indicators are replaced as a whole when it changes (so an
 * attribute removed or hidden from the caller goes with it) and dropped on
 * a tombstone (deleted, or no longer visible to the key). Indicators from
 * -i files are kept as one more group and go into every set built.
 */
#ifndef WB_CLI_MATCH_HUB_H
#define WB_CLI_MATCH_HUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/client.h"
#include "weerbaar/ioc.h"
#include "weerbaar/match.h"

typedef struct wb_cli_mirror wb_cli_mirror;

/* What one pull changed. */
typedef struct wb_cli_pull_stats {
    size_t events;     /* events added or replaced */
    size_t tombstones; /* events dropped */
    int64_t last_seq;  /* where the next pull starts */
} wb_cli_pull_stats;

int wb_cli_mirror_new(wb_cli_mirror **out, const wb_hub_client *hc, const wb_intel_opts *iopts);
/* Loads indicators from a file or directory into the group that is not the
 * hub's (the -i files). Errors name the file. */
int wb_cli_mirror_load_file(wb_cli_mirror *m, const char *path, wb_error *err);
/* Pulls every change since the last pull (everything, the first time),
 * page by page. On failure nothing is lost: the next pull starts where the
 * last complete page ended. */
int wb_cli_mirror_pull(wb_cli_mirror *m, wb_cli_pull_stats *st, wb_error *err);
/* Builds a new indicator set from what the mirror holds, with sopts. The
 * caller frees it. */
int wb_cli_mirror_build(const wb_cli_mirror *m, const wb_iocset_opts *sopts, wb_iocset **out,
                        wb_error *err);
/* --follow --nats: the subjects of the user file (kept by the caller). */
void wb_cli_mirror_parts(wb_cli_mirror *m, const char *const *subjects, size_t n);
/* One NATS message: the event's part for subject replaces what the
 * change feed and the earlier message of the subject gave for the event
 * (a body {"Event": {"uuid", "deleted": true}} leaves it empty). */
int wb_cli_mirror_apply_part(wb_cli_mirror *m, const char *event, const char *subject,
                             const char *body, size_t len, wb_error *err);
/* Indicators held (before normalisation and warninglists). */
size_t wb_cli_mirror_count(const wb_cli_mirror *m);
void wb_cli_mirror_free(wb_cli_mirror *m);

#endif
