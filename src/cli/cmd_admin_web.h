/*
 * cmd_admin_web.h - `weerbaar admin user password|link`: the web page's
 * sign-in for a user (cmd_admin_web.c), dispatched from cmd_admin.c.
 */
#ifndef WB_CLI_CMD_ADMIN_WEB_H
#define WB_CLI_CMD_ADMIN_WEB_H

#include <stdbool.h>

typedef struct wb_store wb_store;

/* Whether verb is one of this file's (password, link). */
bool wb_cli_admin_web_verb(const char *verb);
/* Runs `admin user VERB EMAIL` on an open store: url is the hub's page
 * (--url, NULL for http://127.0.0.1:8080), hours the link's validity
 * (--hours, NULL for 72). Returns the exit status. */
int wb_cli_admin_web(wb_store *st, const char *verb, const char *email, const char *url,
                     const char *hours);

#endif
