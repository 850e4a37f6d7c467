/*
 * cli.h - the subcommands of the weerbaar program and helpers they share.
 *
 * Each subcommand lives in its own file (cmd_match.c, cmd_vers.c, ...) and returns
 * the process exit status: 0 success, 1 a negative answer, 2 an error.
 * Only code under src/cli/ prints or exits.
 */
#ifndef WB_CLI_H
#define WB_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "weerbaar/error.h"

enum { WB_EXIT_OK = 0, WB_EXIT_NO = 1, WB_EXIT_ERROR = 2 };

int wb_cmd_match(int argc, char **argv);
int wb_cmd_intel(int argc, char **argv);
int wb_cmd_vers(int argc, char **argv);
int wb_cmd_purl(int argc, char **argv);
int wb_cmd_cpe(int argc, char **argv);
int wb_cmd_serve(int argc, char **argv);
int wb_cmd_admin(int argc, char **argv);
int wb_cmd_feed(int argc, char **argv);
int wb_cmd_sighting(int argc, char **argv);
int wb_cmd_assess(int argc, char **argv);
/* `assess report`, called by wb_cmd_assess (cmd_assess_report.c). */
int wb_cmd_assess_report(int argc, char **argv);
int wb_cmd_incident(int argc, char **argv);
int wb_cmd_vuln(int argc, char **argv);
int wb_cmd_deps(int argc, char **argv);
int wb_cmd_picture(int argc, char **argv);
/* `deps picture`, `deps share` and `deps sectors`, called through the deps
 * action table (cmd_deps_share.c); argv is the whole command line. */
int wb_cli_deps_picture(int argc, char **argv);
int wb_cli_deps_share(int argc, char **argv);
int wb_cli_deps_sectors(int argc, char **argv);

/* Renders a page through render(ud, path, err) into the file out, or to
 * standard output when out is NULL or "-" (render.c); refused (exit 2, with
 * a hint to use --out) when standard output is a terminal. cmd names the
 * command in messages. Returns the exit status. */
/* Draws into a file name: wb_render_fn of weerbaar/report.h. */
typedef int (*wb_cli_render_fn)(void *ud, const char *path, wb_error *err);
int wb_cli_write_rendered(const char *cmd, const char *out, wb_cli_render_fn render, void *ud);

/* False (with the message) when binary output would go to a terminal:
 * out NULL or "-" and standard output a terminal (render.c). */
bool wb_cli_may_write_binary(const char *cmd, const char *out);
/* Where a progress line goes (progress.h): standard error when it is a
 * terminal and quiet is false, else NULL (no line). */
FILE *wb_cli_progress_out(bool quiet);
/* Writes b to the file out, or standard output when out is NULL or "-"; a
 * file that cannot be written whole is removed. Returns the exit status. */
struct wb_buf;
int wb_cli_write_bytes(const char *cmd, const char *out, const struct wb_buf *b);

/* Prints "weerbaar: message" to stderr. */
void wb_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "weerbaar: <err->msg>" to stderr. */
void wb_cli_report(const wb_error *err);
/* True when argv holds -h or --help. */
bool wb_cli_wants_help(int argc, char **argv);

#endif
