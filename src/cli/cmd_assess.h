/*
 * cmd_assess.h - what the two halves of `weerbaar assess` share: cmd_assess.c
 * (catalogues and answers files) and cmd_assess_db.c (assessments in a database
 * or on a hub) open the same catalogues and print scores and differences
 * the same way.
 */
#ifndef WB_ASSESS_CLI_H
#define WB_ASSESS_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "weerbaar/assess.h"

/* Most --catalogues directories one command takes. */
#define WB_CLI_ASSESS_MAX_DIRS 16

/* The options every assess command parses alike; cmd ("assess", "assess
 * report") begins the error message. False with the error printed. */
bool wb_cli_assess_opt_dir(const char *cmd, const char *arg, const char **dirs, size_t *ndirs);
bool wb_cli_assess_opt_lang(const char *cmd, const char *arg, const char **out);
bool wb_cli_assess_opt_target(const char *cmd, const char *arg, int *out);

/* The built-in catalogues plus dirs; an exit status (errors printed). */
int wb_cli_assess_catset(const char *const *dirs, size_t ndirs, wb_catset **out);
/* The principles catalogue of set, or NULL when it has none. */
const wb_catalogue *wb_cli_assess_principles(wb_catset *set);
/* Every score as a table or as the JSON of wb_assess_scores_json. */
void wb_cli_assess_scores_table(const wb_catalogue *cat, const wb_catalogue *pr,
                                const wb_answers *ans, const wb_scores *sc, const char *lang);
int wb_cli_assess_scores_json(const wb_catalogue *cat, const wb_catalogue *pr,
                              const wb_answers *ans, const wb_scores *sc, const char *lang);
/* What improved and slipped from answers a to b; an exit status. */
int wb_cli_assess_diff_print(const wb_catalogue *cat, const wb_answers *a, const wb_answers *b,
                             bool json);

/* The database-backed actions (cmd_assess_db.c): new, answer, import, export,
 * show ID, history, diff A B, share, sectors, list. Returns the exit status,
 * or -1 when argv is not one of them (cmd_assess.c goes on with it). */
int wb_cli_assess_db(int argc, char **argv);

#endif
