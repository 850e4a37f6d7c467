/*
 * cmd_admin_nats.h - `weerbaar admin nats-config` (cmd_admin_nats.c),
 * called by cmd_admin.c before it opens the database itself.
 */
#ifndef WB_CLI_ADMIN_NATS_H
#define WB_CLI_ADMIN_NATS_H

/* args[0] is "nats-config"; n the words from there. An exit status. */
int wb_cli_admin_nats(const char *db, const char *out, const char *url, const char *retention,
                      char **args, int n);

#endif
