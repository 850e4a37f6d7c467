/*
 * cmdtab.h - the command tables of the weerbaar program: one table of groups
 * (main.c), one action table per group (each group's own file), each action
 * with the options it takes in the form its usage text shows them.
 *
 * The tables drive dispatch (wb_cli_dispatch instead of strcmp chains),
 * `weerbaar help GROUP [ACTION]` and the generated shell completion
 * (`weerbaar completion bash|zsh`). tests/cli/cmdtab.sh checks them against
 * the help text and the parsers.
 */
#ifndef WB_CLI_CMDTAB_H
#define WB_CLI_CMDTAB_H

#include <stdbool.h>
#include <stdio.h>

/* Runs an action: ctx is the group's parsed options (NULL when the group
 * has none), argv[0] the action's name. Returns the exit status. */
typedef int (*wb_cli_action_fn)(void *ctx, int argc, char **argv);

typedef struct wb_cli_action {
    const char *name;    /* NULL ends a table */
    bool takes_id;       /* the action's first argument is a record's id or name */
    wb_cli_action_fn fn; /* NULL: the group's run function dispatches it */
    const char *help;    /* one line, for completion menus */
    /* The options as the usage text shows them, NULL-terminated: "--db PATH",
     * "--format table|json", "--wide"; a value with '|' lists every value. */
    const char *const *opts;
} wb_cli_action;

typedef struct wb_cli_group {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the group's name */
    const char *summary;
    const wb_cli_action *actions; /* NULL: the group has no actions (match, serve) */
    const char *const *opts;      /* options every action (or the group) takes */
} wb_cli_group;

/* The action called name in tab, or NULL. */
const wb_cli_action *wb_cli_action_find(const wb_cli_action *tab, const char *name);

/* The action of a group's command line (argv[0] the group): the first
 * word that is neither an option nor the value of an option the table
 * shows with one ("--db PATH"), as getopt will leave it; NULL when none. */
const char *wb_cli_action_word(int argc, char **argv, const wb_cli_action *tab);

/* Runs the action argv[0] of group's table tab with ctx; an unknown or
 * missing action is an error that lists the actions. Returns the exit
 * status. */
int wb_cli_dispatch(const char *group, const wb_cli_action *tab, void *ctx, int argc, char **argv);

/* The program's groups, ending with NULL (main.c). */
extern const wb_cli_group *const wb_cli_groups[];

/* `weerbaar help [GROUP [ACTION]]`: the same text as `--help` at that level.
 * usage prints the top level. Returns the exit status. */
int wb_cli_help(int argc, char **argv, void (*usage)(FILE *f));

/* `weerbaar completion bash|zsh|list`: a completion script generated from the
 * tables, or (list) one line per action (GROUP ACTION [ID]) and per option
 * (GROUP ACTION|- OPTION [VALUE]).
 * Returns the exit status. */
int wb_cli_completion(int argc, char **argv);

/* The action tables of the groups (each group's own file). */
extern const wb_cli_action wb_cli_vuln_actions[];
extern const wb_cli_action wb_cli_intel_actions[];
extern const wb_cli_action wb_cli_vers_actions[];
extern const wb_cli_action wb_cli_purl_actions[];
extern const wb_cli_action wb_cli_cpe_actions[];
extern const wb_cli_action wb_cli_feed_actions[];
extern const wb_cli_action wb_cli_admin_actions[];
extern const wb_cli_action wb_cli_sighting_actions[];
extern const wb_cli_action wb_cli_incident_actions[];
extern const wb_cli_action wb_cli_deps_actions[];
extern const wb_cli_action wb_cli_assess_actions[];

/* Group-wide options (match and serve have no actions). */
extern const char *const wb_cli_match_opts[];
extern const char *const wb_cli_serve_opts[];
extern const char *const wb_cli_vers_opts[];
extern const char *const wb_cli_feed_opts[];
extern const char *const wb_cli_admin_opts[];
extern const char *const wb_cli_picture_opts[];

#endif
