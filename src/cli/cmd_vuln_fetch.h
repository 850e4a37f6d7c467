/*
 * cmd_vuln_fetch.h - `weerbaar vuln fetch` and the part of `vuln scan` that
 * reads what it fetched (cmd_vuln_fetch.c), called from cmd_vuln.c.
 */
#ifndef WB_CLI_VULN_FETCH_H
#define WB_CLI_VULN_FETCH_H

#include <stdbool.h>

#include "weerbaar/core.h"
#include "weerbaar/vulnfetch.h"

/* `weerbaar vuln fetch ...`; argv[0] is "fetch". Returns the exit status. */
int wb_cmd_vuln_fetch(int argc, char **argv);

/* Parses --max-age DAYS (0-36500) for cmd; -1 after printing an error. */
int wb_cli_max_age(const char *cmd, const char *arg);

/* For `vuln scan`: the fetched directory (dir, or the default one when dir
 * is NULL) when no --advisories were given (adv_given false) or dir was
 * named. Fills *f (free with wb_fetched_free), says on stderr which
 * directory it reads and how old it is, and warns about each source last
 * fetched more than max_age days before now. Returns 0, or -1 after
 * printing an error (nothing fetched and no --advisories: how to fetch). */
int wb_cli_vuln_fetched(const char *cmd, const char *dir, bool adv_given, int max_age, wb_time now,
                        wb_fetched *f);

/* Warns when the KEV catalogue at path (a --kev file) was released more
 * than max_age days before now, naming it and its dateReleased. */
void wb_cli_vuln_stale_kev(const char *cmd, const char *path, int max_age, wb_time now);
/* Warns when the EPSS file at path has a score_date more than max_age days
 * before now, naming it and its score_date. */
void wb_cli_vuln_stale_epss(const char *cmd, const char *path, int max_age, wb_time now);

#endif
